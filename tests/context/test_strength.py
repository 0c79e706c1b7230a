"""Relative strength vs the reference against hand computations."""

from __future__ import annotations

import pytest

from dom.core.context.correlation import Series, corr_beta
from dom.core.context.strength import relative_strength, same_window, window_return

T0 = 1_796_000_100 * 1_000_000_000
M = 60_000_000_000


def bars(closes: list[float]) -> Series:
    s = Series(60)
    for i, c in enumerate(closes):
        s.add(T0 + i * M, c)
    return s


def test_window_returns_by_hand():
    s = bars([100, 101, 102, 104, 103])
    assert window_return(s, 120) == (pytest.approx((103 / 102 - 1) * 100), 120)  # the last two bars
    assert window_return(s, 3600) == (pytest.approx(3.0), 240)  # all four bars there are
    assert window_return(bars([100]), 60) is None


def test_relative_strength_by_hand():
    # BTC +2 %, the symbol +3 % with a beta of 1.5: all of its move is BTC's, leveraged.
    assert relative_strength(3.0, 2.0, 1.5) == pytest.approx(0.0)
    assert relative_strength(3.0, 0.0, 1.5) == 3.0  # BTC flat: its own
    assert relative_strength(-1.0, 2.0, None) == pytest.approx(-3.0)  # beta unknown: 1
    assert relative_strength(None, 2.0, 1.0) is None


def test_beta_and_strength_from_bars_by_hand():
    # The reference's 1 m closes and a symbol that moves exactly twice as much in log terms
    # would have beta 2; here the symbol's returns are 2x the reference's plus 0.1 % a bar.
    ref = [100.0, 101.0, 100.5, 102.0, 101.0, 103.0]
    r = [b / a - 1 for a, b in zip(ref, ref[1:])]
    sym = [50.0]
    for x in r:
        sym.append(sym[-1] * (1 + 2 * x + 0.001))
    s, b = bars(sym), bars(ref)
    import math

    xs = [math.log(y / x) for x, y in zip(ref, ref[1:])]
    ys = [math.log(y / x) for x, y in zip(sym, sym[1:])]
    cb = corr_beta(xs, ys)
    mx, my = sum(xs) / 5, sum(ys) / 5
    by_hand = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert cb[1] == pytest.approx(by_hand)
    got = same_window(s, b, 3600)
    assert got[2] == 300 and got[1] == pytest.approx(3.0)
    assert got[0] == pytest.approx((sym[-1] / sym[0] - 1) * 100)
    assert relative_strength(got[0], got[1], cb[1]) == pytest.approx(got[0] - by_hand * 3.0)


def test_sectors_rank_by_median_by_hand():
    from dom.core.context.strength import sector_ranks

    got = sector_ranks({"Meme": [0.031, -0.054], "AI": [0.036], "DeFi": [0.15, 0.2, -1.0], "Gaming": [None]})
    # medians: Meme (0.031 - 0.054) / 2 = -0.0115; AI 0.036; DeFi 0.15; Gaming none yet: last
    assert [(n, r) for n, _, r in got] == [("DeFi", 1), ("AI", 2), ("Meme", 3), ("Gaming", 4)]
    assert got[2][1] == pytest.approx(-0.0115) and got[3][1] is None


def test_the_sector_that_climbed_most_over_the_hour():
    from dom.core.context.strength import RankHistory

    h = RankHistory(window_ns=3600 * 10**9)
    assert h.change("AI") is None
    h.add(0, {"AI": 3, "Meme": 1, "DeFi": 2})
    h.add(1800 * 10**9, {"AI": 2, "Meme": 1, "DeFi": 3})
    h.add(3000 * 10**9, {"AI": 1, "Meme": 3, "DeFi": 2})
    assert (h.change("AI"), h.change("Meme"), h.change("DeFi")) == (2, -2, 0)  # against t = 0
    h.add(5000 * 10**9, {"AI": 1, "Meme": 2, "DeFi": 3})  # an hour ago (1400 s) the ranks were t = 0's
    assert (h.change("AI"), h.change("Meme"), h.change("DeFi")) == (2, -1, -1) and h.span_ns() == 5000 * 10**9
    h.add(5500 * 10**9, {"AI": 1, "Meme": 2, "DeFi": 3})  # an hour ago (1900 s): the ranks of 1800 s
    assert (h.change("AI"), h.change("Meme"), h.change("DeFi")) == (1, -1, 0) and h.span_ns() == 3700 * 10**9
    h.add(5000 * 10**9, {"AI": 9})  # not newer: ignored
    assert h.change("AI") == 1


def test_a_series_backfills_history_before_its_own_bars_and_carries_gaps():
    from dom.core.context.correlation import Series

    s = Series(60, maxlen=10)
    assert s.backfill([(100, 1.0), (101, 2.0), (103, 4.0)]) == 4  # 102 carries 2.0 over
    assert list(s.closes) == [1.0, 2.0, 2.0, 4.0] and s.bar == 103
    s.add(104 * 60 * 10**9, 5.0)  # the live bar after it
    assert list(s.closes) == [1.0, 2.0, 2.0, 4.0, 5.0]
    t = Series(60, maxlen=5)
    t.add(200 * 60 * 10**9, 9.0)
    assert t.backfill([(195, 1.0), (196, 2.0), (200, 7.0), (201, 8.0)]) == 5  # its own bars win; 197-199 carried
    assert list(t.closes) == [2.0, 2.0, 2.0, 2.0, 9.0] and t.bar == 200
