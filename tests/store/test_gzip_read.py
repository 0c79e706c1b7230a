"""Gzip recordings inflated by zlib-ng (``dom.store.gzip_read``): the standard library's reader
with zlib-ng in zlib's place gives the same blocks and the same end (a ``Truncated`` with the same
reason after the same lines) as ``gzip.open`` on every recording and on damaged gzip files;
``DOM_ZLIB_NG=0``, a missing zlib-ng or one that lacks a name the reader needs fall back to
``gzip.open``."""

from __future__ import annotations

import gzip
import random
import types
import zlib
from pathlib import Path

import pytest

from dom.store import gzip_read
from tests.store.damaged_gzip import damaged_gzips
from dom.store import recording as rec

zlib_ng = pytest.importorskip("zlib_ng.zlib_ng")


@pytest.fixture(autouse=True)
def _unbound(monkeypatch):
    """Each test binds the reader afresh (and leaves the module as it found it)."""
    monkeypatch.setattr(gzip_read, "_fast", False)
    monkeypatch.delenv("DOM_READ_AHEAD", raising=False)


def _blocks(path: Path, monkeypatch, ng: bool) -> list:
    monkeypatch.setenv("DOM_ZLIB_NG", "1" if ng else "0")
    with rec.open_text(path) as f:
        if isinstance(f, gzip.GzipFile):
            assert (type(f) is not gzip.GzipFile) == ng, type(f)
    return list(rec._line_blocks(path))


def _same(path: Path, monkeypatch) -> list:
    plain = _blocks(path, monkeypatch, False)
    fast = _blocks(path, monkeypatch, True)
    assert fast == plain
    assert [type(b) for b in fast] == [type(b) for b in plain]
    return fast


