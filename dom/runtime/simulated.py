"""The built-in-market driver: the market runs headless, as fast as it can, and what it publishes
goes through the venue's own decoder into a pipeline; snapshot requests are answered at once from
the market's REST view. No sockets. Used by ``dom eval`` and by tests."""

from __future__ import annotations

from dom.runtime.pipeline import Pipeline
from dom.sim.market import Market
from dom.venues.binance_usdm.codec import BinanceDecoder


def drive(m: Market, pipe: Pipeline, seconds: float, skew_ms: float = 0.0) -> None:
    """Run ``seconds`` of market time through ``pipe`` (opened on the market's instruments if it
    is not open yet)."""
    if pipe.engine is None:
        pipe.open(m.instruments)
    dec = BinanceDecoder(m.instruments)
    recv = 0

    def answer(symbol: str) -> None:
        pipe.feed([dec.decode_snapshot(symbol, m.snapshot_body(symbol), recv)])

    pipe.on_snapshot_request = answer
    feed = pipe.feed
    for recv, msg in m.frames(seconds, skew_ms=skew_ms):
        feed(dec.decode(msg.raw, recv))
