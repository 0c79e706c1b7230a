"""A time window of samples kept sorted as it rolls, for rolling percentiles.

The detectors' baselines are percentiles of samples over the last minutes (taken once a second,
read every 10 s). Sorting the whole window at every read costs O(n log n) each time; a sorted
copy updated on each sample and each expiry costs little per sample, and the read is an index.

``RollingSamples`` is the C accelerator's ``RollSamples`` where it is built (an int64 array kept
sorted, a batch merged or removed in one pass, and a ring of the arrivals; ``.sorted`` and ``.q``
are read-only views of them, not lists built per read; ``at(i)`` and ``same_top(m, prev)`` read
``sorted[i]`` and compare ``sorted[-m:]`` without one), else ``RollingSamplesPy``, its twin (C
``bisect`` on a flat list and a deque). What C does not take (a time or value that is not an exact
int within int64; ``add_many`` of anything but a list or a tuple) moves the samples to a
``RollingSamplesPy`` (``twin``), which holds them from then on: the same answers either way
(tests/core/detectors/test_rolling_native.py holds them against each other).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence
from itertools import repeat

from dom.core import accel


def grid_after(now: int, period: int) -> int:
    """The first multiple of ``period`` after ``now`` (exchange time). Periodic work (samples,
    statistics) runs at the first event on or after each grid point, so two runs of the same
    events do it on the same events whenever each of them synced: a live run's snapshot and a
    replay's recorded one cover different deltas, and a schedule that started at the first
    delta after sync would be out of phase between them for the rest of the session."""
    return (now // period + 1) * period


class RollingSamplesPy:
    """``(t, value)`` samples in arrival order (``.q``), and their values sorted (``.sorted``)."""

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

    def at(self, i: int) -> int:
        """``sorted[i]`` (the C type reads it without building the view)."""
        return self.sorted[i]

    def same_top(self, m: int, prev: object) -> bool:
        """``sorted[-m:] == prev`` (the C type compares in place, building no slice)."""
        return self.sorted[-m:] == prev

    def __len__(self) -> int:
        return len(self.q)


if accel.native is not None:
    class RollingSamples(accel.native.RollSamples):  # type: ignore[name-defined,misc]
        """``RollingSamplesPy`` in C; ``twin``: what holds the samples once C declines an input."""

        __slots__ = ()
        twin = RollingSamplesPy
else:
    RollingSamples = RollingSamplesPy  # type: ignore[misc,assignment]


def percentile(samples: RollingSamples, pct: float) -> int:  # type: ignore[valid-type]
    """The sample at ``pct`` percent of the sorted window (the last for 100; 0 for an empty window)."""
    n = len(samples)
    return samples.at(min(n - 1, int(pct / 100 * n))) if n else 0
