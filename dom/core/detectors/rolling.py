"""A time window of samples kept sorted as it rolls, for rolling percentiles.

The detectors' baselines are percentiles of samples over the last minutes (taken once a second,
read every 10 s). Sorting the whole window at every read costs O(n log n) each time; a sorted
copy (a flat list: the windows hold at most a few thousand samples) brought up to date at each
read with what came and went since costs one pass at most, and the read is an index.
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
    """``(t, value)`` samples in arrival order, and their values sorted (``.sorted``, a list not to
    mutate). The sorted list is brought up to date when read: the values added and expired since
    the last read go in and out in one pass (a detector reads every 10 s what it samples every
    second: one memmove of the whole list per sample was most of its cost at 1,800 samples and
    more)."""

    __slots__ = ("q", "_sorted", "_new", "_gone")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int]] = deque()
        self._sorted: list[int] = []
        self._new: list[int] = []  # added since the last read
        self._gone: list[int] = []  # expired since the last read

    def add(self, t: int, v: int) -> None:
        self.q.append((t, v))
        self._new.append(v)

    def add_many(self, t: int, vs: Sequence[int]) -> None:
        """``add(t, v)`` for each of ``vs``, in order."""
        self.q.extend(zip(repeat(t), vs))
        self._new += vs

    def expire(self, horizon: int) -> None:
        """Drop the samples at the front taken before ``horizon``."""
        q = self.q
        if q and q[0][0] < horizon:
            gone = self._gone
            while q and q[0][0] < horizon:
                gone.append(q.popleft()[1])

    @property
    def sorted(self) -> list[int]:
        if self._new or self._gone:
            self._settle()
        return self._sorted

    def _settle(self) -> None:
        s, new, gone = self._sorted, self._new, self._gone
        if new:
            if len(new) <= _FEW:
                for v in new:
                    insort(s, v)
            else:
                s += new
                s.sort()  # (one sorted run and a short tail: a merge)
            self._new = []
        if gone:
            if len(gone) <= _FEW:
                for v in gone:
                    del s[bisect_left(s, v)]
            else:  # the kept runs between the expired values, copied once
                gone.sort()
                kept: list[int] = []
                i = 0
                for v in gone:
                    j = bisect_left(s, v, i)
                    kept += s[i:j]
                    i = j + 1
                kept += s[i:]
                self._sorted = kept
            self._gone = []

    def __len__(self) -> int:
        return len(self.q)


_FEW = 8  # up to this many changes, one insort or delete each (cheaper than a pass over the list)
