"""How long a wall candidate must stand: the floor where large levels are rare, longer where they
come and go often (dom/core/detectors/persistence.py), and a candidate that moves keeps its start."""

import math

from dom.core.detectors.persistence import LevelLifetimes
from dom.core.types import AlertState
from tests.core.detectors.test_walls import Script

S = 1_000_000_000
HOUR = 3600 * S


def lifetimes(**kw):
    args = dict(floor_ns=3 * S, ceiling_ns=20 * S, budget_per_h=0.5, window_ns=1800 * S, min_episodes=5)
    args.update(kw)
    return LevelLifetimes(**args)


def test_the_floor_holds_until_enough_short_episodes_were_seen():
    lt = lifetimes()
    lt.update(0)
    for i in range(4):
        lt.ended_after((i + 1) * 60 * S, 5 * S)
    assert lt.update(300 * S) == 3 * S
    # Levels gone before the floor cost nothing, walls standing past the ceiling are not ordinary:
    # neither counts.
    for i in range(50):
        lt.ended_after(300 * S, 2 * S)
        lt.ended_after(300 * S, 25 * S)
    assert lt.update(300 * S) == 3 * S


def test_the_requirement_is_the_time_that_leaves_the_budget_of_ordinary_large_levels():
    lt = lifetimes(budget_per_h=20)
    lt.update(0)
    # 30 levels in 600 s that stood 3 + (2 or 6) s: 180 an hour, 4 s past the floor on average;
    # 20 an hour may outlive the requirement.
    for i in range(30):
        lt.ended_after((i + 1) * 20 * S, 3 * S + (2 * S if i % 2 else 6 * S))
    got = lt.update(600 * S)
    want = 3 * S + 4 * S * math.log(180 / 20)  # 11.8 s
    assert abs(got - want) < 1e6 and got == lt.required_ns
    # ... clamped to the ceiling when they stand longer ...
    lt2 = lifetimes()
    lt2.update(0)
    for i in range(30):
        lt2.ended_after((i + 1) * 20 * S, 19 * S)
    assert lt2.update(600 * S) == 20 * S
    # ... and back to the floor once they left the window.
    assert lt.update(600 * S + 1800 * S + 1) == 3 * S


def test_where_large_levels_come_and_go_a_short_lived_one_is_not_a_wall_and_a_lasting_one_is():
    s = Script()
    s.warm()
    # Ordinary large levels: 60k lots for 4-6 s, one every 10 s, at 8-12 ticks (the floor alone
    # announces each of them).
    for i in range(12):
        px = 4988 + i % 5
        s.delta(bids=[(px, 60_000)])
        s.idle(4000 + 200 * (i % 10))
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))])
        s.idle(5000)
    early = [a for a in s.alerts if a.state is AlertState.NEW]
    assert len(early) >= 5  # the first ones were announced at the floor
    assert early[0].evidence["required_persist_ms"] == 3000
    n = len(early)
    # Now the requirement is longer than such a level lives: the next one is not announced ...
    s.delta(bids=[(4989, 60_000)])
    s.idle(6000)
    s.delta(bids=[(4989, 1110)])
    s.idle(3000)
    assert len([a for a in s.alerts if a.state is AlertState.NEW]) == n
    # ... while one that stays is, later than 3 s.
    s.delta(bids=[(4990, 60_000)])
    s.idle(30_000)
    news = [a for a in s.alerts if a.state is AlertState.NEW]
    assert len(news) == n + 1 and news[-1].px_ticks == 4990
    assert news[-1].evidence["required_persist_ms"] > 6000
    assert news[-1].evidence["persisted_ms"] >= news[-1].evidence["required_persist_ms"]


def test_a_candidate_that_moves_keeps_its_start():
    """An order trailing the touch leaves its level and shows up a few ticks away before it has
    stood 3 s: it is the same candidate, announced 3 s after it first appeared."""
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(2000)
    s.delta(bids=[(4990, 1100), (4992, 61_000)])  # moved 2 ticks, about the same size
    s.idle(1200)
    news = [a for a in s.alerts if a.state is AlertState.NEW]
    assert [a.px_ticks for a in news] == [4992]
    assert news[0].evidence["persisted_ms"] >= 3000


def test_a_zero_budget_or_no_minimum_in_the_config_is_no_crash():
    """``wall_false_per_h = 0`` and ``wall_lifetime_min = 0`` pass the config's checks (not negative)."""
    lt = lifetimes(budget_per_h=0.0, min_episodes=0)
    assert lt.update(0) == 3 * S and lt.update(60 * S) == 3 * S  # nothing seen yet: the floor
    for i in range(3):
        lt.ended_after((i + 1) * 10 * S, 5 * S)
    assert lt.update(60 * S) == 20 * S  # none may outlive it: the ceiling
