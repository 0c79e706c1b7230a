"""A time window of samples kept sorted as it rolls, for rolling percentiles.

The detectors' baselines are percentiles of samples over the last minutes (taken once a second,
read every 10 s). Sorting the whole window at every read costs O(n log n) each time; a sorted
copy updated on each sample and each expiry costs O(log n) per sample and the read is an index.
"""

from __future__ import annotations

from collections import deque

from sortedcontainers import SortedList


class RollingSamples:
    """``(t, value)`` samples in arrival order, and their values sorted (``.sorted``)."""

    __slots__ = ("q", "sorted")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int]] = deque()
        self.sorted = SortedList()

    def add(self, t: int, v: int) -> None:
        self.q.append((t, v))
        self.sorted.add(v)

    def expire(self, horizon: int) -> None:
        """Drop the samples at the front taken before ``horizon``."""
        q = self.q
        while q and q[0][0] < horizon:
            self.sorted.remove(q.popleft()[1])

    def __len__(self) -> int:
        return len(self.q)
