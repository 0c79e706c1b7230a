"""A client's websocket on the built-in market's Binance USDⓈ-M endpoints: which streams it asked
for (by name, as Binance spells them), which the endpoint it connected to serves (``/public``:
depth and bookTicker; ``/market``: trades and mark prices; ``/ws`` and ``/stream``: all), and its
queue of frames to send. The server (:mod:`dom.sim.server`) fans frames out to these."""

from __future__ import annotations

import asyncio

from aiohttp import web

from dom.sim import all_market

__all__ = ["MARKET_KINDS", "PUBLIC_KINDS", "Conn", "parse_stream", "send"]

PUBLIC_KINDS = {"depth", "bookTicker"}
MARKET_KINDS = {"aggTrade", "trade", "markPrice", "ticker"}


def parse_stream(name: str) -> tuple[str, str] | None:
    """``"btcusdt@depth@100ms"`` -> ``("BTCUSDT", "depth")``; None for what we do not serve."""
    sym, _, rest = name.partition("@")
    kind = rest.split("@", 1)[0]
    if kind in ("depth", "bookTicker", "aggTrade", "trade", "markPrice") and sym:
        return sym.upper(), kind
    return None


async def send(ws: web.WebSocketResponse, frame: bytes) -> None:
    """A text frame, as Binance sends; bytes that are not UTF-8 (only an injected fault makes
    them) go as a binary frame, since a text frame must be UTF-8."""
    try:
        text = frame.decode()
    except UnicodeDecodeError:
        await ws.send_bytes(frame)
        return
    await ws.send_str(text)


class Conn:
    __slots__ = ("ws", "endpoint", "combined", "subs", "queue", "task", "request")

    def __init__(self, ws: web.WebSocketResponse, endpoint: str, combined: bool, request: web.Request) -> None:
        self.ws = ws
        self.endpoint = endpoint  # "public" | "market" | "any"
        self.combined = combined
        self.subs: dict[tuple[str, str], str] = {}
        self.queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=20_000)
        self.task: asyncio.Task | None = None
        self.request = request

    def serves(self, kind: str) -> bool:
        if self.endpoint == "public":
            return kind in PUBLIC_KINDS
        if self.endpoint == "market":
            return kind in MARKET_KINDS
        return True

    def subscribe(self, names: list[str]) -> None:
        for n in names:
            key = parse_stream(str(n)) or all_market.parse(str(n))
            if key is None:
                continue  # as Binance: an unknown stream is acknowledged and never sent
            kind = all_market.KIND[key[1]] if key[0] == all_market.KEY else key[1]
            if self.serves(kind):
                self.subs[key] = str(n)
