"""``wall_pick`` (dom/core/detectors/wall_pick.py): the level changes the walls' judgement acts on.
The twin against its docstring, C against the twin on edge and fuzzed inputs and on what it
declines; the walls fed through it against the walls fed through ``pick`` up to the sides' lowest
entries (what they read before): the same alerts and state after every message, their ``_level``
calls a part of the others in order; and a distance's P90 worked out by ``_level`` reaching the
entries (the detector's and the hook's) before the next stats."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams, changes, wall_pick, walls
from dom.core.detectors.changes import FAR
from dom.core.detectors.wall_pick import wall_pick_py
from dom.core.detectors.walls import WallDetector
from dom.core.types import BookSide
from tests.core.detectors import test_changes_pick as tcp
from tests.core.detectors.script import EventScript
from tests.core.detectors.test_wall_hook import OFF, _BASE, _book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
NONE = (FAR,) * 10


def bucket(d):
    """The distance buckets as DETECTORS.md gives them: one a tick up to 5, then 6-9, 10-14, 15-24, 25 on."""
    return d if d < 6 else 6 if d < 10 else 7 if d < 15 else 8 if d < 25 else 9


def spec(chs, eb, ea, bb, ba, hb, ha, lo, hi, ws):
    """What ``wall_pick`` keeps, written as its docstring says."""
    out, seen = [], []
    for c in chs:
        side, px, _old, new = c
        best, half, ent = (bb, hb, eb) if side is BID else (ba, ha, ea)
        d = None if best is None else abs(best - px)
        if d is not None and d <= half and new >= ent[bucket(d)]:
            out.append(c)
            seen.append((side, px))
            lo, hi = min(lo, px), max(hi, px)
        elif lo <= px <= hi and ((side, px) in ws or (side, px) in seen):
            out.append(c)
    return out


def test_wall_pick_at_its_edges():
    e = (50, 40, 30, 30, 30, 30, 60, 70, 80, 90)  # (bucket 6: 6-9 ticks, 7: 10-14, 8: 15-24, 9: 25 on)
    chs = [(BID, 100, 0, 50), (BID, 99, 0, 39), (BID, 99, 0, 40), (BID, 94, 0, 59), (BID, 94, 0, 60),
           (BID, 95, 0, 30), (BID, 76, 0, 79), (BID, 75, 0, 90), (ASK, 100, 0, 50), (BID, 99, 40, 1)]
    ws: dict = {}
    # each bucket's own entry, reached exactly (kept) or missed by one; the other side is not the bids'
    got = wall_pick_py(chs, BID, ASK, e, NONE, 100, None, 50, 50, FAR, -FAR, ws)
    assert got == [chs[0], chs[2], chs[4], chs[5], chs[7], chs[9]]  # (the last: at 99, kept for its entry before)
    # the band's edge: 25 ticks (in), 24 (out)
    assert wall_pick_py(chs, BID, ASK, e, NONE, 100, None, 24, 0, FAR, -FAR, ws) == [chs[0], chs[2], chs[4], chs[5], chs[9]]
    assert wall_pick_py(chs, BID, ASK, e, NONE, 100, None, 25, 0, FAR, -FAR, ws)[-2:] == [chs[7], chs[9]]
    # no best price: nothing for its entry; a side's prices do not keep the other side's
    assert wall_pick_py(chs, BID, ASK, e, e, None, 100, 50, 50, FAR, -FAR, ws) == [chs[8]]
    # the range alone keeps nothing; a wall's key in it does (its ends in it), not the other side's
    assert wall_pick_py(chs, BID, ASK, NONE, NONE, 100, 100, 50, 50, 90, 100, ws) == []
    assert wall_pick_py(chs, BID, ASK, NONE, NONE, 100, 100, 50, 50, 94, 99, {(BID, 94): 1}) == [chs[3], chs[4]]
    assert wall_pick_py(chs, BID, ASK, NONE, NONE, 100, 100, 50, 50, 95, 99, {(BID, 94): 1}) == []
    assert wall_pick_py(chs, BID, ASK, NONE, NONE, 100, 100, 50, 50, 90, 100, {(ASK, 94): 1}) == []
    # a change kept for its entry widens the range: a later change at a wall past the old range is kept
    later = [(BID, 80, 0, 80), (BID, 85, 5, 1)]
    assert wall_pick_py(later, BID, ASK, e, NONE, 100, None, 50, 50, 90, 95, {(BID, 85): 1}) == later
    assert wall_pick_py(later[1:], BID, ASK, e, NONE, 100, None, 50, 50, 90, 95, {(BID, 85): 1}) == []
    # a price above the best (a crossed change): its distance is |best - px|
    assert wall_pick_py([(BID, 103, 0, 30)], BID, ASK, e, NONE, 100, None, 50, 50, FAR, -FAR, ws) == [(BID, 103, 0, 30)]
    assert wall_pick_py([], BID, ASK, e, e, 0, 0, 0, 0, 0, 0, ws) == []
    for args in [(e, NONE, 100, None, 50, 50, FAR, -FAR, ws), (e, e, None, 100, 50, 50, FAR, -FAR, ws),
                 (NONE, NONE, 100, 100, 50, 50, 94, 99, {(BID, 94): 1}), (e, NONE, 100, None, 25, 0, 90, 95, {(BID, 85): 1})]:
        for cs in (chs, later, chs + later):
            want = spec(cs, *args)
            assert wall_pick.wall_pick(cs, BID, ASK, *args) == wall_pick_py(cs, BID, ASK, *args) == want
            if NATIVE is not None:
                assert NATIVE.wall_pick(cs, BID, ASK, *args) == want


def _walls(rng: random.Random) -> dict:
    n = rng.choice((0, 1, 3, rng.randrange(0, 12), 70))  # (70: past C's 64 on the stack)
    return {(rng.choice((BID, ASK)), rng.randrange(985, 1015) if n < 40 else rng.randrange(900, 1100)): object()
            for _ in range(n)}


def _args(rng: random.Random) -> tuple:
    def ents():
        if rng.random() < 0.1:
            return NONE
        return tuple(rng.choice((FAR, 0, rng.randrange(1, 60), rng.randrange(1, 5000))) for _ in range(10))

    best = lambda: None if rng.random() < 0.1 else rng.randrange(995, 1005)  # noqa: E731
    half = lambda: rng.choice((0, 2, 7, 12, 30, -1))  # noqa: E731
    lo = rng.choice((FAR, rng.randrange(985, 1012)))
    hi = -FAR if lo == FAR or rng.random() < 0.2 else lo + rng.randrange(-2, 8)
    return ents(), ents(), best(), best(), half(), half(), lo, hi, _walls(rng)


@pytest.mark.parametrize("seed", range(3))
def test_wall_pick_py_is_its_docstring(seed):
    rng = random.Random(300 + seed)
    for _ in range(1500):
        chs, args = tcp._changes(rng, rng.randrange(0, 60)), _args(rng)
        assert wall_pick_py(chs, BID, ASK, *args) == spec(chs, *args)


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_native_wall_pick_is_the_twin(seed):
    rng = random.Random(400 + seed)
    for i in range(2000):
        n = rng.randrange(0, 70) if i % 10 else rng.randrange(150, 300)  # (some past C's 64 kept prices)
        chs, args = tcp._changes(rng, n), _args(rng)
        if i % 7 == 0:  # every change up to its entry: a price kept over and over
            args = ((0,) * 10, (0,) * 10, 1000, 1000, 30, 30) + args[6:]
        got = NATIVE.wall_pick(chs, BID, ASK, *args)
        want = wall_pick_py(chs, BID, ASK, *args)
        assert got == want and all(a is b for a, b in zip(got, want))  # the same tuples, in order
        assert wall_pick.wall_pick(chs, BID, ASK, *args) == want


@needs_native
def test_native_wall_pick_declines_what_it_does_not_take():
    ok = [(BID, 100, 1, 2)]
    big = 1 << 62
    e = (0,) * 10
    a = (e, e, 100, 100, 5, 5, 0, 0)
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
        (ok, ((0,) * 9,) + a[1:], {}),  # entries not a tuple of ten exact ints within +-2^62
        (ok, (list(e),) + a[1:], {}),
        (ok, a[:1] + ((0,) * 9 + (big + 1,),) + a[2:], {}),
        (ok, a[:1] + ((0,) * 9 + (1.0,),) + a[2:], {}),
        (ok, a[:1] + ((0,) * 9 + (None,),) + a[2:], {}),
        (ok, a[:2] + (big // 2 + 1,) + a[3:], {}),  # a best price past +-2^61
        (ok, a[:3] + (100.0,) + a[4:], {}),
        (ok, a[:3] + (False,) + a[4:], {}),
        (ok, a[:4] + (None,) + a[5:], {}),  # a half None, a float, past 2^62
        (ok, a[:5] + (5.0,) + a[6:], {}),
        (ok, a[:4] + (big + 1,) + a[5:], {}),
        (ok, a[:6] + (-big - 1, 0), {}),
        (ok, a[:7] + ("1",), {}),
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
        if type(chs) is list and len(chs[0]) == 4 and type(ws) is dict:  # (the wrapper takes the twin's way)
            try:
                want = wall_pick_py(chs, BID, ASK, *args, ws)
            except TypeError:
                with pytest.raises(TypeError):
                    wall_pick.wall_pick(chs, BID, ASK, *args, ws)
            else:
                assert wall_pick.wall_pick(chs, BID, ASK, *args, ws) == want
    # a declined change after kept ones: nothing is returned (nor left behind)
    assert NATIVE.wall_pick([(BID, 100, 0, 9)] * 80 + [(BID, 5, 0, 1.0)], BID, ASK, *a, {}) is NotImplemented
    assert NATIVE.wall_pick(ok, BID, BID, *a, {}) is NotImplemented  # (the two sides one object)
    h = big // 2
    assert NATIVE.wall_pick([(BID, h, -h, h)], BID, ASK, e, e, h, None, 0, 0, -big, big, {}) == [(BID, h, -h, h)]
    far = [(BID, -h, -h, h)]  # (2^62 ticks from the best: no overflow)
    assert NATIVE.wall_pick(far, BID, ASK, e, e, h, None, big, 0, big, -big, {}) == far == wall_pick_py(
        far, BID, ASK, e, e, h, None, big, 0, big, -big, {})
    assert NATIVE.wall_pick(far, BID, ASK, e, e, h, None, big - 1, 0, big, -big, {}) == []
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
    z = (0,) * 10
    before = [sys.getrefcount(c) for c in chs]
    for _ in range(200):
        got = NATIVE.wall_pick(chs, BID, ASK, z, z, 1000, 1000, 200, 200, FAR, -FAR, ws)
        assert len(got) == len(chs)
        assert NATIVE.wall_pick(chs + [(BID, 1, 1, None)], BID, ASK, z, z, 1000, 1000, 200, 200, FAR, -FAR,
                                ws) is NotImplemented
        del got
    assert [sys.getrefcount(c) for c in chs] == before


def _through_pick(chs, bid, ask, eb, ea, bb, ba, hb, ha, lo, hi, ws):
    """What the walls' loop read before: ``pick`` up to each side's lowest entry within its band."""
    return changes.pick(chs, bid, FAR if bb is None else min(eb), FAR if ba is None else min(ea), lo, hi, FAR,
                        0 if bb is None else bb - hb, 0 if bb is None else bb + hb,
                        0 if ba is None else ba - ha, 0 if ba is None else ba + ha)


@pytest.mark.parametrize("seed, params", [
    (11, {}),
    (12, {"wall_ratio": 4.0, "wall_persist_ms": 500}),
    (13, {"wall_step_rank": 0, "wall_ratio": 5.0}),
    (14, {"wall_distance_ratio": 1.0}),
])
def test_walls_through_wall_pick_act_as_through_pick(seed, params, monkeypatch):
    """The walls' loop through ``wall_pick`` against the same loop through ``pick`` up to the
    lowest entries: the same alerts and state after every message; its ``_level`` calls are the
    others' in their order, less some (under their distance's entry)."""
    calls: list = []
    level = WallDetector._level

    def counted(self, sym, side, px, q, now, out):
        calls.append((side, px, q, now))
        return level(self, sym, side, px, q, now, out)

    monkeypatch.setattr(WallDetector, "_level", counted)
    got = tcp._market(seed, False, monkeypatch, **params), list(calls)
    calls.clear()
    monkeypatch.setattr(wall_pick, "wall_pick", _through_pick)  # (what _market hands the walls)
    want = tcp._market(seed, False, monkeypatch, **params), list(calls)
    assert got[0][1] == want[0][1]
    assert got[0][0] == want[0][0]
    it = iter(want[1])
    assert all(c in it for c in got[1])  # (a subsequence)
    assert len(got[1]) > 100 and len(got[1]) < len(want[1])
    assert any(st[0] for st in want[0][1])


@pytest.mark.parametrize("hooks", [True, False])
@pytest.mark.parametrize("side", [BID, ASK])
def test_a_p90_worked_out_by_level_reaches_the_entries_before_the_next_stats(hooks, side, monkeypatch):
    """Right after a refresh a bucket's P90 is not worked out, and the stats give its entry as the
    threshold alone. The first ``_level`` there works it out: the entries (``det.ents``, and the
    hook's) hold its own at once, so a level under it no longer reaches ``_judge`` (with the hook)
    nor ``_level`` before the next stats."""
    if hooks and NATIVE is None:
        pytest.skip("the C accelerator is not built")
    judged, levels = [], []
    judge, level = WallDetector._judge, WallDetector._level

    def counted_judge(self, sym, now, chs):
        judged.append(now)
        return judge(self, sym, now, chs)

    def counted_level(self, sym, side, px, q, now, out):
        levels.append(px)
        return level(self, sym, side, px, q, now, out)

    monkeypatch.setattr(WallDetector, "_judge", counted_judge)
    monkeypatch.setattr(WallDetector, "_level", counted_level)
    s = EventScript(DetectorParams(spoofs=False, **OFF), _book())
    st = s.eng["KITEUSDT"]
    if not hooks:
        st.delta_hooks = [ob.on_delta for ob in st.observers if getattr(type(ob), "on_delta", None) is not _BASE]
    w = next(o for o in st.observers if isinstance(o, WallDetector))
    bid = side is BID
    px = 4993 if bid else 5008  # (7 ticks from the best: bucket 6)
    far, near = (5100, 4999) if bid else (4901, 5002)  # (the other side's far level; this side's near one)

    def delta(mine, other=(), dt_ms=100):
        s.delta(bids=list(mine if bid else other), asks=list(other if bid else mine), dt_ms=dt_ms)

    for i in range(410):  # warm: the distance baselines
        delta([(px, 8000 + i % 5), (near, 1010 + i % 3)], [(far, 7 + i % 2)])
    for i in range(30):
        delta([], [(far, 7 + i % 2)], dt_ms=1000)
    from dom.core.detectors.wall_hook import entries, hand_band

    k = 0 if bid else 1
    w.dist[side].refresh()  # (as a stats' refresh leaves them: no P90 worked out)
    w.entry = hand_band(w)
    thr = w.threshold[side]
    b = bucket(7)
    assert type(w.dist[side].p90s[b]) is tuple and w.ents[k][b] == thr
    e = max(thr, int(w.p.wall_distance_ratio * sorted(w.dist[side].p90s[b][0])[
        int(0.9 * (w.dist[side].p90s[b][1] - 1))]) + 1)
    assert e > thr + 2
    judged.clear()
    levels.clear()
    delta([(px, e - 1)], dt_ms=5)  # (no stats due)
    assert judged and px in levels  # (its entry the threshold: _level works the P90 out)
    assert w.ents[k][b] == e and w.ents == entries(w)[2:4] and not w.dist[side].fresh
    if hooks:
        assert w.hook.entries()[2:] == w.ents
    judged.clear()
    levels.clear()
    delta([(px, e - 2)], dt_ms=5)
    assert px not in levels and (not judged if hooks else judged)
    delta([(px, e)], dt_ms=5)
    assert px in levels and (side, px) in w.walls  # (at its entry: a candidate)
