"""The in-stream venues' sequencing rules and the engine's checksum handling (dom.core only)."""

import pytest

from dom.core.engine import Engine
from dom.core.sequencer import Rule, Sequencer, Verdict
from dom.core.types import (
    BookDelta,
    BookSnapshot,
    FeedState,
    SnapshotRequest,
    StatusChange,
    TakerSide,
    Trade,
)
from dom.core.units import Instrument


def d(first, last, prev, bids=(), asks=(), checksum=None):
    return BookDelta("X", tuple(bids), tuple(asks), first, last, prev, 0, 0, checksum)


def snap(last, bids=((10, 1),), asks=((12, 1),), checksum=None):
    return BookSnapshot("X", tuple(bids), tuple(asks), last, 0, 0, checksum)


def states(out):
    return [o.state for o in out if isinstance(o, StatusChange)]


def test_checksum_fields_are_optional_and_trailing():
    assert BookDelta("X", (), (), 1, 2, 0, 0, 0).checksum is None
    assert BookSnapshot("X", (), (), 1, 0, 0).checksum is None
    assert BookDelta("X", (), (), 1, 2, 0, 0, 0, -5).checksum == -5


def test_okx_prev_seq_chain_heartbeat_reset_and_gap():
    s = Sequencer("X", Rule.OKX)
    assert s.on_delta(d(5, 5, 4))[0] is Verdict.BUFFERED  # before any snapshot
    r = s.on_snapshot(snap(10))
    assert r.synced and r.apply == () and r.dropped == 1  # in-stream: older deltas dropped
    assert s.on_delta(d(12, 12, 10))[0] is Verdict.APPLY
    assert s.on_delta(d(12, 12, 12))[0] is Verdict.APPLY  # heartbeat: prevSeqId == seqId
    assert s.on_delta(d(3, 3, 12))[0] is Verdict.APPLY  # sequence reset: seqId < prevSeqId
    assert s.on_delta(d(4, 4, 3))[0] is Verdict.APPLY
    assert s.on_delta(d(4, 4, 3))[0] is Verdict.DUPLICATE
    v, gap = s.on_delta(d(9, 9, 7))
    assert v is Verdict.GAP and (gap.expected, gap.got, gap.at_last_id) == (4, 7, 9)
    assert not s.synced
    assert s.on_snapshot(snap(20)).synced and s.last_id == 20


def test_okx_without_ids_leaves_it_to_the_checksum():
    s = Sequencer("X", Rule.OKX)
    s.on_snapshot(snap(-1))
    assert s.on_delta(d(-1, -1, -1))[0] is Verdict.APPLY
    assert s.on_delta(d(-1, -1, -1))[0] is Verdict.APPLY


def test_bybit_u_contiguous_resend_and_gap():
    s = Sequencer("X", Rule.BYBIT)
    s.on_snapshot(snap(100))
    assert s.on_delta(d(101, 101, -1))[0] is Verdict.APPLY
    assert s.on_delta(d(101, 101, -1))[0] is Verdict.DUPLICATE  # a resend of the same u
    v, gap = s.on_delta(d(103, 103, -1))
    assert v is Verdict.GAP and (gap.expected, gap.got) == (101, 102)
    # Bybit restarted: a snapshot with u == 1 starts the chain over.
    assert s.on_snapshot(snap(1)).synced
    assert s.on_delta(d(2, 2, -1))[0] is Verdict.APPLY


@pytest.mark.parametrize("rule", [Rule.BITGET, Rule.KRAKEN])
def test_checksum_only_venues_apply_every_update(rule):
    s = Sequencer("X", rule)
    assert s.on_delta(d(-1, -1, -1))[0] is Verdict.BUFFERED
    s.on_snapshot(snap(-1))
    for _ in range(3):
        assert s.on_delta(d(-1, -1, -1))[0] is Verdict.APPLY
    assert rule.in_stream and not Rule.USDM.in_stream and not Rule.SPOT.in_stream


def _sum_verify(book, inst, checksum):
    """A stand-in checksum: the sum of all sizes."""
    return sum(book.bids.levels.values()) + sum(book.asks.levels.values()) == checksum


