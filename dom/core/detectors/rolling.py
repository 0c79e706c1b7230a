"""A time window of samples kept sorted as it rolls, for rolling percentiles.

The detectors' baselines are percentiles of samples over the last minutes (taken once a second,
read every 10 s). Sorting the whole window at every read costs O(n log n) each time; a sorted
copy updated on each sample and each expiry (C ``bisect`` on a flat list: the windows hold at
most a few thousand samples) costs little per sample, and the read is an index.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence
from itertools import repeat


def grid_after(now: int, period: int) -> int:
    """The first multiple of ``period`` after ``now`` (exchange time). Periodic work (samples,
    statistics) runs at the first event on or after each grid point, so two runs of the same
    events do it on the same events whenever each of them synced: a live run's snapshot and a
    replay's recorded one cover different deltas, and a schedule that started at the first
    delta after sync would be out of phase between them for the rest of the session."""
    return (now // period + 1) * period


class RollingSamples:
    """``(t, value)`` samples in arrival order, and their values sorted (``.sorted``)."""

    __slots__ = ("q", "sorted")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int]] = deque()
        self.sorted: list[int] = []

    def add(self, t: int, v: int) -> None:
        self.q.append((t, v))
        insort(self.sorted, v)

    def add_many(self, t: int, vs: Sequence[int]) -> None:
        """``add(t, v)`` for each of ``vs``, in order (one call for a batch of samples)."""
        self.q.extend(zip(repeat(t), vs))
        s = self.sorted
        for v in vs:
            insort(s, v)

    def expire(self, horizon: int) -> None:
        """Drop the samples at the front taken before ``horizon``."""
        q, s = self.q, self.sorted
        while q and q[0][0] < horizon:
            del s[bisect_left(s, q.popleft()[1])]

    def remove(self, t: int, v: int) -> None:
        """Drop the sample ``(t, v)`` if it is still in the window (one; a linear search)."""
        try:
            self.q.remove((t, v))
        except ValueError:
            return
        del self.sorted[bisect_left(self.sorted, v)]

    def __len__(self) -> int:
        return len(self.q)


def percentile(samples: RollingSamples, pct: float) -> int:
    """The sample at ``pct`` percent of the sorted window (the last for 100; 0 for an empty window)."""
    s = samples.sorted
    return s[min(len(s) - 1, int(pct / 100 * len(s)))] if s else 0
