"""Background order flow for one symbol of the built-in market.

Per step (10-100 ms of market time) the counts of limit adds, cancels and market orders are drawn
from Poisson laws whose rates follow:

* Cont-Stoikov-Talreja's shape for where limit orders land: weight ``k / i**0.52`` at ``i``
  ticks from the opposite best, so the book is thick near the touch and humped;
* a calm/active regime switch (mean 10 min / 2 min, intensities x1 / x4);
* Hawkes self-excitation of market orders (branching ratio 0.7, decay 2/s);
* market-order sides that persist (metaorders) and lean towards a fair value that follows a
  common factor plus the symbol's own noise, which is what makes symbols move together;
* lognormal limit sizes with round-size spikes, and market sizes with a Pareto tail (alpha 1.5).

A randomized market (``sizes``: dom/sim/randomize.py) draws these laws instead; with ``quoting``
(an option, off by default) its organic adds also join the own best queue (a drawn share) and stay
out of levels a trade just emptied for a drawn re-quote delay (dom/sim/quoting.py).
"""

from __future__ import annotations

import math
import random
from typing import Callable

from dom.sim.matching import ASK, BID, SIDE, MatchingBook
from dom.sim.presets import SymbolSpec
from dom.sim.quoting import Quoting

_DIST = [1.0 / (i**0.52) for i in range(1, 41)]
_DIST_CUM: list[float] = []
_acc = 0.0
for _w in _DIST:
    _acc += _w
    _DIST_CUM.append(_acc)
_LN4 = math.log(4.0)
_ROUND = (100, 200, 500, 1000, 2000, 5000, 10000)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


_REBUILD_SLACK = 10  # ticks an emptied side may restart beyond the fair value, next to the other side


