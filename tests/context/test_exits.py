"""Tiered exits: TP1 / TP2 at profile levels or in front of walls, break-even after TP1."""

from decimal import Decimal
from fractions import Fraction

import pytest

from dom.core.context.exits import candidates, plan_exits
from dom.core.context.sizing import size


def test_playbook_trade_takes_half_at_vah_and_the_rest_in_front_of_the_wall():
    # The playbook's worked example: equity 5,000, 1% risk, contract 100 units, entry 1.00,
    # stop 0.95 -> 10 contracts. Ticks of 0.01, one lot = one contract: a tick on a lot is $1.
    s = size(equity=5000, risk_pct=1, entry="1.00", stop="0.95", contract_size=100)
    lots = int(s.contracts)
    plan = plan_exits(entry_px=100, stop_px=95, lots=lots, levels=[(105, "VAH"), (98, "VAL"), (100, "POC")],
                      walls=[111], unit_value=Decimal("0.01") * 100)
    assert plan.side == "long" and plan.risk == s.loss_at_stop == 50
    assert (plan.tp1.px, plan.tp1.lots, plan.tp1.source, plan.tp1.r) == (105, 5, "VAH", 1)
    assert plan.tp1.profit == 25  # 5 contracts x 100 units x 0.05
    assert (plan.tp2.px, plan.tp2.lots, plan.tp2.source) == (110, 5, "wall")  # one tick in front of 1.11
    assert plan.tp2.r == 2 and plan.tp2.profit == 50
    assert plan.locked_after_tp1 == 25 and plan.total_profit == 75
    note = plan.break_even_note(lambda p: f"{p / 100:.2f}")
    assert note == "after TP1 move the stop to the entry 1.00: the last 5 risk nothing, 25.00 is locked in"


def test_short_uses_levels_below_and_bid_walls_with_the_offset_above_them():
    plan = plan_exits(entry_px=2000, stop_px=2010, lots=7, levels=[(1990, "POC"), (2005, "VAH")],
                      walls=[1970], unit_value=Decimal("0.1"), wall_offset_ticks=2)
    assert plan.side == "short"
    assert (plan.tp1.px, plan.tp1.lots, plan.tp1.source) == (1990, 3, "POC")  # floor(7 x 50%) = 3
    assert (plan.tp2.px, plan.tp2.lots, plan.tp2.source) == (1972, 4, "wall")
    assert plan.tp1.profit == Decimal("3.0") and plan.tp2.profit == Decimal("11.2")
    assert plan.tp2.r == Fraction(28, 10)


def test_no_level_in_view_falls_back_to_whole_r_multiples_and_near_levels_are_skipped():
    plan = plan_exits(100, 90, 4, levels=[(103, "POC")], walls=[])  # 0.3R: nearer than min_r 0.5
    assert (plan.tp1.px, plan.tp1.source) == (110, "1R") and (plan.tp2.px, plan.tp2.source) == (120, "2R")
    one = plan_exits(100, 90, 4, levels=[(115, "VAH")])
    assert (one.tp1.px, one.tp1.source) == (115, "VAH") and (one.tp2.px, one.tp2.source) == (120, "2R")
    assert plan_exits(100, 90, 4, levels=[(103, "POC")], min_r=0).tp1.source == "POC"


def test_one_lot_goes_at_tp1_and_a_tp1_share_of_all():
    p = plan_exits(100, 95, 1, levels=[(105, "VAH")])
    assert p.tp1.lots == 1 and p.tp2 is None and p.break_even_note() == "TP1 closes the whole position"
    p = plan_exits(100, 95, 10, levels=[(105, "VAH"), (108, "POC")], tp1_share=0.3)
    assert (p.tp1.lots, p.tp2.lots) == (3, 7)
    with pytest.raises(ValueError):
        plan_exits(100, 100, 1)


def test_candidates_dedupe_and_order_by_distance():
    c = candidates("long", 100, [(104, "POC"), (104, "VAH"), (99, "VAL")], [104, 103])
    assert c == [(102, "wall"), (103, "wall"), (104, "POC")]


def test_funding_over_the_hold_counts_settlements_and_signs_the_amount():
    from dom.core.context.pnl import FUNDING_INTERVAL_NS as H, funding_over_hold

    n, cs, mark, rate = Decimal(10), Decimal(100), Decimal("1.00"), Decimal("0.0001")
    t8 = 1_796_025_600 * 1_000_000_000  # a funding time
    assert funding_over_hold("long", n, cs, mark, rate, t8, t8) == (0, 0)  # exited before it
    assert funding_over_hold("long", n, cs, mark, rate, t8, t8 + H) == (1, Decimal("0.1"))  # a long pays
    assert funding_over_hold("short", n, cs, mark, rate, t8, t8 + H) == (1, Decimal("-0.1"))  # a short receives
    assert funding_over_hold("short", n, cs, mark, -rate, t8, t8 + 3 * H) == (3, Decimal("0.3"))
    assert funding_over_hold("long", n, cs, mark, rate, 0, t8) == (0, 0)  # no schedule at entry
