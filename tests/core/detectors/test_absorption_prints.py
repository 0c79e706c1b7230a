"""Absorption's few-large-prints test (``absorption_mean_print``, absorption_prints.py) on
hand-written scripts.

The book of test_absorption.py: 1000 lots a level, a volume threshold of 10,001 lots (the notional
floor at 0.5). After 30 s of quiet a bid at 0.5000 shows ``shown`` lots, and sellers hit it with one
print of ``qty`` lots each 100 ms while the level keeps showing ``shown`` (refilled as it is hit)."""

from dom.core.types import AlertState
from tests.core.detectors.script import MS
from tests.core.detectors.test_absorption import Script


def run(shown, qty, seconds=1.5, small_after=0.0, before=None, **params):
    """``small_after``: then that many seconds more of 500-lot prints, eight each 100 ms;
    ``before``: the level shows that much first (then ``shown`` once the prints begin)."""
    s = Script(**params)
    s.idle(31_000)
    s.delta(bids=[(5000, before or shown)])
    if before:
        s.trade(5000, qty, at_ns=s.t + 50 * MS)  # the first print while it shows ``before``
    for _ in range(int(seconds * 10)):
        s.delta(bids=[(5000, shown)])
        s.trade(5000, qty, at_ns=s.t + 50 * MS)
    for _ in range(int(small_after * 10)):
        s.delta(bids=[(5000, shown)])
        for k in range(8):
            s.trade(5000, 500, at_ns=s.t + (k + 1) * 10 * MS)
    s.delta(bids=[(5000, shown)])
    return s


def news(*args, **params):
    return run(*args, **params).of(AlertState.NEW)


def test_a_few_large_prints_into_a_level_showing_less_than_they_took_are_not_announced():
    # 4,000-lot prints (0.4 of the threshold) into a bid showing 8,000: crossing at the fourth
    # print (16,000 traded, 12,000 without the largest), 8,000 shown < what traded.
    off = news(8000, 4000, absorption_mean_print=0.0)
    assert len(off) == 1
    ev = off[0].evidence
    assert ev["displayed_now_lots"] == 8000 and ev["traded_lots"] > 8000
    assert ev["traded_lots"] >= 0.35 * ev["threshold_lots"] * (ev["traded_lots"] // 4000)
    assert news(8000, 4000, absorption_mean_print=0.35) == []
    assert news(8000, 4000, seconds=3.0, absorption_mean_print=0.35) == []  # nor later in the same flow
    assert len(news(8000, 4000, absorption_mean_print=0.5)) == 1  # 0.4 of the threshold a print is under 0.5


def test_a_level_showing_more_than_the_large_prints_took_is_announced():
    # The same prints into a bid showing 50,000, or 24,000 (announced at 16,000 traded): it shows
    # more than they took.
    for shown in (50_000, 24_000):
        a = news(shown, 4000, absorption_mean_print=0.35)
        assert len(a) == 1 and a[0].evidence["displayed_now_lots"] == shown
        assert a[0].evidence["traded_lots"] == 16_000


def test_what_the_level_shows_now_counts_not_the_most_it_showed():
    # A bid showing 40,000 at the first large print, then 8,000 as the next come (refilled there as
    # hit, so not eaten down): it shows less than they took.
    off = news(8000, 4000, before=40_000, absorption_mean_print=0.0)
    assert len(off) == 1 and off[0].evidence["max_displayed_lots"] == 40_000 and off[0].evidence["traded_lots"] < 40_000
    assert news(8000, 4000, before=40_000, absorption_mean_print=0.35) == []


def test_a_flow_of_many_small_prints_is_announced():
    # 8,000 shown, the same volume a second in 500-lot prints (eight each 100 ms: 0.05 of the threshold).
    s = run(8000, 500, seconds=0.0, small_after=2.0, absorption_mean_print=0.35)
    a = s.of(AlertState.NEW)
    assert len(a) == 1 and a[0].evidence["traded_lots"] > 8000


def test_a_level_held_back_is_announced_once_the_flow_into_it_becomes_one_of_many_prints():
    # Four large prints, held back; then small prints bring the volume per print under 0.35 of
    # the threshold (a further ~60 prints of 500): announced, later than with the test off.
    on = run(8000, 4000, seconds=0.5, small_after=3.0, absorption_mean_print=0.35)
    off = run(8000, 4000, seconds=0.5, small_after=3.0, absorption_mean_print=0.0)
    a_on, a_off = on.of(AlertState.NEW), off.of(AlertState.NEW)
    assert len(a_on) == 1 and len(a_off) == 1
    assert a_on[0].ts_ns > a_off[0].ts_ns
    ev = a_on[0].evidence
    assert ev["displayed_now_lots"] < ev["traded_lots"]
