from decimal import Decimal
from fractions import Fraction

import pytest

from dom.core.context.sizing import size, walk


def test_playbook_worked_example_small_cap():
    s = size(equity=5000, risk_pct=1, entry="1.00", stop="0.95", contract_size=100)
    assert s.contracts == 10 and s.loss_at_stop == Decimal("50.00") and s.loss_pct_of_equity == 1
    assert s.side == "long" and s.notional == Decimal("1000.00")


def test_btc_micro_contract_with_leverage():
    s = size(equity=100_000, risk_pct=1, entry=60000, stop=59000, contract_size="0.01", leverage=10)
    per_contract = size(equity=10**9, risk_pct=1, entry=60000, stop=59000, contract_size="0.01", leverage=10)
    one = Decimal("0.01") * 60000
    assert one == 600 and one / 10 == 60  # $600 notional, $60 margin per contract at 10x
    assert s.notional == s.contracts * 600 and s.margin == s.contracts * 60
    assert per_contract.margin == per_contract.contracts * 60


def test_short_side_lot_step_and_liquidation_warning():
    s = size(equity=1000, risk_pct=1, entry="2.000", stop="2.100", contract_size=1, lot_step="0.1", leverage=50)
    assert s.side == "short" and s.contracts == Decimal("100.0")  # 10 / 0.1 per contract
    assert s.stop_beyond_liquidation  # at 50x the position is gone ~1.5% away; the stop is 5% away
    assert not size(1000, 1, "2.000", "2.010", leverage=10).stop_beyond_liquidation
    with pytest.raises(ValueError):
        size(1000, 1, "1", "1")


def test_walk_exact_average_price():
    asks = [(100, 5), (101, 5), (103, 10)]
    w = walk(asks, 12)
    assert w.avg_px == Fraction(5 * 100 + 5 * 101 + 2 * 103, 12)
    assert w.levels == 3 and w.worst_px == 103 and w.complete
    assert w.slippage_ticks == Fraction(5 * 100 + 5 * 101 + 2 * 103, 12) - 100
    assert w.share_of_visible == 12 / 20
    short = walk(asks, 50)
    assert not short.complete and short.filled_lots == 20
