"""TimeMerge: a symbol's depth and trades in exchange-time order whatever their arrival order."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dom.core.merge import TimeMerge
from dom.core.types import BookDelta, BookSnapshot, FeedState, FeedStatus, MarkPrice, TakerSide, Trade

MS = 1_000_000


def delta(t_ms: int, u: int, sym: str = "X") -> BookDelta:
    return BookDelta(sym, ((100, 1),), (), u, u, u - 1, t_ms * MS, 0)


def trade(t_ms: int, tid: int, sym: str = "X") -> Trade:
    return Trade(sym, 100, 1, TakerSide.BUY, tid, t_ms * MS, 0)


def run(m: TimeMerge, events) -> list:
    out = []
    for e in events:
        out += m.push(e)
    return out + m.flush()


def test_a_trade_that_arrives_after_a_later_depth_update_is_released_before_it():
    m = TimeMerge(250 * MS)
    d1, t1, d2 = delta(100, 1), trade(90, 1), delta(200, 2)
    assert m.push(d1) == []  # held: the trade stream may still bring something older
    assert m.push(t1) == []
    assert m.push(d2) == []
    assert m.held == 3
    d3 = delta(360, 3)
    assert m.push(d3) == [t1, d1]  # the clock passed 90 + 250 and 100 + 250
    assert m.flush() == [d2, d3]


def test_at_equal_exchange_times_the_trade_goes_first():
    # A depth update stamped T holds what traded up to T.
    m = TimeMerge(250 * MS)
    d, t = delta(100, 1), trade(100, 1)
    assert run(m, [d, t]) == [t, d]


def test_a_late_event_goes_through_at_once_and_is_counted():
    m = TimeMerge(100 * MS)
    d1, d2 = delta(100, 1), delta(300, 2)
    assert m.push(d1) == []
    assert m.push(d2) == [d1]  # the clock is 200 ms past it
    very_late = trade(50, 1)  # older than the released delta at 100
    assert m.push(very_late) == [very_late]
    assert m.late == 1
    in_time = trade(250, 2)  # newer than what was released and inside the hold: held
    assert m.push(in_time) == []
    assert m.flush() == [in_time, d2]


def test_a_stream_never_overtakes_itself():
    """An event stamped earlier than the one before it on its stream takes that one's time: a
    depth stream reordered would break its sequence."""
    m = TimeMerge(100 * MS)
    a, b = delta(200, 1), delta(150, 2)
    m.push(a)
    m.push(b)
    assert m.flush() == [a, b]


def test_a_snapshot_is_a_barrier_for_its_symbol_only():
    m = TimeMerge(250 * MS)
    x1, y1 = delta(100, 1, "X"), delta(100, 1, "Y")
    m.push(x1)
    m.push(y1)
    snap = BookSnapshot("X", (), (), 5, 0, 0)
    assert m.push(snap) == [x1, snap]
    assert m.held == 1
    status = FeedStatus("Y", FeedState.DISCONNECTED)
    assert m.push(status) == [y1, status]
    assert m.held == 0


def test_marks_pass_through_and_advance_the_clock():
    m = TimeMerge(250 * MS)
    d = delta(100, 1)
    m.push(d)
    mark = MarkPrice("Z", 1, 1, 0.0, 0, 400 * MS, 0)
    assert m.push(mark) == [d, mark]


def test_events_without_exchange_time_are_barriers():
    m = TimeMerge(250 * MS)
    d = delta(100, 1)
    m.push(d)
    t0 = trade(0, 9)
    assert m.push(t0) == [d, t0]


def _arrivals(events_seed: int, rng: random.Random, depth_lag_ms: int, trade_lag_ms: int):
    """Two streams of one symbol (depth every 100 ms, trades at random times: the same for one
    ``events_seed``), each delivered in its own order with its own random delays (``rng``),
    interleaved by arrival time."""
    ev_rng = random.Random(events_seed)
    ev = []
    t = 0
    for u in range(1, 60):
        t += 100
        ev.append((t + rng.randint(0, depth_lag_ms), 1, u, delta(t, u)))
    tt = 0
    for i in range(1, 120):
        tt += ev_rng.randint(1, 100)
        ev.append((tt + rng.randint(0, trade_lag_ms), 0, i, trade(tt, i)))
    # each stream keeps its order: arrival times made monotonic per stream
    last = {0: 0, 1: 0}
    fixed = []
    for arr, kind, n, e in sorted(ev, key=lambda x: (x[1], x[2])):
        arr = max(arr, last[kind])
        last[kind] = arr
        fixed.append((arr, kind, n, e))
    return [e for *_, e in sorted(fixed, key=lambda x: (x[0], x[1], x[2]))]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))
def test_any_two_interleavings_within_the_hold_release_the_same_sequence(events_seed, a, b):
    """The property the drivers rely on: the released order depends on the events, not on how
    the network interleaved the two streams (as long as no stream falls behind by the hold)."""
    seqs = []
    for seed in (a, b):
        m = TimeMerge(250 * MS)
        seqs.append(run(m, _arrivals(events_seed, random.Random(seed), 120, 120)))
        assert m.late == 0 and m.held == 0
    assert seqs[0] == seqs[1]
    keys = [(e.ts_exchange_ns, 0 if isinstance(e, Trade) else 1) for e in seqs[0]]
    assert keys == sorted(keys)


def test_the_hold_is_not_negative():
    try:
        TimeMerge(-1)
    except ValueError:
        return
    raise AssertionError("a negative hold was accepted")


def test_a_feed_whose_times_stop_moving_cannot_fill_memory():
    m = TimeMerge(250 * MS, max_held=100)
    out = []
    for u in range(1, 1001):
        out += m.push(delta(100, u))  # the same exchange time forever
    assert m.held == 100 and m.forced == 900
    assert [e.last_id for e in out] == list(range(1, 901))  # oldest first, in stream order
    assert [e.last_id for e in m.flush()] == list(range(901, 1001))


_TS = st.one_of(st.integers(0, 2_000), st.just(0), st.integers(2**62, 2**63 - 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["d", "t", "snap", "status", "mark"]), st.sampled_from("XYZ"), _TS),
                max_size=300), st.integers(1, 50), st.integers(0, 500))
def test_every_event_comes_out_exactly_once_whatever_the_times(plan, max_held, hold_ms):
    """Hostile times (none, far in the future), barriers anywhere, a small bound: nothing is lost,
    nothing is doubled, and each stream keeps its own order unless an event was late or forced."""
    m = TimeMerge(hold_ms * MS, max_held=max_held)
    pushed, out = [], []
    for i, (kind, sym, t) in enumerate(plan):
        if kind == "d":
            ev = BookDelta(sym, (), (), i, i, i - 1, t * MS if t < 2**40 else t, 0)
        elif kind == "t":
            ev = Trade(sym, 1, 1, TakerSide.SELL, i, t * MS if t < 2**40 else t, 0)
        elif kind == "snap":
            ev = BookSnapshot(sym, (), (), i, 0, 0)
        elif kind == "status":
            ev = FeedStatus(sym, FeedState.STALE)
        else:
            ev = MarkPrice(sym, 1, 1, 0, 0, t * MS if t < 2**40 else t, 0)
        pushed.append(ev)
        out += m.push(ev)
    out += m.flush()
    assert m.held == 0
    assert sorted(map(id, out)) == sorted(map(id, pushed))
    if m.late == 0 and m.forced == 0:
        for sym in "XYZ":
            for kind in (BookDelta, Trade):
                ids = [e.last_id if kind is BookDelta else e.trade_id for e in out
                       if type(e) is kind and e.symbol == sym]
                assert ids == sorted(ids)


def test_an_event_is_released_when_the_clock_is_exactly_the_hold_past_it():
    from dom.core.types import BookTicker

    m = TimeMerge(250 * MS)
    d1, d2 = delta(100, 1), delta(200, 2)
    assert m.push(d1) == [] and m.push(d2) == []
    tick = BookTicker("X", 7, 100, 1, 101, 1, 349 * MS, 0)
    assert m.push(tick) == [tick]  # 349 - 250 < 100: nothing due yet
    tick = BookTicker("X", 8, 100, 1, 101, 1, 350 * MS, 0)
    assert m.push(tick) == [d1, tick]  # a ticker moves the clock to exactly 100 + 250
    t = trade(450, 1)
    assert m.push(t) == [d2]  # and so does a trade, to exactly 200 + 250
    old = trade(150, 2, sym="Y")  # older than the hold: due as soon as it is held
    assert m.push(old) == [old]
    assert m.held == 1 and m.flush() == [t]
