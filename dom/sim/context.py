"""Market context the built-in market serves over REST: the premium index (mark, index, funding),
open interest and the rolling 24 h ticker, in Binance USDⓈ-M's exact shapes.

The market itself (``dom.sim.market``) keeps the live state: the funding rate follows the
mark/index premium, open interest random-walks, and it counts what trades in the session. A
fresh session has no history, so each symbol also gets a deterministic *previous day* (from the
market's seed and the symbol): a 24 h-ago price, a daily range and a daily volume drawn around
what the symbol's own flow trades. The 24 h window then rolls: the previous day's share shrinks
as session time passes and the session's own trades replace it, so volume, count and the 24 h
change are plausible from the first second and exact about the session.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from dom.sim.market import Market, SymbolSim
from dom.sim.publish import FUNDING_PERIOD_NS
from dom.venues.binance_usdm import frames as wire

DAY_S = 86_400
_MS = 1_000_000
# The background flow trades about this many times (rate x median size) a second, all effects
# (Pareto tail, Hawkes excitation, active regimes) included; measured on the presets.
FLOW_VOLUME_FACTOR = 8.0


@dataclass
class PreviousDay:
    open_px: int  # price 24 h before the session started, ticks
    high_px: int
    low_px: int
    volume_lots: int
    quote_volume: float
    count: int


def previous_day(m: Market, sim: SymbolSim) -> PreviousDay:
    spec = sim.spec
    rng = random.Random(f"{m.seed}:{spec.symbol}:day")
    start = sim.flow.start_px
    vol = 0.03 * max(0.5, spec.beta)  # daily sigma: ~3% for the major, more for small caps
    open_px = max(1, round(start * math.exp(rng.gauss(0, vol))))
    lo, hi = min(open_px, start), max(open_px, start)
    high_px = round(hi * (1 + abs(rng.gauss(0, vol / 2))))
    low_px = max(1, round(lo * (1 - abs(rng.gauss(0, vol / 2)))))
    per_s = spec.market_rate * spec.market_median * FLOW_VOLUME_FACTOR * math.exp(rng.gauss(0, 0.35))
    volume = int(per_s * DAY_S)
    avg_px = sim.inst.price.to_float((open_px + start + high_px + low_px) // 4)
    count = int(spec.market_rate * 3.0 * DAY_S * math.exp(rng.gauss(0, 0.2)))
    return PreviousDay(open_px, high_px, low_px, volume, volume * sim.inst.qty.to_float(1) * avg_px, count)


class SimContext:
    """REST bodies for one market. Deterministic for a given market (preset, seed) and time."""

    def __init__(self, market: Market) -> None:
        self.m = market
        self.days = {s: previous_day(market, sim) for s, sim in market.syms.items()}
        self.session_hi: dict[str, int] = {}
        self.session_lo: dict[str, int] = {}

    def _left(self) -> float:
        """Share of the previous day still inside the rolling 24 h window."""
        elapsed = (self.m.now - self.m.start_ns) / 1e9
        return max(0.0, 1.0 - elapsed / DAY_S)

    def premium_index(self, sim: SymbolSim) -> dict:
        inst = sim.inst
        mid = sim.mid() or sim.flow.fair
        tick = inst.price.to_float(1)
        dec = max(0, inst.price.scale) + 1
        now = self.m.now
        nxt = (now // FUNDING_PERIOD_NS + 1) * FUNDING_PERIOD_NS
        return wire.premium_index_body(sim.spec.symbol, f"{mid * tick:.{dec}f}", f"{sim.flow.fair * tick:.{dec}f}",
                                       f"{sim.funding_rate:.8f}", nxt // _MS, now // _MS)

    def open_interest(self, sim: SymbolSim) -> dict:
        return wire.open_interest_body(sim.spec.symbol, sim.inst.qty_str(sim.open_interest), self.m.now // _MS)

    def ticker(self, sim: SymbolSim) -> dict:
        inst, sym = sim.inst, sim.spec.symbol
        day = self.days[sym]
        left = self._left()
        last = sim.last_trade_px
        start = sim.flow.start_px
        # The session's range as far as it has been seen (REST views sample the last price),
        # joined with what is left of the previous day's range; the 24 h open slides from the
        # previous day's open to the session's start as the window rolls.
        s_hi = self.session_hi[sym] = max(self.session_hi.get(sym, start), last)
        s_lo = self.session_lo[sym] = min(self.session_lo.get(sym, start), last)
        open_px = round(start + (day.open_px - start) * left)
        hi = max(s_hi, open_px, round(start + (day.high_px - start) * left))
        lo = min(s_lo, open_px, round(start - (start - day.low_px) * left))
        volume = int(day.volume_lots * left) + sim.volume_24h
        quote = day.quote_volume * left + sim.quote_volume
        count = int(day.count * left) + sim.trades_n
        qty1 = inst.qty.to_float(1)
        wavg = quote / (volume * qty1) if volume else inst.price.to_float(last)
        dec = max(0, inst.price.scale) + 1
        now_ms = self.m.now // _MS
        chg = last - open_px
        return wire.ticker_24h_body(
            sym, inst.px_str(chg), f"{100 * chg / open_px:.3f}", f"{wavg:.{dec}f}", inst.px_str(last),
            inst.qty_str(max(1, sim.spec.market_median)), inst.px_str(open_px), inst.px_str(hi), inst.px_str(lo),
            inst.qty_str(volume), f"{quote:.2f}", now_ms - DAY_S * 1000, now_ms, max(1, sim.agg_id - count),
            max(1, sim.agg_id - 1), count)
