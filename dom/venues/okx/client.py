"""Native OKX v5 feed (USDT swaps) on the shared in-stream client shape.

``books`` starts with a 400-level snapshot, then updates every 100 ms chained by
``seqId``/``prevSeqId`` and carrying a CRC32 ``checksum`` of the top 25 levels (where OKX still
sends one: 0 means none). A broken chain or a checksum that does not match the book is a gap:
the engine asks for a snapshot and the client resubscribes ``books`` (``dom.venues.stream_client``).
``trades``, ``mark-price`` and ``funding-rate`` come on the same connection; open interest and
24 h over REST (``context.py``). OKX closes a connection silent for 30 s: the client sends the
text ``ping`` every 20 s and skips the ``pong``.
"""

from __future__ import annotations

from typing import Any

import orjson

from dom.core.units import Instrument
from dom.venues.okx.codec import OkxDecoder, instruments_from_rest
from dom.venues.stream_client import InStreamFeed


class OkxFeed(InStreamFeed):
    venue = "okx"
    PRODUCTION_REST = "https://www.okx.com"
    PRODUCTION_WS = "wss://ws.okx.com:8443"
    WS_PATH = "/ws/v5/public"
    MAX_SYMBOLS = 100
    MAX_ARGS = 20

    def __init__(self, symbols: list[str], emit, **kw: Any) -> None:
        super().__init__([s.upper() for s in symbols], emit, **kw)

    async def fetch_instruments(self) -> dict[str, Instrument]:
        doc = await self.get_json(f"{self.rest}/api/v5/public/instruments?instType=SWAP")
        return instruments_from_rest(doc)

    def make_decoder(self, instruments: dict[str, Instrument]) -> OkxDecoder:
        return OkxDecoder(instruments)

    def topics(self, symbol: str) -> list[dict]:
        return [*self.book_topics(symbol), {"channel": "trades", "instId": symbol},
                {"channel": "mark-price", "instId": symbol}, {"channel": "funding-rate", "instId": symbol}]

    def book_topics(self, symbol: str) -> list[dict]:
        return [{"channel": "books", "instId": symbol}]

    def request_text(self, op: str, topics: list[Any]) -> str:
        return orjson.dumps({"op": op, "args": topics}).decode()

    def ping_text(self) -> str:
        return "ping"

    def is_control(self, raw: bytes | str) -> bool:
        return raw == "pong" or raw == b"pong"
