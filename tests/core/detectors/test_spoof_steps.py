"""Pulled liquidity's step test: a pulled level arrived as one order beyond the organic ones
(steps.py, ``spoof_steps``). The book and the approach are test_spoof.py's."""

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, BookSnapshot, FeedState, FeedStatus
from tests.core.detectors.script import EventScript, flat_book
from tests.core.detectors.test_spoof import WALL, Script


def _organic_steps(s, n=12, size=20_000):
    """n organic orders of ``size`` on the bids, each cancelled within 200 ms far from the touch
    (no pull: it stood under 2 s and price did not come), 10.5 s apart (not one order moving)."""
    for i in range(n):
        px = 4985 - i
        s.delta(bids=[(px, 1000 + size)])
        s.delta(bids=[(px, 1000)], dt_ms=200)
        s.idle(10_500)


def _pulled(s, size):
    """A ``size`` order joins the bid at 0.4990 and leaves as sellers walk price to 2 ticks from it."""
    s.delta(bids=[(WALL, 1000 + size)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    return s.alerts


def test_a_pulled_level_no_larger_than_the_organic_orders_is_not_reported_and_one_beyond_them_is():
    s = Script()
    s.warm_up()
    _organic_steps(s)
    assert s.alerts == []
    assert _pulled(s, 22_000) == []  # 22x the band median, but the size organic orders reach
    s = Script()
    s.warm_up()
    _organic_steps(s)
    alerts = _pulled(s, 60_000)  # 3x the largest organic order
    assert [a.state for a in alerts] == [AlertState.NEW, AlertState.END]
    ev = alerts[0].evidence
    assert ev["step_lots"] == 60_000 and ev["step_rank_lots"] == 20_000


def test_the_ratio_sets_the_bar_and_rank_zero_turns_the_test_off():
    s = Script(spoof_step_ratio=1.0)
    s.warm_up()
    _organic_steps(s)
    assert len(_pulled(s, 22_000)) == 2  # 22,000 >= 1.0 x 20,000
    s = Script(spoof_step_rank=0)
    s.warm_up()
    _organic_steps(s)
    alerts = _pulled(s, 22_000)
    assert [a.state for a in alerts] == [AlertState.NEW, AlertState.END]
    assert "step_lots" not in alerts[0].evidence


def test_before_the_window_holds_rank_steps_there_is_no_test():
    s = Script()
    s.warm_up()
    _organic_steps(s, n=5)  # fewer than spoof_step_rank (10)
    alerts = _pulled(s, 22_000)
    assert len(alerts) == 2 and alerts[0].evidence["step_rank_lots"] is None


def test_a_level_built_by_many_small_orders_is_not_reported():
    """A 60,000-lot level reached in 5,000-lot steps: no one order beyond the organic ones."""
    s = Script()
    s.warm_up()
    _organic_steps(s)
    for k in range(1, 13):
        s.delta(bids=[(WALL, 5000 * k)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    assert s.alerts == []


def test_a_level_in_the_book_at_the_sync_has_its_size_for_a_step():
    """After a resync the book as first seen shows the level: its arrival was not seen, so its
    size stands for its step (as for walls); the organic orders' window is kept across the gap."""
    for size, reported in ((60_000, True), (22_000, False)):
        s = Script()
        s.warm_up()
        _organic_steps(s)
        s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
        s.u += 10
        bids = tuple((5000 - i, size if 5000 - i == WALL else 1000) for i in range(60))
        s.feed(BookSnapshot("KITEUSDT", bids, tuple((5001 + i, 1000) for i in range(60)), s.u, s.t, s.t))
        s.idle(3000)
        s.walk_down(4992)
        s.delta(bids=[(WALL, 0)])
        s.idle(1000)
        assert bool(s.alerts) is reported
        if reported:
            assert s.alerts[0].evidence["step_lots"] == 60_000


def test_the_same_pulls_with_the_walls_on_and_off():
    """Pulled liquidity keeps its own step window: the walls (which take their announced orders
    out of theirs) do not change what it reports."""
    def run(walls):
        s = EventScript(DetectorParams(walls=walls, icebergs=False, absorptions=False), flat_book(60))
        s.kind = AlertKind.SPOOF
        s.idle_px = Script.idle_px
        Script.warm_up(s)
        _organic_steps(s)
        s.delta(bids=[(WALL, 1000 + 60_000)])
        Script.walk_down(s, 4992)
        s.delta(bids=[(WALL, 0)])
        s.idle(1000)
        return [(a.state, a.px_ticks, a.evidence["step_lots"], a.evidence["step_rank_lots"])
                for a in s.alerts]
    assert run(False) == run(True) != []


def test_the_step_tests_last_word_asks_its_pass_fraction_of_the_need():
    """``spoof_step_pass``: the step test asks that fraction of what it would (40,000 here, 2x the
    10th largest organic step of 20,000); the other rules' multiples of the need stay whole."""
    def alerts(size, **params):
        s = Script(**params)
        s.warm_up()
        _organic_steps(s)
        return _pulled(s, size)
    assert DetectorParams().spoof_step_pass == 0.85  # the default
    assert alerts(36_000, spoof_step_pass=1.0) == []  # under the whole need
    got = alerts(36_000, spoof_step_pass=0.85)  # 36,000 >= 0.85 x 40,000 = 34,000
    assert [a.state for a in got] == [AlertState.NEW, AlertState.END]
    assert got[0].evidence["step_lots"] == 36_000 and got[0].evidence["step_rank_lots"] == 20_000
    assert alerts(33_000, spoof_step_pass=0.85) == []  # under 34,000
    assert len(alerts(34_000, spoof_step_pass=0.85)) == 2  # at it
    assert len(alerts(40_000, spoof_step_pass=1.0)) == 2  # the whole need, the pass fraction whole
    assert len(alerts(34_000)) == 2 and alerts(33_000) == []  # the default asks 0.85 of it
