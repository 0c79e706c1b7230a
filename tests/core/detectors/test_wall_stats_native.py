"""The walls' once-a-second statistics in C and their pure-Python twins: ``band_buckets`` (a side's
band sampled into the distance baselines' buckets, ``DistanceBaseline.add_band``) and
``sample_few`` (``random.Random.sample`` of the P95 samples). Each C function against its twin on
edge and fuzzed inputs, what C declines, and the walls on a random market with the accelerator
and without it: the same alerts and the same state after every message."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.sampling import sample_few, sample_few_py
from dom.core.detectors.wall_state import _EDGES, DistanceBaseline, _bucket
from dom.core.types import TakerSide
from tests.core.detectors.script import EventScript, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def held(b: DistanceBaseline):
    """What a baseline holds: each bucket's samples and its P90 as of the last refresh (read)."""
    return [None if d is None else list(d) for d in b.samples], [b.p90(i) for i in range(len(b.p90s))]


def baseline(rng: random.Random, n: int = 6, warm: int = 3) -> DistanceBaseline:
    """A baseline with some history: buckets filled, some refreshed (a P90 pending), some empty."""
    b = DistanceBaseline(n, warm)
    for _ in range(rng.randrange(0, 4)):
        dists = sorted(rng.randrange(0, 40) for _ in range(rng.randrange(1, 30)))
        b.add(dists, [rng.randrange(1, 5000) for _ in dists])
        if rng.random() < 0.6:
            b.refresh()
    return b


def band_of(rng: random.Random, bid: bool, best: int, n: int) -> list[tuple[int, int]]:
    """``n`` levels best first, rising distances with gaps (the touch itself now and then missing)."""
    d, out = rng.choice((0, 0, 1)), []
    for _ in range(n):
        out.append((best - d if bid else best + d, rng.randrange(1, 9000)))
        d += rng.choice((1, 1, 1, 2, 3, 7))
    return out


def both_add_band(seed_state, band, bid, out, n=6, warm=3):
    """add_band_py and, where built, the C path on two copies of the same baseline: the same sizes,
    organic sizes and buckets. Returns what the Python path gave and its baseline."""
    py, c = baseline(random.Random(seed_state), n, warm), baseline(random.Random(seed_state), n, warm)
    want = py.add_band_py(band, bid, out)
    got = c.add_band(band, bid, out)
    assert list(got[0]) == list(want[0]) and list(got[1]) == list(want[1])
    assert held(c) == held(py)
    return want, py


def test_band_buckets_at_its_edges():
    # a level at each bucket's edge and one short of it, on both sides
    for bid in (True, False):
        dists = sorted({0} | {e for e in _EDGES[:-1]} | {e - 1 for e in _EDGES[:-1]} | {40, 1000})
        band = [(5000 - d if bid else 5000 + d, 100 + d) for d in dists]
        (sizes, organic), _ = both_add_band(1, band, bid, None, n=1000, warm=1)
        assert list(sizes) == list(organic) == [100 + d for d in dists]
        fresh = DistanceBaseline(1000, 1)
        fresh.add_band(band, bid, None)
        for d in dists:
            assert 100 + d in fresh.samples[_bucket(d)]  # each level in the bucket _bucket names
        assert [len(x) for x in fresh.samples] == [1, 1, 1, 1, 1, 1, 2, 2, 2, 3]
    # a touch missing, an empty bucket between two filled ones, a level past the touch (a crossed
    # read: a negative distance, in the first bucket as the slices put it)
    both_add_band(2, [(5001, 7), (4990, 8), (4970, 9)], True, None)
    both_add_band(3, [(4999, 7), (5001, 8), (5030, 9)], False, [5001])
    # the levels left out: none, some, all (organic empty), prices not in the band, an empty list
    band = band_of(random.Random(4), True, 5000, 30)
    for out in (None, [], [band[0][0]], [band[3][0], band[10][0], 1], [px for px, _ in band], [1, 2]):
        (sizes, organic), _ = both_add_band(5, band, True, out)
        assert list(organic) == [q for px, q in band if not out or px not in out]
        assert list(sizes) == [q for _, q in band]


