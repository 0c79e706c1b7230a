"""The continuous recording's ring: segments rolled by receive time, each opening with a snapshot
per synced symbol, old ones deleted, ``covering`` finding the segments from a moment on; a disk
that fails stops the recording, not the session."""

from __future__ import annotations

import gzip
import os
from types import SimpleNamespace

import pytest

from dom.runtime.continuous import RingTap
from dom.store.ring import RingRecorder, covering, segments

S = 1_000_000_000
T0 = 1_796_000_000 * S  # a whole minute


def _frame(sym: str, n: int) -> bytes:
    return b'{"stream":"%s@depth@100ms","data":{"e":"depthUpdate","u":%d}}' % (sym.lower().encode(), n)


def _lines(path) -> list[bytes]:
    with gzip.open(path, "rb") as f:
        return f.read().splitlines()


def test_segments_roll_with_a_snapshot_each_and_old_ones_go(tmp_path):
    asked: list[int] = []

    def books(recv_ns):
        asked.append(recv_ns)
        return [("BTCUSDT", b'{"lastUpdateId":%d,"bids":[],"asks":[]}' % recv_ns)]

    ring = RingRecorder(tmp_path, {"venue": "binanceusdm"}, books, keep_hours=25 / 3600, segment_s=10)
    for i in range(60):  # one frame a second for a minute: six segments of ten seconds
        ring.write_frame(T0 + i * S, _frame("BTCUSDT", i))
    ring.close()
    segs = segments(tmp_path)
    # Segments that ended more than 25 s before the last one opened are gone: 0-10 and 10-20.
    assert [s - T0 for s, _ in segs] == [20 * S, 30 * S, 40 * S, 50 * S]
    assert ring.pruned == 2 and ring.frames == 60 + 6  # frames and the segments' snapshots
    assert asked == [T0 + k * 10 * S for k in range(6)]  # a snapshot at each segment's first frame
    for start, p in segs:
        (gz,) = p.glob("btcusdt_*.gz")
        lines = _lines(gz)
        assert lines[0] == b'%d {"lastUpdateId":%d,"bids":[],"asks":[]}' % (start, start)  # the snapshot first
        assert len(lines) == 11 and all(b"depthUpdate" in l for l in lines[1:])
        assert (p / (gz.name + ".meta.json")).exists()


def test_covering_finds_the_segment_of_a_moment_and_the_ones_after(tmp_path):
    ring = RingRecorder(tmp_path, {}, lambda ns: [], keep_hours=1, segment_s=10)
    for i in range(30):
        ring.write_frame(T0 + i * S, _frame("ETHUSDT", i))
    ring.close()
    for f in tmp_path.rglob("*.gz"):  # as if written just now: the files' times are their last write
        os.utime(f, ns=(T0 + 40 * S, T0 + 40 * S))
    names = lambda ps: [p.name for p in ps]  # noqa: E731
    all3 = names(p for _, p in segments(tmp_path))
    assert names(covering(tmp_path, T0 + 15 * S)) == all3[1:]
    assert names(covering(tmp_path, T0)) == all3
    assert covering(tmp_path, T0 - S) == []  # older than the ring
    assert covering(tmp_path, T0 + 3600 * S) == []  # after the last write
    assert covering(tmp_path / "nothing", T0) == []
    (tmp_path / "20261399T256199Z").mkdir()  # a name of digits that is no date: not a segment
    (tmp_path / "notes").mkdir()
    assert names(p for _, p in segments(tmp_path)) == all3


def test_a_failing_disk_stops_the_recording_not_the_session(tmp_path, capsys):
    cfg = SimpleNamespace(record=SimpleNamespace(enabled=True, dir=str(tmp_path / "ring"), keep_hours=1.0,
                                                 segment_minutes=1 / 6), feed=SimpleNamespace(venue="sim", depth_ms=100))
    tap = RingTap(cfg)
    tap.ring = RingRecorder(tmp_path / "ring", {}, lambda ns: [], segment_s=10)
    tap.frame(T0, _frame("BTCUSDT", 1))
    (tmp_path / "ring").rename(tmp_path / "moved")
    (tmp_path / "ring").write_text("a file where the ring's directory was")
    tap.frame(T0 + 11 * S, _frame("BTCUSDT", 2))  # the next segment cannot be made: no exception here
    assert tap.ring is None and "continuous recording stopped" in tap.failed
    assert "continuous recording stopped" in capsys.readouterr().err
    tap.frame(T0 + 12 * S, _frame("BTCUSDT", 3))  # and later frames are simply not written
    tap.close()


def test_only_the_binance_wire_is_recorded_continuously():
    import pytest

    from dom.errors import ConfigError

    cfg = SimpleNamespace(record=SimpleNamespace(enabled=True), feed=SimpleNamespace(venue="ccxt:okx"))
    with pytest.raises(ConfigError, match="binanceusdm or sim"):
        RingTap(cfg).client_kw()
    cfg.record.enabled = False
    assert RingTap(cfg).client_kw() == {}


