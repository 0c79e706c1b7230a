"""Stylized facts of a simulated run, measured from what the market published.

Used by ``benchmarks/sim.py`` (prints them) and by a test that checks they stay in range.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass

from dom.core.types import TakerSide, Trade
from dom.sim.market import Market
from dom.venues.binance_usdm.codec import BinanceDecoder


@dataclass
class Facts:
    symbol: str
    seconds: float
    spread_one_tick: float  # share of depth pushes with a 1-tick spread
    spread_p99_ticks: int
    crossed: int
    trades: int
    size_hill_alpha: float  # Hill tail index of trade sizes on the top 5%
    size_kurtosis: float
    sign_acf1: float  # lag-1 autocorrelation of trade signs
    absret_acf1: float  # lag-1 autocorrelation of |10 s returns| (volatility clustering)
    ret_kurtosis: float  # excess kurtosis of 10 s returns


def _acf(xs: list[float], lag: int) -> float:
    if len(xs) <= lag + 2:
        return 0.0
    m = statistics.fmean(xs)
    v = sum((x - m) ** 2 for x in xs)
    if v == 0:
        return 0.0
    return sum((xs[i] - m) * (xs[i + lag] - m) for i in range(len(xs) - lag)) / v


def _kurt(xs: list[float]) -> float:
    if len(xs) < 4:
        return 0.0
    m = statistics.fmean(xs)
    v = statistics.fmean([(x - m) ** 2 for x in xs])
    if v == 0:
        return 0.0
    return statistics.fmean([(x - m) ** 4 for x in xs]) / v**2 - 3


def _hill(sizes: list[int], top: float = 0.05) -> float:
    s = sorted(sizes, reverse=True)
    k = max(5, int(len(s) * top))
    if len(s) <= k:
        return float("nan")
    xk = s[k]
    return k / sum(math.log(x / xk) for x in s[:k])


def measure(seconds: float = 1800, seed: int = 1, preset: str = "smallcap") -> list[Facts]:
    m = Market(preset, seed=seed, tickers=True)
    dec = BinanceDecoder(m.instruments)
    spreads: dict[str, Counter] = {s: Counter() for s in m.syms}
    crossed = Counter()
    sizes: dict[str, list[int]] = {s: [] for s in m.syms}
    signs: dict[str, list[int]] = {s: [] for s in m.syms}
    mids: dict[str, list[float]] = {s: [] for s in m.syms}
    steps = int(seconds * 20)
    for i in range(steps):
        for msg in m.advance():
            if msg.endpoint == "market":
                for t in dec.decode(msg.raw, msg.t_ns):
                    if isinstance(t, Trade):
                        sizes[t.symbol].append(t.qty_lots)
                        signs[t.symbol].append(1 if t.taker is TakerSide.BUY else -1)
        for s, sim in m.syms.items():
            b, a = sim.book.best(0), sim.book.best(1)
            if b is not None and a is not None:
                spreads[s][a - b] += 1
                if b >= a:
                    crossed[s] += 1
                if i % 200 == 0:
                    mids[s].append(math.log((a + b) / 2))
    out = []
    for s in m.syms:
        c = spreads[s]
        total = sum(c.values())
        acc, p99 = 0, 0
        for k in sorted(c):
            acc += c[k]
            if acc >= 0.99 * total:
                p99 = k
                break
        rets = [y - x for x, y in zip(mids[s], mids[s][1:])]
        out.append(Facts(
            s, seconds, c[1] / total if total else 0.0, p99, crossed[s], len(sizes[s]),
            _hill(sizes[s]), _kurt([float(x) for x in sizes[s]]), _acf([float(x) for x in signs[s]], 1),
            _acf([abs(r) for r in rets], 1), _kurt(rets),
        ))
    return out
