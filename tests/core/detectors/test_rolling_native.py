"""The rolling samples in C (``RollSamples``) against their twin (``RollingSamplesPy``): the same
windows and reads after long random sequences of adds, batches, expiries and removals (colliding
values, equal times, batches and expiries past the C chunk), hostile input moving the samples to
the twin without a crash or a lost sample, bounded memory, and reference counts."""

import gc
import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import rolling
from dom.core.detectors.rolling import RollingSamples, RollingSamplesPy, percentile

NATIVE = accel.native
needs_c = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (or DOM_PURE_PYTHON=1)")
I64 = 2**63


def _state(r):
    return list(r.q), list(r.sorted), len(r)


def _reads(rng, c, py):
    """Every read the callers make, on both (asserted by the caller's test)."""
    n = len(py)
    out = [len(c) == n, list(c.sorted) == py.sorted, list(c.q) == list(py.q), c.sorted == py.sorted,
           bool(c.sorted) == bool(py.sorted)]
    for pct in (0.0, 50.0, 90.0, 95.0, 99.9, 100.0):
        out.append(percentile(c, pct) == percentile(py, pct))
    if n:
        for i in (0, -1, n - 1, -n, rng.randrange(-n, n)):
            out += [c.at(i) == py.at(i), c.sorted[i] == py.sorted[i], c.q[i] == py.q[i]]
        k = rng.randint(1, 12)
        out += [c.sorted[-k:] == py.sorted[-k:], c.sorted[-3 * k:] == py.sorted[-3 * k:],
                c.sorted[1:n:3] == py.sorted[1:n:3], c.sorted[::-2] == py.sorted[::-2]]
        for m in (3 * k, 0, -k, n, n + 5, -n - 5):
            top = py.sorted[-m:]
            bent = top[:-1] + [top[-1] + 1] if top else [0]
            for prev in (top, bent, top[1:], top + [0], None, tuple(top), [float(x) for x in top]):
                out.append(c.same_top(m, prev) == py.same_top(m, prev) == (py.sorted[-m:] == prev))
            out.append(c.same_top(m, top) is True)
        v = py.sorted[rng.randrange(n)]
        out += [(v in c.sorted) is True, ((v + 0.5) in c.sorted) is ((v + 0.5) in py.sorted),
                ((v, 1) in c.q) == ((v, 1) in py.q)]
    return out


def _run(seed, ops, vrange, big_batches):
    rng = random.Random(seed)
    c, py = RollingSamples(), RollingSamplesPy()
    t = 0
    for _ in range(ops):
        t += rng.choice([0, 0, 0, 1, 2, 5])  # many samples share a time
        op = rng.random()
        if op < 0.35:
            v = rng.randint(-vrange, vrange)
            c.add(t, v)
            py.add(t, v)
        elif op < 0.65:
            k = rng.choice([0, 1, 5, 10, 30] + ([300, 700] if big_batches else []))
            vs = [rng.randint(-vrange, vrange) for _ in range(k)]
            if rng.random() < 0.3:
                vs = tuple(vs)
            c.add_many(t, vs)
            py.add_many(t, vs)
        elif op < 0.85:
            h = t - rng.choice([0, 3, 20, 100, 400])
            c.expire(h)
            py.expire(h)
        else:
            if py.q and rng.random() < 0.7:
                tt, v = py.q[rng.randrange(len(py.q))]  # a held sample (its first copy goes)
            else:
                tt, v = t - rng.randint(0, 50), rng.randint(-vrange, vrange)  # perhaps not held
            c.remove(tt, v)
            py.remove(tt, v)
        assert len(c) == len(py)
        if rng.random() < 0.15:
            assert all(_reads(rng, c, py))
            assert c.held_by_twin is None
    assert _state(c) == _state(py)
    return c


@needs_c
@pytest.mark.parametrize("seed,vrange,big", [(1, 3, False), (2, 50, False), (3, 10**6, True), (4, 2, True),
                                             (5, I64 - 1, True)])
def test_c_holds_what_the_twin_holds_through_random_sequences(seed, vrange, big):
    c = _run(seed, 4000, vrange, big)
    assert type(c) is RollingSamples and c.held_by_twin is None
    assert isinstance(c, NATIVE.RollSamples)


