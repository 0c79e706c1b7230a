"""The standing walls' gate worked out in C (``WallHook.hand``, _native_wdh_hand.c) against its twin
``hand_walls_py`` (wall_hook.py): the same 13 numbers held by the hook on random walls and
parameters, what C declines answered by the twin (or its error), and no reference left behind."""

from __future__ import annotations

import dataclasses
import random
import sys
from types import SimpleNamespace

import pytest

from dom.core.detectors import DetectorParams, wall_hook
from dom.core.detectors.wall_hook import hand_walls, hand_walls_py
from dom.core.detectors.wall_state import _Wall
from dom.core.types import BookSide
from tests.core.detectors.test_wall_hook import _stub_hook, market, needs_native

MS, FAR = 1_000_000, 1 << 62
B, A = BookSide.BID, BookSide.ASK


def _det(p=None, threshold=None):
    d, hook = _stub_hook()
    steps = SimpleNamespace(bounded=lambda n, book, ratio: min(n, 2 * book), ref=300)
    det = SimpleNamespace(p=p or DetectorParams(), walls=d.walls, hook=hook, floor_ns=1000 * MS,
                          lifetimes=SimpleNamespace(required_ns=5000 * MS), step_need=800, step_weak=400, steps=steps,
                          weak_ns=20_000 * MS, bound=None, threshold={B: 400, A: 400} if threshold is None else threshold)
    return det


def _twin(det, now):
    """The twin's numbers as the hook holds them (the hook's walls' gate off first)."""
    det.hook.walls(None, 0, 0, 0, 0)
    assert det.hook.walls_state() is None
    hand_walls_py(det, now)
    return det.hook.walls_state()


def _c(det, now):
    """C's numbers as the hook holds them (NotImplemented where C declines)."""
    det.hook.walls(None, 0, 0, 0, 0)
    got = det.hook.hand(det.walls, now, det.lifetimes.required_ns, det.p, det.threshold, wall_hook.candidate_due, det,
                        _Wall, A)
    return got if got is NotImplemented else det.hook.walls_state()


def _random_wall(rng, side, px):
    w = _Wall(side, px, rng.randrange(0, 12_000) * MS, rng.randrange(1, 5000), rng.randrange(1, 5000))
    w.enter = rng.choice((300, 400, 450, rng.randrange(0, 5000)))
    w.step = rng.choice((0, 100, 400, 600, 800, 1200))
    w.book = rng.choice((0, 0, 0, 250, 350))
    w.traded = rng.choice((0, 0, rng.randrange(0, 4000)))
    r = rng.random()
    if r < 0.3:  # announced: gone, or an update pending or not
        w.announced = rng.choice((True, True, 1))
        w.gone_ns = rng.choice((0, 0, 0, rng.randrange(1, 9000) * MS))
        w.moves = rng.randrange(0, 3)
        w.sent_moves = rng.choice((w.moves, w.moves, rng.randrange(0, 3)))
        w.sent_size = rng.choice((w.size, rng.randrange(1, 5000), 0))
        w.updated_ns = rng.randrange(0, 9000) * MS
    elif r < 0.55:  # dipping
        w.dip_ns = rng.randrange(1, 12_000) * MS
    return w


def _random_case(rng):
    p = DetectorParams(wall_update_ms=rng.choice((0, 2000, 15_000)), wall_dip_ms=rng.choice((0, 700, 2000)),
                       wall_update_change=rng.choice((0.0, 0.2, 0.25, 1.5)),
                       wall_traded_fraction=rng.choice((0.0, 0.0, 0.05, -0.1)),
                       wall_ref_step_ratio=rng.choice((0.0, 0.0, 2.0)), wall_weak_graded=rng.random() < 0.7)
    det = _det(p, rng.choice(({B: 400, A: 400}, {B: 400}, {A: 400}, {})))
    det.bound = rng.choice((None, SimpleNamespace(wait_ns=7000 * MS)))
    det.step_need, det.step_weak = rng.choice(((800, 400), (0, 0), (2000, 900)))
    n = rng.choice((1, 2, 3, 5, 8, 20, 40))  # (past 16 on a side: its range alone)
    for _ in range(n):
        side = rng.choice((B, A))
        px = rng.randrange(4950, 5000) if side is B else rng.randrange(5001, 5051)
        det.walls[(side, px)] = _random_wall(rng, side, px)
    return det, rng.randrange(0, 16_000) * MS


