"""Klines (``GET /fapi/v1/klines``, 1 m and 5 m) of the built-in market, in Binance's shape.

A fresh session has no history, so before the session each symbol gets a deterministic previous
day (``dom.sim.context.previous_day``): its minute closes are a bridge from the 24 h-ago price
to the session's start price, kept within the day's range, with the day's volume spread over the
minutes. During the session the bars are the market's own: the last trade price sampled every
market step (open, high, low, close) and the session's volume counted per minute. A scanner that
starts has its trend, RSI and beta at once, as on a real venue.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dom.sim.context import PreviousDay
    from dom.sim.market import Market, SymbolSim

MIN_NS = 60_000_000_000
INTERVALS = {"1m": 1, "5m": 5}  # minutes a bar
MAX_LIMIT = 1500


def history_closes(seed: int, sim: "SymbolSim", day: "PreviousDay", minutes: int = 1440) -> list[int]:
    """The closes (ticks) of the ``minutes`` minutes before the session, oldest first: a random
    walk pinned to the day's open at the start and to the session's start price at the end. Its
    steps are the symbol's beta x a market factor shared by every symbol of the seed, plus its own
    noise, so the history has the correlation to the reference the live market has."""
    factor = random.Random(f"{seed}:factor:klines")
    rng = random.Random(f"{seed}:{sim.spec.symbol}:klines")
    start = sim.flow.start_px
    per_min = 1 / math.sqrt(minutes)
    f_sigma = 0.025 * per_min  # the market's daily sigma, per minute
    own = 0.02 * max(0.5, sim.spec.beta) * per_min
    walk = [0.0]
    for _ in range(minutes):
        walk.append(walk[-1] + sim.spec.beta * factor.gauss(0, f_sigma) + rng.gauss(0, own))
    a, b = math.log(max(1, day.open_px)), math.log(max(1, start))
    out = []
    for i in range(1, minutes + 1):
        f = i / minutes
        x = a + (b - a) * f + walk[i] - walk[-1] * f  # the bridge: open at 0, start at the end
        out.append(min(day.high_px, max(day.low_px, round(math.exp(x)))))
    out[-1] = start
    return out


class Klines:
    """Minute bars per symbol: the previous day's, then the session's, sampled each step."""

    def __init__(self, market: "Market", days: dict[str, "PreviousDay"]) -> None:
        self.m = market
        self.days = days
        self.t0 = market.start_ns // MIN_NS  # the session's first minute
        self._hist: dict[str, list[int]] = {}
        # symbol -> {minute: [open, high, low, close, volume_lots, quote, trades]}
        self.session: dict[str, dict[int, list]] = {s: {} for s in market.syms}
        self._seen: dict[str, tuple[int, float, int]] = {}  # volume, quote, trades counted so far

    def sample(self) -> None:
        """Called after each market step: the current minute's bar of every symbol."""
        minute = self.m.now // MIN_NS
        for sym, sim in self.m.syms.items():
            px = sim.last_trade_px
            if not px:
                continue
            vol, quote, n = sim.volume_24h, sim.quote_volume, sim.trades_n
            v0, q0, n0 = self._seen.get(sym, (vol, quote, n))
            self._seen[sym] = (vol, quote, n)
            bar = self.session[sym].get(minute)
            if bar is None:
                bar = self.session[sym][minute] = [px, px, px, px, 0, 0.0, 0]
            bar[1], bar[2], bar[3] = max(bar[1], px), min(bar[2], px), px
            bar[4] += vol - v0
            bar[5] += quote - q0
            bar[6] += n - n0

    def _history(self, sym: str) -> list[int]:
        h = self._hist.get(sym)
        if h is None:
            h = self._hist[sym] = history_closes(self.m.seed, self.m.syms[sym], self.days[sym])
        return h

    def minute_bar(self, sym: str, minute: int) -> list | None:
        """[open, high, low, close, volume_lots, quote, trades] of one minute, or None (future)."""
        now = self.m.now // MIN_NS
        if minute > now:
            return None
        if minute >= self.t0:
            bars = self.session[sym]
            bar = bars.get(minute)
            if bar is not None:
                return bar
            c = self._history(sym)[-1]  # no trade this minute: flat at the last close
            for k in range(minute - 1, self.t0 - 1, -1):
                if k in bars:
                    c = bars[k][3]
                    break
            return [c, c, c, c, 0, 0.0, 0]
        hist = self._history(sym)
        i = minute - (self.t0 - len(hist))
        if i < 0:
            return None
        c = hist[i]
        o = hist[i - 1] if i > 0 else c
        day = self.days[sym]
        vol = day.volume_lots // len(hist)
        px = self.m.syms[sym].inst.price.to_float((o + c) // 2)
        return [o, max(o, c), min(o, c), c, vol, vol * self.m.syms[sym].inst.qty.to_float(1) * px, day.count // len(hist)]

    def rows(self, sym: str, interval: str, limit: int, end_ms: int | None = None) -> list[list]:
        """Binance's kline rows, oldest first, the last ending at ``end_ms`` (default: now)."""
        step = INTERVALS[interval]
        inst = self.m.syms[sym].inst
        end_min = (self.m.now if end_ms is None else min(self.m.now, end_ms * 1_000_000)) // MIN_NS
        last = end_min - end_min % step
        out = []
        for first in range(last - (limit - 1) * step, last + 1, step):
            bars = [b for b in (self.minute_bar(sym, first + k) for k in range(step)) if b is not None]
            if not bars:
                continue
            o, c = bars[0][0], bars[-1][3]
            hi, lo = max(b[1] for b in bars), min(b[2] for b in bars)
            vol, quote, n = sum(b[4] for b in bars), sum(b[5] for b in bars), sum(b[6] for b in bars)
            t = first * 60_000
            out.append([t, inst.px_str(o), inst.px_str(hi), inst.px_str(lo), inst.px_str(c), inst.qty_str(vol),
                        t + step * 60_000 - 1, f"{quote:.2f}", n, inst.qty_str(vol // 2), f"{quote / 2:.2f}", "0"])
        return out
