"""The pulled-liquidity (spoof) detector on hand-written event scripts (DETECTORS.md §2.4).

The book: bids 0.5000 down and asks 0.5001 up, 1000 lots a level. After 31 s of a mid that
wiggles one tick (the volatility baseline's warm-up) a 30,000-lot bid appears at 0.4990, ten
ticks under the best bid; sellers then walk the price down toward it, a tick a second.
"""

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, BookSide, BookSnapshot, FeedState, FeedStatus, TakerSide
from tests.core.detectors.script import EventScript, flat_book, MS
WALL = 4990


class Script(EventScript):
    kind = AlertKind.SPOOF
    idle_px = 5059

    def __init__(self, levels=60, **params):
        super().__init__(DetectorParams(walls=False, icebergs=False, absorptions=False, **params),
                         flat_book(levels))

    def warm_up(self):
        for i in range(31):  # the best ask comes and goes: the mid wiggles half a tick
            self.delta(asks=[(5001, 0 if i % 2 else 1000)])
            self.idle(900)

    def walk_down(self, to_best, wall_levels=(WALL,)):
        """Sellers take the best bid, one level a second, until the best bid is ``to_best``; the
        caller acts right after the last step (price still closing in)."""
        best = 5000
        while best > to_best:
            self.idle(900)
            self.sell(best, 1000)
            self.delta(bids=[(best, 0)], asks=[(best, 1000)])  # the ask follows the price down
            best -= 1
        return best


def test_a_large_bid_pulled_as_price_approaches_is_pulled_liquidity_with_its_evidence():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)  # the wall is now 2 ticks from the best bid
    assert s.alerts == []
    s.delta(bids=[(WALL, 0)])  # gone, nothing traded there
    s.idle(1000)
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    a = s.alerts[0]
    assert a.px_ticks == WALL and a.side.value == "bid" and a.qty_lots == 30_000
    ev = a.evidence
    assert ev["size_pulled_lots"] == 30_000 and ev["traded_at_level_lots"] == 0
    assert ev["first_distance_ticks"] == 10 and ev["distance_at_pull_ticks"] == 2
    assert ev["approach_ticks"] >= 2 and ev["lifetime_ms"] >= 7000 and ev["layers"] == 1
    assert ev["ratio_to_median"] >= 5 and ev["taker_share_toward"] == 1.0  # only sellers traded
    assert "Pulled liquidity" in a.message and "manipulation" not in a.message.lower()
    assert s.alerts[1].id == a.id and s.alerts[1].evidence["end"] == "pulled"
    assert a.ts_ns - ev["pulled_at_ns"] <= 1000 * MS  # within the matching window of the pull


def test_a_wall_consumed_by_trades_is_not_a_pull():
    s = Script(spoof_vol_min_ticks=10.0)  # the sweep moves the mid: keep the volatility rule out of it
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)
    for px in (4992, 4991):
        s.sell(px, 1000)
    s.sell(WALL, 30_000)  # a sweep takes the wall
    s.delta(bids=[(4992, 0), (4991, 0), (WALL, 0)])
    s.idle(1000)
    assert s.alerts == []


def _drift(s):
    """The bids step back a tick a second while buyers, not sellers, trade: the mid comes toward
    the wall but no taker flow pushes it there."""
    best = 5000
    while best > 4992:
        s.idle(900)
        s.trade(best + 1, 1000, TakerSide.BUY)
        s.delta(bids=[(best, 0)], asks=[(best, 1000)])
        best -= 1


def _rank_steps(s, steps=12):
    """Steps of 1,250-12,600 lots far down the book: with twelve the step window has its rank
    (10th largest 1,953)."""
    for i in range(steps):
        s.delta(bids=[(4980 - i, 1000 + int(1000 * 1.25 ** i))])


def placed_and_pulled(params: dict, steps: int, px: int, script) -> list:
    """The alerts of a 30,000-lot bid placed at ``px`` in one step, after a warm-up and ``steps``
    steps far down the book for the step window's rank, then ``script`` (which pulls it)."""
    s = Script(**params)
    s.warm_up()
    _rank_steps(s, steps)
    s.idle(1000)
    s.delta(bids=[(px, 30_000)])
    script(s)
    s.idle(1000)
    return s.alerts


def test_a_pull_as_the_mid_drifts_down_without_sellers_pushing_it_is_not_reported():
    for share, alerts in ((0.55, 0), (0.0, 2)):  # the flow rule on, then off
        s = Script(spoof_min_flow_share=share)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)])
        _drift(s)
        s.delta(bids=[(WALL, 0)])
        s.idle(1000)
        assert len(s.alerts) == alerts


