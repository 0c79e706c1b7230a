"""Walls: the weak path's wait from how long the symbol's own large levels stood (wall_weak.py)."""

from dom.core.detectors.wall_weak import WeakWait
from dom.core.types import AlertState
from tests.core.detectors.test_walls import Script

SEC = 1_000_000_000
PX = 4962  # the weak-path candidate's price


def _organic_then_a_step(stood_ms: int | tuple[int, ...], count: int = 4, **kw) -> Script:
    """A heavy tail of organic orders (the window's 10th largest 20k), then ``count`` organic large
    levels (a 21k step each: under the weak need, never announced) that each stand ``stood_ms`` (or
    the i-th of them ``stood_ms[i]``) and are pulled, then a 40k step at ``PX`` (over the ratio's need, under the exceedance's: the weak
    path), and 4 s more."""
    s = Script(wall_step_horizon_s=0, wall_step_exceed=2, wall_weak_persist_ms=30_000, wall_weak_graded=False, **kw)
    s.warm()
    s.heavy_tail()
    for i in range(count):
        px = 4975 - 2 * i
        s.delta(bids=[(px, 1000 + 10 * (5000 - px) + 21_000)])
        s.idle(stood_ms if isinstance(stood_ms, int) else stood_ms[i])
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))])
        s.idle(3000)
    s.delta(bids=[(PX, 1380 + 40_000)])
    s.idle(4000)
    return s


def test_where_the_large_levels_fell_back_soon_the_weak_path_waits_its_least():
    s = _organic_then_a_step(5000, wall_weak_least_ms=12_000)
    assert s.alerts == []  # 4 s: not yet
    s.idle(9000)  # 13 s in all: past the least (12 s), far from the fixed 30 s
    assert s.states() == [AlertState.NEW]
    a = s.alerts[0]
    assert a.px_ticks == PX and 12_000 <= a.evidence["persisted_ms"] < 13_000


def test_where_they_stood_long_the_weak_path_waits_past_the_longest():
    s = _organic_then_a_step((6000, 18_000, 7000, 8000), wall_weak_least_ms=12_000)
    s.idle(10_000)  # 14 s: the least is over, but one of the book's large levels stood 18 s here
    assert s.alerts == []
    s.idle(6000)  # 20 s
    assert s.states() == [AlertState.NEW]
    assert 18_000 <= s.alerts[0].evidence["persisted_ms"] < 19_500
    wide = _organic_then_a_step(18_000, wall_weak_least_ms=12_000, wall_weak_margin=1.5)  # 27 s
    wide.idle(21_000)  # 25 s
    assert wide.alerts == []
    wide.idle(3000)
    assert wide.states() == [AlertState.NEW]


def test_before_enough_large_levels_fell_back_and_with_the_rule_off_the_fixed_wait_holds():
    few = _organic_then_a_step(5000, count=2, wall_weak_least_ms=12_000)  # 2 of the 3 needed
    off = _organic_then_a_step(5000)  # wall_weak_least_ms 0: off (the default)
    for s in (few, off):
        s.idle(24_000)  # 28 s
        assert s.alerts == []
        s.idle(3000)  # 31 s: the fixed wait
        assert s.states() == [AlertState.NEW]


def test_the_wait_is_the_longest_in_the_window_within_its_bounds():
    w = WeakWait(3 * SEC, 15 * SEC, 30 * SEC, 1.0, 3, 100 * SEC)
    assert w.update(0) == 30 * SEC  # nothing seen: the fixed wait
    for t, life in ((1, 5), (2, 2), (3, 9)):  # 2 s is under the floor: not counted
        w.fell_back(t * SEC, life * SEC)
    assert w.update(4 * SEC) == 30 * SEC  # two counted, three needed
    w.fell_back(5 * SEC, 8 * SEC)
    assert w.update(6 * SEC) == 15 * SEC  # the longest (9 s) is under the least
    w.fell_back(7 * SEC, 22 * SEC)
    assert w.update(8 * SEC) == 22 * SEC  # rises at once
    w.fell_back(9 * SEC, 80 * SEC)
    assert w.update(10 * SEC) == 30 * SEC  # never past the fixed wait
    for t in (20, 21, 22):
        w.fell_back(t * SEC, 4 * SEC)
    assert w.update(int(108.5 * SEC)) == 30 * SEC  # the 80 s episode is still in the window (100 s)
    assert w.update(110 * SEC) == 15 * SEC  # it left (hysteresis: only then does the wait come down)
    m = WeakWait(3 * SEC, 15 * SEC, 30 * SEC, 2.0, 1, 100 * SEC)
    m.fell_back(0, 10 * SEC)
    assert m.update(SEC) == 20 * SEC  # the margin times the longest


def test_the_bound_lets_a_weak_path_candidate_through_once_it_outlived_the_books_large_levels():
    s = _organic_then_a_step(5000, count=0, wall_weak_bound_ms=12_000)  # none fell back: the least, from the start
    s.idle(7000)  # 11 s
    assert s.alerts == []
    s.idle(2000)  # 13 s: past the bound (12 s), far from the fixed 30 s
    assert s.states() == [AlertState.NEW]
    assert 12_000 <= s.alerts[0].evidence["persisted_ms"] < 13_000
    long = _organic_then_a_step((6000, 18_000), count=2, wall_weak_bound_ms=12_000)  # one stood 18 s
    long.idle(12_000)  # 16 s
    assert long.alerts == []
    long.idle(4000)  # 20 s
    assert long.states() == [AlertState.NEW]
    assert 18_000 <= long.alerts[0].evidence["persisted_ms"] < 19_500
    wide = _organic_then_a_step(10_000, count=1, wall_weak_bound_ms=12_000, wall_weak_bound_margin=2.0)  # 20 s
    wide.idle(14_000)  # 18 s
    assert wide.alerts == []
    wide.idle(4000)
    assert wide.states() == [AlertState.NEW]


def test_with_the_bound_off_the_weak_path_waits_its_whole_time():
    s = _organic_then_a_step(5000, count=0)  # wall_weak_bound_ms 0: off (the default)
    s.idle(24_000)  # 28 s
    assert s.alerts == []
    s.idle(3000)  # 31 s
    assert s.states() == [AlertState.NEW]


def test_with_no_episode_asked_for_the_wait_is_the_least_until_one_comes():
    w = WeakWait(3 * SEC, 12 * SEC, 30 * SEC, 1.0, 0, 100 * SEC)
    assert w.update(0) == 12 * SEC  # nothing seen: the least (the bound's form)
    w.fell_back(SEC, 20 * SEC)
    assert w.update(2 * SEC) == 20 * SEC
    assert w.update(102 * SEC) == 12 * SEC  # it left the window