@needs_native
def test_c_holds_the_twins_numbers_on_random_walls():
    rng = random.Random(5)
    kinds = set()
    for _ in range(3000):
        det, now = _random_case(rng)
        want = _twin(det, now)
        got = _c(det, now)
        assert got == want, (got, want)
        kinds |= {k for k, seen in (("gone", want[0] == -FAR), ("no time", want[0] == FAR), ("a time", abs(want[0]) < FAR),
                                    ("range alone", want[5] is None), ("rise", any(want[11] or ())),
                                    ("hold", any(x != FAR for x in want[9] or ())),
                                    ("quiet", any(x != -FAR for x in want[7] or ()))) if seen}
    assert len(kinds) == 7, kinds


@needs_native
@pytest.mark.parametrize("params", [{}, {"wall_ref_step_ratio": 2.0}, {"wall_traded_fraction": 0.05}])
def test_a_candidates_wait_ends_where_the_twins_does(params):
    """At its wait's end to the nanosecond (now - first_ns == persist: past it, candidate_due's
    turn) and one either side, each with the twin's numbers."""
    p = dataclasses.replace(DetectorParams(), **params)
    det = _det(p)
    w = det.walls[(B, 4990)] = _Wall(B, 4990, 100 * MS, 500, 500, enter=450, step=600)
    det.walls[(A, 5010)] = _Wall(A, 5010, 300 * MS, 500, 500, enter=450)
    rise = []
    for now in (w.first_ns + 5000 * MS + d for d in (-1, 0, 1)):
        got = _c(det, now)
        assert got == _twin(det, now)
        rise.append(got[11])
    # (steady inside its wait, rise 1; from its end on, rise 0; none steady with the traded fraction on)
    assert rise == ([(0,)] * 3 if "wall_traded_fraction" in params else [(1,), (0,), (0,)])


@needs_native
def test_hand_walls_is_the_twin_through_the_hook():
    det = _det()
    det.walls[(B, 4990)] = _Wall(B, 4990, 100 * MS, 500, 500, enter=450)
    det.walls[(A, 5010)] = _Wall(A, 5010, 100 * MS, 500, 500, dip_ns=150 * MS, enter=450)
    det.walls[(A, 5012)] = _Wall(A, 5012, 0, 601, 601, announced=True, sent_size=500, updated_ns=1000 * MS)
    hand_walls(det, 200 * MS)
    assert det.hook.walls_state() == (2150 * MS, 4990, 4990, 5010, 5012, (4990,), (5010, 5012), (-FAR,), (450, -FAR),
                                      (450,), (FAR, FAR), (1,), (0, 0))
    assert det.hook.walls_state() == _twin(det, 200 * MS)


class _Odd(_Wall):
    pass


def _one(**kw):
    det = _det(kw.pop("p", None))
    w = _Wall(B, 4990, 100 * MS, 500, 500, enter=450)
    for k, v in kw.items():
        setattr(w, k, v)
    det.walls[(B, 4990)] = w
    return det


