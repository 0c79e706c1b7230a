"""Native Bitget v2 feed (USDT futures) on the shared in-stream client shape.

``books`` starts with a snapshot, then updates, each with a CRC32 ``checksum`` of the top 25
levels written in Bitget's own fixed decimals (the decoder learns them from each snapshot; the
verifier reads the same table). A checksum that does not match is a gap: the engine asks for a
snapshot and the client resubscribes ``books`` (``dom.venues.stream_client``). ``trade`` and
``ticker`` (mark, index, funding) come on the same connection. Bitget wants the text ``ping``
at least every 30 s and answers ``pong``.
"""

from __future__ import annotations

from typing import Any

import orjson

from dom.core.checksum import WireDecimals
from dom.core.units import Instrument
from dom.venues.bitget.codec import BitgetDecoder, instruments_from_rest
from dom.venues.stream_client import InStreamFeed

INST_TYPE = "USDT-FUTURES"


class BitgetFeed(InStreamFeed):
    venue = "bitget"
    PRODUCTION_REST = "https://api.bitget.com"
    PRODUCTION_WS = "wss://ws.bitget.com"
    WS_PATH = "/v2/ws/public"
    MAX_SYMBOLS = 100
    MAX_ARGS = 20
    PING_S = 25.0

    def __init__(self, symbols: list[str], emit, *, learned: WireDecimals | None = None, **kw: Any) -> None:
        super().__init__([s.upper() for s in symbols], emit, **kw)
        self.learned = learned if learned is not None else WireDecimals()

    async def fetch_instruments(self) -> dict[str, Instrument]:
        doc = await self.get_json(f"{self.rest}/api/v2/mix/market/contracts?productType={INST_TYPE}")
        return instruments_from_rest(doc)

    def make_decoder(self, instruments: dict[str, Instrument]) -> BitgetDecoder:
        return BitgetDecoder(instruments, learned=self.learned)

    def topics(self, symbol: str) -> list[dict]:
        return [*self.book_topics(symbol), {"instType": INST_TYPE, "channel": "trade", "instId": symbol},
                {"instType": INST_TYPE, "channel": "ticker", "instId": symbol}]

    def book_topics(self, symbol: str) -> list[dict]:
        return [{"instType": INST_TYPE, "channel": "books", "instId": symbol}]

    def request_text(self, op: str, topics: list[Any]) -> str:
        return orjson.dumps({"op": op, "args": topics}).decode()

    def ping_text(self) -> str:
        return "ping"

    def is_control(self, raw: bytes | str) -> bool:
        return raw == "pong" or raw == b"pong"
