"""Walls: how long the weak path waits, from how long the symbol's own large levels stood.

A candidate whose step passes the ratio's need but not the full one (the exceedance) is announced
only once it has stood ``wall_weak_persist_ms`` (graded down toward the full path's time as its
step nears the full need: ``persistence.graded_wait``). That wait is fixed at 30 s because a large
organic order rarely rests that long. Where takers are busy, walls are eaten within 15-20 s and the
whole wait outlasts them; a shorter fixed wait (15 s) found them but announced organic orders of
the draws whose organic sizes are wide (their large orders rest 12-20 s).

So the wait follows the symbol: what the large levels that fell back *unannounced* did here. Each
candidate that stood at least the persistence floor and then fell back without being announced (a
dip that did not recover, a level left behind by price, a candidate that moved away from its
level before its announcement) is a large level this book produces and drops; the weak path's wait
is ``margin`` x the longest of those in the window, at least ``least`` and at most the fixed wait
(``cap``). Until ``episodes`` of them were seen the fixed wait holds: the wait comes down only where
the book has shown that its large levels fall back sooner. The longest of a rolling window rises
at once and falls only when that episode leaves the window (hysteresis: one quiet spell does not
shorten it). Announced walls' lives are not counted (what ends them is what the labels score).

The same evidence also bounds the wait (``wall_weak_bound_ms``, a second ``WeakWait`` with no
episodes asked for: ``least`` from the start): a candidate on the weak or graded path waits at most
``margin`` x the longest such level, at least ``least`` and the full path's persistence. Where the
window is young, the graded wait asks up to the whole 30 s of a step far under an extrapolated need,
and walls of 20-40 s were announced too late to match or not at all; the bound lets them through once
they outlived every large level this book has dropped, and a book whose large levels rest long keeps
its wait (docs/DETECTORS.md, "Walls").
Pure and deterministic: exchange time in, nanoseconds out.
"""

from __future__ import annotations

from collections import deque


class WeakWait:
    __slots__ = ("cap", "ended", "episodes", "floor", "least", "margin", "wait_ns", "window")

    def __init__(self, floor_ns: int, least_ns: int, cap_ns: int, margin: float, episodes: int,
                 window_ns: int) -> None:
        self.floor, self.cap = floor_ns, cap_ns
        self.least = min(max(0, least_ns), cap_ns)
        self.margin, self.episodes, self.window = margin, max(0, episodes), window_ns  # (0: ``least`` until one)
        self.ended: deque[tuple[int, int]] = deque()  # (when, how long it stood) of the counted episodes
        self.wait_ns = cap_ns

    def fell_back(self, now: int, life_ns: int) -> None:
        """A candidate fell back unannounced after standing ``life_ns``."""
        if life_ns >= self.floor:
            self.ended.append((now, life_ns))

    def update(self, now: int) -> int:
        """Expire what is older than the window; the weak path's wait now (ns)."""
        e = self.ended
        horizon = now - self.window
        while e and e[0][0] < horizon:
            e.popleft()
        if len(e) < self.episodes:
            self.wait_ns = self.cap
        else:
            longest = max((life for _, life in e), default=0)
            self.wait_ns = int(min(self.cap, max(self.least, self.margin * longest)))
        return self.wait_ns