def test_engine_verifies_checksums_and_treats_a_mismatch_as_a_gap():
    alerts_seen = []

    class Obs:
        def on_delta(self, sym, delta, changes):
            alerts_seen.append(delta.last_id)
            return []

        def on_trade(self, sym, t):
            return []

        def on_sync_lost(self, sym, ts):
            alerts_seen.append("lost")
            return []

        def on_synced(self, sym, ts):
            alerts_seen.append("synced")
            return []

    eng = Engine(
        [Instrument("X", "1", "1")], rule=Rule.OKX, observers=lambda st: [Obs()], verify=_sum_verify
    )
    out = eng.feed(snap(1, bids=[(10, 2)], asks=[(12, 3)], checksum=5))
    assert states(out) == [FeedState.SYNCED]
    assert eng.feed(d(2, 2, 1, bids=[(11, 1)], checksum=6)) == []
    st = eng["X"]
    assert (st.stats.checksum_ok, st.stats.checksum_failed) == (2, 0)
    out = eng.feed(d(3, 3, 2, asks=[(12, 4)], checksum=6))  # true sum is 7
    assert states(out) == [FeedState.CHECKSUM_FAILED]
    assert any(isinstance(o, SnapshotRequest) and "checksum" in o.reason for o in out)
    assert not st.synced and st.stats.checksum_failed == 1
    assert alerts_seen == ["synced", 2, "lost"]  # the bad delta never reached an observer
    # Later deltas wait; the next in-stream snapshot resyncs without any REST call.
    assert eng.feed(d(4, 4, 3, checksum=7)) == []
    out = eng.feed(snap(9, bids=[(10, 1)], asks=[(12, 1)], checksum=2))
    assert states(out) == [FeedState.SYNCED] and st.synced and st.stats.resyncs == 1
    # Trades are not alert-gated by this test's observer, but they still count.
    eng.feed(Trade("X", 10, 1, TakerSide.SELL, 1, 0, 0))
    assert st.stats.trades == 1


def test_engine_checks_a_snapshot_checksum_and_ignores_checksums_without_verify():
    eng = Engine([Instrument("X", "1", "1")], rule=Rule.BITGET, verify=_sum_verify)
    out = eng.feed(snap(-1, checksum=99))
    assert states(out) == [FeedState.CHECKSUM_FAILED] and not eng["X"].synced
    plain = Engine([Instrument("X", "1", "1")], rule=Rule.BITGET)
    assert states(plain.feed(snap(-1, checksum=99))) == [FeedState.SYNCED]
    assert plain["X"].stats.checksum_failed == plain["X"].stats.checksum_ok == 0


def test_in_stream_snapshot_over_a_live_book_tells_observers():
    seen = []

    class Obs:
        def on_delta(self, *a):
            return []

        def on_trade(self, *a):
            return []

        def on_sync_lost(self, sym, ts):
            seen.append("lost")
            return []

        def on_synced(self, sym, ts):
            seen.append("synced")
            return []

    eng = Engine([Instrument("X", "1", "1")], rule=Rule.BYBIT, observers=lambda st: [Obs()])
    eng.feed(snap(5))
    eng.feed(d(6, 6, -1, bids=[(11, 1)]))
    eng.feed(snap(1, bids=[(9, 1)], asks=[(13, 1)]))
    assert seen == ["synced", "lost", "synced"]
    assert eng["X"].book.best_bid() == (9, 1) and eng["X"].stats.resyncs == 1


def test_gap_on_an_in_stream_venue_asks_for_a_snapshot():
    eng = Engine([Instrument("X", "1", "1")], rule=Rule.BYBIT)
    eng.feed(snap(5))
    out = eng.feed(d(7, 7, -1))
    assert states(out) == [FeedState.GAP]
    assert [o for o in out if isinstance(o, SnapshotRequest)]
    assert eng["X"].stats.gaps == 1 and not eng["X"].synced


def test_inverse_instrument_notional_is_size_times_contract_value():
    inv = Instrument(
        "BTC-USD-SWAP", "0.1", "1", contract_size="100", quote="USD", base="BTC", inverse=True
    )
    assert inv.notional(300000, 3) == 300  # 3 contracts of 100 USD, whatever the price
    lin = Instrument("BTC-USDT-SWAP", "0.1", "1", contract_size="0.01")
    assert str(lin.notional(300000, 3)) == "900.000"
