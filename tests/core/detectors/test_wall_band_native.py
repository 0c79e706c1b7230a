"""The walls' bands' entries worked out in C (``WallHook.band``, _native_wjg.c) against their
Python twin (``wall_hook.entries``): the same entries and lowest entries for random and hostile
thresholds, distance ratios and P90 lists; what C does not take answers NotImplemented and
leaves the hook as it was, and ``hand_band`` then hands the twin's entries over."""

from __future__ import annotations

import random
import sys
from types import SimpleNamespace

import pytest

from dom.core import accel
from dom.core.detectors.steps import LargeSteps
from dom.core.detectors.wall_hook import entries, hand_band
from dom.core.types import BookDelta, BookSide

NATIVE = accel.native
pytestmark = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                "build_ext --inplace) or DOM_PURE_PYTHON is set")
B, A = BookSide.BID, BookSide.ASK
FAR = 1 << 62


class _Judge:
    walls: dict = {}

    def on_delta(self, sym, delta, changes):
        return ["on_delta"]

    def _judge(self, sym, now, changes):
        return ["judge"]


def _hook():
    d = _Judge()
    S = LargeSteps
    return NATIVE.WallHook(d, {}, None, BookDelta, BookDelta.ts_exchange_ns, S, S.synced_ns, S._at, S.start,
                           S.twin, S.st, S.floor, S.half, S.samples, BookSide.BID)


class _Big(int):
    pass


def _det(ratio, tb, ta, pb, pa, hb=20, ha=25, hook=None):
    th = {k: v for k, v in ((B, tb), (A, ta)) if v is not None}
    return SimpleNamespace(p=SimpleNamespace(wall_distance_ratio=ratio), threshold=th, half={B: hb, A: ha},
                           dist={B: SimpleNamespace(p90s=pb), A: SimpleNamespace(p90s=pa)}, hook=hook,
                           next_stats_ns=1000, tmin=min(th.values(), default=FAR))


def _band(hook, det):
    t = det.threshold
    return hook.band(det.next_stats_ns, det.tmin, det.half[B], det.half[A], t.get(B), t.get(A),
                     det.p.wall_distance_ratio, det.dist[B].p90s, det.dist[A].p90s)


def _p90(rng):
    r = rng.random()
    if r < 0.2:
        return None
    if r < 0.3:
        return ([1, 2, 3], 3)  # (not yet worked out)
    if r < 0.35:
        return rng.choice((True, False, 7.0, _Big(9), "x"))
    if r < 0.45:
        return rng.choice((0, 1, -1, 2**53 + 1, 2**53 - 1, 2**61 + 12345, -(2**61), FAR, -FAR, 3 * 2**60 + 1))
    return rng.randrange(0, 10 ** rng.randrange(1, 12))


def test_c_works_the_entries_out_as_the_twin_does():
    rng = random.Random(29)
    hook = _hook()
    ratios = (3.0, 1.0, 1.2, 6.0, 0.0, -0.0, -1.5, 0.1, 1e-300, 2.5e-7, 1e6, 1e15, 1.7976931348623157e308)
    took = 0
    for i in range(6000):
        ratio = rng.choice(ratios) if i % 3 else rng.uniform(-5, 20)
        tb, ta = (rng.choice((None, 0, 1, 400, 10**6, rng.randrange(10**9), FAR, -FAR, -5)) for _ in range(2))
        pb, pa = ([_p90(rng) for _ in range(10)] for _ in range(2))
        det = _det(ratio, tb, ta, pb, pa, rng.randrange(0, 100), rng.randrange(0, 100))
        want = entries(det)
        got = _band(hook, det)
        if got is NotImplemented:
            continue
        took += 1
        assert got == want[4:], (ratio, tb, ta, pb, pa)
        assert hook.entries() == want[:4] and hook.state() == (1000, det.tmin)
    assert took > 4000


@pytest.mark.parametrize("ratio,tb,pb", [
    (3, 400, [100] * 10),  # a ratio that is an int (exact products in Python)
    (float("nan"), 400, [100] * 10),  # no number: the twin's fallback
    (float("inf"), 400, [100] * 10),
    (1e300, 400, [10**9] + [None] * 9),  # a product past a float
    (-1e300, 400, [10**9] + [None] * 9),  # past what a long long holds
    (3.0, 400, [FAR + 1] + [None] * 9),  # a P90 past 2^62
    (3.0, 400, [-(2**70)] + [None] * 9),
    (3.0, 400, (None,) * 10),  # not a list
    (3.0, 400, [None] * 9),  # not ten
    (3.0, FAR + 1, [None] * 10),  # a threshold past 2^62
    (3.0, True, [None] * 10),  # a bool
    (3.0, _Big(5), [None] * 10),  # an int subclass
    (3.0, 400.0, [None] * 10),
])
def test_what_c_does_not_take_is_the_twins(ratio, tb, pb):
    hook = _hook()
    base = _det(3.0, 500, 600, [100] * 10, [100] * 10)
    assert _band(hook, base) == (500, 600)
    before = hook.entries(), hook.state()
    det = _det(ratio, tb, 600, pb, [None] * 10, hook=hook)
    assert _band(hook, det) is NotImplemented
    assert (hook.entries(), hook.state()) == before  # (the hook as it was)
    try:
        want = entries(det)
    except TypeError:  # (what the twin itself does not take: a threshold that is no number)
        return
    assert hand_band(det) == want[4:]
    # (the twin's entries handed over by set(): what set takes, or the gate off)
    assert hook.entries() in (want[:4], None)


def test_band_takes_its_nine_numbers_or_declines():
    hook = _hook()
    det = _det(3.0, 500, 600, [100] * 10, [100] * 10)
    with pytest.raises(TypeError):
        hook.band(1000, 500, 20, 25, 500, 600, 3.0, [None] * 10)
    for i, bad in ((0, 1.0), (0, FAR + 1), (1, None), (2, -1), (3, True), (2, 2**70)):
        args = [1000, 500, 20, 25, 500, 600, 3.0, [100] * 10, [100] * 10]
        args[i] = bad
        assert hook.band(*args) is NotImplemented
        assert hook.state() is None  # (never set: nothing changed)
    assert _band(hook, det) == (500, 600) and hook.state() == (1000, 500)
    hook.set(1000, 500)  # set() without the entries: tmin at every price
    assert hook.entries() is None


def test_hand_band_without_a_hook_is_the_twins():
    det = _det(3.0, 500, None, [100, None, ([5, 6], 2)] + [7] * 7, [None] * 10)
    want = entries(det)
    assert hand_band(det) == want[4:] == (500, FAR)
    assert want[2] == (500, FAR, 500, 500, 500, 500, 500, 500, 500, 500)  # (3 x 7 + 1 under the threshold)


def test_many_bands_leave_no_reference_behind():
    hook = _hook()
    big = 10**15 + 7  # (not a cached small int)
    pb = [big, None, big, ([1], 1), 5, 6, 7, 8, 9, big]
    ratio = 3.25
    det = _det(ratio, 400, 10**12, pb, [None] * 10)
    before = sys.getrefcount(big), sys.getrefcount(ratio), sys.getrefcount(pb), sys.getrefcount(pb[3])
    for _ in range(30_000):
        got = _band(hook, det)
    assert got == entries(det)[4:]
    det.p.wall_distance_ratio = float("nan")
    for _ in range(10_000):
        assert _band(hook, det) is NotImplemented
    det.p.wall_distance_ratio = ratio
    assert (sys.getrefcount(big), sys.getrefcount(ratio), sys.getrefcount(pb), sys.getrefcount(pb[3])) == before
