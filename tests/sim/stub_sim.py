"""A symbol simulator with only what an injected agent reads: a matching book of 30 levels of 100
lots a side (bids 1000 down, asks 1001 up), the flow's fields the agents set, and the instrument
and spec the labels use (for the agents' oracle tests)."""

from collections import deque
from types import SimpleNamespace

from dom.sim.agent import SEC
from dom.sim.matching import ASK, BID, MatchingBook
from dom.sim.volatility import RangeHistory


class StubSim:
    def __init__(self):
        self.book = MatchingBook()
        for i in range(30):
            self.book.add(BID, 1000 - i, 100, 0)
            self.book.add(ASK, 1001 + i, 100, 0)
        self.flow = SimpleNamespace(pressure=0.0, pressure_until=0, burst_side=None, burst_mult=1.0, burst_until=0)
        self.inst = SimpleNamespace(qty_str=str, px_str=str)
        self.spec = SimpleNamespace(symbol="X", limit_median=100)
        self.draw = None
        self.depth_ns = SEC // 10
        self.ranges = RangeHistory()
        self.mids: deque[float] = deque(maxlen=20)  # the true mid over the last second (the market keeps it)

    def mid(self):
        return (self.book.best(BID) + self.book.best(ASK)) / 2
