"""The spoof agent's detectability oracle (DETECTORS.md §4): a spoof is detectable when its wall
was shown for a depth push and price came at least two ticks nearer before the pull."""

import random

from dom.sim.agent import SEC
from dom.sim.agents import SpoofAgent
from dom.sim.matching import BID
from tests.sim.stub_sim import StubSim


def _agent(d0, k):
    sim = StubSim()
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


def test_a_pull_while_the_mid_spikes_is_not_detectable():
    """Pulled as price came, but in a second whose mid range is a spike (3 ticks or more, above the
    symbol's 95th percentile: the risk-off-pull decoy's trigger): the same picture as that decoy's
    pull when its spike ran toward it."""
    for mids, detectable in (([1000.5, 1000.0, 999.5], True), ([1002.5, 1000.0, 998.5], False)):
        sim, a = _agent(d0=4, k=2)
        sim.mids.extend(mids)  # a 1-tick range, then a 4-tick one (no minute of samples yet: 3 ticks alone)
        _walk_to(sim, a, 2, SEC)
        assert a.done and a.params["outcome"] == "pulled_on_approach"
        assert a.params["in_spike"] is (not detectable)
        assert (a.detectable_from == SEC) is detectable


def test_a_pull_whose_own_step_jumped_price_into_the_order_is_in_a_spike():
    """The market records a step's mid after its agents step: the oracle adds the current mid itself,
    so a step that jumps price 3 ticks into the order (the second before it flat) is a spike, as the
    risk-off decoy, which reads its own current mid, would see it."""
    sim, a = _agent(d0=8, k=2)
    sim.mids.extend([1000.5] * 20)  # a flat second
    _walk_to(sim, a, 2, SEC)  # within one step: the best bid 1000 -> 994, the mid 1000.5 -> 997.5
    assert a.done and a.params["outcome"] == "pulled_on_approach"
    assert a.params["in_spike"] is True and a.detectable_from is None
    sim, a = _agent(d0=8, k=2)
    sim.mids.extend([998.5] * 20)  # the same walk after a second 1 tick off: 1 tick, no spike
    _walk_to(sim, a, 2, SEC)
    assert a.params["in_spike"] is False and a.detectable_from == SEC
