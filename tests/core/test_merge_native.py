"""The C TimeMerge (dom.core._native.TimeMerge) against its pure-Python twin (dom.core.merge.TimeMerge):
the same releases, event for event, and the same counts on random and hostile sequences (equal
times, out-of-order arrivals, snapshots and statuses as barriers, held tickers, forced releases,
huge, negative and float times, wrong types). Its pump: tests/runtime/test_merge_pump.py."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.merge import TimeMerge, time_merge
from dom.core.types import (
    BookDelta,
    BookSnapshot,
    BookTicker,
    FeedState,
    FeedStatus,
    MarkPrice,
    TakerSide,
    Trade,
)

native = accel.native
pytestmark = pytest.mark.skipif(native is None, reason="the C accelerator is not built")
TYPES = (BookTicker, MarkPrice, Trade, BookDelta)
MS = 1_000_000
SYMS = ("AAA", "BBB", "CCC")


def pair(hold: int = 250 * MS, max_held: int = 4096) -> tuple:
    return TimeMerge(hold, max_held), native.TimeMerge(hold, max_held, TYPES)


class NoSymbol:
    """An event without a symbol: a barrier for every symbol."""

    ts_exchange_ns = 5


def random_event(rng: random.Random, t: int, times=None):
    sym = rng.choice(SYMS)
    ts = times(rng) if times is not None else t + rng.choice((0, 0, 0, -3, -40, 2, 7, 300)) * MS
    r = rng.random()
    if r < 0.30:
        return Trade(sym, 100, 1, TakerSide.BUY, rng.randrange(1000), ts, ts)
    if r < 0.55:
        u = rng.randrange(1000)
        return BookDelta(sym, ((100, 1),), (), u, u, u - 1, ts, ts)
    if r < 0.85:
        return BookTicker(sym, 1, 99, 1, 101, 1, ts, ts)
    if r < 0.90:
        return MarkPrice(sym, 100, 100, 0, 0, ts, ts)
    if r < 0.95:
        return BookSnapshot(sym, ((100, 1),), ((101, 1),), 5, ts, ts)
    if r < 0.98:
        return FeedStatus(sym, FeedState.DISCONNECTED, "", ts, ts)
    return NoSymbol()


def state(m) -> tuple:
    return (m.late, m.forced, m.held, m.clock)


def same_run(py, c, events, rng: random.Random | None = None) -> list:
    """Push events to both; every release list and every count the same (by identity)."""
    out = []
    for ev in events:
        a, b = py.push(ev), c.push(ev)
        assert [id(x) for x in a] == [id(x) for x in b]
        assert state(py) == state(c)
        if rng is not None and rng.random() < 0.05:
            sym = rng.choice(SYMS)
            assert [id(x) for x in py.held_depth(sym)] == [id(x) for x in c.held_depth(sym)]
        out += a
    a, b = py.flush(), c.flush()
    assert [id(x) for x in a] == [id(x) for x in b]
    assert state(py) == state(c)
    return out + a


@pytest.mark.parametrize("seed", range(40))
def test_random_sequences_release_the_same_events_in_the_same_order(seed):
    rng = random.Random(seed)
    hold = rng.choice((0, 1, 250 * MS, 10**9))
    py, c = pair(hold, rng.choice((1, 3, 8, 4096)))
    if seed % 2:
        py.held_tickers.add("BBB")
        c.held_tickers.add("BBB")
    t, events = 10**12, []
    for _ in range(600):
        t += rng.choice((0, 0, 1, 5, 100)) * MS
        events.append(random_event(rng, t))
    out = same_run(py, c, events, rng)
    assert sorted(map(id, out)) == sorted(map(id, events))  # each event once, none lost
    assert py.late + py.forced > 0 or seed % 4  # (some runs reach the late and forced paths)


@pytest.mark.parametrize("seed", range(12))
def test_huge_negative_zero_and_float_times_compare_as_python_compares_them(seed):
    rng = random.Random(1000 + seed)

    def times(r: random.Random):
        return r.choice((0, -1, -(2**63), 2**63 - 1, 2**63, 2**64 + 5, 2**90, 1.5e18, 7.25, float(2**63),
                         r.randrange(10**18, 10**18 + 10**9), r.randrange(-5, 5)))

    py, c = pair(rng.choice((0, 250 * MS, 2**63 - 1)), rng.choice((2, 4096)))
    events = [random_event(rng, 0, times) for _ in range(400)]
    out = same_run(py, c, events, rng)
    assert sorted(map(id, out)) == sorted(map(id, events))  # each event released once, none lost


def test_a_mark_with_a_huge_time_and_a_hold_past_int64_of_the_clock():
    py, c = pair(2**63 - 1)
    evs = [Trade("AAA", 1, 1, TakerSide.BUY, 1, -(2**63), 0), MarkPrice("AAA", 1, 1, 0, 0, 2**63 - 1, 0),
           Trade("AAA", 1, 1, TakerSide.BUY, 2, 2**63 + 10, 0), MarkPrice("AAA", 1, 1, 0, 0, 2**65, 0)]
    out = same_run(py, c, evs)
    assert [id(e) for e in out if type(e) is Trade] == [id(evs[0]), id(evs[2])]  # the trades in time order
    assert sorted(map(id, out)) == sorted(map(id, evs))


@pytest.mark.parametrize("bad", [None, "x", (1,), object(), float("nan")])
def test_a_time_that_is_not_a_number_is_refused_or_taken_as_the_twin_takes_it(bad):
    for kind in (Trade, BookDelta, BookTicker, MarkPrice):
        py, c = pair()
        first = Trade("AAA", 1, 1, TakerSide.BUY, 1, 10**12, 0)
        assert py.push(first) == c.push(first)
        if kind is Trade:
            ev = Trade("AAA", 1, 1, TakerSide.BUY, 2, bad, 0)
        elif kind is BookDelta:
            ev = BookDelta("AAA", (), (), 1, 1, 0, bad, 0)
        elif kind is BookTicker:
            ev = BookTicker("AAA", 1, 1, 1, 2, 1, bad, 0)
        else:
            ev = MarkPrice("AAA", 1, 1, 0, 0, bad, 0)
        errs = []
        for m in (py, c):
            try:
                errs.append([id(x) for x in m.push(ev)])
            except Exception as e:  # noqa: BLE001 - the same kind of error either way
                errs.append(type(e))
        assert errs[0] == errs[1]


def test_a_symbol_that_cannot_be_hashed_raises_as_in_python():
    for ev in (Trade(["A"], 1, 1, TakerSide.BUY, 1, 5, 0), BookDelta({}, (), (), 1, 1, 0, 5, 0),
               FeedStatus([], FeedState.DISCONNECTED)):
        py, c = pair()
        for m in (py, c):
            with pytest.raises(TypeError):
                m.push(ev)
    py, c = pair()
    for m in (py, c):
        with pytest.raises(TypeError):
            m.held_depth([])


@pytest.mark.parametrize("args,err", [((True, 5), TypeError), ((1.0, 5), TypeError), ((2**63, 5), OverflowError),
                                      ((-1, 5), ValueError), ((1, 0), ValueError), ((1, -(2**70)), ValueError),
                                      ((1, 2.0), TypeError), (("1", 5), TypeError)])
def test_the_c_type_refuses_what_it_cannot_hold_and_time_merge_gives_the_twin(args, err):
    with pytest.raises(err):
        native.TimeMerge(*args, TYPES)
    if err is not ValueError and args[1] != -(2**70):
        m = time_merge(*args) if not isinstance(args[0], str) else None
        assert m is None or type(m) is TimeMerge
    with pytest.raises(TypeError):
        native.TimeMerge(1, 5, TYPES[:3])
    with pytest.raises(TypeError):
        native.TimeMerge(1, 5, (1, 2, 3, 4))
    with pytest.raises(TypeError):
        native.TimeMerge(1, 5)
    assert type(time_merge(250 * MS)) is native.TimeMerge
    assert type(native.TimeMerge(1, 2**80, TYPES)) is native.TimeMerge  # (a bound past memory: no bound)


def test_deleting_held_tickers_makes_a_ticker_raise_not_crash():
    c = native.TimeMerge(1, 5, TYPES)
    del c.held_tickers
    with pytest.raises(AttributeError):
        c.push(BookTicker("AAA", 1, 1, 1, 2, 1, 5, 0))
    c.held_tickers = {"AAA"}
    c.push(BookTicker("AAA", 1, 1, 1, 2, 1, 5, 0))
    assert c.held == 1


def test_no_reference_is_kept_or_lost_over_many_events():
    rng = random.Random(7)
    c = native.TimeMerge(250 * MS, 50, TYPES)
    c.held_tickers.add("CCC")
    events = [random_event(rng, 10**12 + i * MS) for i in range(3000)]
    before = [sys.getrefcount(e) for e in events]
    for _ in range(5):
        for e in events:
            c.push(e)
        c.flush()
    c2 = native.TimeMerge(250 * MS, 50, TYPES)
    for e in events:
        c2.push(e)
    del c2, e  # (a merge dropped while it holds events lets them go)
    assert [sys.getrefcount(e) for e in events] == before


def test_an_events_attribute_replaced_on_its_class_is_read_as_python_reads_it():
    """The C merge reads an event's symbol and time from its slot, remembered per class while the
    class is unchanged: a property put in the slot's place on the class (and the slot put back)
    is read as the twin reads it."""
    rng = random.Random(3)
    py, c = pair()
    t = [10**12]

    def events(n: int) -> list:
        out = []
        for _ in range(n):
            t[0] += rng.choice((0, 1, 5, 100)) * MS
            out.append(random_event(rng, t[0]))
        return out

    same_run(py, c, events(300))  # (the slots learnt)
    symbol, ts = BookDelta.__dict__["symbol"], BookTicker.__dict__["ts_exchange_ns"]
    try:
        BookDelta.symbol = property(lambda self: "ZZZ")  # type: ignore[misc, assignment]
        BookTicker.ts_exchange_ns = property(lambda self: 10**12 - 1)  # type: ignore[misc, assignment]
        evs = events(300)
        for ev in evs[:150]:
            assert [id(x) for x in py.push(ev)] == [id(x) for x in c.push(ev)]
            assert state(py) == state(c)
        held = [id(x) for x in c.held_depth("ZZZ")]
        assert held and held == [id(x) for x in py.held_depth("ZZZ")]  # (the deltas held as "ZZZ"'s)
        same_run(py, c, evs[150:])
    finally:
        type.__setattr__(BookDelta, "symbol", symbol)
        type.__setattr__(BookTicker, "ts_exchange_ns", ts)
    assert BookDelta("AAA", (), (), 1, 1, 0, 5, 5).symbol == "AAA"
    same_run(py, c, events(300))
    assert not c.held_depth("ZZZ")
