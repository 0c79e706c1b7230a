"""A scan row of a symbol followed by its top of book only (whole-venue mode): the spread from the
venue's bookTicker, the depth within 1 % and the slippage from its last REST depth probe, with
its age; figures worked out by hand."""

from dom.core.context.market import DepthProbe
from dom.core.context.params import ContextParams
from dom.core.types import BookTicker
from dom.core.units import Instrument
from dom.runtime.pipeline import Pipeline
from dom.runtime.scan import LiveAlerts, scan_row

S = 1_000_000_000
KITE = Instrument("KITEUSDT", "0.0001", "1")
BTC = Instrument("BTCUSDT", "0.1", "0.001")


def _pipe() -> Pipeline:
    pipe = Pipeline("sim", context=ContextParams(equity=5000.0, risk_pct=1.0))
    pipe.open({"KITEUSDT": KITE, "BTCUSDT": BTC})
    pipe.follow_depth("KITEUSDT", False)
    return pipe


def test_a_top_only_row_takes_its_depth_and_slippage_from_the_probe():
    pipe = _pipe()
    pipe.feed([BookTicker("KITEUSDT", 1, 5000, 700, 5002, 900, 100 * S, 100 * S)])
    # Bids 0.5000 / 0.4980 / 0.4900 and asks 0.5002 / 0.5030 / 0.5100, probed 40 s before the ticker.
    pipe.feed_context([DepthProbe("KITEUSDT", ((5000, 1000), (4980, 2000), (4900, 5000)),
                                  ((5002, 1000), (5030, 3000), (5100, 4000)), 60 * S, 60 * S)])
    row = scan_row(pipe, "KITEUSDT", LiveAlerts(), stop_pct=2.0)
    assert row["book"] == "top"
    # spread: 2 ticks on a mid of 0.5001 -> 2 / 5001 * 1e4 bps
    assert row["spread_bps"] == round(2 / 5001 * 1e4, 2) == 4.0
    # 1 % of the probe's mid 5001 is 50 ticks from each best price: bids down to 4950 (1,000 +
    # 2,000 lots), asks up to 5052 (1,000 + 3,000 lots); 7,000 lots at 0.5001 = 3,500.7 USDT
    assert row["depth_1pct"] == 3500.7
    # 1 % of 5,000 USDT = 50 at risk over a 2 % stop from 0.5002: 50 / (0.5002 * 0.02) = 4,998 lots,
    # walked: 1,000 @ 5002, 3,000 @ 5030, 998 @ 5100; average 25,181,800 / 4,998 ticks
    avg = (1000 * 5002 + 3000 * 5030 + 998 * 5100) / 4998
    assert row["slippage_bps"] == round((avg - 5002) / 5002 * 1e4, 2) == 72.72
    assert row["depth_age_s"] == 40


def test_a_probe_too_shallow_for_the_position_gives_no_slippage_and_no_probe_gives_nulls():
    pipe = _pipe()
    pipe.feed([BookTicker("KITEUSDT", 1, 5000, 700, 5002, 900, 100 * S, 100 * S)])
    row = scan_row(pipe, "KITEUSDT", LiveAlerts(), stop_pct=2.0)
    assert row["depth_1pct"] is None and row["slippage_bps"] is None and row["depth_age_s"] is None
    pipe.feed_context([DepthProbe("KITEUSDT", ((5000, 10),), ((5002, 10),), 99 * S, 99 * S)])
    row = scan_row(pipe, "KITEUSDT", LiveAlerts(), stop_pct=2.0)
    assert row["depth_1pct"] == round(20 * 0.5001, 2) and row["slippage_bps"] is None  # 10 lots cannot fill 4,998


def test_the_quote_filter_keeps_the_symbols_quoted_in_the_assets_asked():
    from dom.runtime.scan import scan_doc

    pipe = Pipeline("sim", context=ContextParams())
    usdc = Instrument("KITEUSDC", "0.0001", "1", quote="USDC")
    pipe.open({"KITEUSDT": KITE, "BTCUSDT": BTC, "KITEUSDC": usdc})
    doc = scan_doc(pipe, LiveAlerts(), quotes=["usdc"])
    assert [r["symbol"] for r in doc["rows"]] == ["KITEUSDC"] and doc["rows"][0]["quote"] == "USDC"
    assert {r["symbol"] for r in scan_doc(pipe, LiveAlerts(), quotes=["USDT", "USDC"])["rows"]} == set(pipe.engine.symbols)
    assert {r["quote"] for r in scan_doc(pipe, LiveAlerts())["rows"]} == {"USDT", "USDC"}


def test_a_quote_no_symbol_has_is_named_not_answered_with_empty_rows():
    from dom.runtime.scan import quotes_missing

    pipe = Pipeline("sim", context=ContextParams())
    pipe.open({"KITEUSDT": KITE, "BTCUSDT": BTC})
    assert quotes_missing(pipe, ["usdt"]) == [] and quotes_missing(pipe, None) == []
    assert quotes_missing(pipe, ["USDT", "USTD", "usdc"]) == ["USTD", "usdc"]
