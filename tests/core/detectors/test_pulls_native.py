"""Pulled liquidity's pulls made in C (_native_pjd.c: the rest of ``_maybe_pull``, and the depth hook's
test of whether ``_judge`` has a pull due) and its tape reads (_native_pjd_tape.c: ``tape_traded``,
``tape_near``, ``tape_volume_after``) against their Python twins: the same values and the same state,
with the pulls' knobs on as well as off; what C does not take (hostile values) left to Python or
refused with an error, never a crash."""

from __future__ import annotations

import random
from collections import deque

import pytest

from dom.core import accel
from dom.core.detectors import spoof_delta
from dom.core.detectors.spoof import SpoofDetector
from dom.core.detectors.spoof_rules import near_py, traded_py
from dom.core.detectors.tape import TakerTape
from tests.core.detectors.test_spoof_hook import market

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
T0 = 1_723_100_000_000_000_000  # (a real exchange time: three digits of a CPython int)
MS = 1_000_000


def trades(rng: random.Random, n: int, ordered: bool) -> deque:
    t, out = T0, deque()
    for _ in range(n):
        t += rng.choice((0, 1, 5, 20)) * MS
        T = t if ordered or rng.random() < 0.8 else t - rng.randrange(1, 300) * MS
        out.append((T, 5000 + rng.randrange(-6, 7), rng.randrange(1, 400)))
    return out


@needs_native
def test_the_tape_reads_are_the_loops():
    rng = random.Random(7)
    for i in range(400):
        ordered = i % 3 > 0
        q = trades(rng, rng.randrange(0, 300), ordered)
        span = max([MS] + [x[0] - T0 for x in q])
        lo = T0 + rng.randrange(-MS, span + MS)
        hi = lo + rng.randrange(0, span + MS)
        px, sign = 5000 + rng.randrange(-3, 4), rng.choice((1, -1))
        want = traded_py(q, lo, hi, px, sign), near_py(q, lo, hi, px, sign)
        assert (NATIVE.tape_traded(q, lo, hi, px, sign, False), NATIVE.tape_near(q, lo, hi, px, sign, False)) == want
        if ordered:  # (read from the end back to lo)
            assert (NATIVE.tape_traded(q, lo, hi, px, sign, True),
                    NATIVE.tape_near(q, lo, hi, px, sign, True)) == want


@needs_native
@pytest.mark.parametrize("f", ["tape_traded", "tape_near"])
def test_the_tape_reads_leave_what_they_do_not_take(f):
    fn = getattr(NATIVE, f)
    q = deque([(T0, 5000, 3), (T0 + MS, 5001, 4)])
    good = (q, T0 - 1, T0 + MS, 5000, 1, False)
    assert fn(*good) is not NotImplemented
    for k, bad in [(1, 1.5), (1, 2**62 + 1), (2, True), (3, 2**61 + 1), (3, 5000.0), (4, 0), (4, 2), (4, True),
                   (5, 1), (5, None)]:
        args = list(good)
        args[k] = bad
        assert fn(*args) is NotImplemented, (k, bad)
    for item in [(T0, 5000), (T0, 5000, 3, 1), [T0, 5000, 3], (float(T0), 5000, 3), (T0, 5000, 2**61 + 1),
                 (T0, True, 3), (2**63, 5000, 3), "abc"]:
        assert fn(deque([item]), *good[1:]) is NotImplemented, item
    with pytest.raises(TypeError):
        fn(*good[:-1])
    with pytest.raises(TypeError):
        fn(5, *good[1:])  # (not iterable: Python's loop raises so too)
    big = deque([(T0, 5000, 2**61)] * 8)  # (sums past 2^62: still the exact int)
    assert fn(big, T0 - 1, T0, 5000, 1, True) == (traded_py if f == "tape_traded" else near_py)(big, T0 - 1, T0,
                                                                                                   5000, 1)


def _tape_state(t: TakerTape) -> tuple:
    return list(t.q), t.popped, t.last_desc, list(t.ts), list(t.cum), t.base


