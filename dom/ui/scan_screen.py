"""The scanner on screen (``S``): every symbol ranked, refreshed each second; ``o`` changes the
ranking column, ``enter`` opens the ladder on the selected symbol, ``escape`` / ``S`` go back.
The rows are ``dom.runtime.scan``'s (docs/SCAN.md)."""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

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
    ("#", "rank", str), ("symbol", "symbol", lambda v: v.removesuffix("USDT")), ("sector", "sector", lambda v: v or "-"), ("last", "last", lambda v: v or "-"),
    ("5m", "change_5m_pct", _pct), ("1h", "change_1h_pct", _pct), ("24h", "change_24h_pct", _pct),
    ("RS 1h", "rs_1h", _pct), ("RS 24h", "rs_24h", _pct), ("beta", "beta", _num),
    ("vol 24h", "quote_volume_24h", _big), ("OI chg", "open_interest_change_pct", _pct),
    ("funding", "funding_rate", lambda v: "-" if v is None else f"{float(v) * 100:.4f}%"),
    ("spread", "spread_bps", lambda v: _num(v, 1)), ("depth 1%", "depth_1pct", _big),
    ("slip", "slippage_bps", lambda v: _num(v, 1)), ("1m", "trend_1m", lambda v: v or "-"),
    ("RSI", "rsi14_1m", lambda v: _num(v, 0)), ("5m", "trend_5m", lambda v: v or "-"),
    ("burst", "burst_score", lambda v: _num(v, 1)),
    ("alerts", "alerts", str),
]
SORTS = ["rs_1h", "rs_24h", "burst_score", "change_5m_pct", "change_1h_pct", "change_24h_pct", "quote_volume_24h", "alerts"]


class ScanScreen(Screen[str]):
    """Full screen: the table and a line saying the ranking and the keys."""

    DEFAULT_CSS = """
    ScanScreen DataTable { height: 1fr; }
    ScanScreen #scanhead { height: 1; background: $panel; }
    """
    BINDINGS = [Binding("escape,S,q", "close", "back to the ladder"), Binding("o", "sort", "rank by the next column")]

    def __init__(self, rows: Callable[[str], dict], current: str, refresh_s: float = 1.0) -> None:
        super().__init__()
        self.rows = rows  # sort key -> the scan document
        self.current = current
        self.sort = SORTS[0]
        self.refresh_s = refresh_s
        self.symbols: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="scanhead")
        t = DataTable(cursor_type="row", zebra_stripes=True)
        for head, _, _ in COLUMNS:
            t.add_column(head)
        yield t

    def on_mount(self) -> None:
        self.fill(keep_cursor=False)
        if self.refresh_s > 0:
            self.set_interval(self.refresh_s, self.fill)
        self.query_one(DataTable).focus()

    def fill(self, keep_cursor: bool = True) -> None:
        doc = self.rows(self.sort)
        t = self.query_one(DataTable)
        selected = self.symbols[t.cursor_row] if keep_cursor and 0 <= t.cursor_row < len(self.symbols) else self.current
        t.clear()
        self.symbols = [r["symbol"] for r in doc["rows"]]
        for r in doc["rows"]:
            t.add_row(*(fmt(r.get(key)) for _, key, fmt in COLUMNS), key=r["symbol"])
        if selected in self.symbols:
            t.move_cursor(row=self.symbols.index(selected))
        ref = doc.get("reference") or "-"
        secs = [d for d in doc.get("sectors") or [] if d["median_rs_1h"] is not None]  # (ranked on something)
        lead = f"  sectors: {' > '.join(d['sector'] for d in secs[:4])}" if secs else ""
        gained = f" (gained most: {doc['gained_most_1h']})" if doc.get("gained_most_1h") else ""
        self.query_one("#scanhead", Static).update(
            f" scan: {len(self.symbols)} symbols ranked by {self.sort} (relative strength vs {ref} net of beta)"
            f"{lead}{gained}  o: rank by  enter: ladder  esc: back")

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.fill()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))
