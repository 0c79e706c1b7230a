"""Absorption's deep flow (``absorption_deep_mult``): a steady flow into one level many times the
volume threshold, and the touch's usual V_W, stands in for the intensity bars.

The book of test_absorption.py (1000 lots a level, a volume threshold of 10,001 lots: the notional
floor). Its background: every 10 s, two seconds of 40 prints of 250 lots into the bid touch, so the
side's P90 second is 40 prints and 10,000 lots (bars: 80 prints or 30,000 lots a second) and the
touch's usual V_W (P95) about 20,000 lots. Then sellers hit a bid of 20,000 lots, refilled to its
size, 20 prints of 500 lots a second: under either bar every second, V_W 10,000 lots more each
second."""

from dom.core.types import AlertState, TakerSide
from tests.core.detectors.script import MS
from tests.core.detectors.test_absorption import Script


def run(steady=None, seconds=7, **params):
    """``steady``: a background of that many lots a second into the touch, every second, instead
    of the two busy seconds in ten."""
    s = Script(**{"absorption_eaten": 0.0, **params})
    for i in range(400):  # 40 s of background
        s.delta(bids=[(5000, 1000 + s.u % 2)])
        if steady:
            for _ in range(2):
                s.trade(5000, steady // 20)
        elif i % 100 < 20:
            for _ in range(4):
                s.trade(5000, 250)
    s.idle(3000)
    for _ in range(seconds * 10):
        s.delta(bids=[(5000, 20_000)])
        s.trade(5000, 500, TakerSide.SELL, at_ns=s.t + 30 * MS)
        s.trade(5000, 500, TakerSide.SELL, at_ns=s.t + 60 * MS)
    return s.of(AlertState.NEW)


def test_a_steady_flow_many_times_the_threshold_into_a_holding_level_is_absorption():
    assert run() == []  # the rule off: no busy second, so no absorption
    news = run(absorption_deep_mult=3.0)
    assert len(news) == 1
    ev = news[0].evidence
    assert ev["deep_flow"] is True and ev["large_level"] is False
    assert ev["trades_in_rate_window"] < 2 * ev["baseline_trades_in_rate_window"]  # under the count bar
    assert ev["volume_in_rate_window_lots"] < 3 * ev["baseline_volume_in_rate_window_lots"]  # and the volume bar
    # Crossed once V_W less its largest print reached 3x max(threshold, the touch's usual V_W);
    # announced 100 ms later (two prints more).
    bar = 3 * max(ev["threshold_lots"], ev["baseline_window_lots"])
    assert ev["baseline_window_lots"] > ev["threshold_lots"] and bar <= ev["window_traded_lots"] - 500 <= bar + 2000
    assert "in 10 s" in news[0].message
    assert run(absorption_deep_mult=8.0) == []  # 70,000 lots in 7 s: not 8x the touch's usual


def test_a_deep_flow_is_no_absorption_where_the_touch_usually_takes_that_much():
    # The touch takes 8,000 lots every second: its usual V_W is 80,000, and the same flow
    # (10,000 lots a second for 7 s) is not three times that.
    assert run(steady=8000, absorption_deep_mult=3.0) == []
    assert len(run(absorption_deep_mult=3.0)) == 1  # the book of two busy seconds in ten: it is