@needs_native
def test_volume_after_in_c_is_the_method():
    """Two tapes fed the same trades and expiries, one asked through C and one through the method:
    the same answers and the same lists after each question: compacted (over 1,024 expired, asked
    often), started anew (asked seldom), summed plainly (a trade out of time order kept)."""
    rng = random.Random(11)
    c, py = TakerTape(), TakerTape()
    t, seen = T0, {"compacted": 0, "anew": 0, "plain": 0}
    for i in range(12000):
        t += rng.choice((0, 1, 3, 10)) * MS
        late = 8000 <= i < 10000 and rng.random() < 0.01
        T = t - (rng.randrange(1, 50) * MS if late else 0)
        trade = (T, 5000 + rng.randrange(-2, 3), rng.randrange(1, 300))
        c.append(*trade)
        py.append(*trade)
        if rng.random() < 0.3:
            horizon = t - rng.choice((500, 2000, 8000)) * MS
            c.expire(horizon)
            py.expire(horizon)
        if rng.random() < (0.002 if 4000 <= i < 6000 else 0.3):
            lo = t - rng.randrange(0, 4000) * MS
            base, h, n, plain = c.base, c.popped - c.base, len(c.ts), c.last_desc > c.popped
            got, want = NATIVE.tape_volume_after(c, lo), py.volume_after(lo)
            assert got == want and _tape_state(c) == _tape_state(py), i
            seen["plain"] += plain
            if c.base != base:
                seen["anew" if h > n else "compacted"] += 1
    assert all(seen.values()), seen


@needs_native
def test_volume_after_leaves_what_it_does_not_take():
    def tape(qty=5):
        t = TakerTape()
        for k in range(5):
            t.append(T0 + k * MS, 5000, qty if k == 4 else 5)
        return t

    t = tape(5.5)  # (a size it does not read among the fresh trades: nothing done, the method's float)
    before = _tape_state(t)
    assert NATIVE.tape_volume_after(t, T0) is NotImplemented and _tape_state(t) == before
    assert t.volume_after(T0) == 15 + 5.5
    t = tape()
    assert NATIVE.tape_volume_after(t, float(T0)) is NotImplemented
    t.ts = tuple(t.ts)
    assert NATIVE.tape_volume_after(t, T0) is NotImplemented
    t, py = tape(), tape()
    t.popped = py.popped = 2**62 + 5  # (a count past what C reads: the method's)
    before = _tape_state(t)
    assert NATIVE.tape_volume_after(t, T0) is NotImplemented and _tape_state(t) == before
    assert t.volume_after(T0) == py.volume_after(T0) and _tape_state(t) == _tape_state(py)
    with pytest.raises(TypeError):
        NATIVE.tape_volume_after(tape())
    with pytest.raises(AttributeError):
        NATIVE.tape_volume_after(object(), T0)
    t = tape(True)  # (a bool size: the method's sum, not C's)
    assert NATIVE.tape_volume_after(t, T0) is NotImplemented and t.volume_after(T0) == 16
    t = tape()
    t.last_desc = 10  # (out of order somewhere: the plain sum, in C)
    assert NATIVE.tape_volume_after(t, T0) == 20 and t.ts == []


KNOBS = [
    {},
    {"spoof_step_pass": 1.5, "spoof_waive_traded_fraction": 0.9, "spoof_two_sided_requote": True},
    {"spoof_level_drop_big": 0.5, "spoof_level_drop_order": 0.8, "spoof_flow_min_s": 0},
    {"spoof_trade_approach": False, "spoof_step_rank": 0},  # (no step window: the pull kit without steps)
    {"spoof_min_life_ms": 200, "spoof_drop_window_ms": 800, "spoof_layer_ms": 0, "spoof_max_wait_ms": 0},
    {"spoof_queue_ticks": 12, "spoof_flow_s": 2, "spoof_min_flow_share": 0.5},  # (a queue the gate leaves to Python)
]


def _counted(monkeypatch) -> dict:
    """Count the Python calls of ``_maybe_pull``, ``_judge`` and ``_level`` (the class's own, so C still
    takes them)."""
    n = {"_maybe_pull": 0, "_judge": 0, "_level": 0}
    for name in n:
        f = getattr(SpoofDetector, name)

        def counted(*a, f=f, name=name):
            n[name] += 1
            return f(*a)

        monkeypatch.setattr(SpoofDetector, name, counted)
    return n