def test_band_buckets_caps_a_bucket_as_add_does():
    """A bucket past 4 x n samples (no refresh for long) keeps its last n, its pending P90 taken first."""
    b = DistanceBaseline(3, 1)
    b.add([30] * 10, list(range(10)))
    b.refresh()  # bucket 9: the last 3 (7, 8, 9), P90 pending over them
    band = [(5000, 1)] + [(5000 - 30 - i, 100 + i) for i in range(10)]  # (distances from the first level)
    want = DistanceBaseline(3, 1)
    want.add([30] * 10, list(range(10)))
    want.refresh()
    want.add_band_py(band, True, None)
    b.add_band(band, True, None)  # 13 samples > 12: cut to the last 3, the P90 of (7, 8, 9) kept
    assert held(b) == held(want)
    assert b.samples[9] == [107, 108, 109] and b.p90(9) == 8


@pytest.mark.parametrize("seed", range(6))
def test_band_buckets_fuzzed_c_is_python(seed):
    rng = random.Random(seed)
    cut = 0
    for _ in range(300):
        bid = rng.random() < 0.5
        band = band_of(rng, bid, rng.randrange(-10**6, 10**6), rng.randrange(1, 90))  # (past 64 levels too)
        out = rng.choice((None, [], [rng.choice(band)[0] for _ in range(rng.randrange(1, 5))],
                          [rng.randrange(-10**6, 10**6)]))
        (sizes, organic), _ = both_add_band(rng.random(), band, bid, out, n=rng.choice((2, 5, 600)),
                                            warm=rng.choice((1, 3, 30)))
        left = set(out or ())
        assert list(sizes) == [q for _, q in band]  # every level's size, walls or not
        assert list(organic) == [q for px, q in band if px not in left]  # the walls left out
        cut += len(organic) < len(sizes)
    assert cut > 30  # the fuzz leaves walls out often


@needs_native
def test_native_band_buckets_declines_what_it_does_not_take():
    ok = [(5000, 10), (4999, 20), (4990, 30)]
    buckets = [None] * 10
    big = 1 << 61
    for args in [
        (tuple(ok), 5000, True, None, buckets, 24),  # not a list
        ([(5000, 10, 1)], 5000, True, None, buckets, 24),  # not a pair
        ([[5000, 10]], 5000, True, None, buckets, 24),
        ([(5000.0, 10)], 5000, True, None, buckets, 24),  # a price no exact int
        ([(True, 10)], 5000, True, None, buckets, 24),
        (ok + [(big + 1, 10)], 5000, False, None, buckets, 24),  # past 2^61 (the last level too: nothing done)
        (ok + [(4995, 10)], 5000, True, None, buckets, 24),  # a distance falls
        (ok, 5000, 1, None, buckets, 24),  # bid: a bool
        (ok, 5000.0, True, None, buckets, 24),
        (ok, 5000, True, (4999,), buckets, 24),  # out: None or a list of ints
        (ok, 5000, True, [4999.0], buckets, 24),
        (ok, 5000, True, list(range(17)), buckets, 24),  # more than 16 left out: the Python way
        (ok, 5000, True, None, buckets[:9], 24),  # ten buckets
        (ok, 5000, True, None, [()] + buckets[1:], 24),
        (ok, 5000, True, None, buckets, None),
    ]:
        assert NATIVE.band_buckets(*args) is NotImplemented
        assert buckets == [None] * 10  # nothing done
    with pytest.raises(TypeError):
        NATIVE.band_buckets(ok, 5000, True, None, buckets)
    # what C declines, add_band takes the Python way
    both_add_band(7, ok + [(4995, 10)], True, None)
    both_add_band(8, ok, True, list(range(4980, 5001)))


@pytest.mark.parametrize("seed", range(4))
def test_sample_few_is_random_sample(seed):
    """The same items and the generator in the same state after, on both of sample's paths (a pool up
    to 21 items, a set of drawn indices above), lists and tuples, k from 0 to 5."""
    rng = random.Random(seed)
    for _ in range(400):
        n = rng.choice((rng.randrange(1, 23), rng.randrange(1, 120), 20, 21, 22))
        pop = [rng.randrange(0, 50) for _ in range(n)]  # (repeated values: the draws, not the values, must agree)
        if rng.random() < 0.3:
            pop = tuple(pop)
        k = rng.randrange(0, min(5, n) + 1)
        s = rng.randrange(1 << 30)
        a, b = random.Random(s), random.Random(s)
        assert sample_few(a, pop, k) == sample_few_py(b, pop, k) == random.Random(s).sample(pop, k)
        assert a.getstate() == b.getstate()


