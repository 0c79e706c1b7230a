"""hftbacktest's collector layout: one gzip file per symbol and UTC day,
``<dir>/<symbol lower>_<YYYYMMDD>.gz``, each line ``<recv_ns> <raw frame>``, REST snapshots as
their bare body (the file names the symbol). hftbacktest's own converter
(``hftbacktest.data.utils.binancefutures.convert``) reads these files as they are.

``RecordingDirWriter`` writes it (``dom record -o DIR``); ``iter_dir`` reads a directory of such
files back as one recording, every symbol's days in order, merged by receive time.
"""

from __future__ import annotations

import gzip
import heapq
import json
import re
import time
from pathlib import Path
from typing import IO, Iterator

from dom.errors import RecordingError
from dom.store.recording import BadLine, Frame, iter_hftbacktest

_NAME = re.compile(r"^([a-z0-9]+)_(\d{8})\.gz$")
_STREAM = b'{"stream":"'


def symbol_files(directory: Path) -> dict[str, list[Path]]:
    """Symbol -> its day files in date order, for the files named ``<symbol>_<YYYYMMDD>.gz``."""
    out: dict[str, list[Path]] = {}
    for f in sorted(directory.iterdir()):
        m = _NAME.match(f.name)
        if m and f.is_file():
            out.setdefault(m.group(1).upper(), []).append(f)
    return out


def is_symbol_dir(directory: Path) -> bool:
    return directory.is_dir() and bool(symbol_files(directory))


def iter_dir(directory: Path) -> Iterator[Frame | BadLine]:
    """Every symbol's frames (its days in order), merged by receive time; a bare snapshot body
    belongs to its file's symbol. Line numbers are each file's own."""

    def one(sym: str, files: list[Path]) -> Iterator[tuple[int, int, Frame | BadLine]]:
        for f in files:
            for fr in iter_hftbacktest(f):
                if isinstance(fr, Frame):
                    if fr.snapshot_symbol == "":
                        fr = Frame(fr.line_no, fr.recv_ns, fr.raw, sym)
                    yield fr.recv_ns, 0, fr
                else:
                    yield 0, 0, fr  # a bad line goes out at once (a truncated file ends its day)

    streams = [one(s, fs) for s, fs in symbol_files(directory).items()]
    if not streams:
        raise RecordingError(f"no <symbol>_<YYYYMMDD>.gz files in {directory}")
    for _, _, fr in heapq.merge(*streams, key=lambda t: t[0]):
        yield fr


class RecordingDirWriter:
    """Writes the per-symbol, per-day layout. A frame's symbol comes from its combined-stream
    name (``btcusdt@depth@100ms``); snapshots are written bare to their symbol's file. Each file
    gets a ``.meta.json`` beside it; every file is flushed at least once a second."""

    def __init__(self, directory: str | Path, meta: dict, force: bool = False) -> None:
        self.dir = Path(directory)
        self.meta = meta
        self.force = force
        self.frames = 0
        self.files: list[Path] = []
        self._open: dict[str, tuple[str, IO[bytes]]] = {}  # symbol -> (day, file)
        self._flushed = time.monotonic()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RecordingError(f"cannot create {self.dir}: {e}") from None

    def _file(self, symbol: str, recv_ns: int) -> IO[bytes]:
        day = time.strftime("%Y%m%d", time.gmtime(recv_ns // 1_000_000_000))
        cur = self._open.get(symbol)
        if cur is not None and cur[0] == day:
            return cur[1]
        if cur is not None:
            cur[1].close()
        path = self.dir / f"{symbol.lower()}_{day}.gz"
        if path.exists() and not self.force and path not in self.files:
            raise RecordingError(f"{path} exists: pass --force to overwrite it")
        try:
            f = gzip.open(path, "wb", compresslevel=5)
            meta = {**self.meta, "symbols": [symbol.upper()],
                    "instruments": {k: v for k, v in self.meta.get("instruments", {}).items() if k == symbol.upper()}}
            Path(str(path) + ".meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        except OSError as e:
            raise RecordingError(f"cannot write {path}: {e}") from None
        self.files.append(path)
        self._open[symbol] = (day, f)
        return f

    def write_frame(self, recv_ns: int, raw: bytes | str) -> None:
        if isinstance(raw, str):
            raw = raw.encode()
        if not raw.startswith(_STREAM):
            return  # only combined-stream frames name their symbol (subscription acks do not)
        end = raw.find(b"@", len(_STREAM))
        if end < 0:
            return
        symbol = raw[len(_STREAM):end].decode("ascii", "replace").upper()
        self._line(symbol, recv_ns, raw)

    def write_snapshot(self, recv_ns: int, symbol: str, body: bytes | str) -> None:
        if isinstance(body, str):
            body = body.encode()
        self._line(symbol.upper(), recv_ns, body.strip())

    def _line(self, symbol: str, recv_ns: int, raw: bytes) -> None:
        self._file(symbol, recv_ns).write(b"%d %s\n" % (recv_ns, raw.replace(b"\n", b" ")))
        self.frames += 1
        now = time.monotonic()
        if now - self._flushed >= 1.0:
            self.flush()
            self._flushed = now

    def flush(self) -> None:
        for _, f in self._open.values():
            f.flush()

    def close(self) -> None:
        for _, f in self._open.values():
            f.close()
        self._open.clear()