def test_two_segments_opened_within_one_second_keep_both(tmp_path):
    """Short segments on boundaries that are no whole second: the first frame at .3 s and the
    next segment at .8 s of the same second. Named to the second, the second segment was written
    over the first (the whole first segment lost: a ring-vs-live flake)."""
    ring = RingRecorder(tmp_path, {"venue": "binanceusdm"}, lambda ns: [], keep_hours=1, segment_s=1.8)
    t = T0 // (9 * S) * 9 * S + 18 * S // 10  # a boundary (a multiple of 1.8 s) at .8 of its second
    ring.write_frame(t - S // 2, _frame("BTCUSDT", 1))  # in the segment before it
    ring.write_frame(t + S // 10, _frame("BTCUSDT", 2))  # the next segment, at .9 of the same second
    ring.close()
    segs = segments(tmp_path)
    assert len(segs) == 2 and ring.frames == 2
    assert [s for s, _ in segs] == [(t - S // 2) // 1_000_000 * 1_000_000, (t + S // 10) // 1_000_000 * 1_000_000]
    (tmp_path / "20261203T101000Z").mkdir()  # a segment named by an older dom (seconds): still one
    assert len(segments(tmp_path)) == 3


def _depth(sym: str, first: int, last: int, prev: int, ms: int, bid: str) -> bytes:
    return (b'{"stream":"%s@depth@100ms","data":{"e":"depthUpdate","E":%d,"T":%d,"s":"%s","U":%d,"u":%d,'
            b'"pu":%d,"b":[["%s","1.500"]],"a":[]}}'
            % (sym.lower().encode(), ms, ms, sym.encode(), first, last, prev, bid.encode()))


def test_a_symbol_the_first_segment_lacks_is_replayed_from_the_segment_that_has_it(tmp_path):
    """A symbol with no frame before the first segment closed (a slow snapshot, a quiet market)
    has no file there: the ring's replay still knows it from the later segments' meta files."""
    from dom.runtime.replay import Replay
    from dom.venues.binance_usdm.recording_scan import open_recording

    specs = {s: {"tick_size": "0.1", "lot_size": "0.001", "contract_size": "1"} for s in ("BTCUSDT", "ETHUSDT")}
    meta = {"format": "dom-recording/1", "venue": "binanceusdm", "symbols": sorted(specs), "instruments": specs}
    ring = RingRecorder(tmp_path, meta, lambda recv_ns: [], keep_hours=1, segment_s=10)
    snap = b'{"lastUpdateId":100,"E":1,"T":1,"bids":[["100.0","1.000"]],"asks":[["100.5","2.000"]]}'
    ring.write_snapshot(T0, "BTCUSDT", snap)
    ring.write_frame(T0 + S, _depth("BTCUSDT", 95, 105, 94, 1_796_000_001_000, "100.0"))
    ring.write_snapshot(T0 + 11 * S, "ETHUSDT", snap)  # the second segment: ETHUSDT's first line
    ring.write_frame(T0 + 12 * S, _depth("ETHUSDT", 95, 105, 94, 1_796_000_012_000, "100.1"))
    ring.write_frame(T0 + 12 * S + 1, _depth("BTCUSDT", 106, 110, 105, 1_796_000_012_000, "100.2"))
    ring.close()
    first, second = (p for _, p in segments(tmp_path))
    assert [f.name[:7] for f in first.glob("*.gz")] == ["btcusdt"]
    assert sorted(f.name[:7] for f in second.glob("*.gz")) == ["btcusdt", "ethusdt"]

    assert sorted(open_recording(tmp_path).instruments) == ["BTCUSDT", "ETHUSDT"]
    rp = Replay(tmp_path)
    rp.run(lambda o: None)
    books = {sym: (st.state.value, st.book.best_bid()) for sym, st in rp.engine.symbols.items()}
    assert books == {"BTCUSDT": ("synced", (1002, 1500)), "ETHUSDT": ("synced", (1001, 1500))}


@pytest.mark.parametrize("doc", ['{"symbols": 5}', '[1, 2]', '{"symbols": ["BTCUSDT", 7]}', '{"instruments": []}',
                                 '{"instruments": {"BTCUSDT": {"tick_size": 0.1, "lot_size": "1"}}}',
                                 '{"instruments": {"BTCUSDT": null}}', '{"symbols": [' + '[' * 100_000 + ']'],
                         ids=["symbols-int", "a-list", "symbol-int", "instruments-list", "tick-float", "spec-null",
                              "nested-100k"])
def test_a_later_segments_hostile_meta_file_is_an_error_naming_it(tmp_path, doc):
    """Every segment's meta files are read now: one that is not a meta file stops the replay with
    a RecordingError that names it, not a TypeError from the merge."""
    from dom.errors import RecordingError
    from dom.venues.binance_usdm.recording_scan import open_recording

    meta = {"format": "dom-recording/1", "venue": "binanceusdm", "symbols": ["BTCUSDT"],
            "instruments": {"BTCUSDT": {"tick_size": "0.1", "lot_size": "0.001", "contract_size": "1"}}}
    ring = RingRecorder(tmp_path, meta, lambda recv_ns: [], keep_hours=1, segment_s=10)
    for k in range(3):
        ring.write_frame(T0 + k * 10 * S, _frame("BTCUSDT", k))
    ring.close()
    (_, _), (_, second), _ = segments(tmp_path)
    bad = next(second.glob("*.meta.json"))
    bad.write_text(doc)
    with pytest.raises(RecordingError, match=bad.name):
        open_recording(tmp_path)
