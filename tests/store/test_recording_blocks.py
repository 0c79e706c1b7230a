"""The recording reader splits lines out of large reads (``_line_blocks``): the frames, bad lines
and the ``Truncated`` end must be the ones a ``readline`` per line gave, whatever the file."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from dom.store import recording as rec
from dom.store.recording import SNAPSHOT_SUFFIX, BadLine, Frame


def _reference(path: Path) -> list:
    """The reader as it was: one ``readline`` per line through ``_lines``."""
    out: list = []
    for item in rec._lines(path):
        if isinstance(item, rec.Truncated):
            out.append(item)
            break
        n, line = item
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        ts, sep, raw = line.partition(b" ")
        if not sep or not ts.isdigit():
            out.append(BadLine(n, "no '<recv_ns> <frame>' prefix"))
            continue
        sym = None
        if raw.startswith(b'{"stream":"'):
            end = raw.find(b'"', 11)
            stream = raw[11:end].decode("ascii", "replace")
            if stream.endswith(SNAPSHOT_SUFFIX):
                sym = stream[: -len(SNAPSHOT_SUFFIX)].upper()
                body = raw[end + 1:]
                i = body.find(b":")
                raw = body[i + 1: -1] if i >= 0 and body.endswith(b"}") else b""
        elif raw.startswith(b'{"lastUpdateId"'):
            sym = ""
        out.append(Frame(n, int(ts), raw, sym))
    return out


def _same(path: Path) -> list:
    got = list(rec.iter_hftbacktest(path))
    want = _reference(path)
    assert [(type(x), x) for x in got] == [(type(x), x) for x in want]
    return got


LINES = [
    b'1000 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":1,"s":"BTCUSDT"}}',
    b'1001 {"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":5,"bids":[],"asks":[]}}',
    b'1002 {"lastUpdateId":7,"bids":[["1.0","2"]],"asks":[]}',
    b'1003 {"stream":"btcusdt@depthSnapshot',  # no closing quote
    b'1004 {"stream":"\xc3\xa9@depthSnapshot","data":{}}',  # not ASCII
    b'1005 {"stream":"@depthSnapshot","data":x',  # no closing brace
    b'1006 {"stream":"x@depthSnapshot"',
    b'1007 {"stream":"x@depthsnapshot","data":{}}',
    b'abc {"e":"x"}',
    b'1008',
    b'1009 ',
    b'',
    b'   ',
    b'1010 {"stream":"a","data":{"e":"trade"}}\r',
    b'1011 plain\r\r',
    b'\r',
]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\n\n"])
@pytest.mark.parametrize("last_newline", [True, False])
@pytest.mark.parametrize("gz", [True, False])
def test_edge_lines_read_the_same(tmp_path: Path, ending: bytes, last_newline: bool, gz: bool) -> None:
    body = ending.join(LINES) + (ending if last_newline else b"")
    p = tmp_path / ("r.gz" if gz else "r.txt")
    p.write_bytes(gzip.compress(body) if gz else body)
    got = _same(p)
    assert any(type(x) is BadLine for x in got) and any(x.snapshot_symbol == "BTCUSDT" for x in got
                                                          if type(x) is Frame)


@pytest.mark.parametrize("body,frames", [(b"", 0), (b"\n", 0), (b"5 {}", 1), (b"5 {}\n6 {}", 2)])
def test_tiny_files(tmp_path: Path, body: bytes, frames: int) -> None:
    for name, data in (("t.gz", gzip.compress(body)), ("t.txt", body)):
        p = tmp_path / name
        p.write_bytes(data)
        got = _same(p)
        assert len(got) == frames and all(type(x) is Frame for x in got), name


def test_lines_longer_than_a_read_and_several_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(5)
    lines = [b'%d {"stream":"x%d@depthSnapshot","data":{"a":"%s"}}' % (i, i, b"y" * rnd.randrange(1, 3000))
             for i in range(60)]
    body = b"\n".join(lines) + b"\n"
    p = tmp_path / "m.gz"
    p.write_bytes(gzip.compress(body[:5000]) + gzip.compress(body[5000:]) + b"\0\0\0")
    monkeypatch.setattr(rec, "_BLOCK", 1000)  # most lines span several reads
    assert len(_same(p)) == 60
    p.write_bytes(gzip.compress(body) + b"trailing garbage")
    assert type(_same(p)[-1]) is rec.Truncated


def test_cut_and_corrupt_files_end_at_the_same_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(7)
    body = b"".join(b'%d {"stream":"btcusdt@trade","data":{"t":%d,"p":"%d.5"}}\n' % (10**18 + i, i, rnd.randrange(9**9))
                    for i in range(20_000))
    data = gzip.compress(body, compresslevel=5)
    monkeypatch.setattr(rec, "_BLOCK", 4096)
    ends = set()
    for k in range(12):
        p = tmp_path / f"cut{k}.gz"
        p.write_bytes(data[: rnd.randrange(20, len(data) - 8)])
        got = _same(p)
        assert type(got[-1]) is rec.Truncated
        ends.add(got[-1].line_no)
        bad = bytearray(data)
        bad[rnd.randrange(20, len(data))] ^= 0x5A
        p.write_bytes(bytes(bad))
        _same(p)
    assert len(ends) > 6  # the cuts fell at many places


def test_the_real_recording_reads_the_same(shared_data: Path) -> None:
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    got = _same(path)
    assert len(got) == 93_954 and sum(fr.snapshot_symbol is not None for fr in got) == 1


@pytest.mark.parametrize("prescan", [3, 50, 10_000])
def test_the_scanned_frames_are_handed_out_once_then_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  prescan: int) -> None:
    # The recording's scan keeps what it read for the first frames() call: that call and every
    # later one give the file's frames, in order, as a fresh read does.
    from dom.venues.binance_usdm import recording_scan

    monkeypatch.setattr(recording_scan, "_PRESCAN_LINES", prescan)
    snap = b'{"lastUpdateId":7,"bids":[["100.0","1.000"]],"asks":[["100.1","2.000"]]}'
    lines = [b"1 " + snap] + [
        b'%d {"stream":"btcusdt@trade","data":{"e":"trade","E":%d,"T":%d,"s":"BTCUSDT","t":%d,"p":"100.0",'
        b'"q":"0.001","m":true}}' % (i, i, i, i) for i in range(2, 300)] + [b"x bad", b'301 {"e":"x"}']
    first = tmp_path / "a.gz"
    first.write_bytes(gzip.compress(b"\n".join(lines[:200]) + b"\n"))
    second = tmp_path / "b.gz"
    second.write_bytes(gzip.compress(b"\n".join(lines[200:]) + b"\n")[:-30])  # cut short
    want = list(rec.iter_hftbacktest(first)) + list(rec.iter_hftbacktest(second))
    info = recording_scan.open_recording([first, second])
    assert info.instruments["BTCUSDT"].tick_size and type(want[-1]) is rec.Truncated
    assert list(info.frames()) == want
    assert list(info.frames()) == want
    again = recording_scan.open_recording([first, second])
    a, b = again.frames(), again.frames()  # two readers: whichever starts first takes the kept frames
    assert next(b) == want[0] and list(a) == want and list(b) == want[1:]
