"""``wall_pick`` (dom/core/detectors/wall_pick.py): the level changes the walls' judgement acts on.
The twin against its docstring and against ``pick`` (a subset of its list, and every change the
walls' loop acts on kept), C against the twin on edge and fuzzed inputs and on what it declines,
and the walls fed through it against the walls fed through ``pick``: the same ``_level`` calls,
alerts and state after every message."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import changes, wall_pick, walls
from dom.core.detectors.changes import FAR, pick_py
from dom.core.detectors.wall_pick import wall_pick_py
from dom.core.types import BookSide
from tests.core.detectors import test_changes_pick as tcp

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def spec(chs, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, ws):
    """What ``wall_pick`` keeps, written as its docstring says: ``pick``'s list, less the changes
    kept for the range alone under their side's rb/ra at no wall and at no earlier change's price
    kept at or over rb/ra or for the threshold."""
    full = pick_py(chs, BID, tb, ta, lo, hi, FAR, blo, bhi, alo, ahi)
    out, seen = [], []
    for c in chs:
        side, px, _old, new = c
        if not any(c is k for k in full):
            continue
        t, wlo, whi, r = (tb, blo, bhi, rb) if side is BID else (ta, alo, ahi, ra)
        by_threshold = new >= t and wlo <= px <= whi
        if by_threshold or new >= r or (side, px) in ws or (side, px) in seen:
            out.append(c)
        if by_threshold or new >= r:
            seen.append((side, px))
    return out


def test_wall_pick_at_its_edges():
    chs = [(BID, 100, 5, 50), (ASK, 105, 0, 3), (BID, 99, 10, 0), (ASK, 110, 1, 9), (BID, 100, 50, 2)]
    none = (FAR, FAR)
    # the range alone no longer keeps a change: a wall's key, its side's rb (reached exactly) do
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, *none, {}) == []
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, *none, {(BID, 99): 1}) == [chs[2]]
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, *none, {(ASK, 99): 1}) == []  # (its side's)
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, 50, 9, {}) == [chs[0], chs[3], chs[4]]
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, 51, 10, {}) == []
    # ... within the range only (its ends are in it)
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 101, 110, -FAR, FAR, -FAR, FAR, 50, 9, {(BID, 100): 1}) == [chs[3]]
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 99, 100, -FAR, FAR, -FAR, FAR, 50, 9, {(BID, 99): 1}) == [chs[0], chs[2], chs[4]]
    # a change kept for its threshold keeps a later one at its side and price (under rb, no wall
    # there), and widens the range as pick's does; one kept at rb does too
    assert wall_pick_py(chs, BID, ASK, 50, FAR, FAR, -FAR, -FAR, FAR, -FAR, FAR, *none, {}) == [chs[0], chs[4]]
    assert wall_pick_py(chs, BID, ASK, 50, FAR, FAR, -FAR, 90, 99, -FAR, FAR, *none, {}) == []  # (out of its window)
    assert wall_pick_py(chs, BID, ASK, FAR, FAR, 100, 110, -FAR, FAR, -FAR, FAR, 50, FAR, {}) == [chs[0], chs[4]]
    assert wall_pick_py(chs, BID, ASK, 0, FAR, FAR, -FAR, 100, 100, -FAR, FAR, *none, {}) == [chs[0], chs[4]]
    # ... but not one at its price on the other side
    other = [(ASK, 120, 0, 40), (BID, 120, 5, 1), (ASK, 120, 40, 1)]
    assert wall_pick_py(other, BID, ASK, FAR, 40, FAR, -FAR, -FAR, FAR, -FAR, FAR, *none, {}) == [other[0], other[2]]
    assert wall_pick_py([], BID, ASK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {}) == []
    for args in [(FAR, FAR, 99, 110, -FAR, FAR, -FAR, FAR, *none, {(BID, 99): 1}), (50, FAR, FAR, -FAR, -FAR, FAR, -FAR, FAR, *none, {}),
                 (FAR, FAR, 100, 110, -FAR, FAR, -FAR, FAR, 50, FAR, {}), (FAR, 40, FAR, -FAR, -FAR, FAR, -FAR, FAR, *none, {})]:
        for cs in (chs, other, chs + other):
            want = spec(cs, *args)
            assert wall_pick.wall_pick(cs, BID, ASK, *args) == wall_pick_py(cs, BID, ASK, *args) == want
            if NATIVE is not None:
                assert NATIVE.wall_pick(cs, BID, ASK, *args) == want


def _walls(rng: random.Random) -> dict:
    n = rng.choice((0, 1, 3, rng.randrange(0, 12), 70))  # (70: past C's 64 on the stack)
    return {(rng.choice((BID, ASK)), rng.randrange(985, 1015) if n < 40 else rng.randrange(900, 1100)): object()
            for _ in range(n)}


def _args(rng: random.Random) -> tuple:
    _bid, tb, ta, lo, hi, _inc, blo, bhi, alo, ahi, _ilo, _ihi = tcp._bounds(rng)
    r = lambda: rng.choice((FAR, 0, rng.randrange(1, 60), rng.randrange(1, 5000)))  # noqa: E731
    return tb, ta, lo, hi, blo, bhi, alo, ahi, r(), r(), _walls(rng)


@pytest.mark.parametrize("seed", range(3))
def test_wall_pick_py_is_its_docstring_and_a_part_of_pick(seed):
    rng = random.Random(300 + seed)
    for _ in range(1500):
        chs, args = tcp._changes(rng, rng.randrange(0, 60)), _args(rng)
        got = wall_pick_py(chs, BID, ASK, *args)
        assert got == spec(chs, *args)
        full = pick_py(chs, BID, *args[:4], FAR, *args[4:8])
        it = iter(full)
        assert all(any(c is k for k in it) for c in got)  # (in pick's list, in its order)


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_native_wall_pick_is_the_twin(seed):
    rng = random.Random(400 + seed)
    for i in range(2000):
        n = rng.randrange(0, 70) if i % 10 else rng.randrange(150, 300)  # (some past C's 64 kept prices)
        chs, args = tcp._changes(rng, n), _args(rng)
        if i % 7 == 0:  # every change up to its entry: a price kept over and over
            args = (0, 0) + args[2:8] + (0, 0, args[10])
        got = NATIVE.wall_pick(chs, BID, ASK, *args)
        want = wall_pick_py(chs, BID, ASK, *args)
        assert got == want and all(a is b for a, b in zip(got, want))  # the same tuples, in order
        assert wall_pick.wall_pick(chs, BID, ASK, *args) == want


@needs_native
def test_native_wall_pick_declines_what_it_does_not_take():
    ok = [(BID, 100, 1, 2)]
    big = 1 << 62
    a = (0, 0, 0, 0, -big, big, -big, big, 0, 0)
    for chs, args, ws in [
        (tuple(ok), a, {}),  # not a list
        ([(BID, 100, 1)], a, {}),  # not a 4-tuple
        ([[BID, 100, 1, 2]], a, {}),
        ([("bid", 100, 1, 2)], a, {}),  # a side neither bid nor ask
        ([(None, 100, 1, 2)], a, {}),
        ([(BID, 100, 1, big // 2 + 1)], a, {}),  # a change past +-2^61
        ([(BID, -big // 2 - 1, 1, 2)], a, {}),
        ([(BID, 100, True, 2)], a, {}),  # a bool is no exact int
        ([(BID, 100, 1, 2.0)], a, {}),
        ([(BID, 100, 1, 1 << 200)], a, {}),
        (ok, (big + 1,) + a[1:], {}),
        (ok, a[:8] + (1.5, 0), {}),
        (ok, a[:9] + (None,), {}),
        (ok, a[:2] + (-big - 1,) + a[3:], {}),
        (ok, a, None),  # walls not a dict
        (ok, a, [(BID, 100)]),
        (ok, a, {(BID, 100, 1): 1}),  # a key not a 2-tuple (side, price)
        (ok, a, {(BID,): 1}),
        (ok, a, {("bid", 100): 1}),
        (ok, a, {(BID, 100.0): 1}),
        (ok, a, {(BID, False): 1}),
        (ok, a, {(BID, big + 1): 1}),
        (ok, a, {100: 1}),
    ]:
        assert NATIVE.wall_pick(chs, BID, ASK, *args, ws) is NotImplemented
        if type(chs) is list and len(chs[0]) == 4 and None not in args and type(ws) is dict:
            assert wall_pick.wall_pick(chs, BID, ASK, *args, ws) == wall_pick_py(chs, BID, ASK, *args, ws)
    # a declined change after kept ones: nothing is returned (nor left behind)
    assert NATIVE.wall_pick([(BID, 5, 0, 9)] * 80 + [(BID, 5, 0, 1.0)], BID, ASK, *a, {}) is NotImplemented
    assert NATIVE.wall_pick(ok, BID, BID, *a, {}) is NotImplemented  # (the two sides one object)
    h = big // 2
    assert NATIVE.wall_pick([(BID, h, -h, h)], BID, ASK, *a[:2], -big, big, *a[4:8], big, big, {(BID, h): 0}) == [(BID, h, -h, h)]
    with pytest.raises(TypeError):
        NATIVE.wall_pick(ok, BID, ASK, *a)
    with pytest.raises(TypeError):
        NATIVE.wall_pick(ok, BID, *a, {})


@needs_native
def test_native_wall_pick_leaves_no_reference_behind():
    rng = random.Random(7)
    chs = tcp._changes(rng, 200)
    ws = {(BID, px): 1 for px in range(900, 1100, 2)}  # (past the stack's 64 on both sides)
    ws.update({(ASK, px): 1 for px in range(901, 1100, 2)})
    before = [sys.getrefcount(c) for c in chs]
    for _ in range(200):
        got = NATIVE.wall_pick(chs, BID, ASK, 0, 0, 990, 1010, -FAR, FAR, -FAR, FAR, 0, 0, ws)
        assert len(got) == len(chs)
        assert NATIVE.wall_pick(chs + [(BID, 1, 1, None)], BID, ASK, 0, 0, 990, 1010, -FAR, FAR, -FAR, FAR, 0, 0,
                                ws) is NotImplemented
        del got
    assert [sys.getrefcount(c) for c in chs] == before


@pytest.mark.parametrize("seed, params", [
    (11, {}),
    (12, {"wall_ratio": 4.0, "wall_persist_ms": 500}),
    (13, {"wall_step_rank": 0, "wall_ratio": 5.0}),
])
def test_walls_through_wall_pick_act_as_through_pick(seed, params, monkeypatch):
    """The walls' loop through ``wall_pick`` against the same loop through ``pick``'s list (what it
    read before): the same ``_level`` calls in the same order, the same alerts and state."""
    calls: list = []
    level = walls.WallDetector._level

    def counted(self, sym, side, px, q, now, out):
        calls.append((side, px, q, now))
        return level(self, sym, side, px, q, now, out)

    def through_pick(chs, bid, ask, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, ws):
        return changes.pick(chs, bid, tb, ta, lo, hi, FAR, blo, bhi, alo, ahi)

    monkeypatch.setattr(walls.WallDetector, "_level", counted)
    got = tcp._market(seed, False, monkeypatch, **params), list(calls)
    calls.clear()
    monkeypatch.setattr(wall_pick, "wall_pick", through_pick)  # (what _market hands the walls)
    want = tcp._market(seed, False, monkeypatch, **params), list(calls)
    assert got[0][1] == want[0][1]
    assert got[0][0] == want[0][0]
    assert got[1] == want[1] and len(got[1]) > 100
    assert any(st[0] for st in want[0][1])
