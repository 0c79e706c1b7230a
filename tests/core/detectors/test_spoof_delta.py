"""Pulled liquidity's work at each depth message in C (``pulls_delta``, _native_pulls.c) and its
pure-Python twin (spoof_delta.py): the detector on a random market with the accelerator and
without it, message by message; what C hands to the Python steps (the rest of a message, the
changes after a hook, the expiry and the pass) and what it declines (nothing done)."""

from __future__ import annotations

from collections import deque

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams, spoof, spoof_delta, spoof_store
from dom.core.detectors.spoof import SpoofDetector
from dom.core.detectors.spoof_state import _Pull
from dom.core.detectors.steps import SNAPSHOT_NS
from dom.core.detectors.tape import TakerTape
from dom.core.types import BookSide
from tests.core.detectors import test_changes_pick
from tests.core.detectors.script import EventScript, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def spy(monkeypatch, name):
    """Count the calls of spoof_delta's ``name`` (in the module and in the kit C is handed)."""
    calls = []
    f = getattr(spoof_delta, name)

    def counted(*a):
        calls.append(1)
        return f(*a)

    monkeypatch.setattr(spoof_delta, name, counted)
    monkeypatch.setattr(spoof_delta, "KIT", tuple(counted if x is f else x for x in spoof_delta.KIT))
    return calls


def noted(m):
    """What _market does not hold of pulled liquidity, after each of its messages: the taker tapes
    (trades, how many expired), the mids, the candidates' range, the statistics' schedule."""
    out = []
    on_delta = SpoofDetector.on_delta

    def on(self, sym, d, ch):
        got = on_delta(self, sym, d, ch)
        out.append(([(list(t.q), t.popped) for t in self.trades.values()], self.st.state()[1], self.cands_lo,
                    self.cands_hi, self.next_stats_ns, self.tb, self.ta, self.big, self.range_pct))
        return got

    m.setattr(SpoofDetector, "on_delta", on)
    return out


def c_and_python(monkeypatch, seed, params, *patches):
    """_market with the accelerator and without it (each after ``patches``, callables given the
    monkeypatch): what each gave with ``noted``'s state after each message, and how often the C
    run fell to delta_py, rest_py, loop_py and end_py."""
    with monkeypatch.context() as m:
        for f in patches:
            f(m)
        calls = {n: spy(m, n) for n in ("delta_py", "rest_py", "loop_py", "end_py")}
        more = noted(m)
        got = test_changes_pick._market(seed, False, m, **params) + (more,)
    with monkeypatch.context() as m:
        for f in patches:
            f(m)
        m.setattr(accel, "native", None)
        more = noted(m)
        want = test_changes_pick._market(seed, False, m, **params) + (more,)
    assert sum(bool(x[0][0][1] or x[0][1][1]) for x in want[2]) > 100  # (trades expired)
    return got, want, {n: len(c) for n, c in calls.items()}


