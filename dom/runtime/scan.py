"""``dom scan``: every symbol of a venue at a glance, ranked (docs/SCAN.md).

One row per symbol, from the same pipeline as ``dom run`` (books, context, detectors): the move
over 5 m, 1 h and 24 h, the relative strength against the reference net of its beta
(``dom.core.context.strength``), 24 h volume, open interest and its change, funding, the spread,
the visible depth within 1 % of the mid and the slippage of a position sized to the 1 % rule,
the EMA20 / RSI14 trend on 1 m and 5 m bars, and the live alerts by kind.

In whole-venue mode (``dom scan``'s default on Binance USDⓈ-M and the built-in market) a symbol
not opened or pinned is followed by its top of book and trades only (``book: "top"``): its spread
comes from the bookTicker, bars and bursts from its mid, sweeps from its trades; the depth within
1 % and the slippage come from a REST depth probe (100 levels a side, in a rotation under the
venue's weight limit; ``depth_age_s`` says how old) until it is opened or pinned.
"""

from __future__ import annotations

import asyncio
import sys
import time
import weakref
from decimal import Decimal
from typing import Any

from dom.core.types import AlertState
from dom.runtime.scan_keys import SORT_KEYS  # noqa: F401 - re-exported


class LiveAlerts:
    """Listener: the alert episodes not ended, per symbol and kind."""

    def __init__(self) -> None:
        self.live: dict[str, tuple[str, str]] = {}  # alert id -> (symbol, kind)

    def on_alert(self, a: Any) -> None:
        if a.state is AlertState.END:
            self.live.pop(a.id, None)
        else:
            self.live[a.id] = (a.symbol, a.kind.value)

    def on_status(self, change: Any) -> None:
        pass

    def on_conn(self, endpoint: str, state: Any, detail: str) -> None:
        pass

    def counts(self, symbol: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for s, k in self.live.values():
            if s == symbol:
                out[k] = out.get(k, 0) + 1
        return out


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def scan_row(pipe: Any, symbol: str, alerts: LiveAlerts, stop_pct: float = 1.0) -> dict[str, Any]:
    from dom.core.context.strength import relative_strength, same_window, window_return
    from dom.core.context.trend import bias

    st = pipe.engine[symbol]
    inst = st.instrument
    ctx, params = pipe.context, pipe.params
    c = ctx.symbols.get(symbol) if ctx is not None else None
    ref = ctx.symbols.get(ctx.reference) if ctx is not None else None
    ref_sym = ctx.reference if ctx is not None else symbol
    row: dict[str, Any] = {"symbol": symbol, "quote": inst.quote, "sector": inst.sector or None, "book": st.state.value}
    bb, ba = st.book.best_bid(), st.book.best_ask()
    tk = st.last_ticker
    if st.top_only and tk is not None and 0 < tk.bid_px < tk.ask_px:  # best bid/ask from the venue's bookTicker
        bb, ba = (tk.bid_px, tk.bid_qty), (tk.ask_px, tk.ask_qty)
    mid = (bb[0] + ba[0]) / 2 if bb and ba else None
    last = st.last_trade.px_ticks if st.last_trade is not None else None
    row["last"] = inst.px_str(last) if last is not None else None
    for name, win in (("5m", 300), ("1h", 3600), ("4h", 14400)):
        r = window_return(c.bars_1m, win) if c is not None else None
        row[f"change_{name}_pct"] = _r(r[0]) if r else None
        row[f"change_{name}_window_s"] = r[1] if r else None
    t = c.ticker if c is not None else None
    row["change_24h_pct"] = _r(t.change_pct) if t is not None else None
    row["quote_volume_24h"] = str(t.quote_volume) if t is not None else None
    cb = _per_bar(ctx, symbol, 60, "corr", lambda: ctx.correlation(symbol, 60)) if symbol != ref_sym else None
    cb5 = _per_bar(ctx, symbol, 300, "corr", lambda: ctx.correlation(symbol, 300)) if symbol != ref_sym else None
    beta = cb5[1] if cb5 else (cb[1] if cb else None)
    row["beta"] = _r(beta)
    row["beta_bars"] = "5m" if cb5 else ("1m" if cb else None)
    if c is not None and ref is not None and symbol != ctx.reference:
        for name, win in (("1h", 3600), ("4h", 14400)):
            w = same_window(c.bars_1m, ref.bars_1m, win)
            row[f"rs_{name}"] = _r(relative_strength(w[0], w[1], beta)) if w else None
            row[f"rs_{name}_window_s"] = w[2] if w else None
        rt = ref.ticker
        row["rs_24h"] = _r(relative_strength(t.change_pct if t else None, rt.change_pct if rt else None, beta))
    else:
        row["rs_1h"] = row["rs_1h_window_s"] = row["rs_4h"] = row["rs_4h_window_s"] = row["rs_24h"] = None
    oi = c.open_interest if c is not None else None
    row["open_interest"] = inst.qty_str(oi) if oi is not None else None
    chg = c.oi_change(ctx.oi_window_s) if c is not None else None
    row["open_interest_change_pct"] = _r(chg[0]) if chg else None
    m = st.mark
    row["funding_rate"] = (f"{m.funding_rate_e8 / 1e8:.8f}".rstrip("0").rstrip(".") or "0") if m else None
    row["spread_bps"] = _r((ba[0] - bb[0]) / mid * 1e4, 2) if mid else None
    depth = slip = age = None
    probe = c.probe if c is not None and not st.synced else None
    if st.synced and mid:
        band = int(mid * 0.01)  # 1 % of the mid, in ticks
        lots = st.book.bids.depth_within(band) + st.book.asks.depth_within(band)
        depth, slip = float(inst.notional(int(mid), lots)), _slippage(inst, params, st.book.asks.top(1000), stop_pct)
    elif probe is not None and probe.bids and probe.asks:  # the book is not followed: its last REST probe
        pm = (probe.bids[0][0] + probe.asks[0][0]) / 2
        band = int(pm * 0.01)
        lots = (sum(q for px, q in probe.bids if px >= probe.bids[0][0] - band)
                + sum(q for px, q in probe.asks if px <= probe.asks[0][0] + band))
        depth, slip = float(inst.notional(int(pm), lots)), _slippage(inst, params, probe.asks, stop_pct)
        age = max(0, (st.stats.last_exchange_ns or probe.ts_exchange_ns) - probe.ts_exchange_ns) // 1_000_000_000
    row["depth_1pct"] = round(depth, 2) if depth is not None else None
    row["slippage_bps"] = slip
    row["depth_age_s"] = age  # null: from the live book (or none); else seconds since the REST probe
    for name in ("1m", "5m"):
        bar_s = 60 if name == "1m" else 300
        b = _per_bar(ctx, symbol, bar_s, "bias", lambda: bias(c.series(bar_s).closes)) if c is not None else None
        row[f"trend_{name}"] = b.direction or None if b is not None and b.ready else None
        row[f"rsi14_{name}"] = _r(b.rsi, 1) if b is not None else None
    b = c.burst.measure() if c is not None else None
    row["burst_volume_x"] = _r(b[0], 2) if b else None
    row["burst_move_sigma"] = _r(b[1], 2) if b else None
    row["burst_score"] = _r(min(b), 2) if b else None  # both at once: volume and move
    counts = alerts.counts(symbol)
    row["alerts"] = sum(counts.values())
    row["alerts_by_kind"] = counts
    return row


_MEMO: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()  # per market context


def _per_bar(ctx: Any, symbol: str, bar_s: int, what: str, compute: Any) -> Any:
    """``compute()`` (a correlation or a trend over up to 240 bars), done again only when the
    symbol's or the reference's bar of ``bar_s`` changes: a scan of 300 symbols every few seconds
    spent most of its time recomputing them for a bar still forming (a figure is as of the first
    refresh in each bar)."""
    if ctx is None:
        return None
    memo = _MEMO.setdefault(ctx, {})
    c, r = ctx.symbols.get(symbol), ctx.symbols.get(ctx.reference)
    key = (c.series(bar_s).bar if c is not None else None, r.series(bar_s).bar if r is not None else None)
    hit = memo.get((symbol, bar_s, what))
    if hit is not None and hit[0] == key:
        return hit[1]
    val = compute()
    memo[(symbol, bar_s, what)] = (key, val)
    return val


def _slippage(inst: Any, params: Any, asks: Any, stop_pct: float) -> float | None:
    """A long at the best ask with its stop ``stop_pct`` below, sized so the stop loses
    ``risk_pct`` of ``equity``, walked through ``asks`` (best first): the average price's distance
    from the best ask in bps; None when the levels cannot fill it."""
    from dom.core.context.sizing import size, walk

    levels = list(asks)
    if not levels:
        return None
    best = levels[0][0]
    px = inst.price.to_decimal(best)
    try:
        s = size(Decimal(str(params.equity)), Decimal(str(params.risk_pct)), px,
                 px * (1 - Decimal(str(stop_pct)) / 100), inst.contract_size, inst.lot_size)
        want = int(s.contracts / Decimal(inst.lot_size))
        wk = walk(levels, want) if want > 0 else None
    except (ValueError, ArithmeticError):
        return None
    if wk is None or not wk.filled_lots or not wk.complete:
        return None
    return round(float(wk.slippage_ticks) / best * 1e4, 2)


def _key(sort: str):
    def k(row: dict) -> tuple:
        v = row.get(sort)
        if sort == "symbol":
            return (0, v)
        if v is None:
            return (1, 0.0)
        return (0, -float(v))  # highest first
    return k


def quotes_missing(pipe: Any, quotes: list[str] | None) -> list[str]:
    """The assets of ``--quote`` that no followed symbol is quoted in (a typo, or the wrong venue)."""
    have = {q.upper() for q in quotes_here(pipe)}
    return [q for q in quotes or () if q.upper() not in have]


def quotes_here(pipe: Any) -> list[str]:
    """The quote assets of the followed symbols, sorted."""
    return sorted({st.instrument.quote for st in pipe.engine.symbols.values()})


def scan_doc(pipe: Any, alerts: LiveAlerts, sort: str = "rs_1h", stop_pct: float = 1.0,
             min_volume: float = 0.0, history: Any = None, sectors: list[str] | None = None,
             quotes: list[str] | None = None) -> dict[str, Any]:
    """The scan object; ``history`` (a ``RankHistory``, kept by the caller across refreshes)
    adds each sector's rank change over the last hour and the sector that gained most;
    ``sectors``, ``quotes`` and ``min_volume`` keep only the rows that match."""
    syms = pipe.engine.symbols
    if quotes:
        wanted = {q.upper() for q in quotes}
        syms = [s for s, st in syms.items() if st.instrument.quote.upper() in wanted]
    rows = [scan_row(pipe, s, alerts, stop_pct) for s in syms]
    if sectors:
        want = {x.lower() for x in sectors}
        rows = [r for r in rows if (r["sector"] or "").lower() in want]
    if min_volume > 0:
        rows = [r for r in rows if r["quote_volume_24h"] is not None and float(r["quote_volume_24h"]) >= min_volume]
    rows.sort(key=_key(sort))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    sectors = _sectors(rows, pipe.context.reference if pipe.context is not None else "")
    now = max((st.stats.last_exchange_ns for st in pipe.engine.symbols.values()), default=0)
    gained = None
    if history is not None:
        history.add(now, {d["sector"]: d["rank_1h"] for d in sectors if d["median_rs_1h"] is not None})
        best = 0
        for d in sectors:
            d["rank_change_1h"] = history.change(d["sector"])
            if d["rank_change_1h"] is not None and d["rank_change_1h"] > best:
                best, gained = d["rank_change_1h"], d["sector"]
    return {"v": 1, "type": "scan", "venue": pipe.venue, "ts_ns": now, "sort": sort,
            "reference": pipe.context.reference if pipe.context is not None else None, "rows": rows,
            "sectors": sectors, "gained_most_1h": gained,
            "rank_history_s": history.span_ns() // 1_000_000_000 if history is not None else None}


def _sectors(rows: list[dict], reference: str) -> list[dict]:
    """Sectors ranked by their symbols' median relative strength (1 h; 4 h and 24 h beside it); each row
    gets its sector's rank. The reference is left out (it has no strength against itself)."""
    from dom.core.context.strength import sector_ranks

    by: dict[str, list[dict]] = {}
    for r in rows:
        if r["sector"] and r["symbol"] != reference:
            by.setdefault(r["sector"], []).append(r)
    r1 = sector_ranks({k: [r["rs_1h"] for r in v] for k, v in by.items()})
    r4 = {name: (med, rank) for name, med, rank in sector_ranks({k: [r["rs_4h"] for r in v] for k, v in by.items()})}
    r24 = {name: (med, rank) for name, med, rank in sector_ranks({k: [r["rs_24h"] for r in v] for k, v in by.items()})}
    out = []
    for name, med, rank in r1:
        out.append({"sector": name, "rank_1h": rank, "median_rs_1h": _r(med), "rank_4h": r4[name][1],
                    "median_rs_4h": _r(r4[name][0]), "rank_24h": r24[name][1],
                    "median_rs_24h": _r(r24[name][0]), "symbols": sorted(r["symbol"] for r in by[name])})
    ranks = {d["sector"]: d["rank_1h"] for d in out}
    for r in rows:
        r["sector_rank"] = ranks.get(r["sector"])
    return out


async def run_scan(cfg: Any, duration: float | None, every: float, sort: str, stop_pct: float,
                   min_volume: float, out: Any, sectors: list[str] | None = None, whole_venue: bool = False,
                   pins: list[str] | None = None, quotes: list[str] | None = None) -> int:
    """``dom scan --json``: one scan object per ``every`` seconds on ``out`` (bytes), the last at
    the end; state on stderr."""
    import orjson

    from dom.runtime.live import LiveDriver
    from dom.runtime.wiring import StderrListener, _signals_stop, build_pipeline, open_source

    async with open_source(cfg, whole_venue=whole_venue, follow=pins or ()) as src:
        pipe = build_pipeline(cfg, src)
        alerts = LiveAlerts()
        pipe.subscribe(alerts)
        pipe.subscribe(StderrListener())
        drv = LiveDriver(src.client, pipe, [], poller_for=src.venue.context_poller,
                         stale_after_s=cfg.feed.book_stale_after_s)
        await drv.start()
        missing = quotes_missing(pipe, quotes)
        if missing:
            from dom.errors import ConfigError

            have = ", ".join(quotes_here(pipe)) or "nothing"
            raise ConfigError(f"--quote {', '.join(missing)}: no symbol here is quoted in it "
                              f"(the {len(pipe.engine.symbols)} symbols are quoted in {have})")

        from dom.core.context.strength import RankHistory

        history = RankHistory()

        def emit() -> None:
            out.write(orjson.dumps(scan_doc(pipe, alerts, sort, stop_pct, min_volume, history, sectors, quotes)) + b"\n")
            out.flush()

        async def refresh() -> None:
            while True:
                await asyncio.sleep(every)
                emit()

        task = asyncio.create_task(refresh())
        t0 = time.monotonic()
        try:
            with _signals_stop(drv):
                await drv.run(duration, flush_deadline=cfg.run.flush_deadline_s)
        finally:
            task.cancel()
        emit()
        st = getattr(src.client, "stats", None)
        frames = f", {st.frames} frames in {time.monotonic() - t0:.1f} s" if st is not None and hasattr(st, "frames") else ""
        print(f"scan done: {len(pipe.engine.symbols)} symbols, {pipe.alerts} alerts{frames}", file=sys.stderr)
    return 0
