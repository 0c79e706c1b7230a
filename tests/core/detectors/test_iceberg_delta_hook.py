"""The icebergs' depth hook (``IdhHook``, _native_idh.c) against the detector's own ``on_delta``: on
random markets with refilling levels (alerts opened, updated and ended, levels gone quiet, late
trades, a resync) the same alerts and the same state after every event, with the hook or with
``on_delta`` itself; what the hook does not take (a delta that is not a ``BookDelta``, a size the
C wait declines, the wait or the slack moved to their twins, a usual size that is not a float, a
book side on its tree index) goes to ``on_delta``, and the two still agree. And the sums in C
(_native_idh_math.c) against their Python twins."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors import iceberg as ice_mod
from dom.core.detectors.iceberg import IcebergDetector
from dom.core.detectors.iceberg_chain import binomial_tail_py, chain_scan_py
from dom.core.detectors.iceberg_hold import Through
from dom.core.detectors.iceberg_wait import _Wait
from dom.core.types import BookDelta, BookSide, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
ALONE = {"walls": False, "absorptions": False, "spoofs": False, "bursts": False, "sweeps": False}
FOUR = {"bursts": False, "sweeps": False, "wall_step_rank": 0}


@dataclass(frozen=True)
class OddDelta:
    """Not a ``BookDelta`` (the hook takes only that class): the fields the detector reads."""

    ts_exchange_ns: int


def state(ice):
    """Everything the detector holds that a depth message can change."""
    w = ice.wait
    levels = tuple((k[0].value, k[1], tuple(lv.adds), tuple(lv.chain), lv.band, lv.chance, lv.announced,
                    lv.reported, lv.size, lv.first_ns, lv.traded, lv.max_q, lv.last_q, lv.id)
                   for k, lv in ice.levels.items())
    return (type(w).__name__, w.state(), ice.depth_t, dict(ice.usual), levels,
            tuple((e[0], e[1], e[2]) for e in ice._ends), tuple(ice.recent_adds), list(ice.add_sizes),
            ice.slack.state(), dict(ice.through.bid), dict(ice.through.ask), ice.control)


def market(seed, hooked, params=ALONE, events=700, odd=()):
    """A random market near the touch: levels eaten and refilled to the same size now and then
    (some refilling orders), ordinary adds, late trades, quiet spells past ``iceberg_end_s``, a gap
    and a snapshot. After every event: the alerts so far and the detector's state. ``hooked``:
    False replaces the engine's depth hooks by the detectors' on_delta. ``odd``: the events at
    which ``hostile`` is applied (to both runs alike)."""
    s = EventScript(DetectorParams(iceberg_baseline_min=5, **params), flat_book(30))
    st = s.eng["KITEUSDT"]
    if not hooked:
        st.delta_hooks = [ob.on_delta for ob in st.observers]
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    rng = random.Random(seed)
    seen = []
    shown = {}
    refill = {}  # px -> the size a refilling order puts back there

    def note():
        seen.append((len(s.alerts), state(ice)))

    s.idle(2_000)
    for i in range(events):
        if i in odd:
            hostile(s, st, ice, odd[i], hooked)
        if i == events // 2:  # a gap: the book unsynced while a trade comes, then a snapshot
            s.u += 5
            s.delta(asks=[(5010, 7)])
            s.sell(5000, 300)
            s.u += 5
            s.snapshot(flat_book(30))
            shown.clear()
        if rng.random() < 0.03:
            s.idle(rng.choice((1_000, 11_000)))  # quiet: levels end
        bid = rng.random() < 0.5
        if rng.random() < 0.2:  # a deeper level moves (the sides' usual size with it)
            far = 5000 - rng.randrange(4, 12) if bid else 5001 + rng.randrange(4, 12)
            s.delta(bids=[(far, rng.randrange(200, 5000))] if bid else [],
                    asks=[] if bid else [(far, rng.randrange(200, 5000))], dt_ms=10)
            note()
        px = 5000 - rng.randrange(0, 4) if bid else 5001 + rng.randrange(0, 4)
        if px not in refill and rng.random() < 0.05:
            refill[px] = rng.choice((700, 1000, 1234))
        was = shown.get(px, 1000)
        q = rng.randrange(1, max(2, was + 1)) if rng.random() < 0.7 else was  # eaten in part or whole
        at = s.t + 10 * MS - (rng.randrange(0, 600) * MS if rng.random() < 0.15 else 0)  # some late
        s.trade(px, q, TakerSide.SELL if bid else TakerSide.BUY, at_ns=at)
        note()
        if px in refill and q == was:
            size = refill[px]
        else:
            size = max(0, was - q + rng.choice((0, 0, rng.randrange(1, 3000))))
        shown[px] = size
        s.delta(bids=[(px, size)] if bid else [], asks=[] if bid else [(px, size)],
                dt_ms=rng.choice((10, 20, 50, 100, 100, 400)))
        note()
    s.idle(12_000)
    note()
    return [(a.kind, a.state, a.id, a.ts_ns, a.message, dict(a.evidence)) for a in s.alerts], seen, st, ice


def hostile(s, st, ice, what, hooked):
    """One thing the hook does not take, done to both runs alike (through the hook or on_delta)."""
    call = st.delta_hooks[[type(h).__name__ for h in st.delta_hooks].index("IdhHook")] if hooked else ice.on_delta
    if what == "odd":  # not a BookDelta: the detector's own on_delta
        s.t += 10 * MS
        s.alerts += call(st, OddDelta(s.t), [(BookSide.ASK, 5029, 1000, 1001), (BookSide.BID, 5000, 1000, 900)])
    elif what == "huge":  # a size past the C wait's limit near the touch: the wait moves to its twin
        s.t += 10 * MS
        s.alerts += call(st, BookDelta("KITEUSDT", (), (), 0, 0, 0, s.t, s.t), [(BookSide.BID, 5000, 1000, 2**60)])
    elif what == "usual":  # a usual size that is not a float: _usual's own way
        ice.usual[BookSide.BID] = int(ice.usual[BookSide.BID])
    elif what == "slack":  # the slack moved to its twin (a lag it does not take)
        ice.slack.on_trade(2**70, 0)


@needs_native
@pytest.mark.parametrize("seed", [2, 3, 10, 13])
def test_the_hook_is_the_detectors_on_delta_event_by_event(seed):
    got, got_seen, st, ice = market(seed, hooked=True)
    want, want_seen, _, _ = market(seed, hooked=False)
    assert [type(h).__name__ for h in st.delta_hooks] == ["IdhHook"]
    assert got == want
    assert got_seen == want_seen
    kinds = {(a[1].value, a[5].get("end", "")) for a in got}
    assert ("new", "") in kinds and kinds & {("end", "no_trades"), ("end", "unknown_resync")}  # (opened, ended)
    assert type(ice.wait).__name__ == "IceWait"


@needs_native
def test_the_hook_beside_the_other_detectors():
    got, got_seen, st, _ = market(3, hooked=True, params=FOUR)
    want, want_seen, _, _ = market(3, hooked=False, params=FOUR)
    assert "IdhHook" in [type(h).__name__ for h in st.delta_hooks]
    assert got == want and got_seen == want_seen and got


@needs_native
@pytest.mark.parametrize("what", ["odd", "usual", "slack", "huge"])
def test_what_the_hook_does_not_take_goes_to_on_delta(what):
    got, got_seen, _, ice = market(6, hooked=True, odd={150: what, 300: what})
    want, want_seen, _, _ = market(6, hooked=False, odd={150: what, 300: what})
    assert got == want and got_seen == want_seen and got
    if what == "huge":
        assert isinstance(ice.wait, _Wait)  # (the hook went on through on_delta with the twin)


@needs_native
def test_an_add_at_iceberg_min_add_is_judged():
    """An add of exactly iceberg_min_add x the usual size (0.2 x 1000.0: 200) is a possible refill
    (the bar is ``<``): the hook hands it to _judge, which keeps it."""
    def run(hooked):
        s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
        st = s.eng["KITEUSDT"]
        if not hooked:
            st.delta_hooks = [ob.on_delta for ob in st.observers]
        ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
        for k in range(8):
            s.sell(5000, 1000 if k % 2 == 0 else 200)
            s.delta(bids=[(5000, 200 if k % 2 == 0 else 1000)], dt_ms=50)  # r = 200, then 1000
            s.idle(500)
        return state(ice), [lv.adds for lv in ice.levels.values()]
    got = run(True)
    assert got == run(False)
    assert any(a[0] == 200 for adds in got[1] for a in adds)


@needs_native
def test_a_book_of_another_class_goes_to_on_delta():
    from dom.core.book import OrderBook

    class Book(OrderBook):
        __slots__ = ()

    def run(hooked):
        s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
        st = s.eng["KITEUSDT"]
        if not hooked:
            st.delta_hooks = [ob.on_delta for ob in st.observers]
        book = Book()
        book.apply_snapshot(*flat_book(30))
        st.book = book
        ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
        seen = []
        for k in range(40):
            s.sell(5000, 1000)
            s.delta(bids=[(5000, 1000 if k % 3 else 700)], dt_ms=50)
            s.idle(300)
            seen.append(state(ice))
        return [(a.id, a.state, dict(a.evidence)) for a in s.alerts], seen
    got = run(True)
    assert got == run(False) and got[0]


@needs_native
def test_a_book_side_on_its_tree_index_goes_to_on_delta():
    def run(hooked):
        s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
        st = s.eng["KITEUSDT"]
        if not hooked:
            st.delta_hooks = [ob.on_delta for ob in st.observers]
        s.snapshot((tuple((5000 - i, 1000) for i in range(9000)), flat_book(30)[1]))  # past the flat index
        assert s.eng["KITEUSDT"].book.bids._index.flat is None
        ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
        seen = []
        for k in range(60):
            s.sell(5000, 1000)
            s.delta(bids=[(5000, 1000 if k % 3 else 700)], dt_ms=50)
            s.idle(300)
            seen.append(state(ice))
        return [(a.id, a.state, dict(a.evidence)) for a in s.alerts], seen
    got = run(True)
    assert got == run(False) and got[0]  # (alerts: refills judged with the tree index)


def test_the_hook_is_built_only_for_the_detector_itself():
    s = EventScript(DetectorParams(**ALONE), flat_book(5))
    ice = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, IcebergDetector))
    if NATIVE is None:
        assert ice.delta_hook() == ice.on_delta
        return
    assert type(ice.delta_hook()).__name__ == "IdhHook"

    class Own(IcebergDetector):
        def _judge(self, *a, **k):
            return super()._judge(*a, **k)
    own = Own(s.eng["KITEUSDT"], DetectorParams(**ALONE))
    assert own.delta_hook() == own.on_delta  # (a subclass's rules are its own)
    for v in (True, 10**400, 2**60 + 1):
        odd = IcebergDetector(s.eng["KITEUSDT"], DetectorParams(iceberg_min_add=v, **ALONE))
        assert odd.delta_hook() == odd.on_delta  # (a knob C would read otherwise than Python)


@needs_native
def test_the_hook_declines_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**ALONE), flat_book(5))
    st = s.eng["KITEUSDT"]
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    base = (ice, ice._ends, ice.usual, ice.slack, BookSide.BID, BookSide.ASK, BookDelta, BookDelta.ts_exchange_ns,
            10**10, 0.2, ice_mod._BOOK_FIELDS, ice.levels, heapq.heappop, heapq.heappush)
    with pytest.raises(ValueError):
        NATIVE.IdhHook(*base[:7], BookDelta.__init__, *base[8:])  # not a slot descriptor
    with pytest.raises(ValueError):
        NATIVE.IdhHook(*base[:6], Trade, *base[7:])  # the descriptor is not that class's
    with pytest.raises(ValueError):
        NATIVE.IdhHook(*base[:4], BookSide.BID, BookSide.BID, *base[6:])  # one side twice
    bf = ice_mod._BOOK_FIELDS
    for fields in (bf[:8], (*bf[:4], bf[5], bf[4], *bf[6:]), (bf[3], *bf[1:]), (*bf[:8], BookDelta.ts_exchange_ns)):
        with pytest.raises(ValueError):  # the book's classes and slots, in their order
            NATIVE.IdhHook(*base[:10], fields, *base[11:])
    for i, bad in ((1, ()), (2, []), (3, object()), (8, 2**70), (9, "0.2"), (10, list(ice_mod._BOOK_FIELDS))):
        with pytest.raises((TypeError, OverflowError)):
            NATIVE.IdhHook(*base[:i], bad, *base[i + 1:])
    with pytest.raises(TypeError):
        NATIVE.IdhHook(*base, x=1)
    with pytest.raises(TypeError):
        NATIVE.IdhHook(*base[:11], [], *base[12:])  # the levels not a dict
    for i in (12, 13):
        with pytest.raises(ValueError):
            NATIVE.IdhHook(*base[:i], lambda *a: None, *base[i + 1:])  # not heapq's
    hook = NATIVE.IdhHook(*base)
    with pytest.raises(TypeError):
        hook(st, None)
    with pytest.raises(TypeError):
        hook(st, None, [], x=1)
    s.t += MS
    d = BookDelta("KITEUSDT", (), (), 0, 0, 0, s.t, s.t)
    assert hook(st, d, []) == [] and ice.depth_t == s.t


@needs_native
@pytest.mark.parametrize("bad", [[(BookSide.BID, 5000, 1000, 1000.0)], [(BookSide.BID, 5000, 1000, True)],
                                 [(BookSide.BID, 2**70, 1000, 1)], [(None, 5000, 1000, 1)],
                                 [(BookSide.BID, 5000, 1000)], [1], ((BookSide.BID, 5000, 1000, 900),)])
def test_changes_the_hook_declines_are_on_deltas(bad):
    """Changes the C wait does not take: the hook hands them to on_delta before changing anything
    (the same outcome, raised or returned, and the same state as on_delta's)."""
    def run(hooked):
        s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
        st = s.eng["KITEUSDT"]
        ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
        for _ in range(5):
            s.sell(5000, 1000)
            s.delta(bids=[(5000, 1000)], dt_ms=50)
        call = st.delta_hooks[0] if hooked else ice.on_delta
        s.t += 400 * MS
        try:
            got = call(st, BookDelta("KITEUSDT", (), (), 0, 0, 0, s.t, s.t), bad)
        except Exception as e:  # (the twin's own refusal)
            got = type(e)
        return got, state(ice)
    assert run(True) == run(False)


@needs_native
def test_the_binomial_tail_in_c_is_the_python_sum():
    rng = random.Random(7)
    for _ in range(20_000):
        n, k = rng.randrange(0, 63), rng.randrange(-2, 66)
        q = rng.choice((rng.random(), rng.random() ** 8, 1 - rng.random() ** 8, 0.5, 5e-324, 1 - 2**-53))
        got = NATIVE.ice_binom_tail(k, n, q)
        if not 0 < q < 1:
            assert got is NotImplemented
            continue
        want = binomial_tail_py(k, n, q)
        assert type(got) is float and got == want, (k, n, q)
    for args in ((1, 63, 0.5), (1, -1, 0.5), (1, 10, 0.0), (1, 10, 1.0), (1, 10, float("nan")), (1, 10, 1),
                 (True, 10, 0.5), (1.0, 10, 0.5), (1, 2**70, 0.5), (2**70, 10, 0.5)):
        assert NATIVE.ice_binom_tail(*args) is NotImplemented
    with pytest.raises(TypeError):
        NATIVE.ice_binom_tail(1, 2)


@needs_native
def test_the_volume_beyond_a_level_in_c_is_the_python_sum():
    rng = random.Random(8)
    th = Through()
    for _ in range(3000):
        side = rng.choice((BookSide.BID, BookSide.ASK))
        th.add(side, 5000 + rng.randrange(-20, 20), rng.randrange(1, 10**6))
        px, depth = 5000 + rng.randrange(-25, 25), rng.randrange(0, 12)
        d = th.vol[side]
        step = -1 if side is BookSide.BID else 1
        want = sum(d.get(px + step * i, 0) for i in range(1, depth + 1))
        assert NATIVE.ice_beyond(d, px, step, depth) == want == th.beyond(side, px, depth)
    d = {5001: 10, 5002: 2**62}
    for args in (([], 5000, 1, 2), (d, 5000.0, 1, 2), (d, 5000, 2, 2), (d, 5000, 0, 2), (d, 5000, 1, -1),
                 (d, 5000, 1, 10**6), (d, 2**70, 1, 2), (d, 5000, True, 2), (d, 5000, 1, 2), ({5001: 1.5}, 5000, 1, 1)):
        assert NATIVE.ice_beyond(*args) is NotImplemented
    assert NATIVE.ice_beyond({}, 5000, 1, 5) == 0
    with pytest.raises(TypeError):
        NATIVE.ice_beyond(d, 5000, 1)


@needs_native
def test_the_hook_keeps_no_references():
    """Many calls through every path leave no object behind (a leak shows as a count that grows)."""
    import gc
    import sys

    def run():
        market(9, hooked=True, events=300, odd={100: "usual", 200: "huge"})
    run()
    gc.collect()
    before = len(gc.get_objects()), sys.getallocatedblocks()
    for _ in range(3):
        run()
    gc.collect()
    after = len(gc.get_objects()), sys.getallocatedblocks()
    assert after[0] - before[0] < 50 and after[1] - before[1] < 2_000


@needs_native
def test_the_chains_short_check_is_the_python_scan():
    """ice_chains_short: True exactly when chain_scan_py gives every band a chain shorter than the
    length asked (judge_chain then leaves the level as it is)."""
    rng = random.Random(11)
    tols = (0.005, 0.1, 0.3)
    seen = set()
    for _ in range(3000):
        adds, traded = [], 0
        for _ in range(rng.randrange(0, 40)):
            traded += rng.choice((0, rng.randrange(1, 3000)))
            adds.append((rng.choice((1000, 1003, 1100, 1290, rng.randrange(1, 3000))), traded, rng.randrange(0, 99)))
        centre = rng.choice((1000, 1100, rng.randrange(1, 3000)))
        need = rng.choice((0.0, 0.5, 1.0, 1, 2))
        k = rng.randrange(0, 6)
        ts = tols[:rng.choice((1, 3))]
        want = all(len(chain_scan_py(adds, centre / (1 + t) - 1, centre * (1 + t) + 1, need)[0]) < k for t in ts)
        assert NATIVE.ice_chains_short(adds, centre, ts, need, k) is want
        seen.add(want)
    assert seen == {True, False}
    for args in (((), 1000, tols, 1.0, 3), ([], 1000.0, tols, 1.0, 3), ([], 1000, [0.1], 1.0, 3),
                 ([], 1000, (1,), 1.0, 3), ([], 1000, tols, "1", 3), ([], 1000, tols, 1.0, 3.0),
                 ([(1, 2)], 1000, tols, 1.0, 3), ([(1, 2, 2**60)], 1000, tols, 1.0, 3), ([], 2**60, tols, 1.0, 3)):
        assert NATIVE.ice_chains_short(*args) is NotImplemented
    with pytest.raises(TypeError):
        NATIVE.ice_chains_short([], 1000, tols, 1.0)


@needs_native
def test_the_sorted_sizes_in_c_are_a_sorted_list():
    """IdhSizes against sortedcontainers.SortedList: the same sizes in order, the same counts for
    any bisect (floats, ints past 2^63, infinities, NaN), the same refusals."""
    from sortedcontainers import SortedList

    rng = random.Random(12)
    c, py = NATIVE.IdhSizes(), SortedList()
    held = []
    for i in range(6000):
        if held and rng.random() < 0.45:
            x = held.pop(rng.randrange(len(held)))
            assert c.remove(x) is None
            py.remove(x)
        else:
            x = rng.choice((rng.randrange(-50, 3000), rng.randrange(0, 20), 2**53, -2**53))
            assert c.add(x) is None
            py.add(x)
            held.append(x)
        v = rng.choice((rng.uniform(-100, 3100), float(rng.randrange(0, 3000)), rng.randrange(-100, 3100),
                        2**70, -2**70, float("inf"), -float("inf"), float("nan"), True))
        assert (c.bisect_left(v), c.bisect_right(v)) == (py.bisect_left(v), py.bisect_right(v)), v
        assert len(c) == len(py)
        if i % 500 == 0:
            assert list(c) == list(py)
    assert list(c) == list(py) and SortedList(c) == py
    for bad in (2**53 + 1, 1.0, True, "1", None):
        assert c.add(bad) is NotImplemented
    assert list(c) == list(py)
    with pytest.raises(ValueError):
        c.remove(123456)
    with pytest.raises(ValueError):
        c.remove(1.5)
    with pytest.raises(TypeError):
        c.bisect_left("1")
    with pytest.raises(TypeError):
        NATIVE.IdhSizes([1])


@needs_native
def test_a_size_the_c_sizes_decline_moves_them_to_a_sorted_list():
    from sortedcontainers import SortedList

    from dom.core.detectors.iceberg_wait import ADD, NEW, _Rec

    s = EventScript(DetectorParams(iceberg_baseline_min=5, **ALONE), flat_book(30))
    st = s.eng["KITEUSDT"]
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    for _ in range(6):
        s.sell(5000, 1000)
        s.delta(bids=[(5000, 1000)], dt_ms=50)
        s.idle(400)
    was = list(ice.add_sizes)
    assert type(ice.add_sizes).__name__ == "IdhSizes" and was
    ice._judge(st, BookSide.ASK, 5005, s.t, 0, 0, 2**60, NEW | ADD, _Rec(), [])  # an add of 2^60: past 2^53
    assert type(ice.add_sizes) is SortedList and list(ice.add_sizes) == sorted(was + [2**60])
