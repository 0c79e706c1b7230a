"""The absorption agent's detectability oracle (DETECTORS.md §4): an absorption is detectable
once the volume into its level over the detector's window (V_W, 10 s) crossed the threshold, not
once its whole executed size did."""

import random

from dom.sim.agents import SEC, AbsorptionAgent
from tests.sim.stub_sim import StubSim


def _agent():
    a = AbsorptionAgent(StubSim(), random.Random(1), 0, "a")
    assert a.threshold == 500  # 5x the median level (100)
    return a


def test_the_threshold_within_ten_seconds_makes_it_detectable():
    a = _agent()
    for i in range(10):  # 100 lots a second: 500 within 5 s
        a.on_fill(100, (i + 1) * SEC, [])
    assert a.detectable_from == 5 * SEC


def test_the_same_volume_spread_over_longer_than_the_window_is_not():
    a = _agent()
    for i in range(30):  # 60 lots every 1.5 s: 1,800 in all, never more than 420 within 10 s
        a.on_fill(60, int((i + 1) * 1.5 * SEC), [])
    assert a.executed == 1800 and a.detectable_from is None
    a.on_fill(200, 46 * SEC, [])  # one more push brings 10 s to 6 x 60 + 200 = 560
    assert a.detectable_from == 46 * SEC
