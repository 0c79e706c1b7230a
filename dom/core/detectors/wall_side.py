"""The walls' once-a-second statistics of one side's band (``WallDetector._stats``): each level's
size to its distance bucket, the band's median and largest size, a few organic sizes to the P95
samples. ``side_stats`` is the C accelerator's ``side_stats`` where it is built (one call, the
sizes not sorted: two selections), else ``side_stats_py``, its twin (the same answers, samples and
draws: ``tests/core/detectors/test_wall_side.py`` holds them against each other)."""

from __future__ import annotations

import random

from dom.core import accel
from dom.core.detectors.band import Bands, median_sorted
from dom.core.detectors.sampling import sample_few
from dom.core.detectors.wall_state import DistanceBaseline
from dom.core.types import BookSide, Level


def side_stats_py(bands: Bands, side: BookSide, band: list[Level], dist: DistanceBaseline, out: list[int] | None,
                  rng: random.Random, smp, now: int, horizon: int) -> tuple[float | int, int]:
    """``band`` (``bands.get(side)``'s levels, best first) sampled into ``dist``'s buckets, the
    announced walls' prices ``out`` left out (None: none); ``(median, largest)`` of its sizes;
    up to five organic sizes (every size when none is) drawn with ``rng`` to ``smp`` at ``now``,
    then ``smp`` expired to ``horizon``. The sorted sizes go to ``bands``' cache (``sizes``)."""
    sizes, organic = dist.add_band(band, side is BookSide.BID, out)
    srt = bands.sizes(side, sizes)  # sorted once for the walls and the pulled liquidity
    if not organic:
        organic = sizes
    smp.add_many(now, sample_few(rng, organic, min(5, len(organic))))
    smp.expire(horizon)
    return median_sorted(srt), srt[-1]


def side_stats(bands: Bands, side: BookSide, band: list[Level], dist: DistanceBaseline, out: list[int] | None,
               rng: random.Random, smp, now: int, horizon: int) -> tuple[float | int, int]:
    """``side_stats_py``, in C where the accelerator is built and takes the arguments (an exact
    ``random.Random``; ``band`` a list of ``(px, size)`` tuples, sizes exact ints within +-2^61,
    what ``band_buckets`` takes): the same answers, buckets, draws and samples. C leaves
    ``bands``' sorted sizes unset (the pulled liquidity sorts them itself when it asks)."""
    native = accel.native
    if native is not None and band and type(rng) is random.Random:
        got = native.side_stats(band, band[0][0], side is BookSide.BID, out, dist.samples, 4 * dist.n,
                                rng.getrandbits, smp, now, horizon)
        if got is not NotImplemented:
            med, top, over = got
            for b in over or ():  # the buckets that outgrew their cap
                dist._cap(b)
            return med, top
    return side_stats_py(bands, side, band, dist, out, rng, smp, now, horizon)