def test_a_large_step_pulled_as_the_mid_drifts_without_sellers_counts_when_the_flow_step_is_on():
    # The step window gets its rank (twelve steps far down the book, 10th largest 1,953); the
    # 30,000-lot bid arrives in one step (15x what the step test asks); the bids then step back
    # while only buyers trade, and it goes. The flow share fails (0 toward); with spoof_flow_step
    # 1.5 (the default) the step stands in for it; not when the step must be 1000x, nor off, nor
    # without a rank.
    def drift_and_pull(s):
        _drift(s)
        s.delta(bids=[(WALL, 0)])
    for params, alerts, steps in (({"spoof_flow_step": 0.0}, 0, 12), ({}, 2, 12),
                                  ({"spoof_flow_step": 1000.0}, 0, 12), ({"spoof_flow_step": 2.0}, 0, 0)):
        got = placed_and_pulled(params, steps, WALL, drift_and_pull)
        assert len(got) == alerts, params
        if alerts:
            ev = got[0].evidence
            assert ev["taker_share_toward"] == 0.0 and ev["step_rank_lots"] == 1953


def test_a_cancel_far_from_the_touch_is_not_a_pull():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4997)  # price came 3 ticks closer, but the wall is still 7 ticks away
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    assert s.alerts == []


def test_a_level_leaving_the_visible_window_is_not_a_pull():
    s = Script(levels=11)  # a top-N book: nothing is known below 0.4990
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4994)  # 4 ticks away, approaching
    s.delta(bids=[(WALL, 0)])  # the deepest known level drops out of the window
    s.idle(1000)
    assert s.alerts == []


def test_a_moved_wall_is_not_a_pulled_wall():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0), (4985, 31_000)])  # the same size, five ticks further away
    s.idle(1000)
    assert s.alerts == []


def test_a_wall_moved_in_two_messages_up_to_the_move_reach_is_not_a_pull():
    # The size appears first (just before the pull, or just after it, within the trades' wait) at
    # up to ``spoof_move_ticks`` from the wall, outside every candidate's price: it is still kept
    # (``spoof_rules.move_reach``) and read as the order moved. One tick further, it is a pull.
    for gap, away, alerts in ((-200, 5, 0), (-200, 10, 0), (100, 10, 0), (-200, 11, 2), (100, 11, 2)):
        s = Script()
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)])
        s.walk_down(4992)
        if gap < 0:
            s.delta(bids=[(WALL - away, 31_000)])
            s.idle(-gap)
            s.delta(bids=[(WALL, 0)])
        else:
            s.delta(bids=[(WALL, 0)])
            s.idle(gap)
            s.delta(bids=[(WALL - away, 31_000)])
        s.idle(1000)
        assert len(s.alerts) == alerts, (gap, away)


def test_the_increases_kept_reach_the_candidates_range_by_the_move_reach():
    from dom.core.detectors.spoof_rules import move_reach

    p = DetectorParams()
    assert p.spoof_min_life_ms > p.spoof_drop_window_ms and move_reach(p) == p.spoof_move_ticks
    assert move_reach(DetectorParams(spoof_move_ticks=3)) == 3
    assert move_reach(DetectorParams(spoof_short_life_ms=p.spoof_drop_window_ms + 1)) == p.spoof_move_ticks
    assert move_reach(DetectorParams(spoof_short_life_ms=p.spoof_drop_window_ms)) is None  # (the shorter life)
    # A life no longer than the drop window: an increase before a candidate was seen can count.
    for life in (p.spoof_drop_window_ms, p.spoof_drop_window_ms - 1):
        assert move_reach(DetectorParams(spoof_min_life_ms=life)) is None
    # ... and then every increase is kept, as the detector kept them all before
    s = Script(spoof_min_life_ms=p.spoof_drop_window_ms)
    s.warm_up()
    s.delta(bids=[(4900, 40_000)])  # no candidate near: far past the band
    det = s.eng["KITEUSDT"].observers[0]
    assert det.reach is None and any(px == 4900 for _, px, _ in det.st.added(BookSide.BID))
    s = Script()
    s.warm_up()
    s.delta(bids=[(4900, 40_000)])
    det = s.eng["KITEUSDT"].observers[0]
    assert det.reach == p.spoof_move_ticks and not any(px == 4900 for _, px, _ in det.st.added(BookSide.BID))