@needs_c
def test_an_expiry_of_many_samples_at_once_and_the_int64_ends():
    c, py = RollingSamples(), RollingSamplesPy()
    vals = [I64 - 1, -I64, 0, I64 - 1, -I64] * 200 + list(range(1000, 0, -1))
    for i, v in enumerate(vals):
        c.add(i // 7, v)
        py.add(i // 7, v)
    c.add_many(-I64, [5, -I64, I64 - 1])
    py.add_many(-I64, [5, -I64, I64 - 1])
    assert c.held_by_twin is None  # (the ends of int64 are C's)
    for h in (10, 10, 150, 151, 400, I64 - 1):
        c.expire(h)
        py.expire(h)
        assert _state(c) == _state(py)
    assert len(c) == 0 and list(c.sorted) == [] and percentile(c, 50) == 0


@needs_c
@pytest.mark.parametrize("bad", [2.5, 1e7, True, I64, -I64 - 1, 10**30, "7", None, (1,)])
@pytest.mark.parametrize("where", ["add_t", "add_v", "many_t", "many_v", "expire", "remove"])
def test_what_c_declines_moves_the_samples_to_the_twin_and_the_answers_stay(bad, where):
    rng = random.Random(7)
    c, py = RollingSamples(), RollingSamplesPy()
    for i in range(300):
        v = rng.randint(0, 40)
        c.add(i // 3, v)
        py.add(i // 3, v)
    c.remove(50, 7)
    py.remove(50, 7)
    view = c.sorted  # (taken before: it reads the twin's after)
    call = {"add_t": ("add", (bad, 3)), "add_v": ("add", (100, bad)), "many_t": ("add_many", (bad, [1, 2])),
            "many_v": ("add_many", (100, [1, bad, 2])), "expire": ("expire", (bad,)),
            "remove": ("remove", (bad, 7))}[where]
    got = []
    for r in (c, py):
        try:
            getattr(r, call[0])(*call[1])
            got.append(None)
        except TypeError as e:  # (what the twin raises for it: a str against an int)
            got.append(type(e))
    assert got[0] == got[1]
    assert type(c.held_by_twin) is RollingSamplesPy  # moved, whatever the twin made of it
    assert _state(c) == _state(py) and list(view) == py.sorted and len(view) == len(py.sorted)
    if not isinstance(bad, (int, float)):
        return  # (what the twin itself cannot go on with)
    for i in range(200):  # and on, through the twin
        v = rng.randint(0, 40)
        for r in (c, py):
            r.add_many(120 + i, [v, v + 1])
            r.expire(i)
            r.remove(120 + i, v)
    assert _state(c) == _state(py) and c.sorted == py.sorted and list(view) == py.sorted
    assert c.at(-1) == py.at(-1) and percentile(c, 95.0) == percentile(py, 95.0)


@needs_c
def test_a_batch_that_is_no_list_goes_to_the_twin_and_an_int_subclass_is_declined():
    class MyInt(int):
        pass

    c, py = RollingSamples(), RollingSamplesPy()
    for r in (c, py):
        r.add_many(1, [3, 1, 2])
        r.add_many(2, (4,))
    assert c.held_by_twin is None
    for r in (c, py):
        r.add_many(3, iter([9, 8]))  # (an iterator: the twin's own behaviour, whatever it is)
    assert type(c.held_by_twin) is RollingSamplesPy and _state(c) == _state(py)
    c2 = RollingSamples()
    c2.add(1, MyInt(5))
    assert type(c2.held_by_twin) is RollingSamplesPy and type(c2.sorted[0]) is MyInt


@needs_c
def test_wrong_calls_raise_and_change_nothing():
    c = RollingSamples()
    c.add(1, 2)
    for call in (lambda: c.add(1), lambda: c.add_many(1), lambda: c.expire(), lambda: c.remove(1, 2, 3),
                 lambda: c.at(), lambda: RollingSamples(5), lambda: c.sorted["a"]):
        with pytest.raises(TypeError):
            call()
    for i in (1, -2, 10**30):
        with pytest.raises(IndexError):
            c.at(i)
        with pytest.raises(IndexError):
            c.sorted[i]
    with pytest.raises(IndexError):
        c.q[3]
    with pytest.raises(TypeError):
        hash(c.sorted)
    assert c.held_by_twin is None and _state(c) == ([(1, 2)], [2], 1)
    bare = NATIVE.RollSamples()  # (no twin class: a decline is an error, not a crash)
    with pytest.raises(TypeError):
        bare.add(1, 2.5)
    assert len(bare) == 0


@needs_c
def test_memory_stays_bounded_as_the_window_rolls():
    c = RollingSamples()
    base = sys.getsizeof(c)
    t = 0
    for burst in range(5):
        for i in range(20_000):
            c.add(t, i % 977)
            t += 1
        grown = sys.getsizeof(c)
        assert grown > base + 20_000 * 24
        c.expire(t - 10)  # all but the last ten
        assert len(c) == 10 and sys.getsizeof(c) <= base + 64 * 24
    for i in range(100_000):  # a steady window of 100 samples: the arrays do not creep
        c.add_many(t, [i % 5, i % 7])
        c.expire(t - 50)
        t += 1
    assert len(c) == 102 and sys.getsizeof(c) <= base + 512 * 24


@needs_c
def test_reference_counts_are_kept():
    gc.collect()
    v = 10**15 + 7  # (a value of its own: its count moves only if something keeps or drops it)
    t = 10**12 + 3
    rv, rt = sys.getrefcount(v), sys.getrefcount(t)
    rcls = sys.getrefcount(RollingSamplesPy)
    c = RollingSamples()
    for _ in range(100):
        c.add(t, v)
        c.add_many(t, [v, v])
        c.remove(t, v)
    views = [c.sorted, c.q]
    rc = sys.getrefcount(c)
    x = [c.sorted[0], c.q[0], c.at(0), list(c.sorted), c.sorted[-5:]]
    del x
    assert sys.getrefcount(c) == rc
    del views
    c.expire(t + 1)
    assert (sys.getrefcount(v), sys.getrefcount(t)) == (rv, rt)
    assert sys.getrefcount(c) == rc - 2
    for _ in range(50):  # declines and deallocations: the twin class's count comes back
        d = RollingSamples()
        d.add(1, 2)
        d.add(1, 2.5)
        del d
    gc.collect()
    del c
    gc.collect()
    assert sys.getrefcount(RollingSamplesPy) == rcls


def test_the_class_the_detectors_use():
    """Built: the C type with the twin named; else the twin itself."""
    if NATIVE is None:
        assert RollingSamples is RollingSamplesPy
    else:
        assert issubclass(RollingSamples, NATIVE.RollSamples) and RollingSamples.twin is RollingSamplesPy
    r = rolling.RollingSamples()
    r.add_many(5, [3, 1, 2])
    r.add(6, 0)
    assert list(r.sorted) == [0, 1, 2, 3] and list(r.q) == [(5, 3), (5, 1), (5, 2), (6, 0)]
    assert percentile(r, 50.0) == 2 and percentile(r, 100.0) == 3 and r.at(-1) == 3