@needs_native
def test_native_sample_few_draws_as_sample_and_declines_the_rest():
    for s in range(200):
        for n in (1, 5, 20, 21, 22, 40):
            a, b = random.Random(s), random.Random(s)
            pop = list(range(n))
            for k in range(min(5, n) + 1):
                assert NATIVE.sample_few(a.getrandbits, pop, k) == b.sample(pop, k)
                assert a.getstate() == b.getstate()
    a = random.Random(1)
    state = a.getstate()
    for pop, k in [(list(range(10)), 6), (list(range(3)), 4), (list(range(3)), -1), (set(range(10)), 2),
                   (range(10), 2), (list(range(10)), 2.0), (list(range(10)), True)]:
        assert NATIVE.sample_few(a.getrandbits, pop, k) is NotImplemented
    assert a.getstate() == state  # nothing drawn
    with pytest.raises(TypeError):
        NATIVE.sample_few(a.getrandbits, [1, 2])

    class Other(random.Random):
        pass

    o, r = Other(3), random.Random(3)
    assert sample_few(o, list(range(30)), 5) == r.sample(list(range(30)), 5)  # (not an exact Random: its own sample)
    assert sample_few(random.Random(4), list(range(30)), 7) == random.Random(4).sample(list(range(30)), 7)


def _market(seed: int, native, monkeypatch, **params):
    """A random book wider than the band: sizes wander, large levels come and stay (walls announced:
    left out of the baselines) or go; trades. Returns the alerts and, after every message, what the
    walls hold of their statistics."""
    monkeypatch.setattr(accel, "native", native)
    p = DetectorParams(icebergs=False, absorptions=False, spoofs=False, bursts=False, sweeps=False, **params)
    s = EventScript(p, flat_book(80))
    w = s.eng["KITEUSDT"].observers[0]
    rng = random.Random(seed)
    states = []
    planted: dict[tuple[bool, int], int] = {}  # (bid, px) -> the message it goes at
    for i in range(2500):
        bids, asks = [], []
        for _ in range(rng.randrange(0, 12)):
            bid = rng.random() < 0.5
            px = 5000 - rng.randrange(0, 70) if bid else 5001 + rng.randrange(0, 70)
            if (bid, px) not in planted:
                r = rng.random()
                q = rng.randrange(8000, 40000) if r < 0.03 else 0 if r < 0.1 else rng.randrange(300, 2000)
                (bids if bid else asks).append((px, q))
        if rng.random() < 0.01:  # a large order placed that stays a while (a wall, announced or not)
            bid = rng.random() < 0.5
            px = 5000 - rng.randrange(3, 45) if bid else 5001 + rng.randrange(3, 45)
            planted[bid, px] = i + rng.randrange(30, 150)
            (bids if bid else asks).append((px, rng.randrange(30_000, 80_000)))
        for (bid, px), end in list(planted.items()):
            if end == i:
                del planted[bid, px]
                (bids if bid else asks).append((px, rng.randrange(300, 2000)))
        s.delta(bids, asks, dt_ms=rng.choice((50, 100, 100, 250)))
        for _ in range(rng.randrange(0, 3)):
            bid = rng.random() < 0.5
            s.trade(5000 - rng.randrange(0, 3) if bid else 5001 + rng.randrange(0, 3), rng.randrange(1, 3000),
                    TakerSide.SELL if bid else TakerSide.BUY)
        states.append(({k: (x.first_ns, x.size, x.announced) for k, x in w.walls.items()},
                       {sd: held(b) for sd, b in w.dist.items()}, {sd: list(x.q) for sd, x in w.samples.items()},
                       dict(w.threshold), dict(w.p95), dict(w.median), w.rng.getstate()))
    return [repr(a) for a in s.alerts], states


@needs_native
@pytest.mark.parametrize("seed, params", [
    (1, {"wall_distance_samples": 5, "wall_distance_warmup": 3, "wall_step_rank": 0, "wall_persist_ms": 800}),  # capped buckets
    (2, {"wall_ratio": 4.0, "wall_persist_ms": 500, "wall_step_rank": 0}),
])
def test_the_walls_act_the_same_with_the_accelerator_and_without(seed, params, monkeypatch):
    got = _market(seed, NATIVE, monkeypatch, **params)
    want = _market(seed, None, monkeypatch, **params)
    assert got[1] == want[1]
    assert got[0] == want[0]
    # (the market exercises what the statistics do: walls announced, hence left out of the baselines)
    assert sum(any(v[2] for v in st[0].values()) for st in want[1]) > 100
