"""The band read (dom/core/detectors/band.py) and the walls' distance baselines give what the plain
computations give: the levels between the touch and the band's edge, and a P90 per distance
bucket over the last ``wall_distance_samples`` sizes seen there."""

import random
import statistics
from collections import deque

from dom.core.book import OrderBook
from dom.core.detectors.band import Bands, band_half, median, median_sorted
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.wall_state import _NBUCKETS, DistanceBaseline, _bucket
from dom.core.types import BookSide


class _Sym:
    def __init__(self, book):
        self.book = book
        self.stats = type("S", (), {"applied": 0})()


def _random_book(rng, n_max):
    b = OrderBook()
    mid = rng.randint(20_000, 100_000)
    gap = rng.choice([1, 1, 2, 5, 30])
    bids = [(mid - rng.randint(1, n_max) * gap, rng.randint(1, 50)) for _ in range(rng.randint(1, n_max))]
    asks = [(mid + rng.randint(0, n_max) * gap, rng.randint(1, 50)) for _ in range(rng.randint(1, n_max))]
    b.apply_snapshot(bids, asks)
    return b


def test_the_band_is_the_levels_between_the_touch_and_its_edge():
    p = DetectorParams()
    rng = random.Random(7)
    for trial in range(600):
        book = _random_book(rng, 300 if trial < 590 else 12_000)  # the last ones past the flat index
        bands = Bands(_Sym(book), p)
        for side in BookSide:
            lv = book.side(side)
            best = lv.best_px()
            half = band_half(lv, best, book.mid2(), p)
            lo, hi = (best - half, best) if side is BookSide.BID else (best, best + half)
            want = [(px, q) for px, q in lv.levels.items() if lo <= px <= hi]
            want.sort(reverse=side is BookSide.BID)
            assert bands.get(side) == (best, half, want)


def test_the_shared_band_median_is_the_plain_median_of_the_band_sizes():
    """``Bands.sizes`` (sorted once a message for the walls and the pulled liquidity) gives the
    band's sizes, its median by ``median_sorted`` is ``statistics.median``, and a new message
    (the engine's ``applied`` count moving on) reads the changed book, not the last one's."""
    p = DetectorParams()
    rng = random.Random(23)
    for trial in range(400):
        book = _random_book(rng, 200)
        sym = _Sym(book)
        bands = Bands(sym, p)
        for step in range(3):
            for side in BookSide:
                got = bands.sizes(side)
                assert got is bands.sizes(side)  # one sort a message, however many ask
                want = [q for _, q in bands.get(side)[2]]
                assert got == sorted(want)
                assert bands.sizes(side, [0]) is got  # (sizes handed over are not sorted again)
                assert median_sorted(got) == statistics.median(want) == median(want)
                assert got[-1] == max(want)
            # the next message: a few levels change size, appear or go
            for side in BookSide:
                lv = book.side(side)
                best = lv.best_px()
                sign = -1 if side is BookSide.BID else 1
                ch = [(best + sign * rng.randint(0, 40), rng.choice([0, rng.randint(1, 90)])) for _ in range(5)]
                lv.apply([(px, q) for px, q in dict(ch).items() if q or px != best])  # never empty
            sym.stats.applied += 1
            if step == 1:  # as the walls do: the band's sizes handed over, sorted once
                for side in BookSide:
                    handed = tuple(q for _, q in bands.get(side)[2])
                    assert bands.sizes(side, handed) == sorted(handed)
    # an even count: the mean of the two middle sizes, as statistics.median
    assert median_sorted([1, 2, 4, 9]) == 3.0 and median_sorted([5]) == 5


def test_distance_samples_and_their_p90_match_a_window_per_bucket():
    base = DistanceBaseline(40, 5)
    ref = [deque(maxlen=40) for _ in range(_NBUCKETS)]
    ref_p90: list = [None] * _NBUCKETS
    rng = random.Random(11)
    for step in range(800):
        dists = sorted(rng.sample(range(0, 60), rng.randint(0, 30)))
        sizes = [rng.randint(1, 500) for _ in dists]
        base.add(dists, sizes)
        for d, q in zip(dists, sizes):
            ref[_bucket(d)].append(q)
        if step % 10 == 0:  # a refresh, as in the wall detector's stats
            base.refresh()
            for b, r in enumerate(ref):
                if len(r) >= 5:
                    srt = sorted(r)
                    ref_p90[b] = srt[int(0.9 * (len(srt) - 1))]
        for b in range(_NBUCKETS):
            if rng.random() < 0.2:  # asked now and then, between refreshes
                assert base.p90(b) == ref_p90[b]
    for d in range(80):
        assert base.typical(d) == ref_p90[_bucket(d)]


def test_distance_samples_without_refreshes_stay_bounded_and_keep_the_last_p90():
    base = DistanceBaseline(40, 5)
    base.add([0, 7], [3, 9])
    for _ in range(4):
        base.add([0], [3])
    base.refresh()  # bucket 0: five samples of 3
    for i in range(1000):  # no refresh for long (a side whose band keeps under 5 levels at refreshes)
        base.add([0], [100 + i])
    assert len(base.samples[0]) <= 4 * 40
    assert base.p90(0) == 3  # as of the last refresh
    assert base.p90(6) is None  # one sample only: warming up
