"""Absorption's eaten-down test (``absorption_eaten``, absorption_eaten.py) on hand-written scripts.

The book of test_absorption.py: 1000 lots a level, a volume threshold of 10,001 lots; sellers hit
a bid at 0.5000 with 1,000 lots each 100 ms, the level shrinking by what traded (crossing at
1.1 s, announced 100 ms later)."""

from dom.core.types import AlertState
from tests.core.detectors.script import MS
from tests.core.detectors.test_absorption import Script


def news(shown, seconds=2.0, **params):
    s = Script(**params)
    s.idle(31_000)
    s.delta(bids=[(5000, shown)])
    s.hit(seconds, shown=shown)
    return s.of(AlertState.NEW)


def test_a_resting_order_the_flow_eats_down_is_not_announced_with_the_test_on():
    # 16,000 lots: followed from 13,000 shown, 4,000 left when it would be announced (0.31 of
    # the most it showed, nothing refilled). Off it is absorption, as before.
    off = news(16_000, absorption_eaten=0.0)
    assert len(off) == 1 and off[0].evidence["displayed_now_lots"] == 4000
    assert news(16_000, absorption_eaten=0.35) == []
    assert news(16_000, seconds=4.0, absorption_eaten=0.35) == []  # nor later in the same flow
    assert len(news(16_000, absorption_eaten=0.25)) == 1  # 0.31 is above a quarter


def test_a_level_that_keeps_showing_its_size_is_announced_with_the_test_on():
    # 20,000 and 50,000 lots: 8,000 (0.47 of 17,000) and 38,000 left: holding.
    for shown, now in ((20_000, 8000), (50_000, 38_000)):
        a = news(shown, absorption_eaten=0.35)
        assert len(a) == 1 and a[0].evidence["displayed_now_lots"] == now


def test_a_level_refilled_while_hit_is_announced_though_it_shows_less_than_it_did():
    # 20,000 lots hit for 300 ms, then 12,000 of it pulled, then it shows 5,000 while 1,000 lots
    # trade into it each 100 ms: under 0.35 of the 17,000 it showed, but the refills explain
    # half of what traded (refill_lb 6,000 of 12,000): an absorber keeping its size shown.
    def run(**params):
        s = Script(**params)
        s.idle(31_000)
        s.delta(bids=[(5000, 20_000)])
        for i in range(20):
            s.delta(bids=[(5000, 20_000 - 1000 * (i + 1) if i < 3 else 5000)])
            s.trade(5000, 500, at_ns=s.t + 30 * MS)
            s.trade(5000, 500, at_ns=s.t + 60 * MS)
        return s.of(AlertState.NEW)

    a = run(absorption_eaten=0.35)
    assert len(a) == 1
    ev = a[0].evidence
    assert ev["displayed_now_lots"] == 5000 and ev["max_displayed_lots"] == 17_000
    assert ev["refill_lb_lots"] == 6000 and ev["traded_lots"] == 12_000
    assert run(absorption_eaten=0.35, absorption_eaten_refill=1.0) == []  # refills must explain all
