"""Binance local-book procedure as a pure state machine (USDⓈ-M ``pu`` rule and spot rule).

Feed it deltas and snapshots in arrival order; it tells you what to do with each:

* before a snapshot, deltas are buffered (bounded) and a snapshot is requested;
* on the snapshot, buffered deltas with ``u < lastUpdateId`` are dropped, the first applied one
  must bridge (``U <= lastUpdateId <= u``, or ``pu == lastUpdateId`` for a snapshot taken on an
  event boundary; spot: ``U <= lastUpdateId + 1 <= u``), then the chain
  rule holds (USDⓈ-M: ``pu == previous u``; spot: ``U == previous u + 1``);
* a snapshot older than the first buffered delta (nothing bridges) asks for another snapshot;
* a delta already covered (``u <= previous u``: a duplicate or a replayed message) is ignored;
* any other break is a gap: the book is unsynced, the delta is buffered, a snapshot is requested.

No deltas are lost across a resync: everything after the gap is buffered until the next snapshot.

Venues that send their snapshot in the stream (OKX, Bybit v5, Bitget, Kraken) follow simpler rules,
selected by :class:`Rule`; a snapshot there always (re)syncs the book on its own, and the deltas
buffered before it are older than it (same connection, arrival order) and are dropped:

* ``OKX``: ``last_id``/``prev_id`` are ``seqId``/``prevSeqId``; each update's ``prevSeqId`` equals
  the previous ``seqId`` (a heartbeat has ``prevSeqId == seqId``, a sequence reset
  ``seqId < prevSeqId``: both chain by that rule). An update with no ids (``prev_id`` and
  ``last_id`` both -1, as before OKX added them) is applied and left to the checksum.
* ``BYBIT``: ``first_id == last_id == u``; ``u`` grows by exactly 1 per message. A message
  that repeats the last ``u`` is a resend (ignored). A fresh snapshot (``type: snapshot``, or
  ``u == 1`` after a restart of Bybit's service: the codec decodes both to a snapshot) resets it.
* ``BITGET`` and ``KRAKEN`` (spot v1): no ids to chain; every update is applied and the
  checksum is the check.

On these venues a gap still asks for a snapshot: the live client gets one by resubscribing.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

from dom.core.types import BookDelta, BookSnapshot


class SyncState(enum.Enum):
    WAITING_SNAPSHOT = "waiting_snapshot"  # buffering, a snapshot was requested
    SYNCED = "synced"


_SYNCED = SyncState.SYNCED


class Rule(enum.Enum):
    USDM = "usdm"  # pu == previous u
    SPOT = "spot"  # U == previous u + 1
    OKX = "okx"  # prevSeqId == previous seqId; snapshot in the stream
    BYBIT = "bybit"  # u == previous u + 1; snapshot in the stream
    BITGET = "bitget"  # checksum only; snapshot in the stream
    KRAKEN = "kraken"  # checksum only; snapshot in the stream

    @property
    def in_stream(self) -> bool:
        """True where snapshots arrive on the depth stream itself (no REST bridge)."""
        return self in _IN_STREAM


# A tuple, not a set: ``in`` compares by identity in C, where a set would hash the member with
# Enum's Python-level ``__hash__`` on every delta.
_IN_STREAM = (Rule.OKX, Rule.BYBIT, Rule.BITGET, Rule.KRAKEN)
_USDM = Rule.USDM


class Verdict(enum.Enum):
    APPLY = "apply"  # apply this delta to the book
    BUFFERED = "buffered"  # held until a snapshot arrives
    DUPLICATE = "duplicate"  # already covered by the book; ignored
    GAP = "gap"  # chain broken: book is now unsynced, snapshot needed


APPLY = (Verdict.APPLY, None)  # every APPLY verdict is this one tuple: callers may test it by identity


@dataclass(frozen=True, slots=True)
class Gap:
    """Where the chain broke: the book had applied up to ``expected``; the delta claims ``got``."""

    symbol: str
    expected: int
    got: int
    at_last_id: int


@dataclass(frozen=True, slots=True)
class SnapshotResult:
    """What happened to a snapshot: ``synced`` with the buffered deltas to apply after it, or
    ``stale`` (older than the first buffered delta: fetch again)."""

    synced: bool
    apply: tuple[BookDelta, ...]
    dropped: int
    reason: str = ""


class Sequencer:
    """Sequence checking for one symbol's depth stream."""

    __slots__ = (
        "symbol",
        "rule",
        "state",
        "last_id",
        "buffer",
        "max_buffer",
        "gaps",
        "duplicates",
        "overflows",
        "_snapshot_id",
    )

    def __init__(self, symbol: str, rule: Rule = Rule.USDM, max_buffer: int = 20_000) -> None:
        self.symbol = symbol
        self.rule = rule
        self.state = SyncState.WAITING_SNAPSHOT
        self.last_id = -1
        self.buffer: deque[BookDelta] = deque()
        self.max_buffer = max_buffer
        self.gaps = 0
        self.duplicates = 0
        self.overflows = 0
        self._snapshot_id = -1  # a snapshot applied but not yet bridged by any delta

    @property
    def synced(self) -> bool:
        return self.state is SyncState.SYNCED

    def _chained(self, d: BookDelta) -> bool:
        if self.rule is Rule.USDM:
            return d.prev_id == self.last_id
        return d.first_id == self.last_id + 1

    def _bridges(self, d: BookDelta, snap_id: int) -> bool:
        if self.rule is Rule.USDM:
            # Binance's rule, plus the exact case it leaves out: a snapshot taken right on an
            # event boundary is continued by the event whose pu is its lastUpdateId.
            return d.first_id <= snap_id <= d.last_id or d.prev_id == snap_id
        return d.first_id <= snap_id + 1 <= d.last_id

    def _buffer(self, d: BookDelta) -> None:
        if len(self.buffer) >= self.max_buffer:
            self.buffer.popleft()
            self.overflows += 1
        self.buffer.append(d)

    def on_delta(self, d: BookDelta) -> tuple[Verdict, Gap | None]:
        """Decide what to do with one delta, in arrival order."""
        if d.prev_id == self.last_id and self.rule is _USDM and self._snapshot_id < 0 and self.state is _SYNCED:
            # The usual USDⓈ-M delta, chained to the last (the SYNCED branch below, in one test).
            self.last_id = d.last_id
            return APPLY
        if self.rule in _IN_STREAM:
            return self._in_stream_delta(d)
        if self.state is SyncState.SYNCED:
            if self._snapshot_id >= 0:
                # Snapshot applied, first delta must bridge it.
                if d.last_id < self._snapshot_id or (
                    self.rule is Rule.SPOT and d.last_id <= self._snapshot_id
                ):
                    self.duplicates += 1
                    return Verdict.DUPLICATE, None
                if self._bridges(d, self._snapshot_id):
                    self._snapshot_id = -1
                    self.last_id = d.last_id
                    return APPLY
                return self._gap(d, self._snapshot_id)
            if self._chained(d):
                self.last_id = d.last_id
                return APPLY
            if d.last_id <= self.last_id:
                self.duplicates += 1
                return Verdict.DUPLICATE, None
            return self._gap(d, self.last_id)
        self._buffer(d)
        return Verdict.BUFFERED, None

    def _in_stream_delta(self, d: BookDelta) -> tuple[Verdict, Gap | None]:
        if self.state is not SyncState.SYNCED:
            self._buffer(d)
            return Verdict.BUFFERED, None
        rule = self.rule
        if rule is Rule.BITGET or rule is Rule.KRAKEN:
            return APPLY
        if rule is Rule.OKX:
            if d.prev_id < 0 and d.last_id < 0:
                return APPLY  # no ids on the wire: the checksum decides
            if d.prev_id == self.last_id:
                self.last_id = d.last_id
                return APPLY
        elif d.first_id == self.last_id + 1:  # BYBIT
            self.last_id = d.last_id
            return APPLY
        if 0 <= d.last_id <= self.last_id:
            self.duplicates += 1
            return Verdict.DUPLICATE, None
        return self._gap(d, self.last_id)

    def _gap(self, d: BookDelta, expected: int) -> tuple[Verdict, Gap]:
        self.gaps += 1
        self.state = SyncState.WAITING_SNAPSHOT
        self._snapshot_id = -1
        self.buffer.clear()
        self._buffer(d)
        got = d.prev_id if self.rule in (Rule.USDM, Rule.OKX) else d.first_id - 1
        return Verdict.GAP, Gap(self.symbol, expected, got, d.last_id)

    def on_snapshot(self, snap: BookSnapshot) -> SnapshotResult:
        """Take a snapshot. On success the caller loads it and applies ``result.apply`` in order."""
        sid = snap.last_id
        buf = self.buffer
        if self.rule in _IN_STREAM:
            # The venue's own snapshot, in the stream: everything buffered came before it.
            dropped = len(buf)
            buf.clear()
            self.state = SyncState.SYNCED
            self._snapshot_id = -1
            self.last_id = sid
            return SnapshotResult(True, (), dropped)
        dropped = 0
        while buf and (buf[0].last_id < sid or (self.rule is Rule.SPOT and buf[0].last_id <= sid)):
            buf.popleft()
            dropped += 1
        if not buf:
            # Snapshot newer than everything buffered: the next delta must bridge it.
            self.state = SyncState.SYNCED
            self._snapshot_id = sid
            self.last_id = sid
            return SnapshotResult(True, (), dropped)
        first = buf[0]
        if not self._bridges(first, sid):
            # The first buffered delta starts after the snapshot: the snapshot is too old.
            self.state = SyncState.WAITING_SNAPSHOT
            return SnapshotResult(
                False, (), dropped, f"snapshot {sid} older than first buffered update {first.first_id}"
            )
        out = [first]
        self.last_id = first.last_id
        buf.popleft()
        while buf:
            d = buf.popleft()
            if self._chained(d):
                out.append(d)
                self.last_id = d.last_id
            elif d.last_id <= self.last_id:
                self.duplicates += 1
            else:
                # A gap inside the buffer: keep what follows buffered, ask again.
                self.gaps += 1
                buf.appendleft(d)
                self.state = SyncState.WAITING_SNAPSHOT
                return SnapshotResult(
                    False, (), dropped, f"gap in buffered updates at {d.last_id}"
                )
        self.state = SyncState.SYNCED
        self._snapshot_id = -1
        return SnapshotResult(True, tuple(out), dropped)

    def reset(self) -> None:
        """Forget everything (e.g. after a reconnect): wait for a snapshot again."""
        self.state = SyncState.WAITING_SNAPSHOT
        self.last_id = -1
        self._snapshot_id = -1
        self.buffer.clear()
