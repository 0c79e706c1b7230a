"""The iceberg-like detector's chain test (DETECTORS.md, "Iceberg-like levels"): for a level's
new add, the chain of its adds of about that size, each after the level traded the last one, in
each size band, and the chance that ordinary adds would hit the band as often over the last
``iceberg_window`` opportunities (a binomial tail, the per-add chance from the symbol's recent
adds at traded levels).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dom.core import accel
from dom.core.detectors.iceberg_period import hit_chances, period_scan, poisson_binomial_tail

if TYPE_CHECKING:
    from sortedcontainers import SortedList

    from dom.core.detectors.iceberg import _Level
    from dom.core.detectors.params import DetectorParams


def chain_scan_py(adds: list[tuple[int, int, int]], lo: float, hi: float, need: float
                  ) -> tuple[list[int], list[bool], int, int, int, tuple[int, int]]:
    """A level's adds ``(size, traded so far, traded through so far)`` scanned for the chain of
    sizes within ``lo..hi``: the first add inside starts it (``start``: its traded and traded
    through); after it, an add that comes before the level traded ``need`` x the last link's size
    since that link is idle (no refill was due), any other is an opportunity (``outcomes``: True
    when inside, and then the chain's next link). Returns (chain, outcomes, own: the adds inside,
    idle, idle_in: idle and inside, start)."""
    chain: list[int] = []
    outcomes: list[bool] = []
    since = own = idle = idle_in = 0
    start = (0, 0)
    for size, traded, through in adds:
        inside = lo <= size <= hi
        own += inside
        if not chain:
            if inside:
                chain.append(size)
                since = traded
                start = (traded, through)
            continue
        if traded - since < need * chain[-1]:
            idle += 1
            idle_in += inside
            continue  # the last link is not taken yet: no refill is due, no opportunity
        outcomes.append(inside)
        if inside:
            chain.append(size)
            since = traded
    return chain, outcomes, own, idle, idle_in, start


def chain_scan(adds: list[tuple[int, int, int]], lo: float, hi: float, need: float
               ) -> tuple[list[int], list[bool], int, int, int, tuple[int, int]]:
    """``chain_scan_py``, in C where the accelerator is built and takes the arguments (a list of
    3-tuples of exact ints within +-2^52, ``lo`` and ``hi`` floats, ``need`` a float or such an int)."""
    native = accel.native
    if native is not None:
        got = native.chain_scan(adds, lo, hi, need)
        if got is not NotImplemented:
            return got
    return chain_scan_py(adds, lo, hi, need)


def _median(xs: list[int]) -> int:
    s = sorted(xs)
    return s[len(s) // 2] if s else 0


def _binomial_tail(k: int, n: int, q: float) -> float:
    """P(X >= k) for X ~ Binomial(n, q): ``binomial_tail_py``, in C where the accelerator is built
    and takes the arguments (``n`` up to 62, ``0 < q < 1``: the same sum, the same double)."""
    native = accel.native
    if native is not None:
        got = native.ice_binom_tail(k, n, q)
        if got is not NotImplemented:
            return got
    return binomial_tail_py(k, n, q)


def binomial_tail_py(k: int, n: int, q: float) -> float:
    """P(X >= k) for X ~ Binomial(n, q)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return min(1.0, sum(math.comb(n, i) * q ** i * (1.0 - q) ** (n - i) for i in range(k, n + 1)))


def upper_tail(k: int, n: int, q: float) -> float:
    """P(X >= k) for X ~ Binomial(n, q), for any ``n`` (a level's idle adds can number thousands,
    past what ``math.comb`` converts to a float): the terms from ``k`` up, from the log of the
    first, each from the last, until they no longer add."""
    if k <= 0 or q >= 1.0:
        return 1.0
    if k > n or q <= 0.0:
        return 0.0
    term = math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(q) + (n - k) * math.log1p(-q))
    total, odds = term, q / (1.0 - q)
    for i in range(k, n):
        term *= (n - i) / (i + 1) * odds
        total += term
        if term <= total * 1e-16 and i + 1 > n * q:  # past the mode: the rest only shrink
            break
    return min(1.0, total)


def level_rate(q: float, idle: int, idle_in: int, p: DetectorParams) -> float:
    """The chance an ordinary add falls in the band, ``q`` the symbol's, raised to the level's own
    when its adds while no refill was due (``idle``, ``idle_in`` of them in the band) say so
    (docs/history/detectors-icebergs.md, "The level's own adds, gated"): with
    ``iceberg_level_alpha`` > 0 only when ``idle_in`` or more hits in ``idle`` adds are unlikely at
    ``q`` (one-sided binomial below the bar), so a few chance hits among a handful of idle adds do
    not count; the rate is then the idle adds' share with ``q`` as ``iceberg_level_prior`` adds of
    prior (0: their share alone).
    With the bar 0 the prior alone applies it, ungated; both 0: ``q`` unchanged."""
    m, alpha = p.iceberg_level_prior, p.iceberg_level_alpha
    if alpha > 0:
        if idle_in <= idle * q or upper_tail(idle_in, idle, q) >= alpha:
            return q
    elif m <= 0:
        return q  # off
    return max(q, (idle_in + m * q) / (idle + m))


