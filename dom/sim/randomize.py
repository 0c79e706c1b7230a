"""Domain randomization of the built-in market (issue #20): one market's parameters drawn from a seed.

``draw(seed)`` returns a ``MarketDraw``: a frozen dataclass, every field drawn independently from
the range in ``RANGES`` (uniform, or log-uniform where marked; choices drawn with equal weight).
``Market(..., draw=d)`` runs that market: two symbols (a BTC-like major and a small cap on one of
the presets' small-cap templates) whose background flow, book shape, size laws, injected icebergs,
trade aggregation, depth interval and stream skew follow the draw. Labels are written as without
randomization. Nothing here changes a preset's market: without a draw every knob keeps the
presets' constant (the ``PRESET`` column of docs/SIMULATOR.md).

Ranges (why): real BTCUSDT books are far more dispersed than the presets' (the 3x-P90-at-distance
wall baseline sits at 19-160x the band median there), so the size laws reach heavy tails;
Binance aggTrade merges the fills of one price and taker side within 100 ms (one print can be many
taker orders), so aggregation is a parameter; refill delays and peak jitter span the cases the
iceberg rule must handle. The ranges were widened until ``dom eval --calibration`` put the real
recordings' dispersion inside them. Organic orders stay below ``limit_cap`` x their median, and a
randomized market's walls and spoofs are 1.5-4x larger than both that and the P95 of the level
sizes near the touch (``large_floor``): the labelled walls are the orders that stand out of the
organic book; an alert on an organic large order counts as a false alarm.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, replace

from dom.sim.presets import MAJOR, SMALLCAPS, SymbolSpec

# name -> (low, high, how): "u" uniform, "log" log-uniform, "int" integer uniform, a tuple: a choice.
RANGES: dict[str, tuple] = {
    "add_rate_mult": (0.3, 3.0, "log"),  # limit-order activity x the template's rate
    "trade_rate_mult": (0.02, 2.0, "log"),  # market-order (Hawkes baseline) and arbitrage rates x the template's, x add_rate_mult
    "shape_exponent": (-1.0, 1.8, "u"),  # where limit orders land: weight 1 / i**e at i ticks (presets 0.52)
    "touch_weight": (1.0, 50.0, "log"),  # x the add weight 1-2 ticks from the opposite best (presets 1)
    "pull_zone_weight": (0.5, 4.0, "log"),  # x the add weight 3-12 ticks out, where spoofs sit (presets 1)
    "limit_sigma": (0.3, 3.2, "u"),  # lognormal sigma of limit sizes (presets 0.9)
    "limit_cap": (4.0, 512.0, "log"),  # organic limit sizes redrawn above this x their median (presets 4)
    "big_share": (0.0, 0.15, "u"),  # share of organic limit orders drawn from a Pareto tail (presets 0)
    "big_alpha": (0.8, 2.5, "u"),  # that tail's exponent (from the median up to limit_cap)
    "round_share": (0.0, 0.4, "u"),  # share of round-size limit orders (presets 0.15)
    "print_scale": (0.05, 5.0, "log"),  # x the template's median market-order size (presets 1)
    "market_sigma": (0.7, 3.0, "u"),  # lognormal sigma of market-order sizes (presets 1.0)
    "market_alpha": (1.05, 2.5, "u"),  # Pareto tail of market-order sizes (presets 1.5)
    "iceberg_jitter": (0.0, 0.3, "u"),  # every iceberg's peak varies uniformly within +/- this (presets 0/0.1/0.3)
    "refill_delay_ms": (5.0, 800.0, "log"),  # median delay of a synthetic iceberg's refill (presets 80)
    "agg_window_ms": ((0, 50, 100), None, "choice"),  # aggTrade merges fills of one price and side within (0: per taker order)
    "depth_ms": ((100, 250, 500), None, "choice"),  # depth push interval
    "skew_ms": (0.0, 200.0, "u"),  # /market behind /public
    "smallcap": ((0, 1, 2, 3), None, "choice"),  # which small-cap template is the second symbol
    # (appended: every field above keeps each seed's value)
    "join_share": (0.0, 0.9, "u"),  # share of organic adds joining the own side's best queue (presets 0)
    "requote_ms": (10.0, 1000.0, "log"),  # median delay before organic adds go into a gap a trade opened (presets 0)
}
# Drawn always, applied only by a draw with ``quoting`` set (``dom eval ... --quoting``).
QUOTING_FIELDS = ("join_share", "requote_ms")


@dataclass(frozen=True)
class MarketDraw:
    """One randomized market. ``str()`` / ``dict()`` give the parameters as a dict."""

    seed: int
    add_rate_mult: float
    trade_rate_mult: float
    shape_exponent: float
    touch_weight: float
    pull_zone_weight: float
    limit_sigma: float
    limit_cap: float
    big_share: float
    big_alpha: float
    round_share: float
    print_scale: float
    market_sigma: float
    market_alpha: float
    iceberg_jitter: float
    refill_delay_ms: float
    agg_window_ms: int
    depth_ms: int
    skew_ms: float
    smallcap: int
    join_share: float
    requote_ms: float
    # Not drawn: whether the market applies ``join_share`` and ``requote_ms`` (dom/sim/quoting.py).
    # Off by default (``draw(seed)``): the organic quoting is an option, measured, not the default.
    quoting: bool = False

    def as_dict(self) -> dict:
        """The parameters; the two quoting fields only when the market applies them."""
        out = asdict(self)
        if not self.quoting:
            for name in QUOTING_FIELDS:
                del out[name]
        return out

    def __str__(self) -> str:
        return str(self.as_dict())

    def specs(self) -> list[SymbolSpec]:
        """The market's symbols: the major and the drawn small-cap template, rates scaled."""
        out = []
        for base in (MAJOR, SMALLCAPS[self.smallcap]):
            out.append(replace(base, add_rate=base.add_rate * self.add_rate_mult,
                               cancel_rate=base.cancel_rate * self.add_rate_mult,
                               market_rate=base.market_rate * self.add_rate_mult * self.trade_rate_mult,
                               arb_rate=base.arb_rate * self.add_rate_mult * self.trade_rate_mult,
                               market_median=max(1, round(base.market_median * self.print_scale))))
        return out

    def distance_cum(self) -> list[float]:
        """Cumulative add weights over 1..40 ticks from the opposite best."""
        acc, out = 0.0, []
        for i in range(1, 41):
            w = 1.0 / i ** self.shape_exponent
            if i <= 2:
                w *= self.touch_weight
            if 3 <= i <= 12:
                w *= self.pull_zone_weight
            acc += w
            out.append(acc)
        return out


