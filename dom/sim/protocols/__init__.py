"""The built-in market over other venues' wire protocols, beside Binance's.

:class:`dom.sim.server.SimServer` publishes its market as Binance USDⓈ-M frames. Each module
here serves the same market on the same port under another venue's own URL paths (Bybit v5,
OKX v5, Bitget v2), so that venue's live client, and ccxt.pro's class for it, can run against
a real local server. A protocol receives every batch the market publishes, as core events
(decoded once, by :class:`Translator`) with the book after each depth event, and encodes them
with its venue's codec.

A protocol module defines a subclass of :class:`Protocol` and is listed in ``PROTOCOLS``; a
listed module that does not exist is skipped.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from dom.core.book import OrderBook
from dom.core.types import BookDelta, Event
from dom.core.units import Instrument
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError

if TYPE_CHECKING:
    from aiohttp import web

    from dom.sim.market import Msg
    from dom.sim.server import SimServer

log = logging.getLogger("dom.sim.protocols")
QUEUE_MAX = 20_000  # frames queued for one client before it counts as too slow

# venue name -> (module, class)
PROTOCOLS = {
    "bybit": ("dom.sim.protocols.bybit", "BybitProtocol"),
    "okx": ("dom.sim.protocols.okx", "OkxProtocol"),
    "bitget": ("dom.sim.protocols.bitget", "BitgetProtocol"),
}


class Translator:
    """The market's Binance frames as core events, with the published book per symbol kept
    current (every protocol sees the same book: what a client of any venue must hold)."""

    def __init__(self, instruments: dict[str, Instrument]) -> None:
        self.instruments = instruments
        self._decoder = BinanceDecoder(instruments, raw_trades=False)
        self.books: dict[str, OrderBook] = {s: OrderBook() for s in instruments}
        self.seq: dict[str, int] = {s: 0 for s in instruments}  # depth messages so far

    def reset_from(self, symbol: str, bids: dict[int, int], asks: dict[int, int]) -> None:
        """Start ``symbol``'s book from the market's published book (at server start)."""
        book = self.books[symbol]
        book.apply_snapshot(sorted(bids.items(), reverse=True), sorted(asks.items()))

    def events(self, msgs: list[Msg], now_ns: int) -> Iterator[tuple[Msg, Event]]:
        """Each message's events in order; a depth event is applied to ``books`` before it is
        yielded, so ``books[symbol]`` is the book after it."""
        for m in msgs:
            if m.stream.endswith("@bookTicker"):
                continue  # each protocol derives its own top of book from the book
            try:
                evs = self._decoder.decode(m.raw, now_ns)
            except DecodeError:
                continue  # a recording's bad frame: the other protocols skip it too
            for ev in evs:
                if isinstance(ev, BookDelta):
                    book = self.books.get(ev.symbol)
                    if book is None:
                        continue
                    book.apply_delta(ev.bids, ev.asks)
                    self.seq[ev.symbol] += 1
                yield m, ev


class Subscriber:
    """One websocket client of a protocol: what it subscribed to (``topics``: the protocol's
    keys, e.g. ``("book", symbol)`` -> its depth) and an ordered, bounded send queue (a client
    that falls ``QUEUE_MAX`` frames behind is closed, as a venue drops a slow consumer)."""

    __slots__ = ("id", "queue", "task", "topics", "ws")

    def __init__(self, ws: web.WebSocketResponse, conn_id: str) -> None:
        self.ws = ws
        self.id = conn_id
        self.topics: dict[Any, Any] = {}
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_MAX)
        self.task: asyncio.Task | None = None

    def put(self, frame: bytes) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("client too slow, closing its connection")
            asyncio.ensure_future(self.ws.close(code=1008, message=b"too slow"))

    async def send_loop(self) -> None:
        ws, q = self.ws, self.queue
        try:
            while True:
                frame = await q.get()
                try:
                    text = frame.decode()
                except UnicodeDecodeError:  # (only an injected fault is not UTF-8)
                    await ws.send_bytes(frame)
                    continue
                await ws.send_str(text)
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            pass


class Protocol:
    """One venue's protocol over the server's market. Subclasses add their routes and encode
    the events of each batch for their own connections (``self.subs``)."""

    name = ""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.subs: set[Subscriber] = set()
        self._ids = itertools.count(1)
        self._armed: set[tuple[str, str]] = set()  # one-shot faults: (fault, symbol)

    def arm(self, fault: str, symbol: str) -> None:
        """The next message of ``symbol`` that ``fault`` applies to carries it (once)."""
        self._armed.add((fault, symbol))

    def take(self, fault: str, symbol: str) -> bool:
        """Is ``fault`` armed for ``symbol``? (and disarm it)"""
        key = (fault, symbol)
        if key in self._armed:
            self._armed.discard(key)
            return True
        return False

    def fan_out(self, topic: Any, encode: Callable[..., bytes], *args: Any) -> None:
        """``encode(*args)`` to every client subscribed to ``topic``: encoded once, and only if
        one is."""
        frame = None
        for c in self.subs:
            if topic in c.topics:
                if frame is None:
                    frame = encode(*args)
                c.put(frame)

    def inject(self, frame: bytes | str) -> None:
        """Send raw bytes to every client of this protocol (a hostile-frame fault)."""
        raw = frame.encode() if isinstance(frame, str) else frame
        for c in self.subs:
            c.put(raw)

    async def serve_ws(self, request: web.Request, on_text: Callable[[Subscriber, str], None]) -> Any:
        """Accept a websocket; ``on_text(subscriber, text)`` for each text message it sends."""
        from aiohttp import WSMsgType, web

        ws = web.WebSocketResponse(max_msg_size=1 << 20, compress=False)  # keepalive: the venue's own ping
        await ws.prepare(request)
        self.server.start_translator()
        c = Subscriber(ws, f"sim-{self.name}-{next(self._ids)}")
        c.task = asyncio.create_task(c.send_loop())
        self.subs.add(c)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    on_text(c, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.subs.discard(c)
            c.task.cancel()
        return ws

    def add_routes(self, app: web.Application) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def dispatch(self, batch: list[tuple[Msg, Event]]) -> None:  # pragma: no cover - abstract
        """The market's newest events (with ``server.translator.books`` current after each)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close this protocol's connections (the server is stopping)."""
        for c in list(self.subs):
            await c.ws.close()


def load(server: SimServer) -> list[Protocol]:
    """An instance of every protocol whose module exists."""
    out: list[Protocol] = []
    for mod_name, cls_name in PROTOCOLS.values():
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as e:
            if e.name == mod_name:
                continue
            raise
        out.append(getattr(mod, cls_name)(server))
    return out


__all__ = ["PROTOCOLS", "Protocol", "Subscriber", "Translator", "load"]
