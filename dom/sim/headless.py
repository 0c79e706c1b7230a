"""Drive an engine from the built-in market with no sockets: what it publishes, decoded by the
live decoder, snapshot requests answered at once. Used by ``dom eval`` and by tests."""

from __future__ import annotations

from collections.abc import Callable

from dom.core.engine import Engine
from dom.core.types import Output, SnapshotRequest
from dom.feeds.binance_wire import BinanceDecoder
from dom.sim.market import Market


def drive(m: Market, eng: Engine, seconds: float, on_output: Callable[[Output], None] | None = None,
          skew_ms: float = 0.0) -> None:
    dec = BinanceDecoder(m.instruments)
    for recv, msg in m.frames(seconds, skew_ms=skew_ms):
        for ev in dec.decode(msg.raw, recv):
            for o in eng.feed(ev):
                if isinstance(o, SnapshotRequest):
                    eng.feed(dec.decode_snapshot(o.symbol, m.snapshot_body(o.symbol), recv))
                elif on_output is not None:
                    on_output(o)
