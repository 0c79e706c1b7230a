"""The wall agent's detectability oracle: a wall gone before an alert at its persistence time
(3 s) and a push could cover 30% of its life (DETECTORS.md §4's IoU) is not there to see."""

import random

import pytest

from dom.sim.agents import SEC, WallAgent
from tests.sim.stub_sim import StubSim


def _wall():
    sim = StubSim()
    a = WallAgent(sim, random.Random(3), 0, "w")
    a.moving = False
    return sim, a


@pytest.mark.parametrize("life_ms, detectable", [(1_000, False), (4_400, False), (4_500, True), (60_000, True)])
def test_a_wall_is_detectable_only_if_it_stood_long_enough_to_be_matched(life_ms, detectable):
    sim, a = _wall()  # 100 ms pushes: (3 s + 0.1 s) / 0.7 = 4.43 s
    a.finish(life_ms * 1_000_000, outcome="consumed")
    assert a.done and (a.detectable_from == 3 * SEC if detectable else a.detectable_from is None)
    assert (a.label()["detectable_from_ns"] is not None) is detectable


def test_slower_pushes_ask_a_longer_life():
    sim, a = _wall()
    sim.depth_ns = SEC // 2  # (3 s + 0.5 s) / 0.7 = 5 s
    a.finish(4_900_000_000, outcome="pulled_at_end_of_life")
    assert a.detectable_from is None
    sim, a = _wall()
    sim.depth_ns = SEC // 2
    a.finish(5_000_000_000, outcome="pulled_at_end_of_life")
    assert a.detectable_from == 3 * SEC
