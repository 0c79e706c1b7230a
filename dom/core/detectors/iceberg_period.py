"""The chance of a chain judged per due period (issue #20; ``iceberg_due_periods``).

A refilling order puts its next slice up once the last one traded: the refill is due once the
level traded ``iceberg_chain_traded`` x the last link since that link. The per-add test
(iceberg_chain.py) counts every add from then on as an opportunity, so at a level where other
orders join between the slice's depletion and its refill, each of those joins is a miss, and its
window of ``iceberg_window`` adds holds only the last few refills.

Here the level's traded volume is cut into **due periods**: the first begins where the refill is
due and each lasts until the level traded another ``iceberg_chain_traded`` x the last link (one
more slice's worth); a period ends early only in the sense that after its hit (the first add in
the band: the chain's next link) the next period begins once the new link is due and this one is
over. A period is a hit when an add in the band came in it. Under the null (ordinary adds, each in
the band with the chance ``q``, whatever the traded volume does) a period that held ``m`` adds is
a hit with the chance ``1 - (1 - q)**m``, independently of the others (their adds are disjoint and
the boundaries are set by traded volume and by earlier links only). The chance of the chain is
the Poisson-binomial tail P(X >= hits) over the last ``iceberg_window`` periods that held an add,
so the window counts refills due, not adds, and does not lengthen with the episode.

``m`` of a closed period counts all its adds, those after the hit too; the open period (the one the
newest link fell in) counts the adds up to now.
"""

from __future__ import annotations

from typing import Sequence


def period_scan(adds: Sequence[tuple[int, int, int]], lo: float, hi: float, need: float
                ) -> tuple[list[int], list[tuple[int, bool]], int, int, int, tuple[int, int]]:
    """A level's adds ``(size, traded so far, traded through so far)`` scanned for the chain of
    sizes within ``lo..hi`` and its due periods. Returns (chain, periods: ``(adds, hit)`` of each
    period that held an add, in order, the open one last when it holds the newest link, own: the
    adds inside, idle: adds while no refill was due, idle_in: those inside, start: traded and
    traded through at the first link)."""
    chain: list[int] = []
    periods: list[tuple[int, bool]] = []
    own = idle = idle_in = 0
    start = (0, 0)
    p0 = p1 = nxt = 0.0
    m = 0
    hit = False
    for size, traded, through in adds:
        inside = lo <= size <= hi
        own += inside
        if not chain:
            if inside:
                chain.append(size)
                start = (traded, through)
                p0 = traded + need * size
                p1 = p0 + max(1.0, need * size)
                m, hit = 0, False
            continue
        if traded >= p1:  # the period is over: the next one that holds this add
            if m:
                periods.append((m, hit))
            length = max(1.0, need * chain[-1])
            s = max(nxt, p1) if hit else p1
            if traded >= s + length:  # (periods with no add skipped)
                s += ((traded - s) // length) * length
            p0, p1, m, hit = s, s + length, 0, False
        if traded < p0:
            idle += 1  # the last link is not taken yet: no refill is due
            idle_in += inside
            continue
        m += 1
        if hit:
            idle += 1  # after this period's link, before the next period: no refill due
            idle_in += inside
        elif inside:
            hit = True
            chain.append(size)
            nxt = traded + need * size
    if m and hit:
        periods.append((m, hit))
    return chain, periods, own, idle, idle_in, start


def hit_chances(periods: Sequence[tuple[int, bool]], q: float) -> list[float]:
    """Each period's chance of a hit under the null: ``1 - (1 - q)**m``."""
    return [1.0 - (1.0 - q) ** m for m, _ in periods]


def poisson_binomial_tail(k: int, ps: Sequence[float]) -> float:
    """P(X >= k) for X the number of successes of independent trials with chances ``ps``."""
    if k <= 0:
        return 1.0
    if k > len(ps):
        return 0.0
    dist = [1.0]
    for p in ps:
        nxt = [0.0] * (len(dist) + 1)
        for i, w in enumerate(dist):
            nxt[i] += w * (1.0 - p)
            nxt[i + 1] += w * p
        dist = nxt
    return min(1.0, sum(dist[k:]))
