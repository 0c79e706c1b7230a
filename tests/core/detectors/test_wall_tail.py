"""The step window's tail index in C (``tail_hill``, _native_wdh_tail.c) against its Python loop
(steps.py ``_hill_py``): the same float, bit for bit, on many random windows (lists and the
rolling samples' sorted view, trimmed or not); what C does not take goes to the loop, which
answers or raises as before."""

from __future__ import annotations

import math
import random

import pytest

from dom.core import accel
from dom.core.detectors.rolling import RollingSamples
from dom.core.detectors.steps import _hill, _hill_py

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def _same(a, b):
    return type(a) is type(b) and (a == b or (math.isnan(a) and math.isnan(b))) and math.copysign(1, a) == math.copysign(1, b)


def _window(rng, n):
    scale = rng.choice((1, 7, 1000, 10**6, 2**40))
    alpha = rng.uniform(0.3, 6)
    s = sorted(int(rng.paretovariate(alpha) * scale) for _ in range(n))
    if n and rng.random() < 0.2:  # a plateau at the cap, or zeros at the bottom
        cap = s[rng.randrange(n)]
        s = [min(x, cap) for x in s] if rng.random() < 0.5 else [0] * rng.randrange(n) + s
    return s


@needs_native
def test_the_c_tail_index_is_the_loop_s_bit_for_bit():
    rng = random.Random(7)
    taken = 0
    for _ in range(20_000):
        s = _window(rng, rng.randrange(0, 130))
        k = rng.randrange(0, 16)
        drop = rng.choice((0, 0, max(0, k - 1), rng.randrange(0, 40)))
        got, want = NATIVE.tail_hill(s, k, drop), _hill_py(s, k, drop)
        assert _same(got, want) or (got is NotImplemented and max(s) > 2**53), (s, k, drop, got, want)
        taken += got is not NotImplemented
        assert _same(_hill(s, k, drop), want)
    assert taken > 19_000


@needs_native
def test_the_rolling_samples_view_reads_the_same():
    rng = random.Random(8)
    for _ in range(500):
        r = RollingSamples()
        r.add_many(0, [min(x, 2**53) for x in _window(rng, rng.randrange(0, 90))][::-1])
        s = r.sorted
        for k, drop in ((10, 0), (10, 9), (3, 2), (0, 0), (40, 5)):
            got = NATIVE.tail_hill(s, k, drop)
            assert got is not NotImplemented and _same(got, _hill_py(list(s), k, drop))


@needs_native
def test_what_c_does_not_take_goes_to_the_loop():
    s = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]
    assert NATIVE.tail_hill(s, 2, 1) == _hill_py(s, 2, 1) > 0
    big = s[:-1] + [2**53 + 1]  # past an exact double
    assert NATIVE.tail_hill(big, 2, 0) is NotImplemented
    assert _same(_hill(big, 2, 0), _hill_py(big, 2, 0))
    assert NATIVE.tail_hill(s[:-1] + [2**53], 2, 0) == _hill_py(s[:-1] + [2**53], 2, 0)
    for odd in (s[:-1] + [144.0], s[:-1] + [True], tuple(s)):
        assert NATIVE.tail_hill(odd, 2, 0) is NotImplemented or _same(NATIVE.tail_hill(odd, 2, 0), _hill_py(odd, 2, 0))
        assert _same(_hill(odd, 2, 0), _hill_py(odd, 2, 0))
    for k, drop in ((-1, 0), (2, -1), (2**31, 0), (2.0, 0), (True, 0)):
        assert NATIVE.tail_hill(s, k, drop) is NotImplemented
    unsorted = [1, 2, 5, 3, -4]  # a ratio not positive: the loop raises as it did
    assert NATIVE.tail_hill(unsorted, 1, 0) is NotImplemented
    with pytest.raises(ValueError):
        _hill(unsorted, 1, 0)
    with pytest.raises(TypeError):
        NATIVE.tail_hill(s, 2)
    with pytest.raises(TypeError):
        NATIVE.tail_hill(12, 2, 0) if NATIVE.tail_hill(12, 2, 0) is not NotImplemented else len(12)
    assert NATIVE.tail_hill([], 3, 0) == 0.0 and NATIVE.tail_hill([5], 3, 0) == 0.0
    assert NATIVE.tail_hill([0, 0, 5, 9], 1, 0) == 0.0  # (the base not positive)


