"""Walls: a candidate that takers trade into while it stands (wall_traded.py)."""

from dom.core.detectors.wall_state import _Wall
from dom.core.detectors.wall_traded import traded_into
from dom.core.types import AlertState, BookSide, TakerSide, Trade
from tests.core.detectors.test_walls import Script

PX = 4962  # the candidate's price, 38 ticks under the best bid of the script's book


def _eaten(traded: int, **kw) -> Script:
    """A heavy tail of organic orders (the 10th largest 20k), then a 40k step at ``PX``: over the
    ratio's need (1.5 x 22k) and under the exceedance's (118k), so the full path does not pass it and
    the weak path makes it wait 30 s. Half a second after it came, takers sell ``traded`` lots into
    it and it keeps the rest; then 3.5 s pass."""
    s = Script(wall_step_horizon_s=0, wall_step_exceed=2, wall_weak_persist_ms=30_000, wall_weak_graded=False, **kw)
    s.warm()
    s.heavy_tail()
    s.delta(bids=[(PX, 1380 + 40_000)])
    s.idle(500)
    if traded:
        s.feed(Trade("KITEUSDT", PX, traded, TakerSide.SELL, 1, s.t, s.t))
        s.delta(bids=[(PX, 1380 + 40_000 - traded)])
    s.idle(3500)
    return s


def test_a_candidate_traded_into_while_it_stands_is_a_wall_at_the_persistence_floor():
    s = _eaten(12_000, wall_traded_fraction=0.25)  # 12k of a 41k peak: 0.29
    assert s.states() == [AlertState.NEW]
    a = s.alerts[0]
    assert a.px_ticks == PX and a.qty_lots == 41_380 - 12_000
    assert 3000 <= a.evidence["persisted_ms"] < 3600  # the floor, not the weak path's 30 s


def test_without_the_rule_or_with_too_little_traded_it_waits_the_weak_path():
    assert _eaten(12_000).alerts == []  # the rule off (the default)
    assert _eaten(0, wall_traded_fraction=0.25).alerts == []  # no trades at its price
    assert _eaten(8_000, wall_traded_fraction=0.25).alerts == []  # 8k of 41k: under a quarter
    late = _eaten(8_000, wall_traded_fraction=0.25)
    late.idle(27_000)  # 31 s in all: the weak path's time
    assert late.states() == [AlertState.NEW]


def test_a_step_under_the_ratio_is_no_wall_however_much_trades_into_it():
    s = _eaten(12_000, wall_traded_fraction=0.25, wall_step_ratio=2.5)  # 2.5 x 22k = 55k > 41k
    s.idle(40_000)
    assert s.alerts == []


def test_traded_into_reads_the_fraction_of_the_peak():
    w = _Wall(BookSide.BID, 100, 0, 1000, 1000)
    assert not traded_into(w, 0.25)
    w.traded = 250
    assert traded_into(w, 0.25) and not traded_into(w, 0.3) and not traded_into(w, 0.0)
    w.peak = 2000
    assert not traded_into(w, 0.25)  # a quarter of what it showed at its largest


def _traded_levels(**kw) -> Script:
    """Twelve ordinary large levels (60k lots for 4-6 s, one every 10 s) into each of which takers
    sell 20k (a third) before it goes, then one that stays 30 s."""
    s = Script(**kw)
    s.warm()
    for i in range(12):
        px = 4988 + i % 5
        s.delta(bids=[(px, 60_000)])
        s.idle(2000)
        s.feed(Trade("KITEUSDT", px, 20_000, TakerSide.SELL, 1, s.t, s.t))
        s.delta(bids=[(px, 40_000)])
        s.idle(2000 + 200 * (i % 10))
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))])
        s.idle(5000)
    s.delta(bids=[(4990, 60_000)])
    s.idle(30_000)
    return s


def test_levels_that_takers_traded_into_are_left_out_of_the_lifetimes_with_the_knob():
    def required(**kw):
        news = [a for a in _traded_levels(**kw).alerts if a.state is AlertState.NEW]
        assert news[-1].px_ticks == 4990
        return news[-1].evidence["required_persist_ms"]
    assert required() > 6000  # counted: the adaptive persistence rises over their lifetimes
    assert required(wall_traded_fraction=0.25) > 6000  # the fraction alone does not touch the lifetimes
    assert required(wall_traded_fraction=0.25, wall_traded_lifetimes=True) == 3000  # takers ended them
    assert required(wall_traded_fraction=0.5, wall_traded_lifetimes=True) > 6000  # a third is under half
