"""The scanner on screen (``S``): every symbol ranked, refreshed each second. A click on a column's
header ranks by it (again: the other way), ``o`` steps through the usual rankings, ``r``
reverses, ``f`` steps the sector filter through the sectors, ``x`` shows only symbols with live
alerts, ``m`` pins (marks) the selected symbol to the watchlist (again: unpins; pinned ones are marked
``*``; they last the session) and ``w`` shows only the watchlist; ``enter`` opens the ladder on the selected symbol, ``escape`` / ``S`` go back. Live
alerts show as letters (B burst, X sweep, W wall, I iceberg, A absorption, S pulled liquidity),
and the bursting symbols are named in the header. The rows are ``dom.runtime.scan``'s
(docs/SCAN.md)."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from dom.ui.palette import KIND_LETTER

# (header, row field, how to show it)
COLUMNS: list[tuple[str, str, Callable[[Any], str]]] = []


def _pct(v: Any) -> str:
    return "-" if v is None else f"{v:+.2f}%"


def _num(v: Any, nd: int = 2) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def _big(v: Any) -> str:
    if v is None:
        return "-"
    x = float(v)
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.1f}{unit}"
    return f"{x:.0f}"


COLUMNS = [
    ("#", "rank", str), ("symbol", "symbol", lambda v: v.removesuffix("USDT")), ("live", "alerts_by_kind", lambda v: _live(v)),
    ("sector", "sector", lambda v: v or "-"), ("last", "last", lambda v: v or "-"),
    ("5m", "change_5m_pct", _pct), ("1h", "change_1h_pct", _pct), ("4h", "change_4h_pct", _pct),
    ("24h", "change_24h_pct", _pct), ("RS 1h", "rs_1h", _pct), ("RS 4h", "rs_4h", _pct), ("RS 24h", "rs_24h", _pct),
    ("beta", "beta", _num),
    ("vol 24h", "quote_volume_24h", _big), ("OI chg", "open_interest_change_pct", _pct),
    ("funding", "funding_rate", lambda v: "-" if v is None else f"{float(v) * 100:.4f}%"),
    ("spread", "spread_bps", lambda v: _num(v, 1)), ("depth 1%", "depth_1pct", _big),
    ("slip", "slippage_bps", lambda v: _num(v, 1)), ("1m", "trend_1m", lambda v: v or "-"),
    ("RSI", "rsi14_1m", lambda v: _num(v, 0)), ("5m", "trend_5m", lambda v: v or "-"),
    ("burst", "burst_score", lambda v: _num(v, 1)),
    ("alerts", "alerts", str),
]


DEPTH_COL = [key for _, key, _ in COLUMNS].index("depth_1pct")
SLIP_COL = [key for _, key, _ in COLUMNS].index("slippage_bps")


def _live(by_kind: Any) -> str:
    """Live alert episodes by kind as letters, bursts and sweeps first: ``B X2 W``."""
    if not by_kind:
        return ""
    order = sorted(by_kind, key=lambda k: (k not in ("burst", "sweep"), k))
    return " ".join(KIND_LETTER.get(k, "?") + (str(n) if n > 1 else "") for k in order for n in [by_kind[k]] if n)


def _sort_key(v: Any) -> tuple:
    """Values first (numbers, then text), missing ones last whichever way the column is ranked."""
    if v is None or v == "":
        return (1, 0, "")
    if isinstance(v, dict):
        return (0, sum(v.values()), "")
    if isinstance(v, (int, float)):
        return (0, float(v), "")
    try:
        return (0, float(v), "")
    except (TypeError, ValueError):
        return (0, 0, str(v))
SORTS = ["rs_1h", "rs_24h", "burst_score", "change_5m_pct", "change_1h_pct", "change_24h_pct", "quote_volume_24h", "alerts"]


class ScanScreen(Screen[str]):
    """Full screen: the table and a line saying the ranking and the keys."""

    DEFAULT_CSS = """
    ScanScreen DataTable { height: 1fr; }
    ScanScreen #scanhead { height: 2; background: $panel; }
    """
    BINDINGS = [Binding("escape,S,q", "close", "back to the ladder"), Binding("o", "sort", "rank by the next column"),
                Binding("r", "reverse", "reverse the ranking"), Binding("f", "sector", "next sector filter"),
                Binding("x", "live_only", "only symbols with live alerts"),
                Binding("m", "pin", "pin / unpin the symbol"), Binding("w", "watch_only", "only the watchlist")]

    def __init__(self, rows: Callable[[str], dict], current: str, refresh_s: float = 1.0,
                 watchlist: set[str] | None = None) -> None:
        super().__init__()
        self.rows = rows  # sort key -> the scan document
        self.current = current
        self.sort = SORTS[0]
        self.descending = True
        self.sector: str | None = None  # show only this sector
        self.live_only = False
        self.watchlist: set[str] = set(watchlist or ())  # shared with the caller: pins outlive the screen
        self.watch_only = False
        self.sectors: list[str] = []
        self.refresh_s = refresh_s
        self.symbols: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="scanhead")
        t = DataTable(cursor_type="row", zebra_stripes=True)
        for head, key, _ in COLUMNS:
            t.add_column(head, key=key)
        yield t

    def on_mount(self) -> None:
        self.fill(keep_cursor=False)
        if self.refresh_s > 0:
            self.set_interval(self.refresh_s, self.fill)
        self.query_one(DataTable).focus()

    def fill(self, keep_cursor: bool = True) -> None:
        doc = self.rows(self.sort if self.sort in SORTS else SORTS[0])
        t = self.query_one(DataTable)
        selected = self.symbols[t.cursor_row] if keep_cursor and 0 <= t.cursor_row < len(self.symbols) else self.current
        t.clear()
        rows = doc["rows"]
        self.sectors = sorted({r["sector"] for r in rows if r.get("sector")})
        if self.sector is not None:
            rows = [r for r in rows if r.get("sector") == self.sector]
        if self.live_only:
            rows = [r for r in rows if r.get("alerts")]
        if self.watch_only:
            rows = [r for r in rows if r["symbol"] in self.watchlist]
        have = [r for r in rows if _sort_key(r.get(self.sort))[0] == 0]
        have.sort(key=lambda r: _sort_key(r.get(self.sort)), reverse=self.descending)
        rows = have + [r for r in rows if _sort_key(r.get(self.sort))[0] == 1]
        self.symbols = [r["symbol"] for r in rows]
        for i, r in enumerate(rows):
            cells = [fmt(r.get(key)) for _, key, fmt in COLUMNS]
            cells[0] = str(i + 1)  # the place on this screen (its rank under the filter)
            if r["symbol"] in self.watchlist:
                cells[1] = "*" + cells[1]
            if r.get("depth_age_s") is not None:  # depth and slippage from a REST probe, not a live book
                for j in (DEPTH_COL, SLIP_COL):
                    if cells[j] != "-":
                        cells[j] += "~"
            t.add_row(*cells, key=r["symbol"])
        if selected in self.symbols:
            t.move_cursor(row=self.symbols.index(selected))
        ref = doc.get("reference") or "-"
        secs = [d for d in doc.get("sectors") or [] if d["median_rs_1h"] is not None]  # (ranked on something)
        lead = f"| sectors: {' > '.join(d['sector'] for d in secs[:6])}" if secs else ""
        gained = f" (gained most: {doc['gained_most_1h']})" if doc.get("gained_most_1h") else ""
        bursting = [r["symbol"].removesuffix("USDT") for r in doc["rows"] if (r.get("alerts_by_kind") or {}).get("burst")]
        burst = f"| BURST: {' '.join(bursting[:6])} " if bursting else ""
        way = "" if self.descending else " (lowest first)"
        only = ((f" of {self.sector}" if self.sector else "") + (" with live alerts" if self.live_only else "")
                + (" pinned" if self.watch_only else ""))
        self.query_one("#scanhead", Static).update(Text(
            f" scan: {len(self.symbols)} symbols{only} by {self.sort}{way} | o/header: rank, r: reverse, "
            f"f: sector, x: live, m: pin, w: pinned, enter, esc\n"
            f" RS vs {ref} net of beta {burst}{lead}{gained}"))

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)] if self.sort in SORTS else SORTS[0]
        self.descending = True
        self.fill()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.fill()

    def action_sector(self) -> None:
        """All sectors, then each sector in turn, then all again."""
        cycle: list[str | None] = [None, *self.sectors]
        i = cycle.index(self.sector) if self.sector in cycle else 0
        self.sector = cycle[(i + 1) % len(cycle)]
        self.fill(keep_cursor=False)

    def action_pin(self) -> None:
        t = self.query_one(DataTable)
        if 0 <= t.cursor_row < len(self.symbols):
            sym = self.symbols[t.cursor_row]
            self.watchlist.symmetric_difference_update({sym})
            self.fill()

    def action_watch_only(self) -> None:
        self.watch_only = not self.watch_only
        self.fill(keep_cursor=False)

    def action_live_only(self) -> None:
        self.live_only = not self.live_only
        self.fill(keep_cursor=False)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, key not in ("symbol", "sector", "rank")
        self.fill()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))
