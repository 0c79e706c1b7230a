"""Native Binance USDⓈ-M feed: websockets + aiohttp, the fast decoder, the core's sequencer.

Depth (and optionally bookTicker) comes from the ``/public`` endpoint, aggTrade and markPrice from
``/market`` (Binance split them in 2026): one combined-stream connection per endpoint carries every
symbol. Reconnects use websockets' own reconnecting iterator with a short jittered backoff. A
watchdog treats a healthy socket that says nothing for ``stale_after`` seconds as stale and
reconnects. REST depth snapshots are fetched when the engine asks for one (``request_snapshot``),
one recovery per symbol under the REST weight limit (``snapshots.py``).

Whole-venue mode (``depth_symbols``, for the scanner): every symbol's aggTrade, the all-market
``!bookTicker`` and ``!markPrice@arr@1s``, and depth only for the symbols in ``depth_symbols``,
which ``follow_depth`` changes while running (SUBSCRIBE / UNSUBSCRIBE on the depth connection,
sent again after every reconnect).

The feed only turns frames into events and hands them to ``emit``; it keeps no book. Connection
news goes to ``on_status(endpoint, state, detail)`` and, for the depth endpoint, also to the
engine as per-symbol :class:`FeedStatus` events so books are marked unsynced at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import websockets
from websockets.asyncio.client import connect
from websockets.client import backoff

from dom.core.types import Event, FeedState, FeedStatus
from dom.core.units import Instrument
from dom.errors import FeedError
from dom.venues.base import FeedStats, endpoint_pair
from dom.venues.binance_usdm import codec as wire
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError
from dom.venues.binance_usdm.exchange_info import instruments_from_exchange_info, trading_perpetuals
from dom.venues.binance_usdm.snapshots import SnapshotFetcher
from dom.venues.tasks import run_together

log = logging.getLogger("dom.venues.binance_usdm.client")

PRODUCTION_REST = "https://fapi.binance.com"
PRODUCTION_WS = "wss://fstream.binance.com"
MAX_STREAMS = 200  # streams per connection
MAX_URL = 4000  # bytes of a connection URL (8 KB and over: HTTP 400)
MAX_FOLLOWED = 190  # depth streams one whole-venue connection subscribes (under MAX_STREAMS)


def endpoints(endpoint: str | None) -> tuple[str, str]:
    """``--endpoint`` -> (REST base, websocket base)."""
    return endpoint_pair(endpoint, PRODUCTION_REST, PRODUCTION_WS)


class BinanceUsdmFeed:
    venue = "binanceusdm"

    def __init__(
        self,
        symbols: list[str],
        emit: Callable[[list[Event]], None],
        *,
        endpoint: str | None = None,
        depth_ms: int = 100,
        stale_after: float = 10.0,
        reconnect: tuple[float, float, float] = (0.2, 0.5, 30.0),
        snapshot_limit: int = 1000,
        mark_price: bool = True,
        book_ticker: bool = False,
        raw_trades: bool = False,
        on_status: Callable[[str, FeedState, str], None] | None = None,
        on_frame: Callable[[int, bytes | str], None] | None = None,
        on_snapshot_body: Callable[[int, str, bytes], None] | None = None,
        depth_symbols: Any = None,
    ) -> None:
        self.symbols = [s.upper() for s in symbols]
        # None: depth for every symbol; a set: whole-venue mode, depth only for these
        self.depth_symbols: set[str] | None = None if depth_symbols is None else {s.upper() for s in depth_symbols}
        self._live: dict[str, Any] = {}  # connection name -> its open websocket
        self._sends: set[asyncio.Task] = set()
        self._next_id = 0
        self.emit = emit
        self.rest, self.ws = endpoints(endpoint)
        self.endpoint = self.rest
        self.depth_ms = depth_ms
        self.stale_after = stale_after
        self.reconnect = reconnect
        self.snapshot_limit = snapshot_limit
        self.mark_price = mark_price
        self.book_ticker = book_ticker  # recordings carry it, so `dom replay --check` can compare
        self.raw_trades = raw_trades  # recordings carry @trade too, for hftbacktest (dom reads aggTrade)
        self.on_status = on_status or (lambda e, s, d: None)
        self.on_frame = on_frame
        self.on_snapshot_body = on_snapshot_body
        self.instruments: dict[str, Instrument] = {}
        self.decoder: BinanceDecoder | None = None
        self.stats = FeedStats()
        self._session: aiohttp.ClientSession | None = None
        self.snapshots = SnapshotFetcher(self.rest, snapshot_limit, self.stats, self._emit_snapshot,
                                         self._status, on_snapshot_body)

    # ------------------------------------------------------------------------------ set-up
    async def prepare(self) -> dict[str, Instrument]:
        """Fetch exchangeInfo; check the symbols exist. Raises FeedError with one clear line."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        url = f"{self.rest}/fapi/v1/exchangeInfo"
        try:
            async with self._session.get(url) as r:
                if r.status != 200:
                    raise FeedError(f"{url} answered HTTP {r.status}")
                body = await r.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            await self.close()
            raise FeedError(f"cannot reach {self.rest}: {e.__class__.__name__}: {e}") from None
        known = instruments_from_exchange_info(body)
        if not self.symbols:  # every perpetual trading now (named ones may be anything the venue lists)
            live = trading_perpetuals(body)
            self.symbols = sorted(s for s in known if s in live)
        unknown = [s for s in self.symbols if s not in known]
        if unknown:
            await self.close()
            raise FeedError(f"unknown symbol(s) on {self.venue}: {', '.join(unknown)}")
        self.instruments = {s: known[s] for s in self.symbols}
        if self.depth_symbols:
            stray = sorted(self.depth_symbols - set(self.symbols))
            if stray:
                await self.close()
                raise FeedError(f"cannot follow the depth of {', '.join(stray)}: unknown on {self.venue}, or not among the symbols given")
        self.decoder = BinanceDecoder(self.instruments, raw_trades=False)
        self.snapshots.session, self.snapshots.decoder = self._session, self.decoder
        return self.instruments

    def _streams(self, endpoint: str, symbols: list[str] | None = None) -> list[str]:
        wide = self.depth_symbols is not None  # (depth then comes by SUBSCRIBE, on connect)
        out = []
        for s in self.symbols if symbols is None else symbols:
            if endpoint == "public":
                if not wide:
                    out.append(wire.depth_stream(s, self.depth_ms))
                if self.book_ticker and not wide:
                    out.append(wire.book_ticker_stream(s))
            else:
                out.append(wire.agg_trade_stream(s))
                if self.raw_trades:
                    out.append(wire.trade_stream(s))
                if self.mark_price and not wide:
                    out.append(wire.mark_price_stream(s))
        return out

    def _all_market(self, endpoint: str) -> list[str]:
        """The all-market streams of whole-venue mode, on the endpoint's first connection."""
        if self.depth_symbols is None:
            return []
        if endpoint == "public":
            return [wire.ALL_BOOK_TICKER]
        return [wire.ALL_MARK_PRICE] if self.mark_price else []

    def connections(self, endpoint: str) -> list[tuple[str, list[str], str]]:
        """``(name, symbols, url)`` per websocket connection: the symbols split so that no
        connection carries more than ``MAX_STREAMS`` streams or a URL over ``MAX_URL`` bytes
        (one URL for ~195 symbols was over 8 KB: HTTP 400)."""
        base = f"{self.ws}/{endpoint}/stream?streams="
        first = self._all_market(endpoint)
        groups: list[list[str]] = []
        cur: list[str] = []
        n, length = len(first), sum(len(x) + 1 for x in first)
        for sym in self.symbols:
            streams = self._streams(endpoint, [sym])
            if not streams:
                continue
            add = sum(len(x) + 1 for x in streams)
            if cur and (n + len(streams) > MAX_STREAMS or len(base) + length + add > MAX_URL):
                groups.append(cur)
                cur, n, length = [], 0, 0
            cur.append(sym)
            n += len(streams)
            length += add
        if cur or (first and not groups):
            groups.append(cur)
        return [(endpoint if len(groups) == 1 else f"{endpoint}#{i + 1}", g,
                 base + "/".join((first if i == 0 else []) + self._streams(endpoint, g)))
                for i, g in enumerate(groups)]

    # ------------------------------------------------------------------ whole-venue mode
    def follow_depth(self, symbol: str, on: bool) -> bool:
        """Subscribe (``on``) or unsubscribe ``symbol``'s depth while running, in whole-venue
        mode; False if it cannot be (not in that mode, an unknown symbol, or ``MAX_FOLLOWED``
        symbols already followed). A snapshot follows through the engine's request, as at start."""
        sym = symbol.upper()
        ds = self.depth_symbols
        if ds is None or sym not in self.instruments or (on and sym not in ds and len(ds) >= MAX_FOLLOWED):
            return False
        if (sym in ds) == on:
            return True
        (ds.add if on else ds.discard)(sym)
        if not on:
            self.snapshots.forget(sym)
        ws = self._live.get(self._depth_conn())
        if ws is not None:
            self._send(ws, "SUBSCRIBE" if on else "UNSUBSCRIBE", [wire.depth_stream(sym, self.depth_ms)])
        return True

    def _depth_conn(self) -> str:
        return self.connections("public")[0][0]

    def _send(self, ws: Any, method: str, params: list[str]) -> None:
        import orjson

        self._next_id += 1
        msg = orjson.dumps({"method": method, "params": params, "id": self._next_id}).decode()
        task = asyncio.get_running_loop().create_task(_quiet_send(ws, msg))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    # ---------------------------------------------------------------------------------- run
    async def run(self) -> None:
        if self.decoder is None:
            await self.prepare()
        try:
            await run_together([
                asyncio.create_task(self._ws_loop(endpoint, name, symbols, url), name=f"dom-feed-{name}")
                for endpoint in ("public", "market") for name, symbols, url in self.connections(endpoint)
            ])
        finally:
            await self.close()

    async def close(self) -> None:
        await self.snapshots.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def request_snapshot(self, symbol: str) -> None:
        self.snapshots.request(symbol)

    def _emit_snapshot(self, events: list) -> None:
        self.emit(events)

    def _status(self, endpoint: str, state: FeedState, detail: str) -> None:
        self.on_status(endpoint, state, detail)

    def _depth_status(self, state: FeedState, detail: str, symbols: list[str]) -> None:
        now = time.time_ns()
        off = self.snapshots.off
        self.emit([FeedStatus(s, state, detail, 0, now) for s in symbols if s not in off])

    async def _ws_loop(self, endpoint: str, name: str, symbols: list[str], url: str) -> None:
        initial, low, high = self.reconnect
        delays = functools.partial(backoff, initial_delay=initial, min_delay=low, max_delay=high)
        first = True
        self.on_status(name, FeedState.CONNECTING, url)
        async for ws in connect(url, reconnect_delays=delays, max_size=1 << 24, ping_interval=20,
                                ping_timeout=20, open_timeout=10, max_queue=4096, compression=None):
            if not first:
                self.stats.reconnects += 1
            first = False
            self.on_status(name, FeedState.CONNECTED, url)
            self._live[name] = ws
            if endpoint == "public" and self.depth_symbols and name == self._depth_conn():
                self._send(ws, "SUBSCRIBE", [wire.depth_stream(x, self.depth_ms) for x in sorted(self.depth_symbols)])
            if endpoint == "public" and self.depth_symbols is not None:
                symbols = sorted(self.depth_symbols)  # whose books this connection's loss unsyncs
            try:
                await self._receive(ws, name)
            except websockets.ConnectionClosed as e:
                detail = f"closed: {e.rcvd.code if e.rcvd else 'no close frame'}"
                self.on_status(name, FeedState.DISCONNECTED, detail)
                if endpoint == "public":
                    self._depth_status(FeedState.DISCONNECTED, detail, symbols)
                continue
            except _Stale:
                self.stats.stale += 1
                detail = f"no data for {self.stale_after:g} s"
                self.on_status(name, FeedState.STALE, detail)
                if endpoint == "public":
                    self._depth_status(FeedState.STALE, detail, symbols)
                ws.transport.abort()
                continue

    async def _receive(self, ws: Any, endpoint: str) -> None:
        dec = self.decoder
        assert dec is not None
        emit, stats, on_frame = self.emit, self.stats, self.on_frame
        loop = asyncio.get_running_loop()
        # One timeout, pushed back as frames come (not wait_for: on Python 3.11 it can swallow a
        # cancellation that races with a completed recv, and the feed would never stop); moved
        # at most every `step` seconds, to `stale_after + step` ahead, as in the in-stream client.
        step = min(1.0, self.stale_after / 4)
        push = 0.0
        try:
            async with asyncio.timeout(self.stale_after) as watchdog:
                while True:
                    raw = await ws.recv()
                    t = loop.time()
                    if t >= push:
                        watchdog.reschedule(t + self.stale_after + step)
                        push = t + step
                    self._on_raw(raw, endpoint, dec, emit, stats, on_frame)
        except TimeoutError:
            raise _Stale() from None

    def _on_raw(self, raw: Any, endpoint: str, dec: BinanceDecoder, emit: Any, stats: FeedStats, on_frame: Any) -> None:
        now = time.time_ns()
        stats.frames += 1
        stats.bytes += len(raw)
        stats.last_frame_ns = now
        if on_frame is not None:
            on_frame(now, raw)
        try:
            events = dec.decode(raw, now)
        except DecodeError as e:
            stats.bad_frames += 1
            if len(stats.bad_examples) < 5:
                stats.bad_examples.append(str(e))
            self.on_status(endpoint, FeedState.CONNECTED, f"bad frame ignored: {e}")
            return
        if events:
            emit(events)

class _Stale(Exception):
    pass


async def _quiet_send(ws: Any, msg: str) -> None:
    """A subscription message; a connection closing meanwhile is the reconnect's to handle
    (it sends the whole depth set again)."""
    try:
        await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
