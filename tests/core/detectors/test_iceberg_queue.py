"""The queue a chain's gaps traded (iceberg_queue.py, ``iceberg_min_queue_turn``): a refill joins
the back of the queue, so between two refills the level trades about what it showed after the
earlier one; a crowded touch's regular per-push adds come whatever the queue does."""

import random

from dom.core.detectors.iceberg_chain import chain_scan_py
from dom.core.detectors.iceberg_queue import link_indices, queue_turn, turns_queue
from dom.core.types import AlertState
from tests.core.detectors.test_iceberg import JITTERED, MS, SUMS_NEAR_1000, Script, _touch_with_joins


def test_link_indices_find_the_chain_the_scan_found():
    rng = random.Random(7)
    for _ in range(300):
        adds, traded = [], 0
        for _ in range(rng.randint(3, 40)):
            traded += rng.choice((0, 0, 200, 900, 1500))
            adds.append((rng.choice((700, 1000, 1010, 1200, 2500)), traded, 0))
        for lo, hi in ((990, 1030), (690, 1300), (2400, 2600)):
            chain = chain_scan_py(adds, lo, hi, 0.8)[0]
            idx = link_indices(adds, chain, 0.8)
            assert [adds[i][0] for i in idx] == chain
    # a chain judged earlier, adds after it in its band: only the chain tested
    adds = [(1000, 0, 0), (1000, 1000, 0), (1000, 2000, 0), (1000, 3000, 0)]
    assert link_indices(adds, [1000, 1000, 1000], 0.8) == [0, 1, 2]


def test_the_median_gap_over_the_queue_after_the_earlier_link():
    # links at 0, 2, 3: gaps traded 1000 (shown 1000 after link 0) and 600 (shown 2000 after link 2)
    adds = [(1000, 0, 0), (5000, 400, 0), (1000, 1000, 0), (1000, 1600, 0)]
    shown = [1000, 6000, 2000, 3000]
    assert link_indices(adds, [1000, 1000, 1000], 0.3) == [0, 2, 3]
    assert queue_turn(adds, shown, [1000, 1000, 1000], 0.3) == (1.0 + 0.3) / 2
    assert turns_queue(adds, shown, [1000, 1000, 1000], 0.3, 0.6)
    assert not turns_queue(adds, shown, [1000, 1000, 1000], 0.3, 0.7)
    assert turns_queue(adds, shown, [1000, 1000, 1000], 0.3, 0.0)  # off
    assert queue_turn(adds[:1], shown, [1000], 0.3) == float("inf")  # no gap: nothing to say


def _crowded_touch(**params):
    """A 30,000-lot bid; every 300 ms sellers take 1,100 lots of it and the push adds about 1,000
    (a sum of many joins): every add comes once the last one traded (no idle add for the level's
    own rate to see), and the level turns over its most shown after about 27 pushes."""
    return _touch_with_joins(SUMS_NEAR_1000, shown=30_000, take=1100, **{"iceberg_min_chain_share": 0.0, **params})


def test_a_crowded_touch_whose_pushes_add_one_size_is_stopped_by_its_queue():
    """Between links the touch trades about 1,100 of a queue of 25,000-30,000 (a share of 0.04):
    no refill behind such a queue could be due."""
    flagged = _crowded_touch(iceberg_min_queue_turn=0.0)
    assert flagged and flagged[0].px_ticks == 4997, "without the queue test it is flagged"
    assert not _crowded_touch(iceberg_min_queue_turn=0.5)
    assert not _crowded_touch(iceberg_min_queue_turn=0.1)


def _order_behind_a_queue(**params):
    """A refilling order (JITTERED slices) whose slice has 2,000 lots of others behind it: sellers
    take the slice and the refill joins behind those others; half of them cancel, sellers take the
    rest, and a second later (the level quiet: no possible refill) 2,000 join behind the new slice.
    Between two refills the level trades 1,000 + the slice of the 2,000 + slice it showed after the
    earlier one: a share of about 0.67."""
    s = Script(**{"iceberg_min_chain_share": 0.0, **params})  # (a third of its level: the share test off)
    slice_ = 1000
    s.delta(bids=[(4997, slice_ + 2000)])
    for size in JITTERED:
        s.t += 50 * MS
        s.sell(4997, slice_)  # the slice at the front
        s.delta(bids=[(4997, 2000 + size)], dt_ms=50)  # the refill, behind the others
        s.idle(300)
        s.delta(bids=[(4997, 1000 + size)])  # half the queue in front cancels
        s.t += 50 * MS
        s.sell(4997, 1000)  # sellers take the rest of it
        s.delta(bids=[(4997, size)], dt_ms=50)
        s.idle(1000)
        s.delta(bids=[(4997, size + 2000)])  # others join behind the slice
        s.idle(200)
        slice_ = size
    s.idle(500)
    return [a for a in s.alerts if a.state is AlertState.NEW]


def test_an_order_whose_queue_in_front_partly_cancels_is_still_flagged():
    flagged = _order_behind_a_queue(iceberg_min_queue_turn=0.5)
    assert flagged and flagged[0].px_ticks == 4997 and flagged[0].evidence["refills"] >= 3
    assert _order_behind_a_queue(iceberg_min_queue_turn=0.0)
    assert not _order_behind_a_queue(iceberg_min_queue_turn=1.0), "the cancels in front make it trade under 1x"
