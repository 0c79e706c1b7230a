"""A symbol that ran down near zero: the simulator never rests an order at a price under one tick
(a 60-minute randomized run published '-0.0003' from a market maker's ladder quoted under a
3-tick bid, and the evaluation stopped)."""

import random

from dom.sim.decoys import MarketMakerLadder
from dom.sim.matching import ASK, BID, MatchingBook
from tests.sim.stub_sim import StubSim


def test_an_order_under_one_tick_is_rejected_as_a_venue_would():
    book = MatchingBook()
    book.add(BID, 2, 10, 0)
    book.add(ASK, 3, 10, 0)
    for px in (0, -3):
        oid = book.add(BID, px, 5, 1)
        assert oid not in book.orders
    assert book.top(BID, 10) == [(2, 10)] and book.best(BID) == 2
    assert book.add(BID, 1, 5, 2) in book.orders  # one tick is a price


def test_a_ladder_quoted_near_zero_rests_only_at_positive_prices():
    sim = StubSim()
    sim.book = MatchingBook()
    sim.book.add(BID, 3, 100, 0)
    sim.book.add(ASK, 4, 100, 0)
    mm = MarketMakerLadder(sim, random.Random(3), 0, "mm")
    mm.step(1)
    prices = [o[2] for o in sim.book.orders.values()]
    assert min(prices) >= 1
    assert all(px >= 1 for px, _ in sim.book.top(BID, 100))


def test_an_emptied_side_is_rebuilt_from_the_fair_value_not_next_to_a_runaway_other_side():
    # Arbitrage took every bid above the fair value (1000) while the asks stood 300 ticks above
    # it: bids rebuilt just under the ask would be mispriced again and keep price up there.
    from dom.sim.flow import Flow
    from dom.sim.presets import MAJOR

    flow = Flow(MAJOR, random.Random(5), 1000)
    book = MatchingBook()
    book.add(ASK, 1300, 50, 0)
    flow._replenish(book, 1)
    bids = [px for px, _ in book.top(BID, 100)]
    assert max(bids) == 1000 and len(bids) == 25
    # Within 10 ticks of the fair value the side restarts next to the other one, as always.
    book2 = MatchingBook()
    book2.add(ASK, 1008, 50, 0)
    flow._replenish(book2, 1)
    assert book2.best(BID) == 1007
