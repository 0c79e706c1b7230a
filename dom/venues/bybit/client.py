"""Native Bybit v5 feed (linear perpetuals): one public websocket per group of symbols.

Bybit sends the book in-stream: a subscription to ``orderbook.{depth}.{symbol}`` starts with a
snapshot, then deltas whose ``u`` rises by one per message (``dom.core.sequencer`` Rule.BYBIT).
When the engine loses sync (a skipped ``u``, a crossed book) it asks for a snapshot; Bybit has no
REST snapshot that chains with the stream, so the client unsubscribes and resubscribes the book
topic and the fresh in-stream snapshot resyncs it. ``publicTrade`` brings the trades, ``tickers``
mark, index and funding (and the context poller reads open interest and 24 h over REST).

Bybit asks clients to send ``{"op":"ping"}`` every 20 s; the server drops a silent connection.
Frames are decoded by ``codec.BybitDecoder``; a bad frame is counted and skipped, never fatal.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
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
from dom.venues.base import FeedStats
from dom.venues.bybit.codec import BybitDecoder, instruments_from_rest
from dom.venues.tasks import run_together

log = logging.getLogger("dom.venues.bybit.client")

PRODUCTION_REST = "https://api.bybit.com"
PRODUCTION_WS = "wss://stream.bybit.com"
WS_PATH = "/v5/public/linear"
MAX_SYMBOLS = 100  # symbols (three topics each) per connection
MAX_ARGS = 10  # topics per subscribe request
PING_S = 20.0
DEPTHS = (1, 50, 200, 500)


def endpoints(endpoint: str | None) -> tuple[str, str]:
    """``--endpoint`` -> (REST base, websocket base)."""
    if not endpoint:
        return PRODUCTION_REST, PRODUCTION_WS
    e = endpoint.rstrip("/")
    if e.startswith("https://"):
        return e, "wss://" + e[len("https://"):]
    if e.startswith("http://"):
        return e, "ws://" + e[len("http://"):]
    raise FeedError(f"endpoint must start with http:// or https://: {endpoint!r}")


class BybitFeed:
    venue = "bybit"

    def __init__(
        self,
        symbols: list[str],
        emit: Callable[[list[Event]], None],
        *,
        endpoint: str | None = None,
        depth: int = 200,
        stale_after: float = 10.0,
        reconnect: tuple[float, float, float] = (0.2, 0.5, 30.0),
        on_status: Callable[[str, FeedState, str], None] | None = None,
        on_frame: Callable[[int, bytes | str], None] | None = None,
        **_ignored: Any,
    ) -> None:
        if depth not in DEPTHS:
            raise FeedError(f"Bybit book depth must be one of {DEPTHS}, not {depth}")
        self.symbols = [s.upper() for s in symbols]
        self.emit = emit
        self.rest, self.ws = endpoints(endpoint)
        self.endpoint = self.rest
        self.depth = depth
        self.stale_after = stale_after
        self.reconnect = reconnect
        self.on_status = on_status or (lambda e, s, d: None)
        self.on_frame = on_frame
        self.instruments: dict[str, Instrument] = {}
        self.decoder: BybitDecoder | None = None
        self.stats = FeedStats()
        self._session: aiohttp.ClientSession | None = None
        self._resync: dict[int, set[str]] = {}  # connection index -> symbols whose book to resubscribe
        self._wake: dict[int, asyncio.Event] = {}
        self._conn_of: dict[str, int] = {}
        self._req = itertools.count(1)

    # ------------------------------------------------------------------------------ set-up
    async def prepare(self) -> dict[str, Instrument]:
        """Fetch the linear instruments; check the symbols exist. Raises FeedError, one line."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        known: dict[str, Instrument] = {}
        cursor = ""
        for _ in range(50):  # pages of 1000; a cursor that never ends is refused
            url = f"{self.rest}/v5/market/instruments-info?category=linear&limit=1000"
            if cursor:
                url += f"&cursor={cursor}"
            try:
                async with self._session.get(url) as r:
                    if r.status != 200:
                        raise FeedError(f"{url} answered HTTP {r.status}")
                    body = await r.read()
            except (TimeoutError, aiohttp.ClientError, OSError) as e:
                await self.close()
                raise FeedError(f"cannot reach {self.rest}: {e.__class__.__name__}: {e}") from None
            try:
                doc = orjson.loads(body)
            except orjson.JSONDecodeError:
                await self.close()
                raise FeedError(f"{url}: not JSON") from None
            known.update(instruments_from_rest(doc))
            result = doc.get("result") if isinstance(doc, dict) else None
            nxt = result.get("nextPageCursor") if isinstance(result, dict) else None
            if not nxt or not isinstance(nxt, str) or nxt == cursor:
                break
            cursor = nxt
        if not self.symbols:
            self.symbols = sorted(known)
        unknown = [s for s in self.symbols if s not in known]
        if unknown:
            await self.close()
            raise FeedError(f"unknown symbol(s) on {self.venue}: {', '.join(unknown)}")
        self.instruments = {s: known[s] for s in self.symbols}
        self.decoder = BybitDecoder(self.instruments)
        return self.instruments

    def topics(self, symbol: str) -> list[str]:
        return [f"orderbook.{self.depth}.{symbol}", f"publicTrade.{symbol}", f"tickers.{symbol}"]

    def groups(self) -> list[list[str]]:
        return [self.symbols[i:i + MAX_SYMBOLS] for i in range(0, len(self.symbols), MAX_SYMBOLS)]

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
                asyncio.create_task(self._ws_loop(i, g), name=f"dom-feed-bybit-{i + 1}")
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
        url = self.ws + WS_PATH
        name = self._name(i)
        first = True
        self.on_status(name, FeedState.CONNECTING, url)
        # Bybit's keepalive is an application ping (below), not the websocket one.
        async for ws in connect(url, reconnect_delays=delays, max_size=1 << 24, ping_interval=None,
                                open_timeout=10, max_queue=4096):
            if not first:
                self.stats.reconnects += 1
            first = False
            self.on_status(name, FeedState.CONNECTED, url)
            self._resync[i].clear()
            tasks: list[asyncio.Task] = []
            try:
                await self._subscribe(ws, [t for s in symbols for t in self.topics(s)])
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

    async def _subscribe(self, ws: Any, topics: list[str], op: str = "subscribe") -> None:
        for k in range(0, len(topics), MAX_ARGS):
            await ws.send(orjson.dumps({"op": op, "req_id": str(next(self._req)),
                                        "args": topics[k:k + MAX_ARGS]}).decode())

    async def _pinger(self, ws: Any) -> None:
        while True:
            await asyncio.sleep(PING_S)
            await ws.send('{"op":"ping"}')

    async def _resubscriber(self, ws: Any, i: int) -> None:
        wake, pending = self._wake[i], self._resync[i]
        while True:
            await wake.wait()
            wake.clear()
            syms = sorted(pending)
            pending.clear()
            if not syms:
                continue
            books = [f"orderbook.{self.depth}.{s}" for s in syms]
            self.stats.snapshots += len(syms)
            await self._subscribe(ws, books, "unsubscribe")
            await self._subscribe(ws, books)

    async def _receive(self, ws: Any, name: str) -> None:
        dec = self.decoder
        assert dec is not None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.stale_after) as watchdog:
                while True:
                    raw = await ws.recv()
                    watchdog.reschedule(loop.time() + self.stale_after)
                    self._on_raw(raw, name, dec)
        except TimeoutError:
            raise _Stale() from None

    def _on_raw(self, raw: Any, name: str, dec: BybitDecoder) -> None:
        now = time.time_ns()
        stats = self.stats
        stats.frames += 1
        stats.bytes += len(raw)
        stats.last_frame_ns = now
        if self.on_frame is not None:
            self.on_frame(now, raw)
        try:
            events = dec.decode(raw, now)
        except DecodeError as e:
            stats.bad_frames += 1
            if len(stats.bad_examples) < 5:
                stats.bad_examples.append(str(e))
            self.on_status(name, FeedState.CONNECTED, f"bad frame ignored: {e}")
            return
        if events:
            self.emit(events)


class _Stale(Exception):
    pass
