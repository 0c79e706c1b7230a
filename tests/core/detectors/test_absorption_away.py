"""Absorption's look back at a level before the flow (``absorption_far_before``,
absorption_away.py) on hand-written scripts.

The book of test_absorption.py: bids 0.5000 down, 1000 lots a level, a volume threshold of 10,001
lots. A bid of 30,000 lots becomes the best after the bids in front of it go, and sellers hit it 20
times a second, 500 lots a print (crossing about 1.1 s in, showing 19,000; announced 100 ms
later). The detector samples the book once a second."""

from dom.core.types import AlertState, FeedState, FeedStatus
from tests.core.detectors.script import flat_book
from tests.core.detectors.test_absorption import Script


def news(px=4995, resting=30_000, from_ms=0, until_ms=31_000, **params):
    """The bid at ``px`` shows ``resting`` lots from ``from_ms`` to ``until_ms`` (1000 outside), then
    the book in front of it goes, it shows 30,000 and is hit for 3 s."""
    s = Script(**params)
    s.idle(from_ms)
    s.delta(bids=[(px, resting)])
    s.idle(until_ms - from_ms)
    if until_ms < 31_000:
        s.delta(bids=[(px, 1000)])
        s.idle(31_000 - until_ms)
    s.delta(bids=[(p, 0) for p in range(px + 1, 5001)] + [(px, 30_000)])
    s.hit(3, px=px, shown=30_000)
    return s.of(AlertState.NEW)


def test_an_order_that_rested_large_away_from_the_touch_is_not_announced_with_the_rule_on():
    # The 30,000-lot bid rested 5 ticks from the best for 31 s before the price came to it: an
    # organic order, not an absorber placed against the flow. Off it is absorption.
    off = news(absorption_far_before=0.0)
    assert len(off) == 1 and off[0].px_ticks == 4995 and "far_before_lots" not in off[0].evidence
    assert news(absorption_far_before=0.5) == []
    assert news(absorption_far_before=0.5, absorption_far_before_s=10) == []  # (its run, cut at 10 s)
    # At the crossing it shows 19,000 and the last sample before it 21,000 (9,000 traded): that
    # sample falls short of twice 19,000, so no run of such samples began away from the touch.
    assert len(news(absorption_far_before=2.0)) == 1


def test_a_level_placed_large_as_the_flow_comes_is_announced_with_the_rule_on():
    # 4995 showed the book's usual 1000 lots while it stood away; 30,000 appear as it becomes the
    # touch: an absorber. Its evidence says the most it showed away from the touch.
    a = news(resting=1000, absorption_far_before=0.5)
    assert len(a) == 1 and a[0].px_ticks == 4995
    assert a[0].evidence["far_before_lots"] == 1000


def test_only_what_the_level_showed_two_or_more_ticks_from_the_best_counts():
    # The 30,000 rested one tick behind the best (0.4999): the touch's neighbour is where an
    # absorber joins as the flow comes, not an order the price came to from afar.
    a = news(px=4999, absorption_far_before=0.5)
    assert len(a) == 1 and a[0].px_ticks == 4999
    assert a[0].evidence["far_before_lots"] == 0  # never 2+ ticks away while sampled


def test_an_order_that_left_before_a_large_one_came_at_the_touch_does_not_count():
    # A 30,000 rested away for the first 10 s and left (1000 for 21 s); the 30,000 hit later came
    # at the touch: its run of samples began there.
    a = news(until_ms=10_000, absorption_far_before=0.5)
    assert len(a) == 1 and a[0].evidence["far_before_lots"] == 30_000


def test_an_order_seen_away_for_fewer_samples_than_absorption_far_before_n_counts_not():
    # The 30,000 came 5 ticks from the best 30.5 s in, one sample (31 s) before the price came to it.
    assert len(news(from_ms=30_500, absorption_far_before=0.5)) == 1  # n = 3 (the default)
    assert news(from_ms=30_500, absorption_far_before=0.5, absorption_far_before_n=1) == []
    assert news(from_ms=27_500, absorption_far_before=0.5) == []  # four samples away


def test_an_absorber_the_price_moved_off_and_came_back_to_is_announced_with_the_rule_on():
    # The 30,000 appear at 0.4995 as it becomes the best (20 s in); bids at 0.4997 and 0.4996
    # come for 6 s (0.4995 two ticks from the best, showing its 30,000), then go, and the flow
    # hits it. Its run of samples began at the touch: an absorber, though it stood away since.
    def run(**params):
        s = Script(**params)
        s.idle(20_000)
        s.delta(bids=[(p, 0) for p in range(4996, 5001)] + [(4995, 30_000)])
        s.idle(4000)
        s.delta(bids=[(4997, 1000), (4996, 1000)])
        s.idle(6000)
        s.delta(bids=[(4997, 0), (4996, 0)])
        s.idle(1000)
        s.hit(3, px=4995, shown=30_000)
        return s.of(AlertState.NEW)

    a = run(absorption_far_before=0.5)
    assert len(a) == 1 and a[0].px_ticks == 4995
    assert a[0].evidence["far_before_lots"] == 30_000  # it did stand away with its size, later
    assert len(run(absorption_far_before=0.0)) == 1


def test_a_resync_forgets_where_the_levels_stood():
    # The 30,000 rested 5 ticks away for 29 s; the feed drops and the book comes back with it
    # there, two samples before the price comes to it: fewer than n = 3 since the resync.
    def run(drop):
        s = Script(absorption_far_before=0.5)
        s.delta(bids=[(4995, 30_000)])
        s.idle(29_000)
        if drop:
            s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
            bids, asks = flat_book(30)
            s.snapshot((tuple((p, 30_000 if p == 4995 else q) for p, q in bids), asks))
        s.idle(2000)
        s.delta(bids=[(p, 0) for p in range(4996, 5001)] + [(4995, 30_000)])
        s.hit(3, px=4995, shown=30_000)
        return s.of(AlertState.NEW)

    assert run(drop=False) == []
    assert len(run(drop=True)) == 1
