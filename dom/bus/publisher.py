"""The collector's side of the bus: what a pipeline applied, published as it is applied.

    pub = Publisher(bus, venue="sim", shard="0/2")
    pipe = Pipeline(..., observers=(pub.observers,)); pipe.subscribe(pub)
    await pub.start(); ... ; await pub.close()

A per-symbol observer turns each applied update into a book message with the collector's own
gap-free sequence (``dom.bus.codec``), each trade into a trade message, each resync into a whole
book; status changes and marks go out as they come. Nothing awaits inside the pipeline: messages
go into a bounded outbox that one task drains into the client (a full outbox drops and counts,
and the gap it leaves makes consumers resync). Every ``snapshot_every_s`` the books that changed
are written to the key-value bucket, and at once after a resync; every half second a heartbeat
names the collector's symbols, so a consumer can tell a silent market from a dead collector.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

import orjson

from dom.bus import codec
from dom.bus.subjects import BOOK_BUCKET, book_key, event_subject, heartbeat_subject
from dom.core.engine import ObserverBase
from dom.core.types import BookSide, MarkPrice

log = logging.getLogger("dom.bus")
HEARTBEAT_S = 0.5


class _Tap(ObserverBase):
    __slots__ = ("pub", "st", "subj", "seq")

    def __init__(self, pub: "Publisher", st: Any) -> None:
        self.pub = pub
        self.st = st
        self.subj = {k: event_subject(pub.venue, st.symbol, k) for k in codec.KINDS}
        self.seq = pub.epoch

    def on_delta(self, sym: Any, delta: Any, changes: Any) -> list:
        bids, asks = [], []
        for side, px, _before, after in changes:
            (bids if side is BookSide.BID else asks).append([px, after])
        prev, self.seq = self.seq, self.seq + 1
        self.pub.put(self.subj["book"], codec.book(self.seq, prev, delta.ts_exchange_ns, delta.ts_recv_ns, bids, asks))
        self.pub.dirty.add(sym.symbol)
        return []

    def on_synced(self, sym: Any, ts_ns: int) -> list:
        prev, self.seq = self.seq, self.seq + 1
        b, a = _book_lists(sym.book)
        self.pub.put(self.subj["book"], codec.book(self.seq, prev, sym.stats.last_exchange_ns, ts_ns, b, a, snap=True))
        self.pub.resynced.add(sym.symbol)
        return []

    def on_trade(self, sym: Any, trade: Any) -> list:
        self.pub.put(self.subj["trades"], codec.trade(trade))
        return []


def _book_lists(book: Any) -> tuple[list, list]:
    bids, asks = book.copy_levels()
    return [[p, q] for p, q in sorted(bids.items(), reverse=True)], [[p, q] for p, q in sorted(asks.items())]


class Publisher:
    def __init__(self, bus: Any, venue: str, shard: str = "0/1", snapshot_every_s: float = 1.0,
                 outbox: int = 200_000) -> None:
        self.bus = bus
        self.venue = venue
        self.shard = shard
        self.snapshot_every_s = snapshot_every_s
        self.epoch = time.time_ns()  # a restarted collector's sequence starts past its predecessor's
        self.taps: dict[str, _Tap] = {}
        self.dirty: set[str] = set()
        self.resynced: set[str] = set()
        self._box: deque = deque()
        self._max = outbox
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.kv: Any = None
        self.published = 0
        self.dropped = 0
        self.snapshots = 0
        self.errors = 0

    # ----------------------------------------------------------------------- pipeline hooks
    def observers(self, st: Any) -> list:
        tap = self.taps[st.symbol] = _Tap(self, st)
        return [tap]

    def on_status(self, change: Any) -> None:
        tap = self.taps.get(change.symbol)
        if tap is not None:
            self.put(tap.subj["status"], codec.status(change.state, change.detail, change.ts_ns, change.ts_ns))

    def on_alert(self, alert: Any) -> None:
        pass  # alerts go to the alert stream through the nats sink

    def on_conn(self, endpoint: str, state: Any, detail: str) -> None:
        pass

    def marks(self, events: list) -> None:
        """The client's events, after the pipeline had them: marks and funding go out as context."""
        for ev in events:
            if type(ev) is MarkPrice:
                tap = self.taps.get(ev.symbol)
                if tap is not None:
                    self.put(tap.subj["context"], codec.context(ev))

    def put(self, subject: str, data: bytes) -> None:
        if len(self._box) >= self._max:
            self.dropped += 1  # the sequence moves on: consumers see the hole and resync
            return
        self._box.append((subject, data))
        self._wake.set()

    # ----------------------------------------------------------------------------- tasks
    async def start(self) -> None:
        from nats.js.api import KeyValueConfig, StorageType

        try:
            self.kv = await self.bus.js.key_value(BOOK_BUCKET)
        except Exception:
            self.kv = await self.bus.js.create_key_value(KeyValueConfig(bucket=BOOK_BUCKET, history=1,
                                                                         storage=StorageType.FILE))
        self._tasks = [asyncio.create_task(self._drain(), name="dom-bus-out"),
                       asyncio.create_task(self._snapshots(), name="dom-bus-kv"),
                       asyncio.create_task(self._heartbeat(), name="dom-bus-hb")]

    async def _drain(self) -> None:
        nc, box = self.bus.nc, self._box
        while True:
            await self._wake.wait()
            self._wake.clear()
            while box:
                subject, data = box.popleft()
                try:
                    await nc.publish(subject, data)
                    self.published += 1
                except asyncio.CancelledError:
                    raise
                except Exception:  # the client's buffer is full while the server is away
                    self.dropped += 1
                    self.errors += 1

    async def _snapshots(self) -> None:
        """Books into the key-value bucket: the resynced ones at once, the changed ones each
        ``snapshot_every_s``. Each entry is built in one step (book and sequence agree)."""
        due = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0.05)
            now = loop.time()
            if self.resynced:
                names, self.resynced = self.resynced, set()
            elif now >= due:
                names, self.dirty = self.dirty | self.resynced, set()
                due = now + self.snapshot_every_s
            else:
                continue
            entries = [self._entry(s) for s in sorted(names)]
            for key, value in (e for e in entries if e is not None):
                try:
                    await self.kv.put(key, value)
                    self.snapshots += 1
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.errors += 1
                    self.dirty.add(key)  # (retried on the next round)

    def _entry(self, symbol: str) -> tuple[str, bytes] | None:
        tap = self.taps.get(symbol)
        if tap is None or not tap.st.synced:
            return None
        st = tap.st
        b, a = _book_lists(st.book)
        return book_key(self.venue, symbol), codec.snapshot(st.instrument, tap.seq, st.stats.last_exchange_ns,
                                                            st.stats.last_recv_ns, b, a, self.shard)

    async def _heartbeat(self) -> None:
        subject = heartbeat_subject(self.venue)
        while True:
            body = orjson.dumps({"shard": self.shard, "epoch": self.epoch, "symbols": sorted(self.taps),
                                 "published": self.published, "dropped": self.dropped})
            with contextlib.suppress(Exception):
                await self.bus.nc.publish(subject, body)
            await asyncio.sleep(HEARTBEAT_S)

    async def close(self, deadline: float = 2.0) -> None:
        """Send what is queued (for at most ``deadline`` seconds), then stop."""
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while self._box and loop.time() < end:
            await asyncio.sleep(0.05)
        for t in self._tasks:
            t.cancel()
        if self._tasks:  # bounded: a cancellation swallowed inside a library must not hang the exit
            await asyncio.wait(self._tasks, timeout=1.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.bus.nc.flush(), max(0.1, end - loop.time()))
