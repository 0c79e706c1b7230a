"""Continuous recording: a ring of time segments on disk, each one hftbacktest's layout.

    <dir>/20261203T101000.000Z/btcusdt_20261203.gz    (+ .meta.json)   one segment
    <dir>/20261203T102000.000Z/...                                       the next

Each segment is a directory that ``dom replay`` and hftbacktest's converter read as they read any
``dom record -o DIR/`` output, and each one starts on its own: it opens with a depth snapshot
per synced symbol (the book dom held at that instant, in the venue's REST body, on an event
boundary, so the next diff's ``pu`` is its ``lastUpdateId``). Segments older than ``keep_hours``
are deleted as new ones open. ``covering`` finds the segments from a moment on, for
``dom journal replay``.
"""

from __future__ import annotations

import calendar
import re
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from dom.errors import RecordingError
from dom.store.recording_dir import RecordingDirWriter, is_symbol_dir

_SEG = re.compile(r"^(\d{8}T\d{6})(?:\.(\d{3}))?Z$")  # (milliseconds since 2026-12-04; older: seconds)
SnapshotSource = Callable[[int], Iterable[tuple[str, bytes]]]
"""recv_ns -> ``(symbol, REST body)`` for every symbol whose book is synced now."""


def segment_name(start_ns: int) -> str:
    """The segment's directory name: its first frame's receive time, to the millisecond (two
    segments opened within one second, as short ones can be, must not share a directory)."""
    ms = start_ns // 1_000_000
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def segments(directory: str | Path) -> list[tuple[int, Path]]:
    """``(start_ns, path)`` of every segment under ``directory``, oldest first."""
    d = Path(directory)
    if not d.is_dir():
        return []
    out = []
    for p in d.iterdir():
        m = _SEG.match(p.name)
        if m and p.is_dir():
            try:
                start = calendar.timegm(time.strptime(m.group(1), "%Y%m%dT%H%M%S"))
            except ValueError:  # digits that are no date (20261399T...): not a segment
                continue
            out.append((start * 1_000_000_000 + int(m.group(2) or 0) * 1_000_000, p))
    return sorted(out)


def covering(directory: str | Path, at_ns: int) -> list[Path]:
    """The segments to play to reach ``at_ns``: the last one that started at or before it, and
    every later one (a replay fast-forwards through the first to the moment). Empty when the
    ring holds nothing that old, nothing that recent, or nothing at all."""
    segs = [(s, p) for s, p in segments(directory) if is_symbol_dir(p)]
    first = max((i for i, (s, _) in enumerate(segs) if s <= at_ns), default=None)
    if first is None or last_write_ns(segs[-1][1]) < at_ns:
        return []
    return [p for _, p in segs[first:]]


def last_write_ns(segment: Path) -> int:
    """When a segment was last written (its files are flushed at least once a second)."""
    return max((f.stat().st_mtime_ns for f in segment.iterdir() if f.suffix == ".gz"), default=0)


class RingRecorder:
    """Writes frames and snapshots into the current segment, opening the next one every
    ``segment_s`` seconds of receive time (with a snapshot per symbol from ``snapshots``) and
    deleting segments that ended more than ``keep_hours`` ago."""

    def __init__(self, directory: str | Path, meta: dict, snapshots: SnapshotSource,
                 keep_hours: float = 6.0, segment_s: float = 600.0) -> None:
        if not keep_hours > 0 or not segment_s > 0:
            raise RecordingError("the ring needs keep_hours > 0 and segment seconds > 0")
        self.dir = Path(directory)
        self.meta = {**meta, "ring": {"segment_s": segment_s, "keep_hours": keep_hours,
                                      "segment_snapshot": "the book dom held when the segment opened"}}
        self.snapshots = snapshots
        self.keep_ns = int(keep_hours * 3600e9)
        self.segment_ns = int(segment_s * 1e9)
        self.frames = 0
        self.pruned = 0
        self._writer: RecordingDirWriter | None = None
        self._ends = 0  # receive time at which the current segment closes
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RecordingError(f"cannot create {self.dir}: {e}") from None

    @property
    def current(self) -> Path | None:
        return self._writer.dir if self._writer is not None else None

    def _roll(self, recv_ns: int) -> RecordingDirWriter:
        w = self._writer
        if w is not None and recv_ns < self._ends:
            return w
        if w is not None:
            self.frames += w.frames
            w.close()
        start = recv_ns - recv_ns % self.segment_ns
        self._ends = start + self.segment_ns
        name = recv_ns
        while (self.dir / segment_name(name)).exists():  # never over a segment already written
            name += 1_000_000
        w = self._writer = RecordingDirWriter(self.dir / segment_name(name), self.meta, force=True)
        for sym, body in self.snapshots(recv_ns):
            w.write_snapshot(recv_ns, sym, body)
        self._prune(recv_ns)
        return w

    def _prune(self, now_ns: int) -> None:
        segs = segments(self.dir)
        for i, (start, p) in enumerate(segs[:-1]):
            ended = segs[i + 1][0]
            if now_ns - ended > self.keep_ns and p != self.current:
                shutil.rmtree(p, ignore_errors=True)
                self.pruned += 1

    def write_frame(self, recv_ns: int, raw: bytes | str) -> None:
        self._roll(recv_ns).write_frame(recv_ns, raw)

    def write_snapshot(self, recv_ns: int, symbol: str, body: bytes | str) -> None:
        self._roll(recv_ns).write_snapshot(recv_ns, symbol, body)

    def flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self.frames += self._writer.frames
            self._writer.close()
            self._writer = None