def test_a_large_step_shown_under_the_minimum_life_counts_when_the_short_life_is_on():
    # Twelve steps of 1,250-12,600 lots far down the book give the step window its rank (10th
    # largest 1,953). Then 30,000 lots come 4 ticks under the best bid, price comes 2 ticks, and
    # the order goes 0.7 s after it came: under spoof_min_life_ms (1 s). With spoof_short_life_ms
    # at 600 ms (the default) it counts (its step is 15x what the step test asks); not at 800 ms,
    # nor when the step must be 1000x that, nor off, nor while the window has no rank (no step
    # test yet).
    for params, alerts, steps in (({"spoof_short_life_ms": 0}, 0, 12), ({}, 2, 12),
                                  ({"spoof_short_life_ms": 600, "spoof_short_life_step": 1000.0}, 0, 12),
                                  ({"spoof_short_life_ms": 800}, 0, 12), ({"spoof_short_life_ms": 600}, 0, 0)):
        s = Script(**params)
        s.warm_up()
        _rank_steps(s, steps)
        s.idle(1000)
        s.delta(bids=[(4996, 30_000)])
        for best in (5000, 4999):
            s.idle(200)
            s.sell(best, 1000)
            s.delta(bids=[(best, 0)], asks=[(best, 1000)])
        s.delta(bids=[(4996, 0)])
        s.idle(1000)
        assert len(s.alerts) == alerts, params
        if alerts:
            ev = s.alerts[0].evidence
            assert ev["lifetime_ms"] == 700 and ev["distance_at_pull_ticks"] == 2 and ev["step_rank_lots"] == 1953


def test_layered_levels_pulled_together_are_one_episode_at_the_largest():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000), (WALL - 1, 15_000), (WALL - 2, 15_000)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0), (WALL - 1, 0), (WALL - 2, 0)])
    s.idle(1000)
    news = [a for a in s.alerts if a.state is AlertState.NEW]
    assert len(news) == 1
    ev = news[0].evidence
    assert news[0].px_ticks == WALL and ev["layers"] == 3 and ev["layers_pulled_lots"] == 60_000
    assert ev["layer_prices"] == "0.4988 0.4989 0.4990"


def test_quotes_withdrawn_on_both_sides_are_not_a_pull():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)], asks=[(5006, 30_000)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0)], asks=[(5006, 0)])  # a market maker takes both quotes away
    s.idle(1000)
    assert s.alerts == []


def test_a_pull_during_a_volatility_spike_is_not_reported():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.idle(3000)
    # Price drops 7 ticks inside one second (both sides move), and the wall goes.
    for best in range(5000, 4993, -1):
        s.sell(best, 1000)
    s.delta(bids=[(p, 0) for p in range(4993, 5001)], asks=[(p, 1000) for p in range(4994, 5001)])
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    assert s.alerts == []


def test_resync_mid_episode_forgets_the_wall_and_says_nothing_while_not_synced():
    s = Script(spoof_vol_min_ticks=10.0)  # a quick approach below: keep the volatility rule out of it
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4996)
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
    s.delta(bids=[(WALL, 0)])  # not synced: the engine buffers it, nobody judges it
    assert s.alerts == []
    # Back in sync with a fresh book that still shows the wall; price closes in quickly and the
    # wall is pulled: its history before the gap is gone, so it has not stood long enough.
    s.u += 10
    s.feed(BookSnapshot("KITEUSDT", tuple((4996 - i, 1000) for i in range(50) if 4996 - i != WALL) + ((WALL, 30_000),),
                        tuple((4997 + i, 1000) for i in range(50)), s.u, s.t, s.t))
    for best in (4996, 4995, 4994):
        s.idle(300)
        s.sell(best, 1000)
        s.delta(bids=[(best, 0)], asks=[(best, 1000)])
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    assert s.alerts == []


def test_a_pull_judged_after_the_gap_is_dropped():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0)])  # pulled; it would be judged 0.7 s later ...
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))  # ... but the book is lost
    assert s.alerts == []


def test_a_sparse_book_bands_over_its_nearest_levels():
    """One level every 20 ticks: candidates are looked for over the nearest 20 levels, as walls
    are, not over the 3 levels within 50 ticks (where no median can be taken)."""
    s = Script()
    book = (tuple((5000 - 20 * i, 1000) for i in range(60)), tuple((5001 + 20 * i, 1000) for i in range(60)))
    s.u += 1
    s.feed(BookSnapshot("KITEUSDT", book[0], book[1], s.u, s.t, s.t))
    s.idle(1500)
    det = next(o for o in s.eng.symbols["KITEUSDT"].observers if type(o).__name__ == "SpoofDetector")
    assert det.half[BookSide.BID] == 19 * 20 and BookSide.BID in det.threshold


def test_an_order_pulled_from_inside_an_organic_queue_is_found():
    """The levels around 0.4990 hold a queue of 4x the band median; a 12,000-lot order rests
    inside it. Its pull leaves the queue standing: the level loses 75% of its size (under the
    old 80% of the whole level) but all of its excess over the queue beside it."""
    s = Script()
    s.warm_up()
    s.delta(bids=[(px, 4000) for px in range(4986, 4995) if px != WALL] + [(WALL, 4000 + 12_000)])
    s.walk_down(4992)
    assert s.alerts == []
    s.delta(bids=[(WALL, 4000)])  # the order leaves; the queue stays
    s.idle(1000)
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    ev = s.alerts[0].evidence
    assert ev["size_pulled_lots"] == 12_000 and ev["queue_lots"] == 4000 and ev["excess_lots"] == 12_000


