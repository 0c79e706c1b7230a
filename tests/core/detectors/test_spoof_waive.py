"""Pulled liquidity's waiver for a lone placed order (``spoof_waive_step``): a pull whose level
arrived as one order far beyond the organic steps is held to looser volatility, distance,
approach and traded rules. The book and the approach are test_spoof.py's; the step window gets
its rank from twelve steps far down the book (10th largest 1,953), and the 30,000-lot bid
arrives in one step (15x what the step test asks)."""

from dom.core.detectors import DetectorParams
from dom.core.detectors.spoof_stats import mid_range
from tests.core.detectors.test_spoof import WALL, placed_and_pulled

# (waiver off) fails, (on) passes, (the step must be 1000x) fails, (on, but no rank yet) fails
CASES = (({"spoof_waive_step": 0.0}, 0, 12), ({"spoof_waive_step": 2.0}, 2, 12), ({"spoof_waive_step": 1000.0}, 0, 12),
         ({"spoof_waive_step": 2.0}, 0, 0))


def check(cases, go, px=WALL, base=None, evidence=None):
    """Each case ``(params, alerts, steps)``: the pull at ``px`` scripted by ``go`` gives that many
    alerts (``base`` under every case's params); when it does, its evidence holds ``evidence``.
    Returns the alerts each case gave, in order."""
    counts = []
    for params, alerts, steps in cases:
        got = placed_and_pulled({**(base or {}), **params}, steps, px, go)
        assert len(got) == alerts, params
        if alerts and evidence:
            assert {k: got[0].evidence[k] for k in evidence} == evidence
        counts.append(len(got))
    return counts


def test_the_waiver_defaults_on_at_a_one_and_a_half_step_without_its_distance_part():
    p = DetectorParams()
    assert (p.spoof_waive_step, p.spoof_waive_range, p.spoof_waive_range_before) == (1.5, 1.5, 0.0)
    assert p.spoof_waive_near_ticks == p.spoof_near_ticks  # the distance not waived
    assert p.spoof_flow_step == 1.5
    assert p.spoof_waive_traded_fraction == 0.9  # up to 90% of its drop traded at its price


def test_a_large_step_pulled_seven_ticks_away_counts_only_with_the_waiver():
    # first seen 10 ticks away, pulled 7 away: beyond max(spoof_near_ticks 5, half of 10), within
    # spoof_waive_near_ticks (10); not when that is 6
    def go(s):
        s.walk_down(4997)
        s.delta(bids=[(WALL, 0)])
    counts = check(CASES + (({"spoof_waive_step": 2.0, "spoof_waive_near_ticks": 6}, 0, 12),), go,
                   base={"spoof_waive_near_ticks": 10}, evidence={"distance_at_pull_ticks": 7})
    assert counts == [0, 2, 0, 0, 0]  # only the waiver on, with a rank and its near ticks, counts it


def test_a_large_step_pulled_after_one_tick_of_approach_counts_only_with_the_waiver():
    # first seen 3 ticks under the best bid (0.4997), price comes one tick closer and it goes:
    # under spoof_min_approach_ticks (2); still closing in over the last second; not when
    # spoof_waive_approach is off
    def go(s):
        s.walk_down(4999)
        s.delta(bids=[(4997, 0)])
    no_approach = ({"spoof_waive_step": 2.0, "spoof_waive_approach": False}, 0, 12)
    assert check(CASES + (no_approach,), go, px=4997) == [0, 2, 0, 0, 0]


def test_a_large_step_forty_percent_traded_before_the_pull_counts_only_with_the_waiver():
    # 12,000 of the 30,000 lots trade at the level (40%: over spoof_max_traded_fraction 0.35,
    # under spoof_waive_traded_fraction 0.6), the rest is cancelled; not when the waiver allows 0.3
    def go(s):
        s.walk_down(4992)
        s.sell(4992, 1000)
        s.sell(4991, 1000)
        s.sell(WALL, 12_000)
        s.delta(bids=[(4992, 0), (4991, 0), (WALL, 0)])
    vol = {"spoof_vol_min_ticks": 10.0}  # the sweep moves the mid: keep the volatility rule out of it
    counts = check(CASES + (({"spoof_waive_step": 2.0, "spoof_waive_traded_fraction": 0.3}, 0, 12),), go, base=vol,
                   evidence={"traded_at_level_lots": 12_000})
    assert counts == [0, 2, 0, 0, 0]


