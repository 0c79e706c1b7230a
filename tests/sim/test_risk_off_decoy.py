"""The risk-off-pull decoy pulls on a volatility spike of its own symbol, not on a move that is
ordinary there (how often a 3-tick second comes differs by symbol)."""

import random

from dom.sim.agents import SEC
from dom.sim.decoys import RiskOffPull
from dom.sim.volatility import MIN_SAMPLES, RangeHistory
from tests.sim.stub_sim import StubSim

STEP = SEC // 20


def history(ranges):
    h = RangeHistory()
    for r in ranges:
        h.sample([1000.0, 1000.0 + r])
    return h


def test_the_spike_level_is_the_95th_percentile_of_the_last_30_minutes_once_a_minute_is_seen():
    assert history([1.0] * (MIN_SAMPLES - 1)).p95 == 0.0  # no percentile yet
    h = history([1.0] * 80 + [3.0] * 20)  # a 3-tick second one time in five
    assert h.p95 == 3.0
    h = history([1.0] * 90 + [3.0] * 5 + [6.0] * 5)
    assert h.p95 == 3.0
    # 30 minutes kept: an old calm hour is forgotten
    h = history([9.0] * 200 + [1.0] * 1800)
    assert h.p95 == 1.0 and len(h.samples) == 1800
    h.sample([])  # a second without a mid: no sample
    assert len(h.samples) == 1800


def run_decoy(sim, moves):
    """The decoy stepped once per 50 ms while the mid follows ``moves`` (ticks from 1000.5)."""
    d = RiskOffPull(sim, random.Random(1), 0, "d")
    path = iter(moves)
    sim.mid = lambda: 1000.5 + cur[0]
    cur = [0.0]
    t = 0
    for x in path:
        cur[0] = x
        t += STEP
        d.step(t)
        if d.done:
            break
    return d


def test_an_ordinary_three_tick_second_is_no_spike_where_such_seconds_are_common():
    sim = StubSim()
    sim.ranges = history([1.0] * 80 + [3.0] * 20)
    calm = [0.0] * 20 + [3.0 * i / 20 for i in range(21)] + [3.0] * 40
    d = run_decoy(sim, calm)
    assert not d.done
    d = run_decoy(sim, [0.0] * 20 + [5.0] * 40)
    assert d.done and d.params["outcome"] == "pulled_on_volatility" and d.params["range_ticks"] == 5.0


def test_on_a_quiet_symbol_three_ticks_in_a_second_is_a_spike():
    sim = StubSim()
    sim.ranges = history([1.0] * 100)
    d = run_decoy(sim, [0.0] * 20 + [3.0] * 40)
    assert d.done and d.params["outcome"] == "pulled_on_volatility"
    assert sim.book.level(d.side, d.px) == 100  # its order is gone; the stub book's 100 lots stay