def test_a_level_no_larger_than_the_queue_beside_it_is_not_a_pull():
    """A thick stretch of book: every level near 0.4990 holds 12,000 lots (12x the band median,
    so each is a candidate). One of them emptying is queue churn, not a large order pulled: its
    excess over the queue beside it is 1,000 lots. (Judged on the whole level, it was a pull.)"""
    for queue_ticks, pulled in ((3, False), (0, True)):  # 0: no neighbours, the band median as the queue
        s = Script(spoof_queue_ticks=queue_ticks)
        s.warm_up()
        s.delta(bids=[(px, 12_000) for px in range(4986, 4995) if px != WALL] + [(WALL, 13_000)])
        s.walk_down(4992)
        s.delta(bids=[(WALL, 500)])
        s.idle(1000)
        assert bool(s.alerts) is pulled


def test_a_lone_level_that_keeps_more_than_a_fifth_of_itself_is_not_a_pull():
    """A 6,000-lot bid among 1,000-lot levels (the queue beside it is the band median) falls to
    1,400: 92% of its excess over the queue went, but the level kept 23% of itself. With no
    queue beside it to explain what stayed, that is not the order gone (the whole-level rule,
    ``spoof_level_drop_fraction`` 0.8); falling to 1,000 is. With the rule off, 1,400 passes."""
    for after, level_fraction, pulled in ((1400, 0.8, False), (1000, 0.8, True), (1400, 0.0, True)):
        s = Script(spoof_min_notional=1000.0, spoof_level_drop_fraction=level_fraction)
        s.warm_up()
        s.delta(bids=[(WALL, 6000)])
        s.walk_down(4992)
        assert s.alerts == []
        s.delta(bids=[(WALL, after)])
        s.idle(1000)
        assert bool(s.alerts) is pulled, (after, level_fraction)
        if pulled:
            assert s.alerts[0].evidence["queue_lots"] == 1000


def test_the_excess_rule_asks_its_fraction_of_a_large_excess():
    """A 21,000-lot bid alone among 1,000-lot levels (its excess over the queue beside it: 20,000)
    falls to 3,600: 87% of its excess went, 83% of the level. The whole-level rule (80%) passes
    it; the excess rule passes it at 0.7 of the excess and not at 0.9. (Below the level rule's
    fraction the excess rule never binds: the level rule asks that fraction of the excess plus
    the band median.)"""
    for fraction, pulled in ((0.9, False), (0.85, True), (0.7, True)):
        s = Script(spoof_min_notional=1000.0, spoof_drop_fraction=fraction)
        s.warm_up()
        s.delta(bids=[(WALL, 21_000)])
        s.walk_down(4992)
        assert s.alerts == []
        s.delta(bids=[(WALL, 3600)])
        s.idle(1000)
        assert bool(s.alerts) is pulled, fraction
        if pulled:
            ev = s.alerts[0].evidence
            assert ev["excess_lots"] == 20_000 and ev["size_pulled_lots"] == 17_400


def test_the_queue_beside_a_candidate_is_the_median_of_its_neighbours():
    """``queue_beside`` (each of a few prices looked up, or the book's range read past 8 ticks) against
    its definition on random books: levels at, beside and past the reach, holes, both sides."""
    import dataclasses
    import random

    from dom.core.detectors.band import median
    from dom.core.detectors.spoof import SpoofDetector
    from dom.core.detectors.spoof_rules import queue_beside

    rng = random.Random(3)
    s = Script()
    sym = s.eng["KITEUSDT"]
    det = next(o for o in sym.observers if isinstance(o, SpoofDetector))
    for i in range(400):
        bids = tuple((4900 + j, rng.choice((0, 0, rng.randint(1, 5000)))) for j in range(101))
        asks = tuple((5001 + j, rng.choice((0, 0, rng.randint(1, 5000)))) for j in range(101))
        s.snapshot((bids, asks))
        for r in (0, 1, 3, 8, 9, 25, -1):
            det.p = dataclasses.replace(det.p, spoof_queue_ticks=r)
            side = BookSide.BID if i % 2 else BookSide.ASK
            det.median[side] = rng.choice((0, 700, 3000))
            at = rng.randint(4890, 5000) if side is BookSide.BID else rng.randint(5001, 5110)
            levels = sym.book.side(side).levels
            near = [q for px, q in levels.items() if abs(px - at) <= r and px != at]
            med = det.median[side]
            want = max(med, int(median(near))) if near else med
            assert queue_beside(det, sym, side, at) == want, (i, r, at)
