"""Pulled liquidity before the volatility baseline has its first 30 one-second ranges (the warm-up,
``spoof_warm_step``). The book and the approach are test_spoof.py's, without its warm-up: the
step window gets its rank from twelve steps far down the book, a 30,000-lot bid arrives in one
step (15x what the step test asks), price walks down to it and it goes about 12 s into the run."""

from dom.core.detectors import DetectorParams
from tests.core.detectors.test_spoof import WALL, Script, _rank_steps


def pulled_in_the_warm_up(params, placed_first=False, steps=12):
    """The alerts of the bid pulled before the baseline; ``placed_first``: it stood in the book
    from its first message on (its step within the 2 s after the sync), the rank steps after it."""
    s = Script(**params)
    if placed_first:
        s.delta(bids=[(WALL, 30_000)])
        s.idle(1500)
        _rank_steps(s, steps)
        s.idle(1500)
    else:
        s.idle(1500)  # (the band's width is known from the first statistics on)
        _rank_steps(s, steps)
        s.idle(1500)
        s.delta(bids=[(WALL, 30_000)])
    s.walk_down(4992)
    assert s.alerts == []
    s.delta(bids=[(WALL, 0)])
    s.idle(1000)
    return s.alerts


def test_the_warm_up_part_defaults_off():
    assert DetectorParams().spoof_warm_step == 0.0


def test_a_large_step_pulled_in_the_warm_up_counts_only_with_the_warm_up_part():
    # (params, placed with the first book, rank steps, alerts): off; on at 2x; the step must be
    # 1000x; the bid in the first book (its candidate first seen within 2 s of the sync); no rank
    cases = (({}, False, 12, 0), ({"spoof_warm_step": 2.0}, False, 12, 2), ({"spoof_warm_step": 1000.0}, False, 12, 0),
             ({"spoof_warm_step": 2.0}, True, 12, 0), ({"spoof_warm_step": 2.0}, False, 0, 0))
    got = []
    for params, first, steps, alerts in cases:
        out = pulled_in_the_warm_up(params, first, steps)
        assert len(out) == alerts, (params, first, steps)
        if alerts:
            ev = out[0].evidence
            assert ev["size_pulled_lots"] == 30_000 and ev["step_rank_lots"] == 1953
            assert ev["pulled_at_ns"] - out[0].evidence["lifetime_ms"] * 1_000_000 > 2_000_000_000
        got.append(len(out))
    assert got == [0, 2, 0, 0, 0]


def test_the_warm_up_part_holds_a_pull_to_the_floor_of_the_volatility_rule():
    # sellers take five levels in the last push (the mid's range over the second 5 ticks, over the
    # 2.5-tick floor): not a pull even with the part on; with the floor at 10 ticks it is
    def go(params):
        s = Script(**params)
        s.idle(1500)
        _rank_steps(s)
        s.idle(1500)
        s.delta(bids=[(WALL, 30_000)])
        s.walk_down(4996)
        for best in range(4996, 4991, -1):
            s.sell(best, 1000)
        s.delta(bids=[(best, 0) for best in range(4996, 4991, -1)], asks=[(4992, 1000)])
        s.delta(bids=[(WALL, 0)])
        s.idle(1000)
        return s.alerts
    assert go({"spoof_warm_step": 2.0}) == []
    assert len(go({"spoof_warm_step": 2.0, "spoof_vol_min_ticks": 10.0})) == 2
