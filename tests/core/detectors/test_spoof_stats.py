"""Pulled liquidity's band reads and mids' range in C (``band_sizes``, ``band_hits``, ``mid_range``,
_native_pstats.c) against their Python twins (spoof_stats.py): at the edges, fuzzed, and what C
declines."""

from __future__ import annotations

import random
from collections import deque

import pytest

from dom.core import accel
from dom.core.detectors.spoof_stats import (
    band_hits,
    band_hits_py,
    band_sizes,
    band_sizes_py,
    mid_range,
    mid_range_py,
)
from dom.core.types import BookSide

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
BIG = 1 << 62


def test_band_hits_at_the_threshold_and_the_candidates():
    band = [(100, 7), (99, 6), (98, 8), (97, 1), (96, 6)]
    cands = {(BID, 97): object(), (ASK, 96): object()}
    want = [(100, 7), (98, 8), (97, 1)]  # 7 = t kept, 6 under it not; 97 a bid candidate; 96 an ask's
    assert band_hits_py(band, 7, cands, BID) == want
    got = band_hits(band, 7, cands, BID)
    assert got == want and all(a is b for a, b in zip(got, [band[0], band[2], band[3]]))  # (the levels themselves)
    assert band_hits(band, 7, {}, BID) == [(100, 7), (98, 8)]
    assert band_hits([], 7, cands, BID) == []
    assert band_sizes(band) == [7, 6, 8, 1, 6] == band_sizes_py(band)


def test_mid_range_before_a_time():
    mids = deque([(100, 10), (200, 30), (300, 4), (300, 50)])
    assert mid_range(mids, 300) == 20 == mid_range_py(mids, 300)  # (t < before: the 300s left out)
    assert mid_range(mids, 301) == 46
    assert mid_range(mids, 100) == 0 and mid_range(deque(), BIG) == 0
    assert mid_range(list(mids), BIG) == 46
    assert mid_range(deque([(1, -BIG // 2), (2, BIG // 2)]), BIG) == BIG  # (the widest mids C takes)
    assert mid_range(deque([(1, -BIG), (2, BIG)]), BIG) == 2 * BIG  # (past them: the Python way)


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_c_is_python(seed):
    rng = random.Random(seed)
    hits = 0
    for _ in range(400):
        band = [(1000 - i, rng.randrange(0, 50)) for i in range(rng.randrange(0, 40))]
        cands = {(rng.choice((BID, ASK)), 1000 - rng.randrange(0, 45)): None for _ in range(rng.randrange(0, 6))}
        t = rng.randrange(0, 60)
        side = rng.choice((BID, ASK))
        want = band_hits_py(band, t, cands, side)
        assert NATIVE.band_hits(band, t, cands, side) == want
        assert NATIVE.band_sizes(band) == band_sizes_py(band)
        hits += bool(want) and len(want) < len(band)
        mids = deque((rng.randrange(0, 1000), rng.randrange(-50, 50)) for _ in range(rng.randrange(0, 20)))
        before = rng.randrange(0, 1100)
        assert NATIVE.mid_range(mids, before, deque) == mid_range_py(mids, before)
    assert hits > 100  # (the fuzz picks some levels and leaves others)


@needs_native
def test_c_declines_what_it_does_not_take():
    band = [(100, 7), (99, 6)]
    for b, t, c in [(tuple(band), 7, {}), ([(100, 7, 1)], 7, {}), ([[100, 7]], 7, {}), (band, 7.0, {}),
                    ([(100, 7.0)], 7, {}), ([(100, BIG + 1)], 7, {}), (band, 7, []), (band, None, {})]:
        assert NATIVE.band_hits(b, t, c, BID) is NotImplemented
        if t is not None:  # (the wrapper takes the Python way)
            assert band_hits(b, t, c, BID) == band_hits_py(b, t, c, BID)
    for b in (tuple(band), [(100, 7, 1)], [[100, 7]]):
        assert NATIVE.band_sizes(b) is NotImplemented
    assert band_sizes([[100, 7]]) == [7]

    class Deque(deque):
        pass

    for m, before in [(Deque([(1, 2)]), 5), ((((1, 2),)), 5), (deque([(1, 2, 3)]), 5), (deque([(1.0, 2)]), 5),
                      (deque([(1, 2.0)]), 5), (deque([(1, BIG + 1)]), 5), (deque([(1, 2)]), 5.0),
                      (deque([(1, BIG // 2 + 1)]), 5),
                      (deque([(1, 2)]), BIG + 1)]:
        assert NATIVE.mid_range(m, before, deque) is NotImplemented
    assert mid_range(Deque([(1, 2), (2, 9)]), 5) == 7 and mid_range(deque([(1, 2.5), (2, 9)]), 5) == 6.5
    with pytest.raises(TypeError):
        NATIVE.mid_range(deque(), 5)
