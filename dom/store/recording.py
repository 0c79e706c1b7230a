"""Recording files: reading both formats dom replays, and writing dom's own.

**dom's format** (what ``dom record`` writes) is hftbacktest's collector format, so recordings
interoperate with hftbacktest: gzip text, one frame per line, ``<recv_ns> <raw frame exactly as
received>``. A REST depth snapshot is a line of its own holding the raw response body. Because a
USDⓈ-M depth body names no symbol, a recording of several symbols wraps each snapshot body as
``{"stream":"<symbol lower>@depthSnapshot","data":<raw body>}``; a single-symbol recording may
hold the bare body (as hftbacktest's files do). Venue, symbols, instruments and endpoint go in a
sidecar ``<file>.meta.json``. See docs/RECORDING.md.

**cryptofeed's sample format** (``*.ws.*`` with ``*.http.*`` beside it) is read too, merged by
receive time.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from functools import partial
from typing import IO, Iterator

from dom.core import accel
from dom.core.types import fast_init
from dom.errors import RecordingError
from dom.store.gzip_read import CORRUPT, open_gzip
from dom.store.read_ahead import enabled as read_ahead_on
from dom.store.read_ahead import read_ahead

SNAPSHOT_SUFFIX = "@depthSnapshot"


@fast_init  # one per line of a recording
@dataclass(frozen=True, slots=True)
class Frame:
    """One received frame. ``symbol`` is set for REST snapshots (the body names none)."""

    line_no: int
    recv_ns: int
    raw: bytes
    snapshot_symbol: str | None = None


@dataclass(frozen=True, slots=True)
class BadLine:
    line_no: int
    reason: str


@dataclass(frozen=True, slots=True)
class Truncated(BadLine):
    """The file ends inside a gzip member or is corrupt there: nothing after ``line_no`` can be
    read (``dom record`` killed with -9 leaves such a file)."""


def _unreadable(path: Path, n: int, e: BaseException) -> Truncated:
    return Truncated(n + 1, f"{path.name}: unreadable after line {n} ({type(e).__name__}: {str(e)[:80]})")


def _lines(path: Path) -> Iterator[tuple[int, bytes] | Truncated]:
    """``(line_no, line)`` for each line; a ``Truncated`` last if the file is cut or corrupt."""
    n = 0
    try:
        with open_text(path) as f:
            for n, line in enumerate(f, 1):
                yield n, line
    except CORRUPT as e:
        yield _unreadable(path, n, e)


_BLOCK = 1 << 18  # decompressed bytes a read


def _line_blocks(path: Path) -> Iterator[list[bytes] | Truncated]:
    """The file's lines in blocks, each line without its ``\\n`` (nor a trailing ``\\r``): the
    lines ``_lines`` gives, read ``_BLOCK`` bytes at a time and split in C instead of a
    ``readline`` call each. ``read1`` returns what one read of the file decompresses, and raises
    only when nothing is left to return, so every complete line before a cut or a corrupt spot
    comes out before the ``Truncated`` (an unterminated line there is dropped, as ``readline``
    drops it)."""
    n = 0
    native = accel.native
    split = native.split_lines if native is not None else None
    try:
        with open_text(path) as f:
            # With DOM_READ_AHEAD=1, a gzip file's next block is read and inflated on a thread
            # while this one is split and used (read_ahead: the same blocks, the same exception
            # at the same point; off by default, its gain not shown).
            ahead = read_ahead(f.read1, _BLOCK) if isinstance(f, gzip.GzipFile) and read_ahead_on() else None
            blocks = ahead if ahead is not None else iter(partial(f.read1, _BLOCK), b"")
            try:
                rest = b""
                for data in blocks:
                    if split is not None:  # the same lines, found by memchr, rest not copied into a buffer
                        lines = split(rest, data)
                        cr = b"\r" in data or b"\r" in rest
                    else:
                        buf = rest + data if rest else data
                        lines = buf.split(b"\n")
                        cr = b"\r" in buf
                    rest = lines.pop()
                    n += len(lines)
                    if cr:  # (CRLF lines: rare; one search a block instead of a test a line)
                        lines = [line.rstrip(b"\r") if line[-1:] == b"\r" else line for line in lines]
                    yield lines
                if rest:
                    n += 1
                    yield [rest.rstrip(b"\r")]
            finally:
                if ahead is not None:  # (the thread stopped before the file closes)
                    ahead.close()
    except CORRUPT as e:
        yield _unreadable(path, n, e)


def open_text(path: Path) -> IO[bytes]:
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return open_gzip(path)  # (gzip.open's reader, inflated by zlib-ng where installed)
    return open(path, "rb")


def read_meta(path: Path) -> dict:
    meta = Path(str(path) + ".meta.json")
    if not meta.exists():
        return {}
    try:
        doc = json.loads(meta.read_text())
    except (OSError, ValueError, RecursionError) as e:
        raise RecordingError(f"cannot read {meta}: {e}") from None
    # (read at the edge: the symbols and instruments are merged and read as these types later)
    ok = type(doc) is dict
    symbols, inst = (doc.get("symbols", []), doc.get("instruments", {})) if ok else (None, None)
    ok = ok and type(symbols) is list and all(type(s) is str for s in symbols) and type(inst) is dict
    ok = ok and all(type(v) is dict and type(v.get("tick_size")) is str and type(v.get("lot_size")) is str
                    for v in inst.values())
    if not ok:
        raise RecordingError(f"{meta}: not a recording's meta file (an object whose symbols are a list of "
                             "names and whose instruments give tick_size and lot_size as strings)")
    return doc


def sniff_format(path: Path) -> str:
    """``"hftbacktest"`` (also dom's own) or ``"cryptofeed"``."""
    with open_text(path) as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            head = line.split(b" ", 1)[0]
            if head.isdigit():
                return "hftbacktest"
            if head.startswith((b"wss://", b"ws://", b"https://", b"http://")) or re.match(rb"^\d+\.\d+:", head):
                return "cryptofeed"
            raise RecordingError(f"{path}: not a recording dom can read (first line starts {head[:40]!r})")
    raise RecordingError(f"{path}: empty recording")


_SNAP_PREFIX = b'{"stream":"'


def iter_hftbacktest(path: Path) -> Iterator[Frame | BadLine]:
    for block in hftbacktest_blocks(path):
        if type(block) is Truncated:
            yield block
            return
        yield from frames_of_block(*block)  # type: ignore[misc]


def hftbacktest_blocks(path: Path) -> Iterator[tuple[int, list[bytes]] | Truncated]:
    """The file's lines as ``(n0, lines)`` blocks (the first line of a block is line ``n0 + 1``),
    then a ``Truncated`` if the file is cut or corrupt: what ``iter_hftbacktest`` reads, before
    ``frames_of_block`` makes frames of it (``dom replay`` decodes most lines of a block in C,
    and only the others as frames)."""
    n = 0
    for lines in _line_blocks(path):
        if type(lines) is Truncated:
            yield lines
            return
        yield n, lines
        n += len(lines)


def frames_of_block(n: int, lines: list[bytes]) -> Iterator[Frame | BadLine]:
    """The frames (and bad lines) of a block of lines, the first being line ``n + 1``."""
    frame, bad = Frame, BadLine
    snap, bare, suffix = _SNAP_PREFIX, b'{"lastUpdateId"', SNAPSHOT_SUFFIX.encode()
    start, last = len(_SNAP_PREFIX), suffix[-1]
    for line in lines:
        n += 1
        if not line:
            continue
        ts, sep, raw = line.partition(b" ")
        if not sep or not ts.isdigit():
            yield bad(n, "no '<recv_ns> <frame>' prefix")
            continue
        sym = None
        if raw.startswith(snap):
            # A combined-stream frame: a wrapped REST snapshot when its stream name ends in
            # @depthSnapshot (tested on the bytes: the name decoded with "replace" ends so
            # exactly when they do). The name's last byte first: most frames end otherwise.
            end = raw.find(b'"', start)
            if raw[end - 1] == last and raw.endswith(suffix, start, end):
                stream = raw[len(snap) : end].decode("ascii", "replace")
                sym = stream[: -len(SNAPSHOT_SUFFIX)].upper()
                body = raw[end + 1 :]
                # ,"data":<body>}  -> <body>
                i = body.find(b":")
                raw = body[i + 1 : -1] if i >= 0 and body.endswith(b"}") else b""
        elif raw.startswith(bare):
            sym = ""  # bare REST body: the recording's single symbol
        yield frame(n, int(ts), raw, sym)


_CF_RECV = re.compile(rb"^(\d+\.\d+): (.*)$", re.S)
_CF_HTTP = re.compile(rb"^(\S+) -> (\d+\.\d+): (.*)$", re.S)


def _sec_to_ns(text: bytes) -> int:
    return int(Decimal(text.decode()) * 1_000_000_000)


def _cryptofeed_http(path: Path) -> list[Frame | BadLine]:
    out: list[Frame | BadLine] = []
    with open_text(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            m = _CF_HTTP.match(line)
            if not m:
                out.append(BadLine(n, "not an '<url> -> <ts>: <body>' line"))
                continue
            url, ts, body = m.groups()
            sm = re.search(rb"[?&]symbol=([A-Za-z0-9_]+)", url)
            if b"/depth" in url and sm:
                out.append(Frame(n, _sec_to_ns(ts), body, sm.group(1).decode().upper()))
    return out


def iter_cryptofeed(path: Path) -> Iterator[Frame | BadLine]:
    """The ``.ws.`` file's received frames merged, by receive time, with the sibling ``.http.``
    file's REST snapshots (line numbers are the ws file's; snapshots keep their own)."""
    http: list[Frame | BadLine] = []
    venue = path.name.split(".ws.", 1)[0]
    for sib in sorted(path.parent.glob(venue + ".http.*")):
        http += [f for f in _cryptofeed_http(sib) if isinstance(f, Frame)]
    http.sort(key=lambda f: f.recv_ns)  # type: ignore[union-attr]
    i = 0
    for item in _lines(path):
        if isinstance(item, Truncated):
            yield from http[i:]
            yield item
            return
        n, line = item
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        m = _CF_RECV.match(line)
        if not m:
            if b" <-> " in line or b" <- " in line:
                continue  # connection opened / message sent by the client
            yield BadLine(n, "not a '<ts>: <frame>' line")
            continue
        ts = _sec_to_ns(m.group(1))
        while i < len(http) and http[i].recv_ns <= ts:  # type: ignore[union-attr]
            yield http[i]
            i += 1
        yield Frame(n, ts, m.group(2))
    yield from http[i:]


def exchange_info_beside(path: Path) -> bytes | None:
    """cryptofeed keeps ``/exchangeInfo`` in ``<VENUE>.0`` next to the ws file."""
    cand = path.parent / (path.name.split(".", 1)[0] + ".0")
    if not cand.exists():
        return None
    with open_text(cand) as f:
        for line in f:
            m = _CF_HTTP.match(line.rstrip(b"\r\n"))
            if m and b"exchangeInfo" in m.group(1):
                return m.group(3)
    return None


class RecordingWriter:
    """Writes dom's recording format: gzip, ``<recv_ns> <raw>`` per line. The gzip stream is
    flushed at least every ``flush_every_ns`` of receive time, so a writer killed with -9 loses at
    most about that much (``dom replay`` reads the rest and says where the file ends)."""

    def __init__(self, path: str | Path, meta: dict, force: bool = False, flush_every_ns: int = 1_000_000_000) -> None:
        self.path = Path(path)
        self.frames = 0
        self.flush_every_ns = flush_every_ns
        self._flushed_ns = 0
        if self.path.exists() and not force:
            raise RecordingError(f"{self.path} exists: pass --force to overwrite it")
        try:
            self._f = gzip.open(self.path, "wb", compresslevel=5)
            Path(str(self.path) + ".meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        except OSError as e:
            raise RecordingError(f"cannot write {self.path}: {e}") from None

    def write_frame(self, recv_ns: int, raw: bytes | str) -> None:
        if isinstance(raw, str):
            raw = raw.encode()
        self._f.write(b"%d %s\n" % (recv_ns, raw.replace(b"\n", b" ")))
        self.frames += 1
        if recv_ns - self._flushed_ns >= self.flush_every_ns:
            self._f.flush()  # a sync flush point: everything before it survives a kill -9
            self._flushed_ns = recv_ns

    def write_snapshot(self, recv_ns: int, symbol: str, body: bytes | str) -> None:
        if isinstance(body, str):
            body = body.encode()
        wrapped = b'{"stream":"%s%s","data":%s}' % (
            symbol.lower().encode(),
            SNAPSHOT_SUFFIX.encode(),
            body.strip().replace(b"\n", b" "),
        )
        self.write_frame(recv_ns, wrapped)

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()