# What C declines: each answered by the twin through hand_walls (the same numbers, or the gate off).
_DECLINED = [
    {"px": 4990.0}, {"px": (1 << 61) + 1}, {"announced": None}, {"announced": 1.0},
    {"announced": True, "gone_ns": 1.5}, {"announced": True, "gone_ns": None},
    {"announced": True, "size": 1 << 53, "sent_size": 1 << 53}, {"announced": True, "moves": 1.0},
    {"announced": True, "moves": 1, "updated_ns": 2.5}, {"dip_ns": 150.0 * MS}, {"dip_ns": (1 << 61) + 1},
    {"dip_ns": 150 * MS, "enter": 450.5}, {"dip_ns": 150 * MS, "enter": (1 << 62) + 1}, {"first_ns": 100.0 * MS},
    {"enter": 450.0}, {"side": "bid"}, {"side": None},
    {"p": DetectorParams(wall_update_ms=2000.0), "announced": True, "moves": 1},
    {"p": DetectorParams(wall_update_ms=1 << 41), "announced": True, "moves": 1},
    {"p": DetectorParams(wall_dip_ms=700.0), "dip_ns": 150 * MS},
    {"p": DetectorParams(wall_update_change=0), "announced": True},
    {"p": DetectorParams(wall_traded_fraction=True)}, {"p": DetectorParams(wall_ref_step_ratio=False)},
]


@needs_native
@pytest.mark.parametrize("odd", _DECLINED, ids=[str(d)[:60] for d in _DECLINED])
def test_what_c_does_not_take_is_the_twins(odd):
    det = _one(**odd)
    assert _c(det, 200 * MS) is NotImplemented
    det.hook.walls(None, 0, 0, 0, 0)
    hand_walls(det, 200 * MS)
    assert det.hook.walls_state() == _twin(det, 200 * MS)


@needs_native
def test_other_walls_thresholds_and_times_are_declined():
    det = _one()
    det.walls[(B, 4991)] = _Odd(B, 4991, 100 * MS, 500, 500, enter=450)  # (a subclass: its attributes may run code)
    assert _c(det, 200 * MS) is NotImplemented
    det = _one()
    det.threshold = SimpleNamespace()  # (not a dict)
    assert det.hook.hand(det.walls, 200 * MS, 5000 * MS, det.p, det.threshold, wall_hook.candidate_due, det, _Wall,
                         A) is NotImplemented
    for now, persist in ((200.0 * MS, 5000 * MS), ((1 << 61) + 1, 5000 * MS), (200 * MS, None)):
        assert det.hook.hand(det.walls, now, persist, det.p, {}, wall_hook.candidate_due, det, _Wall,
                             A) is NotImplemented
    with pytest.raises(TypeError):
        det.hook.hand(det.walls, 200 * MS)


@needs_native
@pytest.mark.parametrize("odd,err", [({"first_ns": "0"}, TypeError),
                                     ({"p": DetectorParams(wall_traded_fraction=None)}, TypeError),
                                     ({"announced": True, "moves": 1, "p": DetectorParams(wall_update_ms="7")},
                                      TypeError)])
def test_what_the_twin_raises_hand_walls_raises(odd, err):
    with pytest.raises(err):
        hand_walls(_one(**odd), 200 * MS)


@needs_native
def test_a_missing_attribute_is_the_twins_error():
    det = _one()
    del det.walls[(B, 4990)].first_ns  # (a field without a default: no class attribute to fall back on)
    assert _c(det, 200 * MS) is NotImplemented
    with pytest.raises(AttributeError):
        hand_walls(det, 200 * MS)


@needs_native
def test_candidate_due_is_called_as_the_twin_calls_it(monkeypatch):
    det = _one(first_ns=0)
    now = 6000 * MS  # (past its wait: candidate_due)
    seen = []
    real = wall_hook.candidate_due

    def noted(d, w, t):
        seen.append((d, w, t))
        return real(d, w, t)
    monkeypatch.setattr(wall_hook, "candidate_due", noted)
    hand_walls(det, now)
    assert seen == [(det, det.walls[(B, 4990)], now)]
    monkeypatch.setattr(wall_hook, "candidate_due", lambda d, w, t: 7000.5 * MS)  # (a float: the gate off)
    hand_walls(det, now)
    assert det.hook.walls_state() is None
    monkeypatch.setattr(wall_hook, "candidate_due", lambda d, w, t: -(1 << 63))  # (past -2^62: off)
    hand_walls(det, now)
    assert det.hook.walls_state() is None

    def boom(d, w, t):
        raise ValueError("boom")
    monkeypatch.setattr(wall_hook, "candidate_due", boom)
    with pytest.raises(ValueError, match="boom"):
        hand_walls(det, now)

    def grow(d, w, t):  # (the walls changed while they are read: the twin's own error)
        d.walls[(A, 5000 + len(d.walls) + 10)] = _Wall(A, 5000 + len(d.walls) + 10, 0, 1, 1)
        return 0
    det.walls[(B, 4991)] = _Wall(B, 4991, 0, 500, 500, enter=450)
    monkeypatch.setattr(wall_hook, "candidate_due", grow)
    with pytest.raises(RuntimeError):
        hand_walls(det, now)


