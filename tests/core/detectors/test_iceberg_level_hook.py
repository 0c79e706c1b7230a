"""The icebergs' depth hook making a new level in C (_native_idh_level.c) as ``_judge`` makes one:
on random markets every slot of every level (its lists fresh, its numbers' record shared with the
wait), the ends heap and its count the same as with ``on_delta`` itself, event by event; with no
``_judge`` call left for a judgement that is only a new level; what C does not take (a count past
its range, the levels or the heap replaced) left to ``_judge``; and the level kits C refuses."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, fields

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors import iceberg as ice_mod
from dom.core.detectors.iceberg import IcebergDetector, _Level
from dom.core.detectors.iceberg_wait import NEW
from dom.core.types import BookDelta, BookSide
from tests.core.detectors.script import EventScript, flat_book
from tests.core.detectors.test_iceberg_delta_hook import ALONE, market

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
SLOTS = tuple(f.name for f in fields(_Level))


def level_state(ice):
    """Every slot of every level (the numbers' record and the overrun read through), which levels
    share a list, and the ends heap with its count."""
    def slot(lv, name):
        v = getattr(lv, name)
        if name == "rec":
            return (type(v).__name__, v.traded, v.last, v.max_q, v.last_q)
        if name == "overrun":
            return None if v is None else (v.mark, v.pushes, v.lots)
        return (type(v).__name__, v)
    levels = tuple((k[0].value, k[1], tuple(slot(lv, n) for n in SLOTS)) for k, lv in ice.levels.items())
    lists = [id(getattr(lv, n)) for lv in ice.levels.values() for n in ("adds", "shown", "chain")]
    held = ice.wait.recs_by_key()
    recs = [lv.rec is held.get(k) for k, lv in ice.levels.items()]
    ends = tuple((e[0], e[1], e[2][0].value, e[2][1], ice.levels.get(e[2]) is e[3]) for e in ice._ends)
    return levels, len(lists) - len(set(lists)), recs, ends, ice._n_ends, type(ice._n_ends).__name__


def run(seed, hooked, at=(), events=500):
    """``market`` with the levels' whole state noted after every event too, and a spy on ``_judge``
    (the class's own method, wrapped: the hook is still built) counting the calls with NEW. Gives
    (alerts, the states after each event, the levels' state the most levels held, those calls)."""
    from tests.core.detectors import test_iceberg_delta_hook as base
    calls, most = [], [()]
    own, was = IcebergDetector._judge, base.state

    def spy(self, sym, side, px, t, before, after, v, flags, rec, out, usual=None):
        calls.append(flags)
        own(self, sym, side, px, t, before, after, v, flags, rec, out, usual)

    def state(ice):
        now = level_state(ice)
        if len(now[0]) > len(most[0][0] if most[0] else ()):
            most[0] = now
        return was(ice), now
    IcebergDetector._judge, base.state = spy, state
    try:
        got, got_seen, _, _ = market(seed, hooked, events=events, odd={i: "level" for i in at})
    finally:
        IcebergDetector._judge, base.state = own, was
    return got, got_seen, most[0], sum(1 for f in calls if f & NEW)


@pytest.fixture
def hostile(monkeypatch):
    """What test_iceberg_delta_hook's ``hostile`` does for "level": the given change to the detector."""
    from tests.core.detectors import test_iceberg_delta_hook as base
    todo = []
    was = base.hostile

    def patched(s, st, ice, what, hooked):
        if what == "level":
            todo[0](ice)
        else:
            was(s, st, ice, what, hooked)
    monkeypatch.setattr(base, "hostile", patched)
    return todo


@needs_native
@pytest.mark.parametrize("seed", [2, 3, 13])
def test_levels_made_in_c_are_the_methods_event_by_event(seed):
    got = run(seed, hooked=True)
    want = run(seed, hooked=False)
    assert got[:3] == want[:3]
    assert got[2][0] and got[2][3]  # (levels and ends to compare)
    # most new levels made in C (those from the late trades' pass, _tail, are still _judge's)
    assert want[3] > 20 and got[3] < want[3] // 2
    assert got[2][1] == 0  # no two levels share a list
    assert all(got[2][2])  # each level's numbers are the wait's record for it


@needs_native
@pytest.mark.parametrize("what", ["count", "float_count", "levels", "both"])
def test_what_c_does_not_take_is_the_methods(hostile, what):
    """A count past C's range or not an int, the levels' dict replaced: ``_judge`` makes the level
    (and the ends heap's pass leaves them to ``_end_quiet``); the outcome is the method's."""
    def change(ice):
        if what in ("count", "both"):
            ice._n_ends += 2**70
        if what == "float_count":
            ice._n_ends = ice._n_ends + 0.5
        if what in ("levels", "both"):
            ice.levels = dict(ice.levels)
    hostile.append(change)
    got = run(6, hooked=True, at=(150,))
    want = run(6, hooked=False, at=(150,))
    assert got[:3] == want[:3] and got[0]
    assert got[3] > 0  # (after the change, _judge made them)


@needs_native
def test_the_hook_without_a_level_kit_leaves_new_levels_to_judge():
    s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
    st = s.eng["KITEUSDT"]
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    st.delta_hooks = [NATIVE.IdhHook(*base_args(ice))]
    s.sell(5000, 1000)
    s.delta(bids=[(5000, 400)], dt_ms=50)
    s.idle(1_000)
    assert list(ice.levels) == [(BookSide.BID, 5000)]


def base_args(ice):
    return (ice, ice._ends, ice.usual, ice.slack, BookSide.BID, BookSide.ASK, BookDelta, BookDelta.ts_exchange_ns,
            10**10, 0.2, ice_mod._BOOK_FIELDS, ice.levels, heapq.heappop, heapq.heappush)


@dataclass
class Plain:  # no slots
    side: BookSide
    px: int
    first_ns: int
    rec: object = None


@dataclass(slots=True)
class WithDict:
    side: BookSide
    px: int
    first_ns: int
    rec: object = None
    seen: dict = field(default_factory=dict)  # a default C cannot share or make


@dataclass(slots=True)
class Small:
    side: BookSide
    px: int
    first_ns: int
    rec: object = None
    n: int = 0


@needs_native
def test_level_kits_c_refuses():
    s = EventScript(DetectorParams(**ALONE), flat_book(5))
    ice = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, IcebergDetector))
    one = _Level(BookSide.BID, 0, 0)
    kit = (one, *ice_mod._LEVEL_FIELDS)
    NATIVE.IdhHook(*base_args(ice), kit)
    NATIVE.IdhHook(*base_args(ice), (Small(BookSide.BID, 0, 0), Small, Small.side, Small.px, Small.first_ns,
                                     Small.rec, Small.n))
    bad = [
        kit[:-1],  # a slot left out
        tuple(_Level.chance if d is _Level.band else d for d in kit),  # a slot twice (band left out)
        (Small(BookSide.BID, 0, 0), *kit[1:]),  # the level of another class
        (one, Small, *kit[2:]),  # the descriptors of another class
        (one, _Level, *(d for d in kit[2:] if d is not _Level.rec)),  # no rec
        (Plain(BookSide.BID, 0, 0), Plain),  # no slots at all
        (WithDict(BookSide.BID, 0, 0), WithDict, WithDict.side, WithDict.px, WithDict.first_ns, WithDict.rec,
         WithDict.seen),  # a dict default
        (Small(BookSide.BID, 0, 0, n=[1]), Small, Small.side, Small.px, Small.first_ns, Small.rec, Small.n),
        (one,),
        (),
    ]
    for k in bad:
        with pytest.raises(ValueError):
            NATIVE.IdhHook(*base_args(ice), k)
    with pytest.raises(TypeError):
        NATIVE.IdhHook(*base_args(ice), list(kit))


@needs_native
def test_a_level_made_in_c_is_one_the_class_makes():
    """A level C made has every field the class's __init__ gives (defaults shared, lists fresh)."""
    s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
    st = s.eng["KITEUSDT"]
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    s.sell(5000, 600)
    s.delta(bids=[(5000, 400)], dt_ms=50)  # (traded down, nothing put back: a new level alone)
    s.idle(1_000)
    (key, lv), = ice.levels.items()
    want = _Level(key[0], key[1], lv.first_ns, rec=lv.rec)
    assert type(lv) is _Level and lv == want
    for name in SLOTS:
        a, b = getattr(lv, name), getattr(want, name)
        assert type(a) is type(b)
        assert (a is b) == (type(a) is not list), name  # (the same default objects; new lists)
