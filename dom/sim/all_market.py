"""Binance USDⓈ-M's all-market streams on the built-in market, next to its per-symbol streams:

- ``!bookTicker`` (/public): every symbol's bookTicker event as it is published;
- ``!markPrice@arr@1s`` and ``!markPrice@arr`` (/market): once a second of market time, one
  frame whose payload is the array of every symbol's markPriceUpdate of that second;
- ``!ticker@arr`` (/market): once a second, one array of ``24hrTicker`` events, one per symbol
  whose ticker changed since the last array, with the numbers a REST ``/fapi/v1/ticker/24hr``
  call gives at that moment (``dom.sim.context``).

A connection holds such a subscription under the key ``("!", name)`` (per-symbol streams are
keyed ``(SYMBOL, kind)``), so the per-symbol dispatch never sees it. Nothing here is computed
while no connection subscribes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from dom.venues.binance_usdm import codec as wire
from dom.venues.binance_usdm import frames

if TYPE_CHECKING:
    from dom.sim.market import Msg
    from dom.sim.server import SimServer

KEY = "!"
# The per-symbol kind each all-market stream is made of: the endpoint rules are the same.
KIND = {wire.ALL_BOOK_TICKER: "bookTicker", wire.ALL_MARK_PRICE: "markPrice",
        wire.ALL_MARK_PRICE_PLAIN: "markPrice", wire.ALL_TICKER: "ticker", wire.ALL_MINI_TICKER: "ticker"}


def parse(name: str) -> tuple[str, str] | None:
    """``"!bookTicker"`` -> ``("!", "!bookTicker")``; None for anything else."""
    return (KEY, name) if name in wire.ALL_MARKET_STREAMS else None


def endpoint_of(name: str) -> str:
    return wire.ALL_MARKET_STREAMS[name]


class AllMarket:
    """The all-market frames of one market step: ``frames(msgs)`` -> ``[(stream, endpoint, kind, raw)]``."""

    def __init__(self, srv: "SimServer") -> None:
        self.srv = srv
        self._last_ticker: dict[str, tuple] = {}

    def wanted(self) -> set[str]:
        return {name for c in self.srv.conns for (k, name) in c.subs if k == KEY}

    def frames(self, msgs: Iterable["Msg"]) -> list[tuple[str, str, str, bytes]]:
        want = self.wanted()
        if not want:
            return []
        out: list[tuple[str, str, str, bytes]] = []
        marks: list[bytes] = []
        for m in msgs:
            kind = _kind(m.stream)
            if kind == "bookTicker" and wire.ALL_BOOK_TICKER in want:
                out.append((wire.ALL_BOOK_TICKER, "public", "bookTicker", m.raw))
            elif kind == "markPrice":
                marks.append(m.raw)
        if marks:  # the market publishes every symbol's mark on the same step, once a second
            arr = frames.encode_array(marks)
            for name in (wire.ALL_MARK_PRICE, wire.ALL_MARK_PRICE_PLAIN):
                if name in want:
                    out.append((name, "market", "markPrice", arr))
            if wire.ALL_TICKER in want or wire.ALL_MINI_TICKER in want:
                bodies = self.changed_tickers()
                ms = self.srv.market.now // 1_000_000
                for name, enc in ((wire.ALL_TICKER, frames.encode_ticker_24h),
                                  (wire.ALL_MINI_TICKER, frames.encode_mini_ticker_24h)):
                    if bodies and name in want:
                        out.append((name, "market", "ticker", frames.encode_array([enc(b, ms) for b in bodies])))
        return out

    def changed_tickers(self) -> list[dict]:
        """The ``GET /fapi/v1/ticker/24hr`` bodies of the symbols whose ticker changed since the
        last array (``24hrTicker`` and ``24hrMiniTicker`` events are both made from them)."""
        ctx = self.srv.rest.context
        if ctx is None:  # a recording holds no context
            return []
        out = []
        for sym, sim in self.srv.market.syms.items():
            body = ctx.ticker(sim)
            state = tuple(v for k, v in body.items() if k not in ("openTime", "closeTime"))
            if self._last_ticker.get(sym) == state:
                continue
            self._last_ticker[sym] = state
            out.append(body)
        return out


def _kind(stream: str) -> str:
    rest = stream.partition("@")[2]
    return rest.split("@", 1)[0]
