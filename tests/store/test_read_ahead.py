"""A gzip recording's blocks read ahead on a thread (``dom.store.read_ahead``): the same blocks and
the same end (a ``Truncated`` with the same reason after the same lines) as the plain reader on
every recording and on damaged gzip files, and no thread left behind however the reading ends."""

from __future__ import annotations

import gzip
import random
import threading
from pathlib import Path

import pytest

from dom.store import read_ahead as ra
from dom.store import recording as rec
from tests.store.damaged_gzip import damaged_gzips


def _blocks(path: Path, monkeypatch, on: bool) -> list:
    monkeypatch.setenv("DOM_READ_AHEAD", "1" if on else "0")
    return list(rec._line_blocks(path))


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dom-read-ahead"]


def _same(path: Path, monkeypatch) -> list:
    plain = _blocks(path, monkeypatch, False)
    ahead = _blocks(path, monkeypatch, True)
    assert ahead == plain
    assert [type(b) for b in ahead] == [type(b) for b in plain]
    assert not _threads()
    return ahead


def _recordings(shared_data: Path) -> list[Path]:
    return sorted(p for p in shared_data.rglob("*") if p.is_file() and not p.name.endswith((".md", ".zip")))


def test_every_recording_reads_the_same_ahead(shared_data, monkeypatch):
    paths = _recordings(shared_data)
    gz = [p for p in paths if isinstance(rec.open_text(p), gzip.GzipFile)]
    assert len(gz) >= 2  # (the two hftbacktest recordings: the ones read ahead)
    for p in paths:
        got = _same(p, monkeypatch)
        assert got and not any(type(b) is rec.Truncated for b in got), p


def test_the_thread_runs_while_reading(shared_data, monkeypatch):
    monkeypatch.setenv("DOM_READ_AHEAD", "1")
    it = rec._line_blocks(shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz")
    first = next(it)
    assert first and len(_threads()) == 1
    it.close()
    assert not _threads()


@pytest.fixture
def sample(shared_data) -> bytes:
    """The first ~2 MB of the real recording, gzipped (a few dozen reads)."""
    with gzip.open(shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz", "rb") as f:
        data = f.read(2_000_000)
    return data[: data.rindex(b"\n") + 1]


def _write(tmp_path: Path, name: str, payload: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(payload)
    return p


def test_damaged_gzip_ends_the_same(sample, tmp_path, monkeypatch):
    gz, cases = damaged_gzips(sample)
    rng = random.Random(7)
    for k in range(6):
        b = bytearray(gz)
        i = rng.randrange(20, len(b) - 20)
        b[i] ^= 0xFF  # a flipped byte: an inflate error or a CRC failure at the end
        cases[f"flip{k}.gz"] = bytes(b)
    ends = {}
    for name, payload in cases.items():
        got = _same(_write(tmp_path, name, payload), monkeypatch)
        ends[name] = got[-1].reason.partition(" (")[2] if got and type(got[-1]) is rec.Truncated else None
    assert ends["whole.gz"] is None and ends["zeros_after.gz"] is None and ends["two_members.gz"] is None
    for name in ("cut_header.gz", "cut_early.gz", "cut_middle.gz", "cut_trailer.gz", "member_then_cut.gz"):
        assert ends[name] is not None and ends[name].startswith("EOFError"), name
    assert ends["junk_after.gz"].startswith("BadGzipFile")
    assert ends["bad_crc.gz"].startswith("BadGzipFile: CRC check failed")
    assert sum(ends[f"flip{k}.gz"] is not None for k in range(6)) >= 5


def test_an_empty_file_reads_the_same(tmp_path, monkeypatch):
    assert _same(_write(tmp_path, "empty.gz", b""), monkeypatch) == []
    assert _same(_write(tmp_path, "empty_member.gz", gzip.compress(b"", mtime=0)), monkeypatch) == []


def test_an_error_in_the_consumer_leaves_no_thread(sample, tmp_path, monkeypatch):
    p = _write(tmp_path, "r.gz", gzip.compress(sample, mtime=0))
    monkeypatch.setenv("DOM_READ_AHEAD", "1")
    for exc in (ValueError, KeyboardInterrupt):
        with pytest.raises(exc):
            for i, _ in enumerate(rec._line_blocks(p)):
                if i == 2:
                    raise exc("consumer")
        assert not _threads()


def test_a_reader_that_raises_hands_the_error_over_in_order():
    calls = []

    def read(size: int) -> bytes:
        calls.append(size)
        if len(calls) == 4:
            raise OSError("disk")
        return b"x%d" % len(calls)

    got = []
    with pytest.raises(OSError, match="disk"):
        for block in ra.read_ahead(read, 10):
            got.append(block)
    assert got == [b"x1", b"x2", b"x3"] and calls == [10] * 4
    assert not _threads()


def test_it_reads_no_further_than_its_depth_ahead():
    calls = []
    more = threading.Event()

    def read(size: int) -> bytes:
        calls.append(size)
        if len(calls) > 10:
            more.set()
        return b"x"

    it = ra.read_ahead(read, 1, depth=3)
    assert next(it) == b"x"
    assert not more.wait(0.3)  # (the thread waits for room: one taken, at most depth + 2 read)
    assert len(calls) <= 5
    it.close()
    assert not _threads() and len(calls) <= 5  # (stopped where it waited: nothing read after)


def test_it_ends_at_the_first_empty_read():
    blocks = iter([b"a", b"b", b"", b"c"])
    seen = []

    def read(size: int) -> bytes:
        b = next(blocks)
        seen.append(b)
        return b

    assert list(ra.read_ahead(read, 1)) == [b"a", b"b"]
    assert seen == [b"a", b"b", b""]
    assert not _threads()


def test_off_by_default(shared_data, monkeypatch):
    monkeypatch.delenv("DOM_READ_AHEAD", raising=False)
    it = rec._line_blocks(shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz")
    assert next(it) and not _threads()
    it.close()
