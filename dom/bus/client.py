"""A consumer's side of the bus: the collectors' events as a live client (``--bus URL``).

It is a :class:`dom.venues.base.LiveClient` like a venue's, so the same pipeline and sync rules
run behind it: the books are built from the key-value bucket's whole book plus the sequenced
updates after it (Binance's bridging rule on the collectors' own numbers, ``Rule.USDM``); a gap
(a message lost while the server restarted, a collector restarted with a new sequence) makes the
engine ask for a snapshot, which is read from the bucket again, waiting for a newer entry when
the one there is older than the updates. A collector silent for ``lost_after_s`` (no heartbeat)
marks its symbols stale, "source lost", until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, Callable

import orjson

from dom.bus import codec
from dom.bus.subjects import BOOK_BUCKET, book_key, events_wildcard, heartbeat_subject, token, untoken
from dom.core.types import BookSnapshot, Event, FeedState, FeedStatus
from dom.core.units import Instrument
from dom.core.wire import DecodeError
from dom.errors import FeedError
from dom.venues.base import FeedStats

LOST_AFTER_S = 1.5


class BusClient:
    def __init__(self, url: str, venue: str, symbols: list[str] | None = None, wait_s: float = 30.0,
                 lost_after_s: float = LOST_AFTER_S, bus: Any = None) -> None:
        self.url = self.endpoint = url
        self.venue = venue
        self.want = [s for s in (symbols or [])]
        self.wait_s = wait_s
        self.lost_after_s = lost_after_s
        self.bus = bus
        self._own = bus is None
        self.kv: Any = None
        self.instruments: dict[str, Instrument] = {}
        self.stats = FeedStats()
        self.emit: Callable[[list[Event]], None] = lambda events: None
        self.on_status: Callable[[str, FeedState, str], None] = lambda e, s, d: None
        self.heard: dict[str, float] = {}  # symbol -> monotonic time of its collector's last heartbeat
        self.lost: set[str] = set()
        self.lost_marks = 0
        self.snapshot_reads = 0
        self._revision: dict[str, int] = {}  # the bucket revision last handed out per symbol
        self._fetching: dict[str, asyncio.Task] = {}
        self._again: set[str] = set()
        self._routes: dict[str, tuple[str, str]] = {}  # subject -> (symbol, kind); ("", "") not ours
        self._subs: list[Any] = []
        self._closed = False

    # ------------------------------------------------------------------------------ set-up
    async def prepare(self) -> dict[str, Instrument]:
        """Connect, and learn the instruments from the bucket (waiting up to ``wait_s`` for a
        collector to have written them). FeedError names what never came."""
        from dom.bus.nc import connect

        if self.bus is None:
            self.bus = await connect(self.url, "dom-consumer", wait_s=min(self.wait_s, 10.0))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        prefix = token(self.venue) + "."
        while True:
            if self.kv is None:
                with contextlib.suppress(Exception):
                    self.kv = await self.bus.js.key_value(BOOK_BUCKET)
            found: dict[str, Instrument] = {}
            if self.kv is not None:
                try:
                    keys = await self.kv.keys()
                except Exception:  # (an empty bucket says so with an error)
                    keys = []
                for k in keys:
                    if not k.startswith(prefix):
                        continue
                    sym = untoken(k[len(prefix):])
                    if self.want and sym not in self.want:
                        continue
                    with contextlib.suppress(Exception):
                        e = await self.kv.get(k)
                        inst, _, _ = codec.decode_snapshot(e.value)
                        if inst.symbol == sym:
                            found[sym] = inst
            missing = [s for s in self.want if s not in found]
            if found and not missing:
                break
            if loop.time() > deadline:
                if missing and found:
                    raise FeedError(f"not on the bus at {self.url} for venue {self.venue}: {', '.join(missing)}")
                raise FeedError(f"no collector publishes venue {self.venue} on the bus at {self.url} "
                                f"(start one: dom collect --venue {self.venue} --bus {self.url})")
            await asyncio.sleep(0.25)
        self.instruments = dict(sorted(found.items()))
        return self.instruments

    # -------------------------------------------------------------------------------- feed
    async def run(self) -> None:
        nc = self.bus.nc
        self.on_status("bus", FeedState.CONNECTED, self.url)
        now = time.monotonic()
        self.heard = {s: now for s in self.instruments}
        self._subs = [await nc.subscribe(events_wildcard(self.venue), cb=self._on_event),
                      await nc.subscribe(heartbeat_subject(self.venue), cb=self._on_heartbeat)]
        for s in self.instruments:
            self.request_snapshot(s)
        while not self._closed:
            await asyncio.sleep(0.25)
            self._watch()

    async def _on_event(self, msg: Any) -> None:
        now = time.time_ns()
        self.stats.frames += 1
        self.stats.bytes += len(msg.data)
        self.stats.last_frame_ns = now
        route = self._routes.get(msg.subject)
        if route is None:  # (parsed once per subject: a few per symbol)
            parts = msg.subject.split(".")
            sym = untoken(parts[2]) if len(parts) == 4 else ""
            route = (sym, parts[3]) if sym in self.instruments else ("", "")
            if len(self._routes) < 100_000:
                self._routes[msg.subject] = route
        sym, kind = route
        if not sym:
            return
        try:
            ev = codec.decode(kind, sym, msg.data, now)
        except DecodeError as e:
            self.stats.bad_frames += 1
            if len(self.stats.bad_examples) < 5:
                self.stats.bad_examples.append(f"{msg.subject}: {e}")
            return
        if type(ev) is BookSnapshot:
            self._revision.pop(sym, None)  # a newer whole book came in the stream itself
        self.emit([ev])

    async def _on_heartbeat(self, msg: Any) -> None:
        try:
            doc = orjson.loads(msg.data)
            symbols = doc.get("symbols") if type(doc) is dict else None
        except orjson.JSONDecodeError:
            symbols = None
        if type(symbols) is not list:
            self.stats.bad_frames += 1
            return
        now = time.monotonic()
        for s in symbols:
            if type(s) is str and s in self.instruments:
                self.heard[s] = now
                if s in self.lost:
                    self.lost.discard(s)
                    self.request_snapshot(s)  # its collector is back: the bucket has its book

    def _watch(self) -> None:
        now = time.monotonic()
        gone = [s for s, t in self.heard.items() if now - t > self.lost_after_s and s not in self.lost]
        if not gone:
            return
        ns = time.time_ns()
        self.lost.update(gone)
        self.lost_marks += len(gone)
        self.emit([FeedStatus(s, FeedState.STALE, f"source lost: no collector heard for {now - self.heard[s]:.1f} s",
                              0, ns) for s in gone])

    # --------------------------------------------------------------------------- snapshots
    def request_snapshot(self, symbol: str) -> None:
        t = self._fetching.get(symbol)
        if t is None or t.done():
            self._fetching[symbol] = asyncio.get_running_loop().create_task(self._fetch(symbol))
        else:
            self._again.add(symbol)  # asked while a read is under way (the engine found it stale)

    async def _fetch(self, symbol: str) -> None:
        """The symbol's whole book from the bucket; an entry already handed out is not handed
        out again (the engine found it older than the updates): wait for the next one."""
        key = book_key(self.venue, symbol)
        while not self._closed:
            try:
                e = await self.kv.get(key)
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(0.2)
                continue
            if e.revision == self._revision.get(symbol) or symbol in self.lost:
                await asyncio.sleep(0.1)
                continue
            try:
                _, snap, _ = codec.decode_snapshot(e.value)
            except DecodeError as err:
                self.stats.bad_frames += 1
                self.stats.snapshot_errors += 1
                if len(self.stats.bad_examples) < 5:
                    self.stats.bad_examples.append(f"bucket {key}: {err}")
                self._revision[symbol] = e.revision
                await asyncio.sleep(0.2)
                continue
            if snap.symbol != symbol:
                self._revision[symbol] = e.revision
                continue
            self._revision[symbol] = e.revision
            self.snapshot_reads += 1
            self.stats.snapshots += 1
            self._again.discard(symbol)
            self.emit([snap])
            if symbol not in self._again:
                return
            self._again.discard(symbol)

    async def close(self) -> None:
        self._closed = True
        for t in self._fetching.values():
            t.cancel()
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        if self._own and self.bus is not None:
            await self.bus.close()