@needs_native
def test_a_threshold_changed_by_candidate_due_is_read_as_the_twin_reads_it(monkeypatch):
    """``side in thr`` asked for each wall, after its ``candidate_due``: one that drops the bids'
    threshold leaves the next bid wall without a hold size, in C as in the twin."""
    det = _det()
    det.walls[(B, 4990)] = _Wall(B, 4990, 5000 * MS, 500, 500, enter=450)  # (inside its wait: B in thr)
    det.walls[(B, 4991)] = _Wall(B, 4991, 0, 500, 500, enter=460)  # (past it: candidate_due, then B in thr)
    real = wall_hook.candidate_due

    def drops(d, w, t):
        d.threshold.pop(B, None)
        return real(d, w, t)
    monkeypatch.setattr(wall_hook, "candidate_due", drops)
    got = _c(det, 6000 * MS)
    det.threshold[B] = 400
    want = _twin(det, 6000 * MS)
    assert got == want and want[9] == (450, FAR)


@needs_native
@pytest.mark.parametrize("seed,params", [(1, {}), (3, {"wall_traded_fraction": 0.05}),
                                         (9, {"wall_distance_ratio": 1.2, "wall_step_rank": 0})])
def test_the_detector_hands_its_walls_in_c(seed, params, monkeypatch):
    """On a random market every ``hand_walls`` of the hooked detector is C's (the twin never runs),
    with the alerts and state of ``on_delta`` (test_wall_hook's market, event by event)."""
    twin = []
    real = wall_hook.hand_walls_py

    def counted(det, now):
        twin.append(now)
        return real(det, now)
    monkeypatch.setattr(wall_hook, "hand_walls_py", counted)
    got, got_seen, _, _ = market(seed, hooks=True, spoofs=False, holds=True, **params)
    assert twin == []
    monkeypatch.setattr(wall_hook, "hand_walls_py", real)
    want, want_seen, _, _ = market(seed, hooks=False, spoofs=False, holds=True, **params)
    assert got == want and got_seen == want_seen
    assert {"new", "end"} <= {a[1].value for a in got}


@needs_native
def test_many_hands_leave_no_reference_behind(monkeypatch):
    det = _det(dataclasses.replace(DetectorParams(), wall_update_change=0.25))
    ws = [_Wall(B, 4990 - k, 100 * MS, 500, 500, enter=450) for k in range(5)]
    ws[1].dip_ns = 150 * MS
    ws[2].announced, ws[2].sent_size, ws[2].size = True, 500, 10**6 + 7
    ws[3].first_ns = 0  # (past its wait: candidate_due)
    for w in ws:
        det.walls[(w.side, w.px)] = w
    before = [sys.getrefcount(w) for w in ws], sys.getrefcount(det), sys.getrefcount(det.walls), sys.getrefcount(det.p)
    for i in range(5000):
        assert det.hook.hand(det.walls, 6000 * MS, 5000 * MS, det.p, det.threshold, wall_hook.candidate_due, det, _Wall,
                             A) is None
        if i % 7 == 0:  # (declined half-way: a float size)
            ws[4].px = 4985.0
            assert _c(det, 6000 * MS) is NotImplemented
            ws[4].px = 4986
    assert ([sys.getrefcount(w) for w in ws], sys.getrefcount(det), sys.getrefcount(det.walls),
            sys.getrefcount(det.p)) == before
