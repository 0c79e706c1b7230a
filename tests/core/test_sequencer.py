from dom.core.engine import Engine
from dom.core.sequencer import Rule, Sequencer, Verdict
from dom.core.types import BookDelta, BookSnapshot, FeedState, SnapshotRequest, StatusChange
from dom.core.units import Instrument


def d(U, u, pu, bids=(), asks=()):
    return BookDelta("X", tuple(bids), tuple(asks), U, u, pu, 0, 0)


def snap(last, bids=((10, 1),), asks=((12, 1),)):
    return BookSnapshot("X", tuple(bids), tuple(asks), last, 0, 0)


def test_buffer_drop_bridge_and_chain():
    s = Sequencer("X")
    for ev in (d(1, 5, 0), d(6, 9, 5), d(10, 14, 9), d(15, 20, 14)):
        assert s.on_delta(ev) == (Verdict.BUFFERED, None)
    r = s.on_snapshot(snap(12))
    assert r.synced and r.dropped == 2
    assert [x.last_id for x in r.apply] == [14, 20]
    assert s.on_delta(d(21, 25, 20)) == (Verdict.APPLY, None)


def test_snapshot_older_than_first_buffered_event_asks_again():
    s = Sequencer("X")
    s.on_delta(d(50, 60, 49))
    r = s.on_snapshot(snap(40))
    assert not r.synced and "older" in r.reason
    r = s.on_snapshot(snap(55))
    assert r.synced and [x.last_id for x in r.apply] == [60]


def test_snapshot_newer_than_buffer_waits_for_bridge():
    s = Sequencer("X")
    s.on_delta(d(1, 5, 0))
    r = s.on_snapshot(snap(30))
    assert r.synced and r.apply == ()
    assert s.on_delta(d(20, 29, 19))[0] is Verdict.DUPLICATE  # u < lastUpdateId: dropped
    assert s.on_delta(d(25, 35, 29))[0] is Verdict.APPLY  # bridges 30
    assert s.on_delta(d(36, 40, 35))[0] is Verdict.APPLY


def test_gap_reports_exact_ids_and_duplicates_are_ignored():
    s = Sequencer("X")
    s.on_snapshot(snap(5))
    assert s.on_delta(d(3, 8, 2))[0] is Verdict.APPLY
    assert s.on_delta(d(3, 8, 2))[0] is Verdict.DUPLICATE
    v, gap = s.on_delta(d(12, 15, 11))
    assert v is Verdict.GAP and gap.expected == 8 and gap.got == 11 and gap.at_last_id == 15
    assert not s.synced


def test_spot_rule():
    s = Sequencer("X", Rule.SPOT)
    s.on_delta(d(1, 10, -1))
    s.on_delta(d(11, 20, -1))
    r = s.on_snapshot(snap(15))
    assert r.synced and [x.last_id for x in r.apply] == [20]
    assert s.on_delta(d(21, 22, -1))[0] is Verdict.APPLY
    v, gap = s.on_delta(d(24, 25, -1))
    assert v is Verdict.GAP and gap.expected == 22 and gap.got == 23


def test_engine_requests_snapshot_once_and_resyncs_without_losing_events():
    eng = Engine([Instrument("X", "1", "1")])
    out = eng.feed(d(1, 5, 0, bids=[(10, 2)]))
    assert out == [SnapshotRequest("X", "initial sync")]
    assert eng.feed(d(6, 7, 5)) == []  # already requested
    out = eng.feed(snap(4, bids=[(10, 1)], asks=[(12, 1)]))
    assert [o.state for o in out if isinstance(o, StatusChange)] == [FeedState.SYNCED]
    assert eng["X"].book.best_bid() == (10, 2)
    out = eng.feed(d(9, 10, 8, bids=[(11, 3)]))  # pu 8 != 7: gap
    assert any(isinstance(o, StatusChange) and o.state is FeedState.GAP for o in out)
    assert any(isinstance(o, SnapshotRequest) for o in out)
    assert not eng["X"].synced
    eng.feed(d(11, 12, 10, asks=[(13, 5)]))
    out = eng.feed(snap(9, bids=[(10, 2)], asks=[(12, 1)]))
    assert eng["X"].synced and eng["X"].stats.resyncs == 1
    # The buffered events after the gap were applied on top of the new snapshot.
    assert eng["X"].book.best_bid() == (11, 3) and eng["X"].book.asks.size_at(13) == 5


def test_crossed_book_is_an_integrity_error_not_a_crash():
    eng = Engine([Instrument("X", "1", "1")])
    eng.feed(snap(1, bids=[(10, 1)], asks=[(12, 1)]))
    out = eng.feed(d(1, 2, 1, bids=[(13, 1)]))
    assert any(isinstance(o, StatusChange) and o.state is FeedState.CROSSED for o in out)
    assert any(isinstance(o, SnapshotRequest) for o in out)
    assert not eng["X"].synced


def test_a_snapshot_of_the_book_as_it_is_is_not_a_resync():
    """A continuous recording's segment opens with the book at its own id: replayed across the
    boundary, nothing happens (observers see no resync, as the live session saw none); a
    snapshot at the same id with other levels, or at another id, is a resync."""
    eng = Engine([Instrument("X", "1", "1")])
    eng.feed(d(1, 5, 0))
    eng.feed(snap(4, bids=[(10, 1)], asks=[(12, 1)]))
    eng.feed(d(6, 7, 5, bids=[(9, 4)]))
    st = eng["X"]
    assert st.seq.last_id == 7 and st.stats.resyncs == 0
    assert eng.feed(snap(7, bids=[(10, 1), (9, 4)], asks=[(12, 1)])) == []
    assert st.stats.confirmed_snapshots == 1 and st.stats.resyncs == 0
    eng.feed(d(8, 8, 7, asks=[(13, 2)]))
    assert st.synced and st.book.asks.size_at(13) == 2
    out = eng.feed(snap(8, bids=[(10, 1), (9, 4)], asks=[(12, 1)]))  # (13, 2) missing: not the book
    assert st.stats.resyncs == 1 and st.book.asks.size_at(13) == 0
    assert any(isinstance(o, StatusChange) and o.state is FeedState.SYNCED for o in out)