def draw(seed: int, quoting: bool = False) -> MarketDraw:
    """The market of ``seed``: the same seed always gives the same draw. ``quoting``: the market
    applies the drawn ``join_share`` and ``requote_ms`` (drawn either way, so nothing else moves)."""
    rng = random.Random(seed * 2_654_435_761 + 20)
    values: dict = {}
    for name, (lo, hi, how) in RANGES.items():
        if how == "choice":
            values[name] = rng.choice(lo)
        elif how == "log":
            values[name] = round(math.exp(rng.uniform(math.log(lo), math.log(hi))), 4)
        else:
            values[name] = round(rng.uniform(lo, hi), 4)
    return MarketDraw(seed=seed, quoting=quoting, **values)


def in_range(d: MarketDraw) -> list[str]:
    """The fields of ``d`` outside their documented range (empty when the draw is valid)."""
    bad = []
    for name, (lo, hi, how) in RANGES.items():
        v = getattr(d, name)
        if (how == "choice" and v not in lo) or (how != "choice" and not lo <= v <= hi):
            bad.append(name)
    return bad


class SizeLaw:
    """A randomized symbol's order sizes (used by ``Flow`` in place of the presets' constants)."""

    __slots__ = ("d", "cum")

    def __init__(self, d: MarketDraw) -> None:
        self.d = d
        self.cum = d.distance_cum()

    def limit_size(self, rng: random.Random, median: int) -> int:
        d = self.d
        x = rng.random()
        if x < d.round_share:
            m = median * rng.choice((0.5, 1, 1, 2))
            return max(1, min((100, 200, 500, 1000, 2000, 5000, 10000), key=lambda r: abs(r - m)))
        if x < d.round_share + d.big_share:
            # Pareto from the median up, redrawn above the cap (as the lognormal part).
            while True:
                k = rng.random() ** (-1 / d.big_alpha)
                if k <= d.limit_cap:
                    return max(1, int(median * k))
        cap = math.log(d.limit_cap)
        z = rng.gauss(0, d.limit_sigma)
        while z > cap:
            z = rng.gauss(0, d.limit_sigma)
        return max(1, int(median * math.exp(z)))

    def market_size(self, rng: random.Random, median: int) -> int:
        d = self.d
        if rng.random() < 0.05:
            p95 = median * math.exp(1.645 * d.market_sigma)
            return max(1, int(p95 * rng.random() ** (-1 / d.market_alpha)))
        return max(1, int(median * math.exp(rng.gauss(0, d.market_sigma))))


def large_floor(sim, side: int, rng: random.Random) -> int:
    """A randomized market's lower bound for a wall's or spoof's size: 1.5-4x the larger of the
    P95 of the side's 30 best level sizes and the largest organic order (``limit_cap`` x the
    median), so that a labelled wall stands out of the organic book however dispersed it is, and a
    wall-sized level without a label is an organic one (a false alarm). 0 (and no draw) for the
    presets."""
    if sim.draw is None:
        return 0
    sizes = sorted(q for _, q in sim.book.top(side, 30))
    p95 = sizes[min(len(sizes) - 1, int(0.95 * len(sizes)))] if sizes else 0
    return int(max(p95, sim.draw.limit_cap * sim.spec.limit_median) * rng.uniform(1.5, 4.0))
