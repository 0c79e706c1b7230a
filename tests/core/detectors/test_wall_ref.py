"""Walls: a step far over the step window's own reference waits a bounded time (wall_ref.py)."""

from dom.core.types import AlertState
from tests.core.detectors.test_walls import Script

PX = 4962  # the candidate's price


def _a_step(step: int, ratio: float = 0.0, **kw) -> Script:
    """A heavy tail of organic orders (the window's 10th largest step 22,222: ``ref``), the step need's
    ratio at 3 (the weak need 66.7k: a step of 45k is under it, never announced without the rule),
    then a ``step`` at ``PX`` and 4 s more."""
    s = Script(wall_step_horizon_s=0, wall_step_exceed=2, wall_step_ratio=3.0, wall_ref_step_ratio=ratio,
               wall_ref_wait_ms=12_000, **kw)
    s.warm()
    s.heavy_tail()
    s.delta(bids=[(PX, 1380 + step)])
    s.idle(4000)
    return s


def test_a_step_under_the_weak_need_but_far_over_the_reference_is_announced_at_the_wait():
    s = _a_step(45_000, ratio=2.0)  # 2.03x the reference (22,222), under the weak need (66.7k)
    assert s.alerts == []  # 4 s: past the persistence, not past the wait
    s.idle(7000)  # 11 s
    assert s.alerts == []
    s.idle(2000)  # 13 s: past the wait (12 s)
    assert s.states() == [AlertState.NEW]
    a = s.alerts[0]
    assert a.px_ticks == PX and 12_000 <= a.evidence["persisted_ms"] < 13_000
    assert a.evidence["step_lots"] == 45_000 and a.evidence["step_rank_lots"] == 22_222


def test_off_or_short_of_the_ratio_or_the_size_it_is_not_announced():
    off = _a_step(45_000)  # wall_ref_step_ratio 0: off (the default)
    short = _a_step(35_000, ratio=2.0)  # 1.58x the reference: short of 2x
    small = _a_step(45_000, ratio=2.0, wall_ref_size_ratio=50.0)  # its size under 50x the band threshold
    for s in (off, short, small):
        s.idle(60_000)  # a minute: never
        assert s.alerts == []


def test_it_bounds_the_graded_wait_of_a_step_between_the_needs():
    # The ratio back at 1.5 (the weak need 33.3k): a 45k step lies between the needs, and the graded
    # wait asks it more than 12 s; the rule lets it through at 12 s.
    s = Script(wall_step_horizon_s=0, wall_step_exceed=2, wall_ref_step_ratio=2.0, wall_ref_wait_ms=12_000)
    g = Script(wall_step_horizon_s=0, wall_step_exceed=2)
    for x in (s, g):
        x.warm()
        x.heavy_tail()
        x.delta(bids=[(PX, 1380 + 45_000)])
        x.idle(13_000)
    assert s.states() == [AlertState.NEW] and 12_000 <= s.alerts[0].evidence["persisted_ms"] < 13_000
    assert g.alerts == []  # the graded wait alone: not yet at 13 s
    g.idle(20_000)
    assert g.states() == [AlertState.NEW] and g.alerts[0].evidence["persisted_ms"] > 13_000


def test_the_hooks_turn_for_a_candidate_on_this_path_is_the_end_of_its_wait():
    from types import SimpleNamespace

    from dom.core.detectors import DetectorParams
    from dom.core.detectors.persistence import graded_wait
    from dom.core.detectors.wall_hook import candidate_due
    from dom.core.detectors.wall_state import _Wall
    from dom.core.types import BookSide

    ms, far = 1_000_000, 1 << 62
    on = DetectorParams(wall_ref_step_ratio=2.0, wall_ref_wait_ms=12_000, wall_ref_size_ratio=1.5)
    off = DetectorParams()
    steps = SimpleNamespace(ref=100, bounded=lambda n, book, ratio: n)
    det = SimpleNamespace(p=on, floor_ns=3000 * ms, lifetimes=SimpleNamespace(required_ns=5000 * ms), step_need=800,
                          step_weak=400, steps=steps, weak_ns=30_000 * ms, bound=None, threshold={BookSide.BID: 600})
    w = _Wall(BookSide.BID, 4990, 100 * ms, 1000, 1000, step=250)  # under the weak need, 2.5x ref, 1.67x thr
    assert candidate_due(det, w, 200 * ms) == 5100 * ms  # the persistence first
    assert candidate_due(det, w, 5100 * ms) == 12_100 * ms  # then the end of its wait
    det.p = off
    assert candidate_due(det, w, 5100 * ms) == far  # (off: short of the weak need, never by time)
    det.p = on
    w.size = 800  # 1.33x the threshold: short of the size ratio
    assert candidate_due(det, w, 5100 * ms) == far
    w.size, w.step = 1000, 150  # 1.5x ref: short of the step ratio
    assert candidate_due(det, w, 5100 * ms) == far
    w.step = 500  # between the needs: the earlier of the graded wait and this one
    assert 100 * ms + graded_wait(500, 400, 800, 5000 * ms, 30_000 * ms) > 12_100 * ms
    assert candidate_due(det, w, 5100 * ms) == 12_100 * ms
    det.lifetimes.required_ns = 20_000 * ms  # a persistence longer than the wait: the persistence
    assert candidate_due(det, w, 20_100 * ms) == 20_100 * ms