PARAMS = [
    (1, {}),
    (2, {"wall_ratio": 4.0, "spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "wall_persist_ms": 500}),
    (4, {"spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "spoof_step_rank": 0}),
    # increases kept everywhere (move_reach None: no_range), a longer drop window
    (6, {"spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "spoof_min_life_ms": 200, "spoof_drop_window_ms": 800}),
]


@needs_native
@pytest.mark.parametrize("seed, params", PARAMS)
def test_c_acts_as_python_message_by_message(seed, params, monkeypatch):
    got, want, calls = c_and_python(monkeypatch, seed, params)
    assert got[1] == want[1]  # candidates, pulls, adds and step windows after every message
    assert got[2] == want[2]  # tapes, mids, range, thresholds, schedule after every message
    assert got[0] == want[0]  # the alerts
    assert calls == {"delta_py": 0, "rest_py": 0, "loop_py": 0, "end_py": 0}  # (C took it all)
    assert sum(len(st[1]) for st in want[1]) > 1000 and sum(len(st[5][BID]) for st in want[1]) > 0
    assert any(st[2] for st in want[1]) or seed == 1  # (pulls judged)


def _tuple_changes(m):
    on_delta = SpoofDetector.on_delta
    m.setattr(SpoofDetector, "on_delta", lambda self, sym, d, ch: on_delta(self, sym, d, tuple(ch)))


def _float_range_after_level(m):
    level = SpoofDetector._level

    def odd(self, sym, side, px, q, now):
        level(self, sym, side, px, q, now)
        self.cands_lo = float(self.cands_lo)  # (compares as the int did)

    m.setattr(SpoofDetector, "_level", odd)


class Tape(TakerTape):
    __slots__ = ()


def _tape_subclass(m):
    init = SpoofDetector.__init__

    def with_tapes(self, *a, **k):
        init(self, *a, **k)
        self.trades.update({BID: Tape(), ASK: Tape()})  # (in place: the detector's ``held``)

    m.setattr(SpoofDetector, "__init__", with_tapes)


def _python_store(m):
    m.setattr(spoof, "pull_state", spoof_store.PullState)


@needs_native
@pytest.mark.parametrize("patch, handed", [
    (_tuple_changes, "rest_py"),  # changes not a list: the rest of each message in Python
    (_float_range_after_level, "loop_py"),  # the range not an int after _level: the changes after it
    (_tape_subclass, "end_py"),  # tapes of another class: the expiry and the pass
    (_python_store, "delta_py"),  # the Python twin of the store: C declines each message
])
def test_what_c_hands_to_python_ends_as_python(patch, handed, monkeypatch):
    got, want, calls = c_and_python(monkeypatch, 2, PARAMS[1][1], patch)
    assert got == want
    assert calls[handed] > 0 and (calls["delta_py"] == 0 or handed == "delta_py")
    assert sum(len(st[1]) for st in want[1]) > 1000


@needs_native
def test_pulls_delta_declines_what_it_does_not_take():
    s = EventScript(DetectorParams(icebergs=False, absorptions=False, walls=False), flat_book(40))
    det = s.eng["KITEUSDT"].observers[0]
    sym = s.eng["KITEUSDT"]
    assert isinstance(det, SpoofDetector)
    s.delta([(4990, 30000)], dt_ms=100)
    mids = det.st.state()[1]
    kit = spoof_delta.KIT
    for now, bb, ba, k in [(1.0e9, 5000, 5001, kit), (1 << 63, 5000, 5001, kit), (10**9, 5000.0, 5001, kit),
                           (10**9, 5000, (1 << 61) + 1, kit), (10**9, 5000, 5001, kit[:-1]),
                           (10**9, 5000, 5001, list(kit)), (None, 5000, 5001, kit)]:
        assert NATIVE.pulls_delta(det, sym, [], now, bb, ba, k) is NotImplemented
        assert det.st.state()[1] == mids  # nothing done
    held = det.held
    twin = spoof_store.PullState(BID, ASK)
    for other in (list(held), held[:-1], (twin,) + held[1:]):  # (C reads the detector's state there)
        det.held = other
        assert NATIVE.pulls_delta(det, sym, [], det.depth_t, 5000, 5001, kit) is NotImplemented
        assert det.st.state()[1] == mids
    del det.held
    assert NATIVE.pulls_delta(det, sym, [], det.depth_t, 5000, 5001, kit) is NotImplemented
    spoof_delta.message(det, sym, [], det.depth_t, 5000, 5001)  # (the Python way)
    mids.append((det.depth_t, 10001))
    assert det.st.state()[1] == mids
    det.held = held
    with pytest.raises(TypeError):
        NATIVE.pulls_delta(det, sym, [], 10**9, 5000, 5001)
    assert NATIVE.pulls_delta(det, sym, [], det.depth_t + 1, 5000, 5001, kit) is None  # (what it takes)
    assert det.st.state()[1] == mids + [(det.depth_t + 1, 10001)]


def test_python_loop_resumed_at_a_change_acts_as_one_loop():
    """loop_py from the i-th change with the state after the first i is loop_py over all of them
    (what C relies on when it hands over after a hook)."""
    params = DetectorParams(icebergs=False, absorptions=False, walls=False, spoof_ratio=3.0)
    runs = []
    for split in (None, 3):
        s = EventScript(params, flat_book(40))
        for i in range(40):  # a threshold, then candidates
            s.delta([(4990 - i % 5, 1000 + i)], [(5011 + i % 5, 1000 + i)], dt_ms=100)
        det = s.eng["KITEUSDT"].observers[0]
        sym = s.eng["KITEUSDT"]
        assert det.tb is not None and det.ta is not None
        chs = [(BID, 4992, 1000, 40000), (ASK, 5009, 1000, 40000), (BID, 4991, 1000, 50), (BID, 4992, 40000, 900),
               (ASK, 5009, 40000, 10), (ASK, 5006, 1000, 9000)]
        bb, ba, now = 5000, 5001, det.depth_t
        lo, hi = det.cands_lo, det.cands_hi
        ilo, ihi = -(1 << 62), 1 << 62  # (increases kept everywhere)
        if split is None:
            spoof_delta.loop_py(det, sym, chs, 0, now, bb, ba, lo, hi, lo, hi, ilo, ihi)
        else:
            # the first ``split`` changes, then the rest from there with the state they left (pick's
            # range as it widened: only changes kept for a threshold widen it)
            spoof_delta.loop_py(det, sym, chs[:split], 0, now, bb, ba, lo, hi, lo, hi, ilo, ihi)
            plo, phi = lo, hi
            for side, px, _, after in chs[:split]:
                if after >= (det.tb if side is BID else det.ta):
                    plo, phi = min(plo, px), max(phi, px)
            spoof_delta.loop_py(det, sym, chs, split, now, bb, ba, det.cands_lo, det.cands_hi, plo, phi, ilo, ihi)
        runs.append((det.st.state()[0], [vars(x) for x in det.pulls], det.st.state()[2]))
    assert runs[0] == runs[1]
    assert (BID, 4992) in runs[0][0] and runs[0][0][BID, 4992][5]  # a new candidate, then its pull (pending)
    assert deque(runs[0][2][ASK])  # an increase kept


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("ref, queue, pulled", [
    (5000, 1000, True),  # exactly spoof_ratio x the median, the excess exactly (ratio - 1) x it: a pull
    (4999, 1000, False),  # under the ratio: out at the cheap bound
    (5000, 1001, False),  # the queue beside it one over the median: the excess one short
    (5000, 2000, False),  # a queue of 2000: the excess too small
])
def test_a_drop_at_the_edges_of_the_first_checks(native, ref, queue, pulled, monkeypatch):
    """The checks _maybe_pull makes first (in C, the gate before calling it): a candidate of
    ``ref`` lots gone at once, the band median 1000, the levels beside it ``queue``."""
    if native and NATIVE is None:
        pytest.skip("the C accelerator is not built")
    if not native:
        monkeypatch.setattr(accel, "native", None)
    s = EventScript(DetectorParams(icebergs=False, absorptions=False, walls=False), flat_book(40))
    for _ in range(30):
        s.idle(100)
    det = s.eng["KITEUSDT"].observers[0]
    sym = s.eng["KITEUSDT"]
    assert det.median[BID] == 1000 and det.p.spoof_ratio == 5.0 and det.p.spoof_queue_ticks == 3
    book = sym.book.bids.levels
    for px in (4987, 4988, 4989, 4991, 4992, 4993):
        book[px] = queue
    now = det.depth_t
    det.st.new(BID, 4990, now - 2_000_000_000, 10, ref, 0)
    det.cands_lo = det.cands_hi = 4990
    spoof_delta.message(det, sym, [(BID, 4990, ref, 0)], now, 5000, 5001)
    f = det.st.facts(BID, 4990, now)  # (None: not pending, so dropped by the pass)
    assert bool(f and f[0]) is pulled and len(det.pulls) == pulled
    if pulled:
        assert (det.pulls[0].before, det.pulls[0].queue) == (ref, queue)


def test_held_is_the_detectors_own_state_after_a_resync():
    """``held`` (what C reads in one tuple) holds the detector's own objects and constants, and
    still does once a lost sync has emptied them."""
    s = EventScript(DetectorParams(icebergs=False, absorptions=False, walls=False), flat_book(40))
    det = s.eng["KITEUSDT"].observers[0]
    p = det.p

    def want():
        return (det.st, det.trades, det.threshold, det.half, p.spoof_min_d0_ticks,
                p.spoof_approach_s * 1_000_000_000, p.spoof_drop_window_ms * 1_000_000, det.keep_ns, det.reach,
                det.no_range, det.median, p.spoof_ratio, p.spoof_drop_fraction, p.spoof_level_drop_fraction,
                p.spoof_queue_ticks, p.spoof_level_drop_big, p.spoof_level_drop_order,
                (det.pulls, _Pull, det.steps, p.spoof_step_ratio, p.spoof_flow_s * 1_000_000_000,
                 p.spoof_flow_min_s * 1_000_000_000, SNAPSHOT_NS, spoof_delta._KW_STEPS, TakerTape), det.lim)

    assert len(det.held) == len(want()) == 19 and all(a is b or a == b for a, b in zip(det.held, want()))
    assert det.held[17][0] is det.pulls and det.held[17][2] is det.steps
    s.delta([(4990, 30000)], dt_ms=100)
    s.trade(5000, 5)
    tapes = list(det.trades.values())
    det.on_sync_lost(s.eng["KITEUSDT"], det.depth_t)
    assert all(a is b or a == b for a, b in zip(det.held, want()))
    assert not any(len(t) for t in det.trades.values()) and all(t not in tapes for t in det.trades.values())
    assert det.st.state() == ({}, [], {BID: [], ASK: []})
