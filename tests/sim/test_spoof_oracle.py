"""The spoof agent's detectability oracle (DETECTORS.md §4): a spoof is detectable when its wall
was shown for a depth push and price came at least two ticks nearer before the pull."""

import random
from types import SimpleNamespace

from dom.sim.agents import BID, SEC, SpoofAgent
from dom.sim.matching import MatchingBook


class _Sim:
    def __init__(self):
        self.book = MatchingBook()
        for i in range(30):
            self.book.add(BID, 1000 - i, 100, 0)
            self.book.add(1, 1001 + i, 100, 0)
        self.flow = SimpleNamespace(pressure=0.0, pressure_until=0)
        self.inst = SimpleNamespace(qty_str=str, px_str=str)
        self.spec = SimpleNamespace(symbol="X", limit_median=100)
        self.draw = None
        self.depth_ns = SEC // 10

    def mid(self):
        return (self.book.best(BID) + self.book.best(1)) / 2


def _agent(d0, k):
    sim = _Sim()
    a = SpoofAgent(sim, random.Random(1), 0, "s")
    # Place it d0 ticks under the best bid and pull within k (the draws are replaced).
    for oid in a.oids:
        sim.book.cancel(oid)
    a.side, a.d0, a.k, a.px = BID, d0, k, 1000 - d0
    a.oids = [sim.book.add(BID, a.px, 5000, 0, owner=a)]
    a.timeout = 60 * SEC
    return sim, a


def _walk_to(sim, a, dist, t):
    """Take the bids above the wall until it is ``dist`` ticks from the best bid."""
    while sim.book.best(BID) - a.px > dist:
        px = sim.book.best(BID)
        sim.book.market(1, sim.book.level(BID, px), t)
        a.step(t)


def test_a_pull_after_a_two_tick_approach_is_detectable():
    sim, a = _agent(d0=4, k=2)
    _walk_to(sim, a, 2, SEC)
    assert a.done and a.params["outcome"] == "pulled_on_approach"
    assert a.detectable_from == SEC


def test_a_pull_after_one_tick_of_approach_is_not_detectable():
    sim, a = _agent(d0=4, k=3)
    _walk_to(sim, a, 3, SEC)
    assert a.done and a.params["outcome"] == "pulled_on_approach"
    assert a.detectable_from is None  # one tick nearer: the touch's own flicker
