"""A hand-written event script for one symbol: a snapshot, then depth messages and trades with
exchange times the test controls, fed to an engine with the detectors (shared by the detector
tests)."""

from __future__ import annotations

from dataclasses import dataclass

from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, AlertKind, BookDelta, BookSnapshot, TakerSide, Trade
from dom.core.units import Instrument

INST = Instrument("KITEUSDT", "0.0001", "1")
MS = 1_000_000


@dataclass(frozen=True)
class OddTrade:
    """Not a ``Trade`` (the trade hooks take only that class): the same fields, so the detectors'
    own ``on_trade`` takes it."""

    symbol: str
    px_ticks: int
    qty_lots: int
    taker: TakerSide
    trade_id: int
    ts_exchange_ns: int
    ts_recv_ns: int


@dataclass(frozen=True, slots=True)
class OddDelta(BookDelta):
    """A subclass of ``BookDelta``: the engine takes it, the depth hooks take only the class itself."""


def flat_book(levels: int, size: int = 1000) -> tuple[tuple, tuple]:
    """Bids 0.5000 down and asks 0.5001 up, ``size`` lots a level."""
    return tuple((5000 - i, size) for i in range(levels)), tuple((5001 + i, size) for i in range(levels))


class EventScript:
    kind: AlertKind | None = None  # keep only this kind's alerts (None: every alert)
    idle_px = 5029  # a far ask that flickers while time passes

    def __init__(self, params: DetectorParams, book: tuple[tuple, tuple]) -> None:
        self.eng = Engine([INST], observers=make_observers(params))
        self.u, self.t, self.tid = 100, 0, 0
        self.alerts: list[Alert] = []
        self.snapshot(book)

    def snapshot(self, book: tuple[tuple, tuple]) -> None:
        bids, asks = book
        self.feed(BookSnapshot("KITEUSDT", bids, asks, self.u, self.t, self.t))

    def feed(self, ev) -> None:
        self.alerts += [o for o in self.eng.feed(ev)
                        if isinstance(o, Alert) and (self.kind is None or o.kind is self.kind)]

    def delta(self, bids=(), asks=(), dt_ms=100) -> None:
        self.t += dt_ms * MS
        self.feed(BookDelta("KITEUSDT", tuple(bids), tuple(asks), self.u + 1, self.u + 1, self.u, self.t, self.t))
        self.u += 1

    def trade(self, px, qty, taker=TakerSide.SELL, at_ns=None) -> None:
        self.tid += 1
        t = self.t if at_ns is None else at_ns
        self.feed(Trade("KITEUSDT", px, qty, taker, self.tid, t, t))

    def sell(self, px, qty, at_ns=None) -> None:
        self.trade(px, qty, TakerSide.SELL, at_ns)

    def idle(self, ms) -> None:
        for _ in range(ms // 100):
            self.delta(asks=[(self.idle_px, 1000 + self.u % 2)])  # a far level flickers: time passes
