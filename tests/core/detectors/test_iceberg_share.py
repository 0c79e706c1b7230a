"""The chain's share of what its level shows (iceberg_share.py, ``iceberg_min_chain_share``): a
refilling order's slice is a good part of what its level shows right after it is put back; a
crowded touch whose per-push adds repeat a size shows many times that size."""

from dom.core.detectors.iceberg_share import chain_share, holds_share
from dom.core.types import AlertState
from tests.core.detectors.test_iceberg import JITTERED, MS, Script
from tests.core.detectors.test_iceberg_queue import _crowded_touch


def test_the_median_share_over_the_chains_links():
    # links at 0, 2, 3 (the add at 1 is out of the band); shares 1000/1000, 1000/4000, 1000/2500
    adds = [(1000, 0, 0), (5000, 400, 0), (1000, 1000, 0), (1000, 1600, 0)]
    shown = [1000, 6000, 4000, 2500]
    chain = [1000, 1000, 1000]
    assert chain_share(adds, shown, chain, 0.3) == 0.4
    assert holds_share(adds, shown, chain, 0.3, 0.4)
    assert not holds_share(adds, shown, chain, 0.3, 0.41)
    assert holds_share(adds, shown, chain, 0.3, 0.0)  # off
    # the out-of-band add's level (6000) is not a link's: a share of 1/6 would pull the median down
    assert chain_share(adds, [1000, 1, 4000, 2500], chain, 0.3) == 0.4
    # an add that came before the last link traded (idle) is no link either
    idle = [(1000, 0, 0), (1000, 100, 0), (1000, 1000, 0), (1000, 1800, 0)]
    assert chain_share(idle, [1000, 100_000, 4000, 2500], chain, 0.8) == 0.4
    assert chain_share([], [], [], 0.8) == float("inf")  # no link: nothing to say
    assert chain_share([(1000, 0, 0)], [0], [1000], 0.8) == 1000  # an empty level after it: counted as 1 lot


def test_a_crowded_touch_whose_pushes_add_one_size_is_stopped_by_its_share():
    """The 30,000-lot touch adds about 1,000 a push: each link is about 1/30 of what it shows."""
    flagged = _crowded_touch(iceberg_min_chain_share=0.0)
    assert flagged and flagged[0].px_ticks == 4997, "without the share test it is flagged"
    assert not _crowded_touch(iceberg_min_chain_share=0.3)
    assert not _crowded_touch(iceberg_min_chain_share=0.05)
    assert _crowded_touch(iceberg_min_chain_share=0.02), "each link is over 2% of the level"


def _order_with_others_behind(behind, **params):
    """A refilling order (JITTERED slices) at the front of its level, ``behind`` lots of others
    resting behind it: sellers take the slice, the next one joins the queue, and the level shows
    the slice and the others."""
    s = Script(**params)
    s.delta(bids=[(4997, 1000 + behind)])
    shown = 1000
    for size in JITTERED:
        s.t += 50 * MS
        s.sell(4997, shown)
        s.delta(bids=[(4997, size + behind)], dt_ms=50)
        shown = size
        s.idle(200)
    s.idle(500)
    return [a for a in s.alerts if a.state is AlertState.NEW]


def test_a_refilling_order_is_flagged_while_its_slice_is_a_good_part_of_its_level():
    alone = _order_with_others_behind(0, iceberg_min_chain_share=0.3)
    assert alone and alone[0].px_ticks == 4997 and alone[0].evidence["refills"] >= 3
    # 1,000 behind each slice: about half the level
    assert _order_with_others_behind(1000, iceberg_min_chain_share=0.3)
    assert not _order_with_others_behind(1000, iceberg_min_chain_share=0.6)
    # 5,000 behind: a sixth of the level; flagged with the test off only
    assert _order_with_others_behind(5000, iceberg_min_chain_share=0.0)
    assert not _order_with_others_behind(5000, iceberg_min_chain_share=0.3)


def test_the_defaults_stop_the_crowded_touch_and_flag_the_order_alone():
    from tests.core.detectors.test_iceberg import SUMS_NEAR_1000, _touch_with_joins

    assert not _touch_with_joins(SUMS_NEAR_1000, shown=30_000, take=1100)
    assert _order_with_others_behind(0)
    assert _order_with_others_behind(1000)  # about half its level
