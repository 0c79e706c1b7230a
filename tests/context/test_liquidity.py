"""Liquidity warnings against configurable limits, on hand-built books."""

from decimal import Decimal

from dom.core.book import OrderBook
from dom.core.context.liquidity import market_warnings, visible_depth, walk_warnings
from dom.core.context.params import ContextParams
from dom.core.context.sizing import walk

TICK_VALUE = Decimal("0.0001")  # tick 0.0001, lot 1, contract 1: ticks x lots x 0.0001 = USDT


def book(bids, asks) -> OrderBook:
    b = OrderBook()
    b.apply_snapshot(bids, asks)
    return b


def test_visible_depth_sums_exactly_within_the_band_and_reads_the_spread():
    # mid 0.5000 (ticks 4999 / 5001), band 10 bps = 5 ticks: 4995..5005 count, 4994 and 5006 do not.
    b = book([(4999, 100), (4995, 50), (4994, 1000)], [(5001, 200), (5005, 20), (5006, 1000)])
    d = visible_depth(b, band_bps=10, tick_value=TICK_VALUE)
    assert (d.bid_lots, d.ask_lots) == (150, 220)
    assert d.bid_quote == Decimal("4999") * 100 * TICK_VALUE + Decimal("4995") * 50 * TICK_VALUE
    assert d.spread_ticks == 2 and d.spread_bps == 4.0


def test_each_market_warning_fires_past_its_limit_and_not_before():
    p = ContextParams(min_volume_24h=1e6, min_open_interest=5e5, min_depth=100, max_spread_bps=5, depth_band_bps=10)
    b = book([(4999, 100_000)], [(5001, 100_000)])
    d = visible_depth(b, p.depth_band_bps, TICK_VALUE)
    assert market_warnings(p, Decimal(1_000_000), Decimal(500_000), d) == []
    assert len(market_warnings(p, Decimal(999_999), Decimal(499_999), d)) == 2
    w = market_warnings(p, Decimal(900_000), Decimal(2_000), d)
    assert w == ["low 24h volume 900.0k < 1.0M USDT", "low open interest 2.0k < 500.0k USDT"]
    thin = visible_depth(book([(4999, 100)], [(5005, 100)]), p.depth_band_bps, TICK_VALUE)
    w = market_warnings(p, None, None, thin)  # unknown volume / OI: not warned about
    assert w == ["thin bids: 50 USDT within 10 bps (< 100)", "wide spread 12.0 bps (> 5)"]


def test_walk_warnings_slippage_share_and_unfillable_size():
    p = ContextParams(max_slippage_bps=5, max_share_of_depth=0.5)
    asks = [(5000, 100), (5002, 100), (5010, 100)]
    ok = walk(asks, 100)
    assert walk_warnings(p, ok, 5000, 100, depth_lots=300) == []
    w = walk(asks, 250)  # avg (100x5000 + 100x5002 + 50x5010) / 250 = 5002.8: 2.8 ticks = 5.6 bps
    assert walk_warnings(p, w, 5000, 250, depth_lots=300) == [
        "slippage 5.6 bps, 3 levels (> 5)", "size 83% of depth within 50 bps (> 50%)"]
    short = walk(asks, 400)
    assert walk_warnings(p, short, 5000, 400, depth_lots=300)[0] == "book shows 300 of 400 lots: cannot fill"
