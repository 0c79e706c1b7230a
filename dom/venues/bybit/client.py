"""Native Bybit v5 feed (linear perpetuals) on the shared in-stream client shape.

Bybit sends the book in-stream: a subscription to ``orderbook.{depth}.{symbol}`` starts with a
snapshot, then deltas whose ``u`` rises by one per message (``dom.core.sequencer`` Rule.BYBIT).
When the engine loses sync (a skipped ``u``, a crossed book) it asks for a snapshot, and the
client resubscribes the book topic (``dom.venues.stream_client``). ``publicTrade`` brings the
trades, ``tickers`` mark, index and funding; the context poller reads open interest and 24 h.
Bybit asks for ``{"op":"ping"}`` every 20 s and drops a silent connection.
"""

from __future__ import annotations

import itertools
from typing import Any

import orjson

from dom.core.units import Instrument
from dom.errors import FeedError
from dom.venues.bybit.codec import BybitDecoder, instruments_from_rest
from dom.venues.stream_client import InStreamFeed

DEPTHS = (1, 50, 200, 500)


class BybitFeed(InStreamFeed):
    venue = "bybit"
    PRODUCTION_REST = "https://api.bybit.com"
    PRODUCTION_WS = "wss://stream.bybit.com"
    WS_PATH = "/v5/public/linear"
    MAX_SYMBOLS = 100
    MAX_ARGS = 10

    def __init__(self, symbols: list[str], emit, *, depth: int = 200, **kw: Any) -> None:
        if depth not in DEPTHS:
            raise FeedError(f"Bybit book depth must be one of {DEPTHS}, not {depth}")
        super().__init__([s.upper() for s in symbols], emit, **kw)
        self.depth = depth
        self._req = itertools.count(1)

    async def fetch_instruments(self) -> dict[str, Instrument]:
        known: dict[str, Instrument] = {}
        cursor = ""
        for _ in range(50):  # pages of 1000; a cursor that never ends is refused
            url = f"{self.rest}/v5/market/instruments-info?category=linear&limit=1000"
            doc = await self.get_json(url + (f"&cursor={cursor}" if cursor else ""))
            known.update(instruments_from_rest(doc))
            result = doc.get("result") if isinstance(doc, dict) else None
            nxt = result.get("nextPageCursor") if isinstance(result, dict) else None
            if not nxt or not isinstance(nxt, str) or nxt == cursor:
                break
            cursor = nxt
        return known

    def make_decoder(self, instruments: dict[str, Instrument]) -> BybitDecoder:
        return BybitDecoder(instruments)

    def topics(self, symbol: str) -> list[str]:
        return [*self.book_topics(symbol), f"publicTrade.{symbol}", f"tickers.{symbol}"]

    def book_topics(self, symbol: str) -> list[str]:
        return [f"orderbook.{self.depth}.{symbol}"]

    def request_text(self, op: str, topics: list[Any]) -> str:
        return orjson.dumps({"op": op, "req_id": str(next(self._req)), "args": topics}).decode()

    def ping_text(self) -> str:
        return '{"op":"ping"}'
