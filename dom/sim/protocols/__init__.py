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

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dom.core.book import OrderBook
from dom.core.types import BookDelta, Event
from dom.core.units import Instrument
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError

if TYPE_CHECKING:
    from aiohttp import web

    from dom.sim.market import Msg
    from dom.sim.server import SimServer

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


class Protocol:
    """One venue's protocol over the server's market. Subclasses add their routes and encode
    the events of each batch for their own connections."""

    name = ""

    def __init__(self, server: SimServer) -> None:
        self.server = server

    def add_routes(self, app: web.Application) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def dispatch(self, batch: list[tuple[Msg, Event]]) -> None:  # pragma: no cover - abstract
        """The market's newest events (with ``server.translator.books`` current after each)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close this protocol's connections (the server is stopping)."""


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


def serves(protocols: list[Protocol]) -> list[str]:
    return [p.name for p in protocols]


__all__ = ["PROTOCOLS", "Protocol", "Translator", "load", "serves"]