def judge_chain(lv: _Level, r: int, sizes: SortedList, p: DetectorParams) -> None:
    """The same-size chain of the add ``r``'s size in each band, and the chance that ordinary
    adds give as many hits over the last ``iceberg_window`` opportunities: each add in the
    band with the probability ``q`` seen in the symbol's recent adds (this episode's own
    left out; one pseudo-count: ``sizes``). Sets the level's best chain and its chance."""
    tols: tuple = (p.iceberg_exact_tolerance,)
    if lv.px % max(1, p.iceberg_round_ticks):  # at a round price only exact repeats count
        tols += (p.iceberg_jitter_tolerance, p.iceberg_loose_tolerance)
    native = accel.native
    if native is not None and not p.iceberg_due_periods and native.ice_chains_short(lv.adds, r, tols, p.iceberg_chain_traded,
                                                      p.iceberg_min_refills) is True:
        return  # (in C: no band's chain around r is long enough to test, so none changes the level's)
    tries = len(tols) + (len(tols) > 1)  # the widest band is tried twice (around r, its median)
    for tol in tols:
        got = _chance(lv, r, tol, tries, sizes, p)
        if got is not None and tol == p.iceberg_loose_tolerance and len(tols) > 1:
            m = _median(got[0])  # sizes drawn from a range: centre the band on the chain's median
            if m != r:
                again = _chance(lv, m, tol, tries, sizes, p)
                if again is not None and again[2] < got[2]:
                    got = again
        if got is not None and got[2] < lv.chance:
            lv.chain, lv.band, lv.chance, lv.expected, lv.opportunities, lv.hits, lv.start = got[0], tol, *got[2:]

def _chance(lv: _Level, centre: int, tol: float, tries: int, sizes: SortedList, p: DetectorParams) -> tuple | None:
    """The chain around ``centre`` within ``tol``: (chain, own, chance, expected, window, hits,
    (traded, traded through) at its first link), or None when it is shorter than ``iceberg_min_refills``."""
    lo, hi = centre / (1 + tol) - 1, centre * (1 + tol) + 1
    if p.iceberg_due_periods:
        return _period_chance(lv, lo, hi, tries, sizes, p)
    # own: this episode's adds in the band, already in the baseline; idle: adds while no refill
    # was due (the level's own organic adds), idle_in: those in the band
    chain, outcomes, own, idle, idle_in, start = chain_scan(lv.adds, lo, hi, p.iceberg_chain_traded)
    if len(chain) < p.iceberg_min_refills:
        return None
    own -= 1  # the add being tested is not in the baseline yet
    q = (max(0, sizes.bisect_right(hi) - sizes.bisect_left(lo) - own) + 1) / len(sizes)
    # A busy level (a crowded touch) has its own add sizes: the adds that came while no refill
    # was due cannot be the order's refills, so they measure how often this level's ordinary
    # adds fall in the band (``iceberg_level_alpha``, ``iceberg_level_prior``).
    q = level_rate(q, idle, idle_in, p)
    win = outcomes[-p.iceberg_window:]
    k, n = sum(win), len(win)
    return chain, own, min(1.0, _binomial_tail(k, n, q) * tries), n * q, n, k, start


def _period_chance(lv: _Level, lo: float, hi: float, tries: int, sizes: SortedList, p: DetectorParams
                   ) -> tuple | None:
    """``_chance`` judged per due period (iceberg_period.py, ``iceberg_due_periods``): the same
    ``q``, each period in the window a hit with the chance ``1 - (1 - q)**m`` for its ``m`` adds."""
    chain, periods, own, idle, idle_in, start = period_scan(lv.adds, lo, hi, p.iceberg_chain_traded)
    if len(chain) < p.iceberg_min_refills:
        return None
    own -= 1  # the add being tested is not in the baseline yet
    q = (max(0, sizes.bisect_right(hi) - sizes.bisect_left(lo) - own) + 1) / len(sizes)
    q = level_rate(q, idle, idle_in, p)
    win = periods[-p.iceberg_window:]
    ps = hit_chances(win, q)
    k = sum(h for _, h in win)
    return chain, own, min(1.0, poisson_binomial_tail(k, ps) * tries), sum(ps), len(win), k, start