@needs_native
@pytest.mark.parametrize("knobs", KNOBS)
def test_pulls_made_in_c_are_the_methods(knobs, monkeypatch):
    """On random markets, with the pulls' knobs on or off: the alerts and the detector's state after
    every event the same with the depth hook (pulls made in C, _judge called when one is due) as with
    ``on_delta`` itself; and C did make pulls and spare calls."""
    with monkeypatch.context() as m:
        got_n = _counted(m)
        got, got_seen, _ = market(3, True, walls=False, params=knobs)
    with monkeypatch.context() as m:
        m.setattr(accel, "native", None)  # (the pure-Python twin throughout)
        want_n = _counted(m)
        want, want_seen, _ = market(3, False, walls=False, params=knobs)
    assert got == want
    assert got_seen == want_seen
    assert any(x[1] for x in want_seen) and (want or knobs)  # (pulls waited, some alerted)
    assert got_n["_judge"] < want_n["_judge"]
    assert got_n["_level"] < want_n["_level"]  # (new candidates made in C, _native_plevel.c; the statistics call it)
    if "spoof_queue_ticks" in knobs:  # (past 8 ticks the gate reads no queue: the method)
        assert 0 < got_n["_maybe_pull"] <= want_n["_maybe_pull"]
    else:
        assert got_n["_maybe_pull"] < want_n["_maybe_pull"] / 4


@needs_native
def test_a_subclass_with_its_own_maybe_pull_keeps_it():
    class Own(SpoofDetector):
        def _maybe_pull(self, sym, side, px, after, now):
            return super()._maybe_pull(sym, side, px, after, now)

    from tests.core.detectors.script import EventScript, flat_book
    from dom.core.detectors import DetectorParams

    s = EventScript(DetectorParams(), flat_book(20))
    sp = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, SpoofDetector))
    own = Own(s.eng["KITEUSDT"], sp.p)
    assert own.held[17] is None and sp.held[17] is not None
    assert sp.held[17] == spoof_delta.pull_kit(sp)


@needs_native
def test_a_subclass_with_its_own_level_keeps_it():
    """A detector whose ``_level`` is its own: C leaves the pulls and the new candidates to its methods
    (no pull kit), and its ``_level`` is called for each new candidate of the messages."""
    calls = []

    class Own(SpoofDetector):
        def _level(self, sym, side, px, q, now):
            calls.append(px)
            return super()._level(sym, side, px, q, now)

    from dom.core.detectors import DetectorParams
    from tests.core.detectors.script import EventScript, flat_book

    s = EventScript(DetectorParams(), flat_book(20))
    own = Own(s.eng["KITEUSDT"], next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, SpoofDetector)).p)
    assert own.held[17] is None


@needs_native
def test_a_step_that_is_no_int_is_refused_as_the_method_refuses_it(monkeypatch):
    """A step window whose step is not an int: the new candidate made in C raises the store's error,
    the same as ``_level`` where C leaves it to the methods (no pull kit)."""
    from dom.core.detectors import spoof
    from dom.core.detectors.steps import LargeSteps

    real_at = LargeSteps.step_at
    monkeypatch.setattr(LargeSteps, "step_at", lambda self, *a: (real_at(self, *a)[0], 1.5))
    errors = []
    for own in (False, True):
        with monkeypatch.context() as m:
            if not own:
                m.setattr(spoof, "held", lambda det, own=False: spoof_delta.held(det, False))
            with pytest.raises(TypeError) as e:
                market(5, True, walls=False)
        errors.append(str(e.value))
    assert errors[0] == errors[1]


@needs_native
def test_the_hook_asks_judge_what_it_does_not_read():
    """A waiting pull whose time C does not read (past +-2^61, or none at all): ``_judge`` is asked,
    and answers as it does for ``on_delta``."""
    from dataclasses import replace

    from dom.core.detectors import DetectorParams
    from dom.core.types import BookDelta
    from tests.core.detectors.script import EventScript, flat_book

    s = EventScript(DetectorParams(walls=False), flat_book(20))
    sym = s.eng["KITEUSDT"]
    sp = next(o for o in sym.observers if isinstance(o, SpoofDetector))
    hook = next(h for h in sym.delta_hooks if type(h).__name__ == "PullsHook")
    t = 10**9
    for pull in (replace(_a_pull(), t=2**62), replace(_a_pull(), t=2**62 + 0.5), object()):
        out = []
        for f in (hook, sp.on_delta):
            sp.pulls[:] = [pull]
            t += 10**8
            d = BookDelta("KITEUSDT", (), ((5021, 3),), 1, 1, 0, t, t)
            try:
                out.append(f(sym, d, []))
            except Exception as e:  # noqa: BLE001
                out.append(type(e))
            assert sp.pulls == [pull]
        assert out[0] == out[1] and (out[0] == [] or out[0] is AttributeError)
    sp.pulls.clear()