def _write(tmp_path: Path, name: str, payload: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(payload)
    return p


def test_on_by_default_inflating_through_zlib_ng(shared_data, monkeypatch):
    monkeypatch.delenv("DOM_ZLIB_NG", raising=False)
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    with rec.open_text(path) as f:
        assert isinstance(f, gzip.GzipFile) and type(f) is not gzip.GzipFile
        f.read1(1 << 16)
        assert type(f._buffer.raw._decompressor) is type(zlib_ng.decompressobj(-zlib.MAX_WBITS))
    monkeypatch.setenv("DOM_ZLIB_NG", "0")
    with rec.open_text(path) as f:
        assert type(f) is gzip.GzipFile
        f.read1(1 << 16)
        assert type(f._buffer.raw._decompressor) is type(zlib.decompressobj(-zlib.MAX_WBITS))


def test_every_recording_reads_the_same(shared_data, monkeypatch):
    paths = sorted(p for p in shared_data.rglob("*") if p.is_file() and not p.name.endswith((".md", ".zip")))
    gz = [p for p in paths if p.read_bytes()[:2] == b"\x1f\x8b"]
    assert len(gz) >= 2  # (the two hftbacktest recordings)
    for p in paths:
        got = _same(p, monkeypatch)
        assert got and not any(type(b) is rec.Truncated for b in got), p


def test_its_crc_is_checked(shared_data, monkeypatch, tmp_path):
    """The whole recording with one flipped bit in its CRC: the same lines, then the same
    ``CRC check failed`` (computed by zlib-ng's crc32 on the fast path)."""
    data = bytearray((shared_data / "hftbacktest" / "spot" / "btcusdt_20240808.gz").read_bytes())
    data[-8] ^= 0x04
    got = _same(_write(tmp_path, "crc.gz", bytes(data)), monkeypatch)
    assert type(got[-1]) is rec.Truncated and "BadGzipFile: CRC check failed" in got[-1].reason
    assert sum(len(b) for b in got[:-1]) > 40_000  # (every line: the CRC is read last)


@pytest.fixture
def sample(shared_data) -> bytes:
    """The first ~1.5 MB of the real recording (a few dozen reads)."""
    with gzip.open(shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz", "rb") as f:
        data = f.read(1_500_000)
    return data[: data.rindex(b"\n") + 1]


def _deflated(data: bytes) -> bytes:
    """``data`` deflated, ending at a byte boundary mid-stream (a full flush)."""
    co = zlib.compressobj(5, zlib.DEFLATED, -zlib.MAX_WBITS)
    return co.compress(data) + co.flush(zlib.Z_FULL_FLUSH)


def test_damaged_gzip_ends_the_same(sample, tmp_path, monkeypatch):
    gz, cases = damaged_gzips(sample)
    rng = random.Random(31)
    cases.update({
        "empty.gz": b"",
        "empty_member.gz": gzip.compress(b"", mtime=0),
        # the first deflate block's type bits set to 3 (reserved): inflate's error at once
        "bad_block_type.gz": gz[:10] + bytes([gz[10] | 0x06]) + gz[11:],
        # the sample, then a stored block whose length's complement is wrong: an error after lines
        "bad_stored.gz": gz[:10] + _deflated(sample) + b"\x00\x05\x00\x00\x00hello",
    })
    for k in range(12):
        b = bytearray(gz)
        i = rng.randrange(12, len(b) - 300)
        if k % 2:  # a stretch of zeros
            b[i : i + 200] = bytes(200)
        else:  # a flipped bit
            b[i] ^= 1 << rng.randrange(8)
        cases[f"flip{k}.gz"] = bytes(b)
    size = bytearray(gz)
    size[-2] ^= 1
    cases["bad_size.gz"] = bytes(size)
    ends = {}
    for name, payload in cases.items():
        got = _same(_write(tmp_path, name, payload), monkeypatch)
        if name == "bad_stored.gz":
            assert sum(len(b) for b in got[:-1]) > 1000  # (the lines before the error)
        ends[name] = got[-1].reason.partition(" (")[2] if got and type(got[-1]) is rec.Truncated else None
    assert ends["whole.gz"] is None and ends["zeros_after.gz"] is None and ends["two_members.gz"] is None
    assert ends["empty.gz"] is None and ends["empty_member.gz"] is None
    for name in ("cut_header.gz", "cut_early.gz", "cut_middle.gz", "cut_trailer.gz", "member_then_cut.gz"):
        assert ends[name] is not None and ends[name].startswith("EOFError"), name
    assert ends["junk_after.gz"].startswith("BadGzipFile: Not a gzipped file")
    assert ends["bad_crc.gz"].startswith("BadGzipFile: CRC check failed")
    assert ends["bad_size.gz"].startswith("BadGzipFile: Incorrect length")
    # zlib-ng's error is caught like zlib's and named alike ("error: Error -3 ...")
    assert ends["bad_block_type.gz"] == "error: Error -3 while decompressing data: invalid block type)"
    assert ends["bad_stored.gz"] == "error: Error -3 while decompressing data: invalid stored block lengths)"
    assert all(ends[f"flip{k}.gz"] is not None for k in range(12))


def test_read_ahead_reads_the_fast_reader_the_same(sample, tmp_path, monkeypatch):
    p = _write(tmp_path, "r.gz", gzip.compress(sample, mtime=0)[:-20_000])
    plain = _blocks(p, monkeypatch, False)
    monkeypatch.setenv("DOM_READ_AHEAD", "1")
    assert _blocks(p, monkeypatch, True) == plain and type(plain[-1]) is rec.Truncated


def test_falls_back_without_zlib_ng(sample, tmp_path, monkeypatch):
    p = _write(tmp_path, "r.gz", gzip.compress(sample, mtime=0))
    monkeypatch.delenv("DOM_ZLIB_NG", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "zlib_ng", None)  # (import fails)
    with rec.open_text(p) as f:
        assert type(f) is gzip.GzipFile
    assert gzip_read._fast is None


def test_falls_back_when_zlib_ng_lacks_a_name(sample, tmp_path, monkeypatch):
    """A zlib-ng without a name the standard library's reader reads from zlib (here crc32)."""
    p = _write(tmp_path, "r.gz", gzip.compress(sample, mtime=0))
    lacking = types.ModuleType("zlib_ng.zlib_ng")
    for name in dir(zlib_ng):
        if name != "crc32":
            setattr(lacking, name, getattr(zlib_ng, name))
    package = types.ModuleType("zlib_ng")
    package.zlib_ng = lacking  # type: ignore[attr-defined]
    sys_modules = __import__("sys").modules
    monkeypatch.setitem(sys_modules, "zlib_ng", package)
    monkeypatch.setitem(sys_modules, "zlib_ng.zlib_ng", lacking)
    monkeypatch.delenv("DOM_ZLIB_NG", raising=False)
    with rec.open_text(p) as f:
        assert type(f) is gzip.GzipFile


def test_the_names_the_reader_needs_are_found():
    names = {n for f in gzip_read._functions(gzip) for n in gzip_read._zlib_attrs(f.__code__)}
    assert {"decompressobj", "crc32", "MAX_WBITS"} <= names
    assert not any(n.startswith("__") for n in names)


def test_the_rebound_reader_is_the_standard_librarys_code():
    cls = gzip_read._bind()
    assert cls is not None and issubclass(cls, gzip.GzipFile)
    reader = cls.__init__.__globals__["_GzipReader"]
    assert issubclass(reader, gzip._GzipReader)
    for name, fn in vars(gzip._GzipReader).items():
        if type(fn) is types.FunctionType:
            mine = vars(reader)[name]
            assert mine.__code__ is fn.__code__ and mine.__globals__["zlib"] is zlib_ng
    assert gzip._GzipReader.read.__globals__["zlib"] is zlib  # (the module itself untouched)