@needs_native
def test_many_calls_leave_no_reference_behind():
    import sys

    s = [1000 + 37 * i for i in range(80)]
    items = [sys.getrefcount(x) for x in s]
    r = RollingSamples()
    r.add_many(0, s)
    v = r.sorted
    for _ in range(20_000):
        NATIVE.tail_hill(s, 10, 9)
        NATIVE.tail_hill(v, 10, 0)
    assert [sys.getrefcount(x) for x in s] == items


@needs_native
def test_the_selected_p90_is_the_sorted_one():
    from dom.core.detectors.wall_state import nth_smallest, nth_smallest_py

    rng = random.Random(9)
    for _ in range(2_000):
        size = rng.randrange(1, 2_500)
        kind = rng.random()
        if kind < 0.3:
            xs = [rng.randrange(0, 20) for _ in range(size)]  # many equal
        elif kind < 0.5:
            xs = sorted(rng.randrange(-(2**62), 2**62) for _ in range(size))[::rng.choice((1, -1))]  # ordered
        else:
            xs = [int(rng.paretovariate(1.2) * 1000) for _ in range(size)]
        n = rng.randrange(1, size + 1)
        i = rng.choice((int(0.9 * (n - 1)), 0, n - 1, rng.randrange(n)))
        before = list(xs)
        got = NATIVE.nth_smallest(xs, n, i)
        assert got == nth_smallest_py(xs, n, i) and type(got) is int and xs == before
        assert nth_smallest(xs, n, i) == got


@needs_native
def test_what_the_selection_does_not_take_goes_to_the_sort():
    from dom.core.detectors.wall_state import nth_smallest

    xs = [5, 3, 9, 1]
    for args in ((xs, 4, 4), (xs, 5, 0), (xs, 0, 0), (xs, 2, -1), (tuple(xs), 4, 1), (xs, 4.0, 1), (xs, True, 0),
                 ([5, 3.0, 9], 3, 1), ([5, 2**63, 9], 3, 1), ([5, True, 9], 3, 1)):
        assert NATIVE.nth_smallest(*args) is NotImplemented
    assert nth_smallest([5, 3.0, 9], 3, 1) == 5 and nth_smallest([5, 2**63, 9], 3, 2) == 2**63
    with pytest.raises(IndexError):
        nth_smallest(xs, 4, 4)
    with pytest.raises(TypeError):
        nth_smallest([5, "3", 9], 3, 1)
    with pytest.raises(TypeError):
        NATIVE.nth_smallest(xs, 4)
    assert NATIVE.nth_smallest(xs, 4, 0) == 1 and NATIVE.nth_smallest(xs, 2, 1) == 5


def test_a_bucket_s_p90_is_its_last_samples_sorted_at_ninety_percent():
    from dom.core.detectors.wall_state import DistanceBaseline

    rng = random.Random(10)
    for _ in range(200):
        n, warm = rng.randrange(1, 80), rng.randrange(1, 40)
        base = DistanceBaseline(n, warm)
        got = []
        for _ in range(rng.randrange(1, 6)):  # a few seconds of samples at distance 3 (bucket 3)
            add = [rng.randrange(1, 5000) for _ in range(rng.randrange(0, 40))]
            base.add([3] * len(add), add)
            got += add
        base.refresh()
        last = got[-n:]
        want = sorted(last)[int(0.9 * (len(last) - 1))] if len(last) >= warm else None
        assert base.typical(3) == want
        assert base.typical(3) == want  # (read twice: the second from the value kept)