def _a_pull():
    from dom.core.detectors.spoof_state import _Pull
    from dom.core.types import BookSide

    return _Pull(BookSide.BID, 4990, 0, 100, 0, 10, 5, 3, 5, 0, False, 50, 2, None, 1, 0.5)


@needs_native
def test_the_hook_takes_a_hostile_pull_kit(monkeypatch):
    """A pull kit that is not what C reads (a flow window not an int, a short one): the method makes
    the pulls, the same."""
    def odd_kit(det):
        k = kit(det)
        return k[:4] + (float(k[4]),) + k[5:]

    want, want_seen, _ = market(22, False, walls=False)
    kit = spoof_delta.pull_kit
    for bad in (odd_kit, lambda det: kit(det)[:-1]):
        with monkeypatch.context() as m:
            m.setattr(spoof_delta, "pull_kit", bad)
            got, got_seen, _ = market(22, True, walls=False)
        assert got == want and got_seen == want_seen


@needs_native
def test_the_band_median_and_top_are_the_sorted_sizes():
    """``band_median_top`` (by selection) against the sorted sizes ``_stats`` read before: odd and
    even counts, ties, sizes up to 2^52 and below 0 (their mean toward 0 as ``int`` of the float)."""
    from dom.core.detectors.band import median_sorted

    rng = random.Random(5)
    for i in range(600):
        n = rng.randrange(0, 300) if i % 4 else rng.randrange(0, 6)
        pick = rng.choice(((1, 50), (1, 2**52), (-9, 9)))
        band = [(5000 - k, rng.randint(*pick)) for k in range(n)]
        s = sorted(q for _, q in band)
        want = (n, int(median_sorted(s)), s[-1]) if s else (0, 0, None)
        assert NATIVE.band_median_top(band) == want, band
    for bad in ([(1, 2**52 + 1)], [(1, -(2**52) - 1)], [(1, 1.0)], [(1, True)], [(1,)], [[1, 2]], ((1, 2),),
                [(1, 2)] * 300 + [(1, "a")]):
        assert NATIVE.band_median_top(bad) is NotImplemented
    with pytest.raises(TypeError):
        NATIVE.band_median_top()


@needs_native
def test_the_c_reads_keep_no_memory_or_reference_over_many_calls():
    """Thousands of calls, each path (from the end, every trade, NotImplemented, a band past the stack
    buffer): no memory kept (tracemalloc) and no reference left on what they read or return."""
    import sys
    import tracemalloc

    q = trades(random.Random(1), 400, True)
    band = [(5000 - k, (k * 37) % 101 + 1) for k in range(300)]
    odd = band + [(1, 1.5)]
    tape = TakerTape()
    for x in q:
        tape.append(*x)
    lo, hi = q[200][0], q[-1][0]
    tape.volume_after(lo)

    def once():
        for ordered in (True, False):
            NATIVE.tape_traded(q, lo, hi, 5000, 1, ordered)
            NATIVE.tape_near(q, lo, hi, 5000, -1, ordered)
        NATIVE.tape_traded(deque([(1.5, 1, 1)]), 0, 1, 1, 1, False)
        NATIVE.tape_volume_after(tape, lo)
        NATIVE.band_median_top(band)
        NATIVE.band_median_top(odd)

    for _ in range(200):
        once()
    refs = [sys.getrefcount(x) for x in (q[250], q[250][0], band[7], band[7][1], NotImplemented, tape.cum[-1])]
    # Only what was allocated from this file's frames (the C calls' allocations are the calling
    # line's): another test's thread still allocating elsewhere is not counted.
    here = [tracemalloc.Filter(True, __file__)]
    tracemalloc.start()
    before = tracemalloc.take_snapshot().filter_traces(here)
    for _ in range(3000):
        once()
    after = tracemalloc.take_snapshot().filter_traces(here)
    tracemalloc.stop()
    grown = sum(d.size_diff for d in after.compare_to(before, "filename"))
    assert grown < 20_000
    assert refs == [sys.getrefcount(x) for x in (q[250], q[250][0], band[7], band[7][1], NotImplemented,
                                                 tape.cum[-1])]
