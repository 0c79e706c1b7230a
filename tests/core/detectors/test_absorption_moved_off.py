"""Absorption's level the price moved off (``absorption_moved_off``): a crossed level that, at its
confirmation, still shows its size with better levels in front of it held and is announced; off,
it is dropped as not the best.

The book of test_absorption.py (1000 lots a level, a volume threshold of 10,001 lots: the notional
floor; a hold minimum of 2,000 lots). Sellers hit a bid at 0.5000 with two prints of 500 lots every
100 ms (each depth message shows the prints of the 100 ms before it), for 1.1 s: V_W crosses at the
21st print, 67 ms before the flow's last depth message, which comes less than
``absorption_confirm_ms`` after the crossing; the one after it confirms."""

from dom.core.types import AlertState, TakerSide
from tests.core.detectors.test_absorption import Script


def run(shown=50_000, front=(5001, 3000), through=False, front_ms=100, seconds=1.1, tail=False, **params):
    """The bid at 0.5000 showing ``shown``, hit for 1.1 s; then buyers step in front of it
    (``front``: a bid at that price, the ask there taken away, ``front_ms`` after the last depth
    message) while the sellers stop, or (``through``) a print at 0.4999 goes through it; then 5 s of
    quiet. ``tail``: two more prints after the flow's last depth message (its crossing there, with
    ``seconds`` 1.0)."""
    s = Script(**params)
    s.idle(31_000)
    s.delta(bids=[(5000, shown)])
    left = s.hit(seconds, shown=shown)
    if tail:
        s.trade(5000, 500, TakerSide.SELL, at_ns=s.t + 33_000_000)
        s.trade(5000, 500, TakerSide.SELL, at_ns=s.t + 67_000_000)
    assert s.alerts == []  # crossed in the last step, not yet confirmed
    if through:
        s.trade(4999, 500, TakerSide.SELL)
        s.delta(bids=[(5000, 0), (4999, 1000)])
    elif front is not None:
        s.delta(bids=[front], asks=[(front[0], 0)], dt_ms=front_ms)
    else:
        s.delta(bids=[(5000, left)])
    s.idle(5000)
    return s, left


def test_a_level_the_price_moved_off_is_dropped_off_and_announced_on():
    s, left = run()
    assert s.alerts == []  # off: not the best at the confirmation, dropped
    s, left = run(absorption_moved_off=True)
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].px_ticks == 5000 and news[0].side.value == "bid"
    ev = news[0].evidence
    assert ev["displayed_now_lots"] == left == 39_000 and ev["traded_lots"] >= ev["threshold_lots"] >= 10_000
    end = s.alerts[-1]  # the sellers stopped: it ends held, the aggression faded
    assert end.state is AlertState.END and end.id == news[0].id
    assert end.evidence["end"] == "held" and end.evidence["end_reason"] == "aggression_faded"


def test_a_level_still_the_best_is_announced_as_before():
    off = [(a.state, a.ts_ns, a.evidence) for a in run(front=None)[0].alerts]
    on = [(a.state, a.ts_ns, a.evidence) for a in run(front=None, absorption_moved_off=True)[0].alerts]
    assert len(off) == 2 and on == off  # a NEW and its END, the same with the rule on


def test_the_hold_minimum_and_the_eaten_down_test_still_apply_to_a_level_moved_off():
    # 12,500 shown, 11,000 traded: 1,500 left, under the hold minimum (2 x the median level), with
    # the eaten-down test on or off.
    for eaten in (0.35, 0.0):
        s, left = run(shown=12_500, absorption_moved_off=True, absorption_eaten=eaten)
        assert left == 1500 and s.alerts == []
    # 15,000 shown, 4,000 left: over the hold minimum, but at most 0.35 of the most it showed since
    # it was followed (12,000), with no refill: an order being eaten down is not announced.
    s, left = run(shown=15_000, absorption_moved_off=True)
    assert left == 4000 and s.alerts == []
    s, left = run(shown=15_000, absorption_moved_off=True, absorption_eaten=0.0)
    assert len(s.of(AlertState.NEW)) == 1  # the eaten-down test off: announced


def test_a_level_traded_through_before_the_confirmation_is_not_announced():
    s, _ = run(through=True, absorption_moved_off=True)
    assert s.alerts == []
    # A better bid in front after the trade-through does not bring it back.
    s, _ = run(through=True, absorption_moved_off=True, front=(5001, 3000))
    assert s.alerts == []


def test_the_better_level_on_the_far_side_of_the_book_counts_too():
    # The same on the ask: buyers lift an ask of 50,000 at 0.5001, then sellers step in front at 0.5000.
    for on in (False, True):
        s = Script(absorption_moved_off=on)
        s.idle(31_000)
        shown = 50_000
        s.delta(asks=[(5001, shown)])
        for _ in range(11):
            shown -= 1000
            s.delta(asks=[(5001, shown)])
            for k in range(2):
                s.trade(5001, 500, TakerSide.BUY, at_ns=s.t + (k + 1) * 33_000_000)
        s.delta(asks=[(5000, 3000)], bids=[(5000, 0)])
        s.idle(5000)
        news = s.of(AlertState.NEW)
        assert len(news) == (1 if on else 0)
        if on:
            assert news[0].px_ticks == 5001 and news[0].side.value == "ask"


def test_with_the_first_message_form_only_the_message_right_after_the_crossing_may_show_it_moved_off():
    first = dict(absorption_moved_off=True, absorption_moved_off_first=True)
    # A message 67 ms after the crossing (the level still the best), then the price moves off it at
    # the one that confirms, the second: dropped; the plain form announces it.
    s, _ = run(**first)
    assert s.alerts == []
    assert len(run(absorption_moved_off=True)[0].of(AlertState.NEW)) == 1
    # The flow's last message before the crossing, the price off the level 167 ms after it: the
    # first message after the crossing is the one that confirms: announced.
    s, left = run(seconds=1.0, tail=True, front_ms=200, **first)
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].px_ticks == 5000 and news[0].evidence["displayed_now_lots"] == left == 40_000
    # 67 ms after the crossing, before the confirmation, the price off it, then the message that
    # confirms (the second): dropped.
    s, _ = run(seconds=1.0, tail=True, **first)
    assert s.alerts == []
    # The form alone, without absorption_moved_off, changes nothing.
    s, _ = run(seconds=1.0, tail=True, front_ms=200, absorption_moved_off_first=True)
    assert s.alerts == []
