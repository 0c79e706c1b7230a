"""Pulled liquidity where a depth push holds more than one thing: the last of the approach and
the pull together, trades at the level before it went, a pull on the other side of another
size, and pushes 500 ms apart (the alert must still come within a second of the pull)."""

from dom.core.types import AlertState
from tests.core.detectors.script import MS
from tests.core.detectors.test_spoof import WALL, Script


def _pulled(s):
    return [a for a in s.alerts if a.state is AlertState.NEW]


def test_the_last_of_the_approach_and_the_pull_in_one_push_are_seen_by_the_trades():
    """The book's last word before the push puts the wall 6 ticks under the best bid (near is
    within max(3, 10 // 2) = 5); in the push sellers take six more levels (their trades, timed
    inside it, reach 0.4991) and the wall is gone. The book alone says it went 6 ticks away; the
    trades say price came within a tick."""
    for trade_approach, n in ((True, 1), (False, 0)):
        s = Script(spoof_trade_approach=trade_approach, spoof_vol_min_ticks=10.0)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)])
        best = s.walk_down(4996)  # 6 ticks from the wall
        for i, px in enumerate(range(best, 4990, -1)):  # 0.4996 .. 0.4991 within the next push
            s.sell(px, 1000, at_ns=s.t + (10 + 10 * i) * MS)
        s.delta(bids=[(px, 0) for px in range(4991, best + 1)] + [(WALL, 0)],
                asks=[(px, 1000) for px in range(4991, best + 1)])
        s.idle(1000)
        assert len(_pulled(s)) == n, trade_approach
        if n:
            a = _pulled(s)[0]
            assert a.px_ticks == WALL and a.evidence["book_distance_ticks"] == 6
            assert a.evidence["trade_distance_ticks"] == 1 == a.evidence["distance_at_pull_ticks"]
            assert "pulled 1 tick from the touch" in a.message


def test_trades_beyond_the_level_after_it_went_do_not_make_it_consumed():
    """The wall goes and, in the same push, sellers trade through its price: those trades could
    not have filled it (a level is consumed at its own price). Trades at its price are counted."""
    for through, n in ((False, 1), (True, 0)):
        s = Script(spoof_traded_through=through, spoof_vol_min_ticks=10.0)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)])
        s.walk_down(4992)
        s.sell(4989, 12_000, at_ns=s.t + 50 * MS)  # under the wall's price, after it left (40% of it)
        s.delta(bids=[(WALL, 0), (4992, 0), (4991, 0)], asks=[(4992, 1000), (4991, 1000)])
        s.idle(1000)
        assert len(_pulled(s)) == n, through


def test_the_front_of_a_level_traded_and_the_rest_pulled_is_a_pull_up_to_the_traded_share():
    """Sellers fill the first part of a level at its price, then the rest is cancelled. Up to
    ``spoof_max_traded_fraction`` of the drop traded there it is a pull; beyond, consumed."""
    for traded, n in ((6000, 1), (9000, 0)):  # 20% and 30% of the 30,000-lot drop
        s = Script(spoof_traded_through=False, spoof_max_traded_fraction=0.25)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)])
        s.walk_down(4992)
        s.sell(WALL, traded, at_ns=s.t + 20 * MS)
        s.delta(bids=[(WALL, 0)])
        s.idle(1000)
        assert len(_pulled(s)) == n, traded
        if n:  # sellers reached it: pulled at the touch, its traded part said
            a = _pulled(s)[0]
            ev = a.evidence
            assert ev["traded_at_level_lots"] == 6000 and ev["traded_through_lots"] == 0
            assert ev["distance_at_pull_ticks"] == 0 and "pulled at the touch" in a.message


def test_a_smaller_pull_on_the_other_side_does_not_make_it_a_two_sided_withdrawal():
    """A 6,000-lot ask goes in the same push as the 30,000-lot bid: a fifth of its size is not a
    market maker taking both quotes away (at half the size or more it would be)."""
    for ask, n in ((6000, 1), (30_000, 0)):
        s = Script(spoof_two_sided_fraction=0.5)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)], asks=[(5006, ask)])
        s.walk_down(4992)
        s.delta(bids=[(WALL, 0)], asks=[(5006, 0)])
        s.idle(1000)
        assert len(_pulled(s)) == n, ask


def test_at_500_ms_pushes_the_alert_comes_within_a_second_of_the_pull():
    s = Script()
    s.warm_up()
    s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)
    s.delta(bids=[(WALL, 0)], dt_ms=500)
    pulled_at = s.t
    for _ in range(4):
        s.delta(asks=[(s.idle_px, 1000 + s.u % 2)], dt_ms=500)
    a = _pulled(s)[0]
    assert a.evidence["pulled_at_ns"] == pulled_at
    # Judged at the first push at least spoof_layer_ms + the trades' wait (200 + 300 ms) after it
    # (twice the layer before: the second push, a second after the pull).
    assert a.ts_ns - pulled_at == 500 * MS


def test_an_ask_re_placed_nearby_in_the_same_push_is_a_re_quote_not_a_two_sided_withdrawal():
    """A 30,000-lot ask leaves 5006 in the push that pulls the bid wall and comes back at 5004: a
    re-quote (a ladder or a wall trailing the touch), not both quotes withdrawn. With
    ``spoof_two_sided_requote`` the bid's pull is reported; without it, or when the ask does not
    come back (a withdrawal), it is not."""
    for requote, back, n in ((True, True, 1), (False, True, 0), (True, False, 0)):
        s = Script(spoof_two_sided_requote=requote)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)], asks=[(5006, 30_000)])
        s.walk_down(4992)
        s.delta(bids=[(WALL, 0)], asks=[(5006, 0)] + ([(5004, 31_000)] if back else []))
        s.idle(1000)
        assert len(_pulled(s)) == n, (requote, back)
        if n:
            assert _pulled(s)[0].px_ticks == WALL and _pulled(s)[0].side.value == "bid"


def test_a_re_quoted_ask_judged_first_does_not_make_the_bid_pull_two_sided():
    """The ask's re-quote comes a push before the bid's pull (within spoof_layer_ms): the ask's
    group is judged first and kept among the judged ones with nothing withdrawn."""
    for requote, n in ((True, 1), (False, 0)):
        s = Script(spoof_two_sided_requote=requote)
        s.warm_up()
        s.delta(bids=[(WALL, 30_000)], asks=[(5006, 30_000)])
        s.walk_down(4992)
        s.delta(asks=[(5006, 0), (5004, 31_000)])
        s.delta(bids=[(WALL, 0)])  # 100 ms later
        s.idle(1000)
        assert len(_pulled(s)) == n, requote
