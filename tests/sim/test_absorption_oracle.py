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


def _randomized(touch_history: list[int]) -> StubSim:
    """The stub as a randomized market whose true touch sizes over the last minutes were these."""
    from types import SimpleNamespace

    from dom.sim.touch import TouchHistory

    sim = StubSim()
    sim.draw = SimpleNamespace()  # any draw: the agent only asks whether there is one
    sim.touches = TouchHistory()
    for q in touch_history:
        sim.touches.sizes[0].append(q)  # both sides alike: whichever the agent picks
        sim.touches.sizes[1].append(q)
    return sim


def test_a_randomized_market_sets_the_threshold_by_the_median_touch_not_the_touch_of_the_instant():
    # The touch holds 100 lots now, but 400 at the median of the last samples: the threshold is
    # 5 x 400 (DETECTORS.md §2.3), while the order is sized against what the book shows now.
    a = AbsorptionAgent(_randomized([400] * 50 + [100] * 20), random.Random(1), 0, "a")
    assert a.threshold == 2000
    assert 1500 <= a.size <= 4000  # 15-40 x max(median of ten best, the touch now) = 100
    for i in range(10):
        a.on_fill(100, (i + 1) * SEC, [])
    assert a.detectable_from is None  # 1,000 within 10 s: 5 x the touch now, not 5 x its median
    # And a thin median touch lowers it: 5 x 40.
    b = AbsorptionAgent(_randomized([40] * 60 + [100] * 5), random.Random(1), 0, "b")
    assert b.threshold == 200


def test_the_touch_history_keeps_thirty_minutes_of_one_sample_a_second():
    from dom.sim.matching import ASK, BID, MatchingBook
    from dom.sim.touch import WINDOW_S, TouchHistory

    h = TouchHistory()
    assert h.median(BID, default=7) == 7  # nothing sampled yet
    book = MatchingBook()
    book.add(BID, 99, 10, 0)
    book.add(ASK, 101, 30, 0)
    for _ in range(WINDOW_S):
        h.sample(book)
    book.add(BID, 99, 90, 0)  # the bid touch now 100 lots
    for _ in range(WINDOW_S // 2 + 1):
        h.sample(book)  # more than half of the last 30 minutes at 100
    assert len(h.sizes[BID]) == WINDOW_S
    assert h.median(BID, default=0) == 100 and h.median(ASK, default=0) == 30
    book2 = MatchingBook()  # an empty side is not sampled
    h2 = TouchHistory()
    h2.sample(book2)
    assert not h2.sizes[BID] and not h2.sizes[ASK]


def test_a_randomized_market_asks_the_level_to_be_seen_holding_after_the_crossing():
    # Hold = a depth push (100 ms here) and the detectors' alignment slack (300 ms): a level
    # swept within that is a trade-through, not absorption; one still resting is detectable
    # from the crossing.
    a = AbsorptionAgent(_randomized([100] * 60), random.Random(1), 0, "a")
    assert a.threshold == 500 and a.hold_ns == 400 * 1_000_000
    a.on_fill(600, 1 * SEC, [])  # crossed at 1 s
    a.step(1 * SEC + 350 * 1_000_000)
    assert a.detectable_from is None  # not seen holding yet
    a.step(1 * SEC + 400 * 1_000_000)
    assert a.detectable_from == 1 * SEC and not a.done

    b = AbsorptionAgent(_randomized([100] * 60), random.Random(1), 0, "b")
    b.on_fill(600, 1 * SEC, [])
    b.sim.book.cancel(b.oids[0])  # swept (gone) 200 ms after the crossing
    b.step(1 * SEC + 200 * 1_000_000)
    assert b.done and b.params["outcome"] == "broken" and b.detectable_from is None


def test_the_presets_call_it_detectable_at_the_crossing():
    a = _agent()
    a.on_fill(600, 1 * SEC, [])
    assert a.hold_ns == 0 and a.detectable_from == 1 * SEC
