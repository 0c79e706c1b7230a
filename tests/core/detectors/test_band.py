"""The band read (dom/core/detectors/band.py) and the walls' distance baselines give what the plain
computations give: the levels between the touch and the band's edge, and a P90 per distance
bucket over the last ``wall_distance_samples`` sizes seen there."""

import random
from collections import deque

from dom.core.book import OrderBook
from dom.core.detectors.band import Bands, band_half
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.wall_state import _NBUCKETS, _bucket
from dom.core.detectors.walls import WallDetector
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


def test_distance_samples_and_their_p90_match_a_window_per_bucket():
    p = DetectorParams(wall_distance_samples=40, wall_distance_warmup=5)
    det = WallDetector.__new__(WallDetector)  # only the baseline state is exercised
    det.p = p
    det.dist_samples = {s: [None] * _NBUCKETS for s in BookSide}
    det.dist_p90 = {s: [None] * _NBUCKETS for s in BookSide}
    ref = {s: [deque(maxlen=40) for _ in range(_NBUCKETS)] for s in BookSide}
    ref_p90 = {s: [None] * _NBUCKETS for s in BookSide}
    rng = random.Random(11)
    for step in range(400):
        for side in BookSide:
            best = rng.randint(1000, 2000)
            dists = sorted(rng.sample(range(0, 60), rng.randint(0, 30)))
            prices = [best - d if side is BookSide.BID else best + d for d in dists]
            sizes = [rng.randint(1, 500) for _ in dists]
            det._sample_distances(side, best, prices, sizes)
            for d, q in zip(dists, sizes):
                ref[side][_bucket(d)].append(q)
            if step % 10 == 0:  # a refresh, as in _stats
                for b, d in enumerate(det.dist_samples[side]):
                    if d is not None:
                        del d[:-40]
                        if len(d) >= 5:
                            det.dist_p90[side][b] = (d, len(d))
                for b, r in enumerate(ref[side]):
                    if len(r) >= 5:
                        srt = sorted(r)
                        ref_p90[side][b] = srt[int(0.9 * (len(srt) - 1))]
            for b in range(_NBUCKETS):
                if rng.random() < 0.2:  # asked now and then, between refreshes
                    assert det._p90(side, b) == ref_p90[side][b]
    for side in BookSide:
        for b in range(_NBUCKETS):
            assert det._p90(side, b) == ref_p90[side][b]
