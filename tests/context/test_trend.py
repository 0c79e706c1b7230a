"""Trend bias: EMA and Wilder's RSI on bar prices, checked against hand computations and the
textbook example; the warm-up and the status line's wording."""

from __future__ import annotations

import pytest

from dom.core.context.trend import bias, ema, rsi

# The closes of the textbook RSI example (StockCharts' Wilder table, first 15 closes). By hand:
# the 14 changes gain 3.34 and lose 1.40 in all, so RS = 3.34 / 1.40 and RSI = 70.46 (the table
# prints 70.53 from averages rounded to four decimals).
CLOSES = [44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61,
          46.28, 46.28]


def test_ema_by_hand():
    # SMA of the first three = 2, then k = 0.5: 2 + (4 - 2) / 2 = 3, 3 + (5 - 3) / 2 = 4
    assert ema([1, 2, 3, 4, 5], 3) == 4.0
    assert ema([1, 2], 3) is None and ema([7.0] * 30, 20) == 7.0


def test_rsi_the_textbook_example_and_the_limits():
    assert rsi(CLOSES, 14) == pytest.approx(100 - 100 / (1 + 3.34 / 1.40), abs=1e-9)
    assert rsi(CLOSES[:14], 14) is None  # 14 closes are 13 changes
    assert rsi(list(range(30)), 14) == 100.0  # never down
    assert rsi(list(range(30, 0, -1)), 14) == 0.0  # never up
    assert rsi([5.0] * 20, 14) == 50.0  # flat


def test_bias_warms_up_then_says_direction_and_band():
    b = bias([1.0] * 7)
    assert not b.ready and (b.bars, b.need) == (7, 20) and b.direction == ""
    up = bias([float(x) for x in range(40)])
    assert up.ready and up.direction == "up" and up.band() == "overbought"
    down = bias([float(x) for x in range(40, 0, -1)])
    assert down.direction == "down" and down.band() == "oversold"
    assert bias([3.0] * 25).direction == "flat" and bias([3.0] * 25).band() == "neutral"


def test_the_status_line_text():
    from dom.runtime.view import UiModel

    m = UiModel()
    c = m.context.get("PEPEUSDT")
    assert m.trend_text("PEPEUSDT") == "" and m.trend_text("NOPE") == ""
    t0 = 1_796_000_100 * 1_000_000_000  # on a 5-minute boundary
    for i in range(25):  # 25 one-minute bars rising: up on 1 m; 5 m has 5 bars
        c.bars_1m.add(t0 + i * 60_000_000_000, 100.0 + i)
        c.bars_5m.add(t0 + i * 60_000_000_000, 100.0 + i)
    assert m.trend_text("PEPEUSDT") == "trend 1m up RSI 100 overbought, 5m 5/20 bars"


def test_alerts_against_the_1m_trend():
    from dom.core.types import Alert, AlertKind, AlertState, BookSide
    from dom.runtime.view import UiModel

    m = UiModel()
    c = m.context.get("PEPEUSDT")

    def alert(kind: AlertKind, side: BookSide) -> Alert:
        return Alert("a", 0, "PEPEUSDT", kind, AlertState.NEW, side, 100, 5, 0.9, "")

    bid_wall, ask_wall = alert(AlertKind.WALL, BookSide.BID), alert(AlertKind.WALL, BookSide.ASK)
    bid_pull = alert(AlertKind.SPOOF, BookSide.BID)
    t0 = 1_796_000_100 * 1_000_000_000
    for i in range(10):  # warming up: no trend, nothing is against it
        c.bars_1m.add(t0 + i * 60_000_000_000, 200.0 - i)
    assert not m.against_trend(bid_wall) and not m.against_trend(ask_wall)
    for i in range(10, 25):  # 25 bars falling: a down trend
        c.bars_1m.add(t0 + i * 60_000_000_000, 200.0 - i)
    c.last_ns = t0 + 25 * 60_000_000_000  # a new market second: the cached bias is worked out again
    assert m.against_trend(bid_wall)  # support bought into a falling market
    assert not m.against_trend(ask_wall)  # resistance in a falling market goes with it
    assert not m.against_trend(bid_pull)  # a bid pulled is bearish: with the trend
    assert m.against_trend(alert(AlertKind.SPOOF, BookSide.ASK))
    other = Alert("b", 0, "OTHER", AlertKind.WALL, AlertState.NEW, BookSide.BID, 1, 1, 0.5, "")
    assert not m.against_trend(other)  # a symbol without bars
