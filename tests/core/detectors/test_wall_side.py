"""A side's once-a-second statistics for the walls (``side_stats``, _native_wj.c) against its
pure-Python twin (``side_stats_py``, wall_side.py): on edge and fuzzed bands the same median
(value and type), largest size, distance buckets (their caps too), draws and P95 samples; what C
declines, nothing done; errors raised as the twin raises them; no reference left behind."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors.rolling import RollingSamples, RollingSamplesPy
from dom.core.detectors.wall_side import side_stats, side_stats_py
from dom.core.types import BookSide
from tests.core.detectors.test_wall_stats_native import band_of, baseline, held

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
B, A = BookSide.BID, BookSide.ASK


class _Bands:
    """What ``side_stats_py`` asks of the shared bands: the sorted sizes, noted."""

    def __init__(self):
        self.sorted = None

    def sizes(self, side, unsorted):
        self.sorted = sorted(unsorted)
        return self.sorted


def _samples(rng, cls):
    s = cls()
    for t in range(rng.randrange(0, 6)):
        s.add_many(t * 10, [rng.randrange(1, 9000) for _ in range(rng.randrange(1, 6))])
    return s


def _run(fn, seed, band, side, out, now=100, horizon=20, n=6, warm=3, smp_cls=RollingSamples, refresh=False,
         p95=0, ratio=3.0, walls=None):
    """``fn`` on fresh copies of one state: (its answer, the baseline held, the draws' state, the samples)."""
    dist = baseline(random.Random(seed), n, warm)
    smp = _samples(random.Random(seed), smp_cls)
    draws = random.Random(seed + 1)
    got = fn(_Bands(), side, band, dist, out, draws, smp, now, horizon, refresh, p95, ratio, walls or {})
    return (*got[:4], list(got[4])), held(dist), draws.getstate(), list(smp.q), list(smp.sorted)


def both(seed, band, side, out, **kw):
    want = _run(side_stats_py, seed, band, side, out, **kw)
    got = _run(side_stats, seed, band, side, out, **kw)
    assert got[0] == want[0] and type(got[0][0]) is type(want[0][0]), (got[0], want[0])
    assert got[1:] == want[1:]
    return want[0]


def test_the_median_and_the_largest_of_a_few_bands():
    for sizes, med, top in (([5], 5, 5), ([3, 1], 2.0, 3), ([4, 9, 1], 4, 9), ([7, 7, 7, 7], 7.0, 7),
                            ([1, 2, 3, 4, 100, 6], 3.5, 100), ([2, 1], 1.5, 2),
                            ([(1 << 61) - 1, (1 << 61) - 3], float((1 << 62) - 4) / 2, (1 << 61) - 1),
                            ([-5, 3, -1, 8], 1.0, 8)):
        band = [(5000 - i, q) for i, q in enumerate(sizes)]
        assert both(1, band, B, None)[:2] == (med, top)
        band = [(5001 + i, q) for i, q in enumerate(sizes)]
        assert both(2, band, A, [5001])[:2] == (med, top)  # (the walls left out count in the median)


def test_the_threshold_and_the_levels_to_check():
    band = [(5000 - i, q) for i, q in enumerate((10, 30, 20, 50, 40))]  # median 30
    assert both(1, band, B, None, ratio=1.5) == (30, 50, 0, 46, [(4997, 50)])  # int(1.5 x 30) + 1
    assert both(1, band, B, None, ratio=1.5, p95=47) == (30, 50, 47, 47, [(4997, 50)])  # the P95 higher
    assert both(1, band, B, None, ratio=2.0) == (30, 50, 0, 61, [])  # none up to it, no wall
    walls = {(B, 4998): 1, (A, 4999): 1}
    assert both(1, band, B, None, ratio=2.0, walls=walls) == (30, 50, 0, 61, [(4998, 20)])  # a wall's own level
    assert both(1, band, B, None, ratio=-1.5) == (30, 50, 0, 0, band)  # (int() toward zero: -44, the P95 0)
    assert both(1, band[:4], B, None, ratio=0.5) == (25.0, 50, 0, 13, band[1:4])  # a float median
    assert both(1, band, B, None, ratio=3) == (30, 50, 0, 91, [])  # an int ratio (the Python way)
    huge = [(5000 - i, (1 << 55) + 1) for i in range(5)]  # (an int ratio's product exact: no float's rounding)
    assert both(1, huge, B, None, ratio=3)[3] == 3 * ((1 << 55) + 1) + 1
    assert both(1, band, B, None, ratio=1e300) == (30, 50, 0, int(1e300 * 30) + 1, [])  # past 2^62
    assert both(1, band, B, None, ratio=1.5, p95=1 << 70) == (30, 50, 1 << 70, 1 << 70, [])
    for bad in (float("inf"), float("nan")):
        for fn in (side_stats, side_stats_py):
            with pytest.raises((OverflowError, ValueError)):
                _run(fn, 1, band, B, None, ratio=bad)
    # the P95 read again with refresh, from 20 samples on
    got = _run(side_stats_py, 1, band, B, None, refresh=True, p95=-1)
    assert got[0][2] == (-1 if len(got[3]) < 20 else sorted(got[3])[int(0.95 * (len(got[3]) - 1))][1])
    for n in range(3):
        both(n, band, B, None, refresh=True, p95=-1, smp_cls=RollingSamplesPy)
        rich = [(5000 - i, 100 + i) for i in range(40)]  # (8 draws of five: past 20 samples)
        for t in range(8):
            both(n, rich, B, None, refresh=True, p95=-1, now=100 + t)


@pytest.mark.parametrize("seed", range(8))
def test_side_stats_fuzzed_c_is_python(seed):
    rng = random.Random(seed)
    capped = 0
    for _ in range(150):
        bid = rng.random() < 0.5
        band = band_of(rng, bid, rng.randrange(-10**6, 10**6), rng.randrange(1, 300))  # (past 256 levels too)
        if rng.random() < 0.2:  # ties, and sizes near the limit
            band = [(px, rng.choice((1, 2, (1 << 61) - rng.randrange(3)))) for px, _ in band]
        out = rng.choice((None, [], [rng.choice(band)[0] for _ in range(rng.randrange(1, 5))],
                          [px for px, _ in band[:16]], [rng.randrange(-10**6, 10**6)]))
        n = rng.choice((2, 5, 600))
        s = rng.randrange(10**6)
        walls = rng.choice(({}, {(B, rng.choice(band)[0]): 1, (A, rng.choice(band)[0]): 1}))
        both(s, band, B if bid else A, out, n=n, now=rng.randrange(0, 200),
             horizon=rng.randrange(0, 100), smp_cls=rng.choice((RollingSamples, RollingSamplesPy)),
             refresh=rng.random() < 0.3, p95=rng.choice((0, rng.randrange(1, 9000))),
             ratio=rng.choice((0.5, 1.5, 3.0, 4.25, 10.0)), walls=walls)
        before = baseline(random.Random(s), n, 3)
        capped += sum(len(band) + max(len(d or ()) for d in before.samples) > 4 * n for _ in (0,))
    assert capped > 10  # (buckets past their cap: the pending P90s taken first)


@needs_native
def test_native_side_stats_declines_what_it_does_not_take():
    ok = [(5000, 10), (4999, 20), (4990, 30)]
    big = 1 << 61
    for band, best, bid, out, buckets, cap in [
        (tuple(ok), 5000, True, None, None, 24),  # not a list
        ([], 5000, True, None, None, 24),  # empty
        ([(5000, 10, 1)], 5000, True, None, None, 24),  # not a pair
        ([[5000, 10]], 5000, True, None, None, 24),
        ([(5000.0, 10)], 5000, True, None, None, 24),  # a price no exact int
        ([(5000, 10.0)], 5000, True, None, None, 24),  # a size no exact int
        ([(5000, True)], 5000, True, None, None, 24),
        (ok + [(4980, big + 1)], 5000, True, None, None, 24),  # a size past 2^61 (the last: nothing done)
        (ok + [(big + 1, 10)], 5000, False, None, None, 24),
        (ok + [(4995, 10)], 5000, True, None, None, 24),  # a distance falls
        (ok, 5000, 1, None, None, 24),  # bid: a bool
        (ok, 5000.0, True, None, None, 24),
        (ok, 5000, True, (4999,), None, 24),  # out: None or a list of ints
        (ok, 5000, True, [4999.0], None, 24),
        (ok, 5000, True, list(range(17)), None, 24),  # more than 16 left out
        (ok, 5000, True, None, [None] * 9, 24),  # ten buckets
        (ok, 5000, True, None, [()] + [None] * 9, 24),
        (ok, 5000, True, None, None, None),
    ]:
        buckets = [None] * 10 if buckets is None else buckets
        kept = list(buckets)
        draws, smp = random.Random(3), RollingSamples()
        state = draws.getstate()
        got = NATIVE.side_stats(band, best, bid, out, buckets, cap, draws.getrandbits, smp, 100, 20, True, 0, 3.0, {}, B)
        assert got is NotImplemented, band
        assert buckets == kept and draws.getstate() == state and len(smp) == 0  # nothing done
    with pytest.raises(TypeError):
        NATIVE.side_stats(ok, 5000, True, None, [None] * 10, 24, random.Random(1).getrandbits, RollingSamples(), 100, 20,
                          True, 0, 3.0, {})
    # what C declines goes the Python way: the same answers
    class Int(int):
        pass

    class Ratio(float):
        pass

    class Walls(dict):
        pass

    both(4, ok + [(4995, 10)], B, None)
    both(4, [(5000, Int(10)), (4999, 20)], B, None)  # an int subclass: declined, nothing done
    both(4, [(Int(5000), 10), (4999, 20)], B, None)
    both(4, ok, B, None, ratio=Ratio(1.5))  # the threshold the Python way
    both(4, ok, B, None, p95=Int(12))
    both(4, ok, B, None, walls=Walls({(B, 4990): 1}))
    both(5, [(5000, 10.0), (4999, 20)], B, None)
    both(6, ok, B, list(range(4980, 5001)))


@needs_native
def test_errors_raise_as_the_python_way_raises_them():
    band = [(5000 - i, 10 + i) for i in range(30)]

    def boom(k):
        raise RuntimeError("draws")

    class NoSamples:
        pass

    for fn in (side_stats, side_stats_py):
        draws = random.Random(1)
        draws.getrandbits = boom  # (an instance attribute: the bound method the C path takes)
        with pytest.raises(RuntimeError):
            fn(_Bands(), B, band, baseline(random.Random(1)), None, draws, RollingSamples(), 100, 20, False, 0, 3.0, {})
        with pytest.raises(AttributeError):
            fn(_Bands(), B, band, baseline(random.Random(1)), None, random.Random(1), NoSamples(), 100, 20, False, 0,
               3.0, {})
    with pytest.raises(TypeError):
        NATIVE.side_stats(band, 5000, True, None, [None] * 10, 24, lambda k: 1.5, RollingSamples(), 100, 20, False, 0,
                          3.0, {}, B)


@needs_native
def test_many_calls_leave_no_reference_behind():
    rng = random.Random(9)
    band = band_of(rng, True, 5000, 300)
    qs = [q for _, q in band]
    out = [band[3][0]]
    dist = baseline(random.Random(2), 5, 3)
    draws, smp = random.Random(4), RollingSamples()
    fn = draws.getrandbits
    walls = {(B, band[5][0]): 1}
    before = [sys.getrefcount(x) for x in (band, out, fn, smp, dist.samples, walls)], [sys.getrefcount(q) for q in qs[:40]]
    for i in range(3000):
        NATIVE.side_stats(band, 5000, True, out, dist.samples, 20, fn, smp, i, i - 50, i % 7 == 0, 0, 0.5 + i % 3,
                          walls, B)
        if i % 50 == 0:
            dist.refresh()
            for b, d in enumerate(dist.samples):
                if d is not None and len(d) > 20:
                    del d[:-5]
    for d in dist.samples:
        if d is not None:
            d.clear()
    smp.expire(1 << 60)
    after = [sys.getrefcount(x) for x in (band, out, fn, smp, dist.samples, walls)], [sys.getrefcount(q) for q in qs[:40]]
    assert after == before
