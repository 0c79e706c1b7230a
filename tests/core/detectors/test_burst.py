"""The burst detector on a hand-written market: two minutes and more of a quiet symbol (a trade
of 100 lots a second, the touch wobbling by a tick), then buyers at 30x that pace lifting the
asks 40 ticks (80 bps) in two seconds. Issue #16."""

import pytest

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, flat_book

BUY, SELL = TakerSide.BUY, TakerSide.SELL


class Script(EventScript):
    kind = AlertKind.BURST

    def __init__(self, **params):
        super().__init__(DetectorParams(walls=False, icebergs=False, spoofs=False, absorptions=False, sweeps=False,
                                        **params), flat_book(60))
        self.bid, self.ask = 5000, 5001

    def shift(self, ticks):
        """Move the touch ``ticks`` (up > 0): the asks in the way go, bids follow."""
        if ticks > 0:
            asks = [(self.ask + i, 0) for i in range(ticks)]
            bids = [(self.bid + 1 + i, 1000) for i in range(ticks)]
            asks += [(self.ask + 59 + i, 1000) for i in range(1, ticks + 1)]
        else:
            bids = [(self.bid - i, 0) for i in range(-ticks)]
            asks = [(self.ask - 1 - i, 1000) for i in range(-ticks)]
            bids += [(self.bid - 59 - i, 1000) for i in range(1, -ticks + 1)]
        self.bid += ticks
        self.ask += ticks
        self.delta(bids=bids, asks=asks)

    def quiet(self, seconds):
        for i in range(seconds):
            for k in range(10):
                if k == 0:
                    self.shift(1 if (self.t // 1_000_000_000) % 2 else -1)
                else:
                    self.delta(asks=[(self.ask + 30, 1000 + self.u % 2)])
                if k == 5:
                    self.trade(self.ask if i % 2 else self.bid, 100, BUY if i % 2 else SELL)

    def burst(self, seconds, ticks_per_100ms=2, lots_per_100ms=300, taker=BUY):
        for _ in range(seconds * 10):
            self.shift(ticks_per_100ms if taker is BUY else -ticks_per_100ms)
            self.trade(self.ask if taker is BUY else self.bid, lots_per_100ms, taker)


def test_a_burst_up_is_flagged_within_a_second_and_a_half_and_ends_when_the_volume_fades():
    s = Script()
    s.quiet(180)
    assert s.alerts == []  # two wobbling minutes, then one more: nothing
    t0 = s.t
    s.burst(2)
    assert [a.state for a in s.alerts] == [AlertState.NEW]
    new = s.alerts[0]
    assert new.ts_ns - t0 <= 1500 * MS
    assert new.side.value == "ask" and new.evidence["direction"] == "up"
    ev = new.evidence
    assert ev["volume_x"] >= 4 and ev["move_sigma"] >= 4 and ev["move_bps"] >= 15
    assert ev["window_s"] == 3 and 250 <= ev["baseline_lots"] <= 350  # 100 lots a second, 3 s
    s.quiet(10)
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    end = s.alerts[1]
    assert end.id == new.id and end.evidence["end"] == "volume_faded"
    assert end.evidence["peak_move_bps"] >= end.evidence["move_bps"] > 60  # ~80 bps, less the wobble
    assert end.evidence["volume_lots"] >= 6000  # the 2 s at 3,000 lots a second
    assert "burst ended: up" in end.message


def test_a_burst_down_mirrors():
    s = Script()
    s.quiet(150)
    s.burst(2, taker=SELL)
    assert s.alerts and s.alerts[0].side.value == "bid" and s.alerts[0].evidence["direction"] == "down"


def test_volume_without_a_move_or_a_move_without_volume_is_no_burst():
    s = Script()
    s.quiet(150)
    s.burst(3, ticks_per_100ms=0)  # 30x the volume, price still: absorbed, not a burst
    s.quiet(20)
    s.burst(2, lots_per_100ms=5)  # 80 bps on no volume: a thin book repricing
    s.quiet(20)
    assert s.alerts == []


@pytest.mark.parametrize("knobs", [{"burst_move_sigma": 0.0}, {"burst_volume_mult": 0.0},
                                   {"burst_move_sigma": 0.0, "burst_volume_mult": 0.0, "burst_min_move_bps": 0.0}])
def test_a_threshold_set_to_zero_is_met_by_anything_and_scores_full(knobs):
    """The configuration takes 0 for any threshold (not negative): the burst is then flagged as
    before, its score's part for that threshold full, not a division by zero in the middle of a run."""
    s = Script(**knobs)
    s.quiet(180)
    s.burst(2)
    s.quiet(10)
    states = [a.state for a in s.alerts]
    assert states[:2] == [AlertState.NEW, AlertState.END] and states[::2] == [AlertState.NEW] * len(states[::2])
    assert all(a.score == 1.0 for a in s.alerts)
    assert any(a.evidence["direction"] == "up" and a.evidence["move_bps"] > 60 for a in s.alerts)


def test_silent_during_warm_up():
    s = Script()
    s.quiet(60)
    s.burst(3)
    assert s.alerts == []


def test_a_window_volume_that_compares_with_nothing_is_read_by_the_whole_rule():
    """A size no exchange sends (NaN: the edge parses exact ints, a hostile caller may not) makes
    the window's volume compare with nothing: the rule is read in full (the warm-up first), as it
    was before the volume a burst needs was kept between seconds: nothing is said, nothing raises."""
    p = DetectorParams(walls=False, icebergs=False, absorptions=False, spoofs=False, sweeps=False,
                       burst_warmup_s=60, burst_baseline_s=120)
    s = EventScript(p, flat_book(30))
    for i in range(6):  # the first second and a half: no window move measured yet
        s.delta(asks=[(5029, 1000 + i % 2)], dt_ms=250)
        s.trade(5001, 10, TakerSide.BUY)
    s.feed(Trade("KITEUSDT", 5001, float("nan"), TakerSide.BUY, 10**6, s.t, s.t))
    for i in range(5):  # the mid moves while the window's sum is NaN
        s.delta(bids=[(5001 + i, 1000)], asks=[(5001 + i, 0)], dt_ms=100)
    assert not [a for a in s.alerts if a.kind is AlertKind.BURST]