def test_a_large_step_eighty_percent_traded_before_the_pull_counts_with_the_default_waiver():
    # 24,000 of the 30,000 lots trade at the level (80%: under spoof_waive_traded_fraction 0.9),
    # the last 6,000 are cancelled; not when the waiver allows 0.6 (the value before 2026-12-07)
    def go(s):
        s.walk_down(4992)
        s.sell(4992, 1000)
        s.sell(4991, 1000)
        s.sell(WALL, 24_000)
        s.delta(bids=[(4992, 0), (4991, 0), (WALL, 0)])
    vol = {"spoof_vol_min_ticks": 10.0}  # the sweep moves the mid: keep the volatility rule out of it
    counts = check(CASES + (({"spoof_waive_step": 2.0, "spoof_waive_traded_fraction": 0.6}, 0, 12),), go, base=vol,
                   evidence={"traded_at_level_lots": 24_000})
    assert counts == [0, 2, 0, 0, 0]


def test_a_large_step_pulled_in_the_push_that_jumps_price_to_it_counts_only_with_the_waiver():
    # the mid stands still for over a second, then one depth message shows sellers taking five
    # levels (0.5000-0.4996) and the bid 5 ticks under the new best gone: the mid's range over the
    # last second is over the volatility limit (2.5 ticks), within 3x it, and was 0 before that
    # message; not when spoof_waive_range is 1, nor with the approach ticks asked (the one push
    # that brought price is the approach)
    def go(s):
        s.idle(1500)
        for best in range(5000, 4995, -1):
            s.sell(best, 1000)
        taken = [(best, 0) for best in range(5000, 4995, -1)]
        s.delta(bids=taken + [(WALL, 0)], asks=[(4996, 1000)])
    off = ({"spoof_waive_step": 2.0, "spoof_waive_range": 1.0}, 0, 12)
    counts = check(CASES + (off,), go, base={"spoof_waive_range": 3.0}, evidence={"distance_at_pull_ticks": 5})
    assert counts == [0, 2, 0, 0, 0]


def test_a_large_step_pulled_after_a_move_over_several_pushes_counts_only_if_any_range_before_is():
    # price walks to 0.4995, then sellers take three levels within 300 ms and the bid goes 2 ticks
    # under the best in the next message: the mid's range over the last second is over the
    # volatility limit, within 3x it, but the mid had moved before the pull's message (a spike
    # over several pushes, as a risk-off pull's): waived only when spoof_waive_range_before lets
    # any range before it through, and then not when spoof_waive_range is 1
    def go(s):
        s.walk_down(4995)
        for best in (4995, 4994, 4993):
            s.sell(best, 1000)
            s.delta(bids=[(best, 0)], asks=[(best, 1000)])
        s.delta(bids=[(WALL, 0)])
    any_before = {"spoof_waive_range_before": 100.0}
    cases = tuple(({**params, **any_before}, alerts, steps) for params, alerts, steps in CASES)
    counts = check(cases + (({"spoof_waive_step": 2.0}, 0, 12),
                            ({"spoof_waive_step": 2.0, "spoof_waive_range": 1.0, **any_before}, 0, 12)), go,
                   base={"spoof_waive_range": 3.0})
    assert counts == [0, 2, 0, 0, 0, 0]  # waived only with any range before let through


def test_the_range_before_a_message_leaves_out_its_own_mid():
    mids = [(100, 10), (200, 14), (300, 30)]  # (t, 2 x mid)
    assert mid_range(mids, 300) == 4  # the 300 mid is the message's own
    assert mid_range(mids, 301) == 20
    assert mid_range(mids, 150) == 0
    assert mid_range([], 300) == 0
