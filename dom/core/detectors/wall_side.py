"""The walls' once-a-second statistics of one side's band (``WallDetector._stats``): each level's
size to its distance bucket, the band's median and largest size, a few organic sizes to the P95
samples, the threshold and the levels to check against it. ``side_stats`` is the C accelerator's ``side_stats`` where it is built (one call, the
sizes not sorted: two selections), else ``side_stats_py``, its twin (the same answers, samples and
draws: ``tests/core/detectors/test_wall_side.py`` holds them against each other)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from dom.core import accel
from dom.core.detectors.band import Bands, median_sorted
from dom.core.detectors.sampling import sample_few
from dom.core.detectors.spoof_stats import band_hits
from dom.core.detectors.steps import NEAR_TICKS
from dom.core.detectors.wall_state import DistanceBaseline
from dom.core.types import BookSide, Level


def _threshold(band: list[Level], top: int, p95: int, ratio: float, walls: dict, side: BookSide,
               med: float | int) -> tuple[int, Sequence[Level]]:
    """The side's threshold, and the band's levels to check against it: those up to it, or at a
    wall's key (``band_hits``), when there is a wall or a level up to it; else none."""
    t = max(int(ratio * med) + 1, p95)
    return t, (band_hits(band, t, walls, side) if walls or top >= t else ())


def side_stats_py(bands: Bands, side: BookSide, band: list[Level], dist: DistanceBaseline, out: list[int] | None,
                  rng: random.Random, smp, now: int, horizon: int, refresh: bool, p95: int, ratio: float,
                  walls: dict) -> tuple[float | int, int, int, int, Sequence[Level]]:
    """``band`` (``bands.get(side)``'s levels, best first) sampled into ``dist``'s buckets, the
    announced walls' prices ``out`` left out (None: none); up to five organic sizes (every size
    when none is) drawn with ``rng`` to ``smp`` at ``now``, then ``smp`` expired to ``horizon``;
    with ``refresh`` and 20 samples or more, the P95 read again. Returns ``(median, largest, p95,
    threshold, hits)``: the sizes' median and largest, the P95 (``p95`` when not read), the
    threshold (``ratio`` x the median, at least the P95) and the levels to check against it
    (``_threshold``). The sorted sizes go to ``bands``' cache (``sizes``)."""
    sizes, organic = dist.add_band(band, side is BookSide.BID, out)
    srt = bands.sizes(side, sizes)  # sorted once for the walls and the pulled liquidity
    if not organic:
        organic = sizes
    smp.add_many(now, sample_few(rng, organic, min(5, len(organic))))
    smp.expire(horizon)
    if refresh and len(smp) >= 20:
        p95 = smp.at(int(0.95 * (len(smp) - 1)))
    med = median_sorted(srt)
    return (med, srt[-1], p95, *_threshold(band, srt[-1], p95, ratio, walls, side, med))


def side_stats(bands: Bands, side: BookSide, band: list[Level], dist: DistanceBaseline, out: list[int] | None,
               rng: random.Random, smp, now: int, horizon: int, refresh: bool, p95: int, ratio: float,
               walls: dict) -> tuple[float | int, int, int, int, Sequence[Level]]:
    """``side_stats_py``, in C where the accelerator is built and takes the arguments (an exact
    ``random.Random``; ``band`` a list of ``(px, size)`` tuples, sizes exact ints within +-2^61,
    what ``band_buckets`` takes): the same answers, buckets, draws and samples. C leaves
    ``bands``' sorted sizes unset (the pulled liquidity sorts them itself when it asks)."""
    native = accel.native
    if native is not None and band and type(rng) is random.Random:
        got = native.side_stats(band, band[0][0], side is BookSide.BID, out, dist.samples, 4 * dist.n,
                                rng.getrandbits, smp, now, horizon, refresh, p95, ratio, walls, side)
        if got is not NotImplemented:
            med, top, over, p95, t, hits = got
            for b in over or ():  # the buckets that outgrew their cap
                dist._cap(b)
            if t is None:  # (what C does not take: a ratio not a float, a threshold out of range)
                t, hits = _threshold(band, top, p95, ratio, walls, side, med)
            return med, top, p95, t, hits
    return side_stats_py(bands, side, band, dist, out, rng, smp, now, horizon, refresh, p95, ratio, walls)


def organic_top(band: list[Level], out: list[int] | None) -> int:
    """The largest level of ``band`` (best first) that may hold organic orders only: not priced in
    ``out`` (the announced walls; None: none), ``NEAR_TICKS`` or more from the touch (0: none)."""
    best, top = band[0][0], 0
    for px, q in band:
        if q > top and abs(px - best) >= NEAR_TICKS and (out is None or px not in out):
            top = q
    return top
