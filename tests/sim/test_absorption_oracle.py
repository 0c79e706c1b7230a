"""The absorption agent's detectability oracle (DETECTORS.md §4): an absorption is detectable
once the volume into its level over the detector's window (V_W, 10 s) crossed the threshold, not
once its whole executed size did."""

import random
from types import SimpleNamespace

from dom.sim.agents import BID, SEC, AbsorptionAgent
from dom.sim.matching import MatchingBook


class _Sim:
    def __init__(self):
        self.book = MatchingBook()
        for i in range(30):
            self.book.add(BID, 1000 - i, 100, 0)
            self.book.add(1, 1001 + i, 100, 0)
        self.flow = SimpleNamespace(burst_side=None, burst_mult=1.0, burst_until=0)
        self.inst = SimpleNamespace(qty_str=str, px_str=str)
        self.spec = SimpleNamespace(symbol="X", limit_median=100)
        self.draw = None
        self.depth_ns = SEC // 10


def _agent():
    a = AbsorptionAgent(_Sim(), random.Random(1), 0, "a")
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
