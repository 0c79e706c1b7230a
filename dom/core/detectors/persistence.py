"""How long a wall candidate must stand, from how large levels come and go in this book.

A fixed persistence time (3 s) separates walls from ordinary levels only where large levels are
rare. In a dispersed book (heavy size tails: real BTCUSDT, or the built-in market's randomized
draws) levels several times the usual size appear all the time and most of them go again within
seconds; each one that happens to stand 3 s is announced. So the time a candidate must stand is
set from the large-level episodes of the last ``window`` (every level that crossed the size
thresholds, announced or not, from the moment it crossed them to the moment it fell back) that
outlived the ``floor`` but fell back before the ``ceiling``: the ones the floor alone would
announce and that were gone soon after, what ordinary large levels do here.

* ``rate``: those episodes per hour; ``tau``: their mean time past the floor;
* with exponential lifetimes, ``rate * exp(-(T - floor) / tau)`` of them an hour would still
  stand at ``T``; the requirement is the ``T`` that brings that down to ``budget`` an hour,
  clamped to ``[floor, ceiling]``.

Levels that fall back before the floor cost nothing and do not count; walls standing longer
than the ceiling never enter the estimate, so a book whose large levels are walls keeps the
floor. Until ``min_episodes`` such episodes are in the window, the floor holds.
Pure and deterministic: exchange time in, nanoseconds out.
"""

from __future__ import annotations

import math
from collections import deque

_HOUR = 3_600_000_000_000


class LevelLifetimes:
    __slots__ = ("floor", "ceiling", "budget", "window", "min_episodes", "ended", "_sum", "first_ns", "required_ns")

    def __init__(self, floor_ns: int, ceiling_ns: int, budget_per_h: float, window_ns: int, min_episodes: int) -> None:
        self.floor, self.ceiling = floor_ns, max(floor_ns, ceiling_ns)
        self.budget, self.window, self.min_episodes = budget_per_h, window_ns, min_episodes
        self.ended: deque[tuple[int, int]] = deque()  # (when, time past the floor) of short episodes
        self._sum = 0
        self.first_ns = -1
        self.required_ns = floor_ns

    def ended_after(self, now: int, lifetime_ns: int) -> None:
        """A large level fell back after ``lifetime_ns`` above the thresholds (announced or not)."""
        if self.floor <= lifetime_ns < self.ceiling:
            self.ended.append((now, lifetime_ns - self.floor))
            self._sum += lifetime_ns - self.floor

    def update(self, now: int) -> int:
        """Expire what is older than the window and return the persistence now required (ns)."""
        if self.first_ns < 0:
            self.first_ns = now
        horizon = now - self.window
        e = self.ended
        while e and e[0][0] < horizon:
            self._sum -= e.popleft()[1]
        n = len(e)
        span = min(self.window, now - self.first_ns)
        if n == 0 or n < self.min_episodes or span <= 0:
            self.required_ns = self.floor
            return self.floor
        tau = self._sum / n
        rate = n * _HOUR / span
        if self.budget <= 0:  # none may outlive it (a budget of 0 in the config)
            t = float(self.ceiling)
        else:
            t = self.floor + (tau * math.log(rate / self.budget) if rate > self.budget else 0.0)
        self.required_ns = int(min(self.ceiling, max(self.floor, t)))
        return self.required_ns


def graded_wait(step: int, weak: int, strong: int, t_strong: int, t_weak: int) -> int:
    """How long a wall candidate must stand whose ``step`` lies between the weak path's need
    (``weak``, which asks ``t_weak``) and the full one (``strong``, which asks ``t_strong``): linear
    in ``log(step)`` between the two ends. Along a power tail, organic orders of at least ``s``
    come at a rate falling as a power of ``s``, and a large organic level still stands at ``T``
    with a chance falling exponentially in ``T``; holding their product fixed gives a ``T`` linear
    in ``log(s)``. Its slope is set by the two ends here, not estimated. A step at or over
    ``strong`` asks ``t_strong``; at or under ``weak`` (or a need with no room between), ``t_weak``.
    A weak need under one lot (``wall_step_ratio`` 0) counts as one lot: sizes are whole lots."""
    weak = max(weak, 1)
    if step >= strong:
        return t_strong
    if step <= weak or t_weak <= t_strong:
        return max(t_weak, t_strong)
    x = math.log(strong / step) / math.log(strong / weak)  # 0 at the full need, 1 at the weak one
    return t_strong + int(x * (t_weak - t_strong))
