"""A symbol's trading context as plain JSON values: what ``dom run --context`` prints, and what
the context panel shows (funding, mark/index, open interest and its change, 24 h, correlation and
beta to the reference, the reference's move and weakness warning)."""

from __future__ import annotations

from typing import Any


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


def context_doc(pipe: Any, symbol: str) -> dict[str, Any]:
    st = pipe.engine[symbol]
    inst = st.instrument
    ctx = pipe.context
    doc: dict[str, Any] = {"v": 1, "type": "context", "venue": pipe.venue, "symbol": symbol,
                           "ts_ns": st.stats.last_exchange_ns, "book": st.state.value}
    mark = st.mark
    if mark is not None:
        doc["mark"] = inst.px_str(mark.mark_px_ticks)
        doc["index"] = inst.px_str(mark.index_px_ticks)
        doc["funding_rate"] = f"{mark.funding_rate_e8 / 1e8:.8f}".rstrip("0").rstrip(".") or "0"
        doc["next_funding_ns"] = mark.next_funding_ns
    if ctx is None:
        return doc
    c = ctx.symbols.get(symbol)
    if c is not None:
        oi = c.open_interest
        if oi is not None:
            doc["open_interest"] = inst.qty_str(oi)
            chg = c.oi_change(ctx.oi_window_s)
            if chg is not None:
                doc["open_interest_change_pct"] = _r(chg[0], 3)
                doc["open_interest_change_window_s"] = chg[1]
        t = c.ticker
        if t is not None:
            doc["last_24h"] = inst.px_str(t.last_px)
            doc["change_24h_pct"] = _r(t.change_pct, 3)
            doc["volume_24h"] = inst.qty_str(t.volume_lots)
            doc["quote_volume_24h"] = str(t.quote_volume)
    doc["reference"] = ctx.reference
    for bar_s, name in ((60, "1m"), (300, "5m")):
        cb = ctx.correlation(symbol, bar_s) if symbol != ctx.reference else None
        doc[f"corr_{name}"] = _r(cb[0], 3) if cb else None
        doc[f"beta_{name}"] = _r(cb[1], 3) if cb else None
    if c is not None:
        from dom.core.context.trend import bias

        for name, series in (("1m", c.bars_1m), ("5m", c.bars_5m)):
            b = bias(series.closes)
            # (bar prices are the book's mid, kept as bid + ask in ticks: half of it is the price)
            half = float(inst.tick_size) / 2
            doc[f"trend_{name}"] = {
                "bars": b.bars, "direction": b.direction or None,
                "ema20": None if b.ema is None else round(b.ema * half, 12),
                "last": None if b.price is None else round(b.price * half, 12),
                "rsi14": _r(b.rsi, 2), "band": b.band() or None,
            }
    mv = ctx.reference_move()
    doc["reference_move_pct"] = _r(mv[0], 3) if mv else None
    doc["weakness"] = ctx.weakness()
    return doc