class Flow:
    """Background flow state for one symbol (regime, Hawkes excitation, sign memory)."""

    __slots__ = ("spec", "rng", "active", "excite", "last_sign", "fair", "pressure", "pressure_until",
                 "burst_side", "burst_mult", "burst_until", "burst_excites", "start_px", "arb_rate", "oids", "n_ref", "steps", "sizes", "dist_cum",
                 "quoting")

    def __init__(self, spec: SymbolSpec, rng: random.Random, start_px: int, sizes=None) -> None:
        self.spec = spec
        # A randomized market's size laws and book shape (dom/sim/randomize.py); None: the presets'.
        self.sizes = sizes
        self.dist_cum = _DIST_CUM if sizes is None else sizes.cum
        # A randomized market's own-side joins and re-quote delay (dom/sim/quoting.py); None: the
        # presets' and a draw without ``quoting`` (every add from the opposite best). Its
        # ``cleared`` watches the book's trades.
        self.quoting = (Quoting(sizes.d.join_share, sizes.d.requote_ms, rng)
                        if sizes is not None and sizes.d.quoting else None)
        self.rng = rng
        self.active = False
        self.excite = 0.0
        self.last_sign = 1
        self.fair = float(start_px)
        self.start_px = start_px
        self.pressure = 0.0  # extra buy-probability from agents (e.g. drift toward a spoof)
        self.pressure_until = 0
        self.burst_side = -1  # taker side of an absorption burst
        self.burst_mult = 1.0
        self.burst_until = 0
        self.burst_excites = True  # burst orders excite the background's (Hawkes) as its own do
        self.arb_rate = spec.arb_rate  # arbitrage orders / s per tick of mispricing beyond one
        self.oids: list[int] = []  # background orders (some may have filled since)
        self.n_ref = 0  # background orders in the seeded book: the cancel hazard's scale
        self.steps = 0

    def add(self, book: MatchingBook, side: int, px: int, qty: int, ts: int) -> None:
        """A background limit order (tracked, so that cancels can pick any of them)."""
        oid = book.add(side, px, qty, ts)
        if oid in book.orders:
            self.oids.append(oid)

    def limit_size(self) -> int:
        rng = self.rng
        if self.sizes is not None:
            return self.sizes.limit_size(rng, self.spec.limit_median)
        if rng.random() < 0.15:
            m = self.spec.limit_median
            return max(1, min(_ROUND, key=lambda r: abs(r - m * rng.choice((0.5, 1, 1, 2)))))
        # Lognormal, truncated at 4x the median: larger resting orders come only from the labelled
        # agents, so that every wall-sized order in the book has a ground-truth label. Redrawn, not
        # clipped: clipping would put 6% of all orders at exactly 4x the median, a size that then
        # repeats at every busy level the way an iceberg's peak does.
        z = rng.gauss(0, 0.9)
        while z > _LN4:
            z = rng.gauss(0, 0.9)
        return max(1, int(self.spec.limit_median * math.exp(z)))

    def market_size(self) -> int:
        rng = self.rng
        m = self.spec.market_median
        if self.sizes is not None:
            return self.sizes.market_size(rng, m)
        if rng.random() < 0.05:
            p95 = m * math.exp(1.645 * 1.0)
            return max(1, int(p95 * rng.random() ** (-1 / 1.5)))
        return max(1, int(m * math.exp(rng.gauss(0, 1.0))))

    def step(self, book: MatchingBook, t_ns: int, dt: float, factor_move: float,
             emit: Callable[[int], None] | None = None) -> None:
        """Advance ``dt`` seconds ending at ``t_ns``: regime, fair value, then the orders."""
        rng, spec = self.rng, self.spec
        if rng.random() < dt / (600.0 if not self.active else 120.0):
            self.active = not self.active
        mult = 4.0 if self.active else 1.0
        self.fair += spec.beta * factor_move + rng.gauss(0, spec.vol_ticks * math.sqrt(dt))
        self.excite *= math.exp(-2.0 * dt)
        lam_m = spec.market_rate * mult + self.excite
        n_add = poisson(rng, spec.add_rate * mult * dt)
        # Cancels: every resting background order has the same hazard (Cont-Stoikov-Talreja), so a
        # long queue loses orders faster than a short one and queue lengths stay mean-reverting.
        self.steps += 1
        if self.steps % 100 == 0:
            self.oids = [o for o in self.oids if o in book.orders]
        hazard = spec.cancel_rate / max(1, self.n_ref)
        n_can = poisson(rng, hazard * len(self.oids) * mult * dt)
        n_mkt = poisson(rng, lam_m * dt)
        burst = t_ns < self.burst_until
        n_burst = poisson(rng, spec.market_rate * self.burst_mult * dt) if burst else 0
        self.excite += 0.7 * 2.0 * (n_mkt + (n_burst if self.burst_excites else 0)) / max(1.0, mult)
        ops = [0] * n_add + [1] * n_can + [2] * n_mkt + [3] * n_burst
        rng.shuffle(ops)
        step_ns = int(dt * 1e9)
        for i, op in enumerate(ops):
            ts = t_ns - step_ns + (i + 1) * step_ns // (len(ops) + 1)
            if op == 0:
                self._add(book, ts)
            elif op == 1:
                self._cancel(book)
            elif op == 2:
                self._market(book, ts)
            else:
                book.market(self.burst_side, self.market_size(), ts)
        if self.arb_rate > 0:
            self._arbitrage(book, t_ns, dt)
        self._replenish(book, t_ns)

    def _arbitrage(self, book: MatchingBook, ts: int, dt: float) -> None:
        """Traders who price the symbol off the common factor: when the mid lags the fair value by
        more than a tick they buy (sell) up (down) to it, immediate-or-cancel, taking what is in the
        way. This is what makes small caps follow BTC."""
        b, a = book.best(BID), book.best(ASK)
        if b is None or a is None:
            return
        mis = self.fair - (a + b) / 2
        n = poisson(self.rng, self.arb_rate * max(0.0, abs(mis) - 1.0) * dt)
        for _ in range(n):
            if mis > 0:
                book.ioc(BID, int(math.floor(self.fair)), self.market_size(), ts)
            else:
                book.ioc(ASK, int(math.ceil(self.fair)), self.market_size(), ts)

    def _add(self, book: MatchingBook, ts: int) -> None:
        rng = self.rng
        side = BID if rng.random() < 0.5 else ASK
        opp = book.best(1 - side)
        own = book.best(side)
        cum = self.dist_cum
        q = self.quoting
        if q is not None and own is not None and rng.random() < q.join_share:
            px = own  # joins the own best queue
        else:
            ref = opp if opp is not None else (own + (1 if side == BID else -1) if own is not None else int(self.fair))
            i = _pick_distance(rng.random() * cum[-1], cum)
            px = ref - i if side == BID else ref + i
            if q is not None and own is not None and q.in_gap(px, ts):
                px = own  # (not into a gap still being re-quoted: the own best queue instead)
        if px <= 0:
            return
        self.add(book, side, px, self.limit_size(), ts)

    def _cancel(self, book: MatchingBook) -> None:
        rng, oids = self.rng, self.oids
        for _ in range(4):  # skip entries that have filled meanwhile
            if not oids:
                return
            i = int(rng.random() * len(oids))
            oid = oids[i]
            oids[i] = oids[-1]
            oids.pop()
            o = book.orders.get(oid)
            if o is not None:
                if book.depth_levels(o[SIDE]) > 8:
                    book.cancel(oid)
                else:
                    oids.append(oid)
                return

    def _market(self, book: MatchingBook, ts: int) -> None:
        rng = self.rng
        b, a = book.best(BID), book.best(ASK)
        if b is None or a is None:
            return
        mid = (a + b) / 2
        lean = math.tanh((self.fair - mid) / (4.0 + 0.05 * abs(self.fair - self.start_px) ** 0.5))
        p_buy = 0.5 + 0.35 * lean + (self.pressure if ts < self.pressure_until else 0.0)
        sign = 1 if rng.random() < p_buy else -1
        if rng.random() < 0.6:  # metaorder persistence
            sign = self.last_sign
        self.last_sign = sign
        book.market(BID if sign > 0 else ASK, self.market_size(), ts)

    def _replenish(self, book: MatchingBook, ts: int) -> None:
        """Keep at least a thin book on both sides (a real venue never runs out of quotes): when a
        side has fewer than 25 levels, extend it outwards, one order per missing level, beyond
        its deepest level (never stacking on levels that exist)."""
        for side in (BID, ASK):
            n = book.depth_levels(side)
            if n >= 25:
                continue
            if n:
                key = book.prices[side][-1]
                start = (-key - 1) if side == BID else key + 1
            else:
                # An emptied side restarts next to the other side, but never on the wrong side of
                # the fair value: after arbitrage took every mispriced bid (ask), bids (asks)
                # rebuilt just under the ask far above the fair value left price stuck there.
                opp = book.best(1 - side)
                if opp is None:
                    start = int(self.fair)
                elif side == BID:
                    start = opp - 1 if opp - 1 <= self.fair + _REBUILD_SLACK else int(self.fair)
                else:
                    start = opp + 1 if opp + 1 >= self.fair - _REBUILD_SLACK else int(self.fair) + 1
            step = -1 if side == BID else 1
            for j in range(25 - n):
                px = start + step * j
                if px > 0:
                    self.add(book, side, px, self.limit_size(), ts)


def _pick_distance(x: float, cum: list[float]) -> int:
    for i, c in enumerate(cum):
        if x <= c:
            return i + 1
    return len(cum)
