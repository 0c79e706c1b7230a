"""The level's own adds as the null, gated (docs/history/detectors-icebergs.md, "The level's own
adds, gated"): the level's adds while no refill was due raise the chance an ordinary add hits the
band only when their hits are themselves unlikely at the symbol's rate."""

import math

from dom.core.detectors import DetectorParams
from dom.core.detectors.iceberg_chain import _binomial_tail, level_rate, upper_tail
from tests.core.detectors.test_iceberg import _alike_level, _order_with_idle_joins, _touch_with_joins

GATED = dict(iceberg_level_alpha=1e-2, iceberg_level_prior=16.0)  # the defaults
OFF = dict(iceberg_level_alpha=0.0, iceberg_level_prior=0.0)
# a crowded touch's per-push adds: sums of many joins, so about one size (925-1075), never twice the same
SUMS = tuple(925 + (i * 37) % 151 for i in range(48))


def test_the_tail_is_the_binomial_tail_and_holds_for_thousands_of_adds():
    for n in (1, 5, 12, 40):
        for k in range(n + 2):
            for q in (0.003, 0.1, 0.5, 0.9):
                assert math.isclose(upper_tail(k, n, q), _binomial_tail(k, n, q), rel_tol=1e-9, abs_tol=1e-300)
    # past what math.comb converts to a float: 3000 idle adds, a hit rate of 0.2 against 0.1
    assert upper_tail(600, 3000, 0.1) < 1e-40
    assert 0.4 < upper_tail(300, 3000, 0.1) < 0.6  # at the mean, about a half
    assert upper_tail(0, 3000, 0.1) == 1.0 and upper_tail(3001, 3000, 0.1) == 0.0
    assert upper_tail(1, 10, 0.0) == 0.0 and upper_tail(5, 10, 1.0) == 1.0


def _p(**kw):
    return DetectorParams(**kw)


def test_the_gate_at_its_edges():
    p = _p(**GATED)
    assert level_rate(0.1, 0, 0, p) == 0.1  # no idle adds: the symbol's rate
    assert level_rate(0.1, 30, 0, p) == 0.1  # idle adds, none in the band
    assert level_rate(0.1, 30, 3, p) == 0.1  # in the band as often as the symbol's adds
    assert level_rate(0.1, 2, 2, p) == 0.1  # two of two: 1 in 100 at 0.1, not below the bar
    assert level_rate(0.1, 5, 2, p) == 0.1  # a handful of idle adds, two of them in the band (0.08)
    assert level_rate(0.01, 2, 1, p) == 0.01  # one of two at a narrow band's 0.01 (0.02)
    assert level_rate(0.01, 2, 2, p) == (2 + 16 * 0.01) / 18  # two of two there (1e-4): shrunk
    # a crowded touch: 20 of 40 idle adds in the band (chance ~2e-9 at 0.1): its own rate, shrunk
    assert level_rate(0.1, 40, 20, p) == (20 + 16 * 0.1) / (40 + 16)
    assert level_rate(0.1, 40, 20, _p(iceberg_level_alpha=1e-2, iceberg_level_prior=0.0)) == 0.5  # their share alone
    assert level_rate(0.1, 40, 20, _p()) == level_rate(0.1, 40, 20, p)  # the default: this gate
    # the gate off: the prior alone, ungated; both 0: off
    assert level_rate(0.1, 5, 2, _p(iceberg_level_alpha=0.0, iceberg_level_prior=0.0)) == 0.1
    assert level_rate(0.1, 5, 2, _p(iceberg_level_alpha=0.0, iceberg_level_prior=4.0)) == (2 + 0.4) / 9
    assert level_rate(0.1, 0, 0, _p(iceberg_level_alpha=0.0, iceberg_level_prior=4.0)) == 0.1


def _crowded_touch(**params):
    """Every 300 ms sellers take 350 lots of a crowded bid and the push adds about 1000 (SUMS):
    two of three adds come before the last one traded (no refill due), nearly all in the band."""
    return _touch_with_joins(SUMS, **{"iceberg_min_chain_share": 0.0, **params})  # (the share test, on by default, stops it too)


def test_a_crowded_touch_whose_idle_adds_repeat_the_size_is_not_flagged_with_the_gate():
    """The symbol's adds fall in the band a sixth of the time; the touch's idle adds nearly
    always: unlikely at the symbol's rate, so the gate passes and the level's own rate stops the
    chain (the turnover test, which would stop it too, is off here)."""
    assert _crowded_touch(iceberg_min_turnover=0.0, **OFF), "without the level's own adds it is flagged"
    assert not _crowded_touch(iceberg_min_turnover=0.0), "the default"
    assert not _crowded_touch(iceberg_min_turnover=0.0, **GATED)
    assert not _crowded_touch(iceberg_min_turnover=0.0, iceberg_level_alpha=1e-2, iceberg_level_prior=0.0)  # their share
    assert not _crowded_touch(iceberg_min_turnover=0.0, iceberg_level_alpha=1e-4, iceberg_level_prior=16.0)


def test_the_gate_is_slower_than_the_ungated_prior_on_a_level_of_spread_joins():
    """test_iceberg.py's level whose joins spread over 1000 +-30%: in the +-10% band a third of
    them hit, and early on (a handful of idle adds, two or three of them in the band) that is not
    unlikely at the symbol's rate below a bar of 1e-3, so the chain is flagged there; the ungated
    prior, or a bar of 1e-2, stops it. The price of the gate: it needs the idle adds to say so."""
    off = dict(iceberg_min_turnover=0.0, iceberg_min_chain_share=0.0)  # (either would stop it too)
    assert _alike_level(iceberg_level_alpha=1e-3, iceberg_level_prior=16.0, **off)
    assert not _alike_level(iceberg_level_alpha=0.0, iceberg_level_prior=16.0, **off)
    assert not _alike_level(**GATED, **off)


def test_a_refilling_order_with_one_or_two_idle_adds_in_the_band_is_still_flagged_with_the_gate():
    """Ungated, a prior of 8 or less lets two chance hits among the idle adds lift the rate far
    above the symbol's and the order is missed (16 misses it at three); gated, one to three hits
    among a handful of adds are not unlikely at the symbol's rate, so the chain is judged against
    the symbol's adds."""
    assert not _order_with_idle_joins(2, iceberg_level_alpha=0.0, iceberg_level_prior=8.0)
    assert not _order_with_idle_joins(3, iceberg_level_alpha=0.0, iceberg_level_prior=16.0)
    for joins in (1, 2, 3):
        assert _order_with_idle_joins(joins), "the default"
        assert _order_with_idle_joins(joins, **GATED)
        assert _order_with_idle_joins(joins, iceberg_level_alpha=1e-2, iceberg_level_prior=0.0)
        assert _order_with_idle_joins(joins, **OFF)
