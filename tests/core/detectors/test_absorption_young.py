"""Absorption's young flow (``absorption_rate_young_ms``): a flow into a level followed for less
than the rate window is judged over its own span, both intensity bars scaled by max(span, the
knob) / ``absorption_rate_ms``.

The book of test_absorption.py (1000 lots a level, a volume threshold of 10,001 lots: the notional
floor), with the background of test_absorption_deep.py: every 10 s, two seconds of 40 prints of 250
lots into the bid touch, so the side's P90 second is 40 prints and 10,000 lots (bars: 80 prints or
30,000 lots a second). The large-level path is off, so that only the bars decide. Then sellers hit a
bid of 20,000 lots, refilled to its size, 4 prints of 1000 lots every 100 ms (40,000 lots a second):
followed from its third print (V_W 3000, a quarter of the threshold), over the threshold less its
largest print from the twelfth (0.3 s in), over the volume bar in a full second only from the
thirtieth (0.75 s in)."""

from dom.core.types import AlertState, TakerSide
from tests.core.detectors.script import MS
from tests.core.detectors.test_absorption import Script


def run(seconds=1.0, per_100ms=4, qty=1000, through_ms=None, **params):
    """``through_ms``: a trade beyond the level (0.4999) that long after the flow began."""
    s = Script(**{"absorption_large_mult": 0.0, **params})
    for i in range(400):  # 40 s of background
        s.delta(bids=[(5000, 1000 + s.u % 2)])
        if i % 100 < 20:
            for _ in range(4):
                s.trade(5000, 250)
    s.idle(3000)
    t0 = s.t
    for _ in range(int(seconds * 10)):
        s.delta(bids=[(5000, 20_000)])
        if through_ms is not None and s.t - t0 > through_ms * MS:
            s.trade(4999, 500, TakerSide.SELL)
            s.delta(bids=[(5000, 0), (4999, 1000)])
            break
        for k in range(per_100ms):
            s.trade(5000, qty, TakerSide.SELL, at_ns=s.t + (k + 1) * 100 * MS // (per_100ms + 1))
    s.idle(1000)
    return s, t0


def test_a_young_burst_broken_within_a_second_is_announced_before_it_breaks_with_the_rule_on():
    s, t0 = run(through_ms=600)
    assert s.of(AlertState.NEW) == []  # off: under the volume bar until 0.75 s, broken at 0.6 s
    s, t0 = run(through_ms=600, absorption_rate_young_ms=250)
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].px_ticks == 5000
    # Crossed at the twelfth print (0.38 s after the first depth message of the flow, the prints
    # coming 20 ms apart from 0.12 s), announced at the next depth message 100 ms on.
    assert 0.35 * 1e9 <= news[0].ts_ns - t0 <= 0.6 * 1e9
    ev = news[0].evidence
    assert ev["volume_in_rate_window_lots"] < 3 * ev["baseline_volume_in_rate_window_lots"]  # under the full bar
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end_reason"] == "traded_through"


def test_the_same_burst_is_announced_without_the_rule_once_a_second_of_it_clears_the_bar():
    s, t0 = run()  # not broken: off, it crosses on the volume bar 0.75 s in
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].ts_ns - t0 >= 0.8 * 1e9
    s, t0 = run(absorption_rate_young_ms=250)
    assert len(s.of(AlertState.NEW)) == 1 and s.of(AlertState.NEW)[0].ts_ns - t0 < 0.6 * 1e9


def test_the_span_has_a_floor_and_a_flow_older_than_the_rate_window_is_not_scaled():
    # At a floor of the whole rate window nothing is scaled: as off.
    s, _ = run(through_ms=600, absorption_rate_young_ms=1000)
    assert s.of(AlertState.NEW) == []
    # A steady flow of 20 prints of 500 lots a second (10,000 lots) crosses the threshold after a
    # second of it: its span is the rate window, under both bars, young rule or not.
    s, _ = run(seconds=4, per_100ms=2, qty=500, absorption_rate_young_ms=250)
    assert s.of(AlertState.NEW) == []


def test_the_count_bar_is_scaled_too():
    # The count alone (the volume bar off): 8 prints of 500 lots every 100 ms, 80 a second, the
    # count bar a full second of them; at 0.25 of it (20 prints) from the 22nd print, 0.4 s in.
    kw = dict(through_ms=600, per_100ms=8, qty=500, absorption_rate_vol_mult=0.0)
    s, _ = run(**kw)
    assert s.of(AlertState.NEW) == []
    s, t0 = run(absorption_rate_young_ms=250, **kw)
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].evidence["trades_in_rate_window"] < 80
