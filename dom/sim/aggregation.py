"""aggTrade prints merged over a time window, as Binance USDⓈ-M does (a randomized market's
``agg_window_ms``, dom/sim/randomize.py).

Without a window the built-in market publishes one aggTrade per taker order and price. With one,
consecutive fills of the same price and taker side whose first fill is less than ``window_ns`` old
merge into one print, so one print can be many taker orders. A print is published when a fill of
another price or side arrives, or when its window has passed (at the next step): ``T`` is its last
fill's time, so the depth diff that shows its fills is never older than the print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dom.sim.matching import ASK
from dom.venues.binance_usdm import codec as wire
from dom.venues.binance_usdm import frames

if TYPE_CHECKING:
    from dom.sim.market import SymbolSim


class WindowAggregator:
    __slots__ = ("window_ns", "pending")

    def __init__(self, window_ms: int) -> None:
        self.window_ns = window_ms * 1_000_000
        self.pending: list | None = None  # [first_ts, last_ts, px, side, qty, fills]

    def add(self, ts: int, px: int, side: int, qty: int, fills: int) -> list | None:
        """One taker order's fills at one price; returns the print this closes, if any."""
        p = self.pending
        if p is not None and p[2] == px and p[3] == side and ts - p[0] < self.window_ns:
            p[1] = ts
            p[4] += qty
            p[5] += fills
            return None
        self.pending = [ts, ts, px, side, qty, fills]
        return p

    def due(self, now: int) -> list | None:
        """The pending print if its window has passed by ``now``."""
        p = self.pending
        if p is not None and now - p[0] >= self.window_ns:
            self.pending = None
            return p
        return None


def account_windowed(sim: "SymbolSim", fills: list, out: list, t: int) -> None:
    """``publish.account_fills`` for a market with an aggregation window: each taker order's fills
    at one price, then merged over the window; prints published at step ``t``."""
    agg = sim.agg
    i, n = 0, len(fills)
    while i < n:
        ts, px, _, side = fills[i][:4]
        j, total = i, 0
        while j < n and fills[j][0] == ts and fills[j][1] == px and fills[j][3] == side:
            sim.sweeps.fill(ts, px, fills[j][2], side)
            if fills[j][4] is not None:
                fills[j][4].on_fill(fills[j][2], ts, None)
            total += fills[j][2]
            j += 1
        done = agg.add(ts, px, side, total, j - i)
        if done is not None:
            _print(sim, out, done, t)
        i = j
    done = agg.due(t)
    if done is not None:
        _print(sim, out, done, t)


def _print(sim: "SymbolSim", out: list, p: list, t: int) -> None:
    _, ts, px, side, total, nfills = p
    publish_print(sim, out, ts, px, side, total, nfills, max(t, ts))


def publish_print(sim: "SymbolSim", out: list, ts: int, px: int, side: Any, total: int, nfills: int,
                  at: int) -> None:
    """One aggTrade of ``nfills`` fills (ids numbered on), the session's counters, the frame."""
    from dom.sim.publish import Msg  # (publish imports this module)

    inst, sym = sim.inst, sim.spec.symbol
    first = sim.fill_id
    sim.fill_id += nfills
    raw = frames.encode_agg_trade(sym, ts // 1_000_000, sim.agg_id, inst.px_str(px), inst.qty_str(total), first,
                                sim.fill_id - 1, side == ASK)
    sim.agg_id += 1
    sim.volume_24h += total
    sim.quote_volume += inst.price.to_float(px) * inst.qty.to_float(total)
    sim.trades_n += 1
    sim.last_trade_px = px
    out.append(Msg("market", wire.agg_trade_stream(sym), raw, at))
