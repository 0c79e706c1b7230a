"""The live client shape shared by venues that send the book in-stream (Bybit, OKX, Bitget).

Such a venue starts every book subscription with a snapshot and then sends updates on the same
topic, so resyncing a symbol is unsubscribing and resubscribing its book topic: no REST snapshot
has to be bridged to the stream. :class:`InStreamFeed` keeps the connections (symbols split into
groups, websockets' reconnecting iterator with jittered backoff, an application-level ping, a
watchdog for a silent socket), the resubscriptions the engine asks for, and the counting of bad
frames. A venue's subclass (``dom/venues/<venue>/client.py``) says only what is its own: URLs,
topics, subscribe and ping messages, the instrument list and the decoder.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
import websockets
from websockets.asyncio.client import connect
from websockets.client import backoff

from dom.core.types import Event, FeedState, FeedStatus
from dom.core.units import Instrument
from dom.core.wire import DecodeError
from dom.errors import FeedError
from dom.venues.base import FeedStats, endpoint_pair
from dom.venues.tasks import run_together

log = logging.getLogger("dom.venues.stream_client")


class InStreamFeed:
    venue = ""
    PRODUCTION_REST = ""
    PRODUCTION_WS = ""
    WS_PATH = ""
    MAX_SYMBOLS = 100  # symbols per connection
    MAX_ARGS = 10  # topics per subscribe request
    PING_S = 20.0

    def __init__(
        self,
        symbols: list[str],
        emit: Callable[[list[Event]], None],
        *,
        endpoint: str | None = None,
        stale_after: float = 10.0,
        reconnect: tuple[float, float, float] = (0.2, 0.5, 30.0),
        on_status: Callable[[str, FeedState, str], None] | None = None,
        on_frame: Callable[[int, bytes | str], None] | None = None,
        **_ignored: Any,
    ) -> None:
        self.symbols = list(symbols)
        self.emit = emit
        self.rest, self.ws = endpoint_pair(endpoint, self.PRODUCTION_REST, self.PRODUCTION_WS)
        self.endpoint = self.rest
        self.stale_after = stale_after
        self.reconnect = reconnect
        self.on_status = on_status or (lambda e, s, d: None)
        self.on_frame = on_frame
        self.instruments: dict[str, Instrument] = {}
        self.decoder: Any = None
        self.stats = FeedStats()
        self._session: aiohttp.ClientSession | None = None
        self._resync: dict[int, set[str]] = {}  # connection -> symbols whose book to resubscribe
        self._wake: dict[int, asyncio.Event] = {}
        self._conn_of: dict[str, int] = {}

    # --------------------------------------------------------------------- the venue's part
    async def fetch_instruments(self) -> dict[str, Instrument]:
        raise NotImplementedError

    def make_decoder(self, instruments: dict[str, Instrument]) -> Any:
        raise NotImplementedError

    def topics(self, symbol: str) -> list[Any]:
        """Every topic of ``symbol``, its book's first."""
        raise NotImplementedError

    def book_topics(self, symbol: str) -> list[Any]:
        raise NotImplementedError

    def request_text(self, op: str, topics: list[Any]) -> str:
        """The subscribe (or unsubscribe) message for ``topics``."""
        raise NotImplementedError

    def ping_text(self) -> str:
        raise NotImplementedError

    def is_control(self, raw: bytes | str) -> bool:
        """A frame that is no data (a pong): skipped before decoding."""
        return False

    # ------------------------------------------------------------------------------ set-up
    async def get_json(self, url: str) -> Any:
        """GET ``url`` as JSON; FeedError with one clear line otherwise (the session closes)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with self._session.get(url) as r:
                if r.status != 200:
                    raise FeedError(f"{url} answered HTTP {r.status}")
                body = await r.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            await self.close()
            raise FeedError(f"cannot reach {self.rest}: {e.__class__.__name__}: {e}") from None
        except FeedError:
            await self.close()
            raise
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            await self.close()
            raise FeedError(f"{url}: not JSON") from None

    async def prepare(self) -> dict[str, Instrument]:
        """The venue's instruments; check the symbols exist. Raises FeedError, one line."""
        known = await self.fetch_instruments()
        if not self.symbols:
            self.symbols = sorted(known)
        unknown = [s for s in self.symbols if s not in known]
        if unknown:
            await self.close()
            raise FeedError(f"unknown symbol(s) on {self.venue}: {', '.join(unknown)}")
        self.instruments = {s: known[s] for s in self.symbols}
        self.decoder = self.make_decoder(self.instruments)
        return self.instruments

    def groups(self) -> list[list[str]]:
        n = self.MAX_SYMBOLS
        return [self.symbols[i:i + n] for i in range(0, len(self.symbols), n)]

    # ---------------------------------------------------------------------------------- run
    async def run(self) -> None:
        if self.decoder is None:
            await self.prepare()
        groups = self.groups()
        for i, g in enumerate(groups):
            self._resync[i] = set()
            self._wake[i] = asyncio.Event()
            for s in g:
                self._conn_of[s] = i
        try:
            await run_together([
                asyncio.create_task(self._ws_loop(i, g), name=f"dom-feed-{self.venue}-{i + 1}")
                for i, g in enumerate(groups)
            ])
        finally:
            await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def request_snapshot(self, symbol: str) -> None:
        """The engine lost sync: resubscribe the symbol's book, which starts with a snapshot."""
        i = self._conn_of.get(symbol)
        if i is None:
            return
        self._resync[i].add(symbol)
        self._wake[i].set()

    def _name(self, i: int) -> str:
        return "public" if len(self._resync) <= 1 else f"public#{i + 1}"

    def _depth_status(self, state: FeedState, detail: str, symbols: list[str]) -> None:
        now = time.time_ns()
        self.emit([FeedStatus(s, state, detail, 0, now) for s in symbols])

    async def _ws_loop(self, i: int, symbols: list[str]) -> None:
        initial, low, high = self.reconnect
        delays = functools.partial(backoff, initial_delay=initial, min_delay=low, max_delay=high)
        url = self.ws + self.WS_PATH
        name = self._name(i)
        first = True
        self.on_status(name, FeedState.CONNECTING, url)
        # The venue's keepalive is an application ping (below), not the websocket one. No
        # permessage-deflate: inflating every frame cost ~5% of the client's CPU (cProfile of
        # benchmarks/ingest.py --venue okx); a book stream for a few dozen symbols is well under
        # a megabit a second uncompressed.
        async for ws in connect(url, reconnect_delays=delays, max_size=1 << 24, ping_interval=None,
                                open_timeout=10, max_queue=4096, compression=None):
            if not first:
                self.stats.reconnects += 1
            first = False
            self.on_status(name, FeedState.CONNECTED, url)
            self._resync[i].clear()
            tasks: list[asyncio.Task] = []
            try:
                await self._send(ws, "subscribe", [t for s in symbols for t in self.topics(s)])
                tasks = [asyncio.create_task(self._pinger(ws)), asyncio.create_task(self._resubscriber(ws, i))]
                await self._receive(ws, name)
            except websockets.ConnectionClosed as e:
                detail = f"closed: {e.rcvd.code if e.rcvd else 'no close frame'}"
                self.on_status(name, FeedState.DISCONNECTED, detail)
                self._depth_status(FeedState.DISCONNECTED, detail, symbols)
            except _Stale:
                self.stats.stale += 1
                detail = f"no data for {self.stale_after:g} s"
                self.on_status(name, FeedState.STALE, detail)
                self._depth_status(FeedState.STALE, detail, symbols)
                ws.transport.abort()
            finally:
                for t in tasks:
                    t.cancel()

    async def _send(self, ws: Any, op: str, topics: list[Any]) -> None:
        n = self.MAX_ARGS
        for k in range(0, len(topics), n):
            await ws.send(self.request_text(op, topics[k:k + n]))

    async def _pinger(self, ws: Any) -> None:
        while True:
            await asyncio.sleep(self.PING_S)
            await ws.send(self.ping_text())

    async def _resubscriber(self, ws: Any, i: int) -> None:
        wake, pending = self._wake[i], self._resync[i]
        while True:
            await wake.wait()
            wake.clear()
            syms = sorted(pending)
            pending.clear()
            if not syms:
                continue
            books = [t for s in syms for t in self.book_topics(s)]
            self.stats.snapshots += len(syms)
            await self._send(ws, "unsubscribe", books)
            await self._send(ws, "subscribe", books)

    async def _receive(self, ws: Any, name: str) -> None:
        loop = asyncio.get_running_loop()
        # The watchdog moves at most every `step` seconds, to `stale_after + step` ahead: stale
        # after stale_after to stale_after + step silent seconds, and a busy socket does not
        # move a timer on every frame (that was ~6% of the client's CPU in cProfile).
        step = min(1.0, self.stale_after / 4)
        push = 0.0
        # Per frame, inline (no method call): count it, hand it to the recorder, skip a pong,
        # decode and emit; a bad frame is counted and reported, and the stream goes on.
        stats, decode, is_control, now_ns = self.stats, self.decoder.decode, self.is_control, time.time_ns
        try:
            async with asyncio.timeout(self.stale_after) as watchdog:
                while True:
                    # As bytes: the decoders parse bytes, the recorders write bytes, and a text
                    # frame is not turned into a str only to be parsed (the JSON parser checks
                    # the UTF-8: a DecodeError, a counted bad frame).
                    raw = await ws.recv(decode=False)
                    t = loop.time()
                    if t >= push:
                        watchdog.reschedule(t + self.stale_after + step)
                        push = t + step
                    now = now_ns()
                    stats.frames += 1
                    stats.bytes += len(raw)
                    stats.last_frame_ns = now
                    if self.on_frame is not None:
                        self.on_frame(now, raw)
                    if is_control(raw):
                        continue
                    try:
                        events = decode(raw, now)
                    except DecodeError as e:
                        self._bad_frame(e, name)
                        continue
                    if events:
                        self.emit(events)
        except TimeoutError:
            raise _Stale() from None

    def _bad_frame(self, e: DecodeError, name: str) -> None:
        stats = self.stats
        stats.bad_frames += 1
        if len(stats.bad_examples) < 5:
            stats.bad_examples.append(str(e))
        self.on_status(name, FeedState.CONNECTED, f"bad frame ignored: {e}")


class _Stale(Exception):
    pass
