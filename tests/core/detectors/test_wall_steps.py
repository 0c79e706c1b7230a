"""The walls' step test: a wall came as one order beyond the organic ones (steps.py)."""

from types import SimpleNamespace

import pytest

from dom.core.detectors.steps import LargeSteps, _grow, _hill, _tail
from dom.core.types import AlertState, BookSide
from tests.core.detectors.test_walls import Script

BID, ASK = BookSide.BID, BookSide.ASK
SEC = 1_000_000_000


class _Sym:
    """What LargeSteps reads of a symbol: the engine's message count and the best prices."""

    def __init__(self, bid=1000, ask=1001):
        self.stats = SimpleNamespace(applied=0)
        self.book = SimpleNamespace(bids=SimpleNamespace(best_px=lambda: bid), asks=SimpleNamespace(best_px=lambda: ask))

    def message(self):
        self.stats.applied += 1


def _steps(rank=3):
    sym = _Sym()
    st = LargeSteps(sym, rank, 60)
    st.refresh(0, 100)  # a band of 100 ticks a side
    return sym, st


def test_the_rank_th_largest_step_of_the_window_and_its_expiry():
    sym, st = _steps(rank=3)
    for i, size in enumerate((500, 900, 300, 700, 100)):
        sym.message()
        st.observe([(BID, 990 - 20 * i, 0, size)], i * SEC)  # each at its own price, far from the touch
    st.refresh(5 * SEC, 100)
    assert st.ref == 500  # 900, 700, 500
    assert st.recent(BID, 970, 5 * SEC) == (SEC, 900)
    st.refresh(63 * SEC, 100)  # the first three left the 60 s window: 700 and 100 remain, fewer than 3
    assert st.ref is None
    assert st.recent(BID, 970, 63 * SEC) == (0, 0)  # a level's step is remembered 60 s


def test_a_message_is_counted_once_and_only_increases_in_the_band_away_from_the_touch_are_sampled():
    sym, st = _steps(rank=1)
    sym.message()
    change = [(BID, 990, 100, 600), (BID, 999, 0, 5000), (ASK, 1002, 0, 4000), (ASK, 1010, 700, 0),
              (BID, 899, 0, 90_000)]
    st.observe(change, SEC)
    st.observe(change, SEC)  # the other detector sharing it, same message
    st.refresh(SEC, 100)
    # 999 is 1 tick from the best bid, 1002 1 from the ask, 899 beyond the band
    assert sorted(st.samples.sorted) == [500]
    assert st.recent(BID, 990, SEC) == (SEC, 500)
    # nor is a step near the touch remembered at its level: there one push holds many joins
    assert st.recent(BID, 999, SEC) == (0, 0) and st.recent(ASK, 1002, SEC) == (0, 0)


def test_an_order_that_moves_is_one_sample_and_a_forgotten_step_leaves_the_window():
    sym, st = _steps(rank=1)
    for i in range(5):  # one order trailing the touch: re-placed a tick further every 2 s
        sym.message()
        st.observe([(BID, 980 - i, 0, 10_000 + 100 * i)], 2 * i * SEC)
    sym.message()
    st.observe([(BID, 960, 0, 3000)], 9 * SEC)
    st.refresh(10 * SEC, 100)
    assert st.samples.sorted == [3000, 10_000]
    st.forget(0, 10_000)
    st.refresh(10 * SEC + 1, 100)
    assert st.ref == 3000


def _organic_steps(s, n=12, size=20_000):
    """n organic orders of ``size``, each gone within 200 ms (no wall: under 3 s), 10.5 s apart
    (not one order moving)."""
    for i in range(n):
        px = 4985 - i
        s.delta(bids=[(px, 1000 + 10 * (5000 - px) + size)])
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))], dt_ms=200)
        s.idle(10_500)


def test_a_level_no_larger_than_the_organic_orders_is_no_wall_and_one_beyond_them_is():
    s = Script()
    s.warm()
    _organic_steps(s)
    s.delta(bids=[(4990, 1100 + 22_000)])  # 22k: a large level, but the size organic orders reach
    s.idle(4000)
    assert s.alerts == []
    s.delta(bids=[(4962, 1380 + 60_000)])  # 3x the largest organic order
    s.idle(4000)
    assert s.states() == [AlertState.NEW]
    ev = s.alerts[0].evidence
    assert s.alerts[0].px_ticks == 4962
    assert ev["step_lots"] == 60_000 and ev["step_rank_lots"] == 20_000


def test_a_queue_that_grows_at_the_touch_in_one_push_is_no_wall_and_the_same_step_further_out_is():
    s = Script()
    s.warm()
    _organic_steps(s)
    s.delta(bids=[(4999, 1010 + 60_000)])  # 1 tick from the best bid: many joins show as one step
    s.idle(4000)
    assert s.alerts == []
    s.delta(bids=[(4997, 1030 + 60_000)])  # 3 ticks out, where an order shows as itself
    s.idle(4000)
    assert s.states() == [AlertState.NEW] and s.alerts[0].px_ticks == 4997
    assert s.alerts[0].evidence["step_lots"] == 60_000


def test_off_with_rank_zero():
    s = Script(wall_step_rank=0)
    s.warm()
    _organic_steps(s)
    s.delta(bids=[(4990, 1100 + 22_000)])
    s.idle(4000)
    assert s.states() == [AlertState.NEW]
    assert "step_lots" not in s.alerts[0].evidence


def test_a_capped_flow_hardly_grows_and_a_heavy_tail_grows_with_the_samples_to_come():
    capped = sorted([1000] * 15 + [995, 990, 985, 980, 975, 970] + list(range(100, 600, 10)))
    assert _tail(capped, 10, 30.0) < 1.15  # its largest sit at the cap: more of them are no larger
    pareto = sorted(int(1_000_000 / i) for i in range(1, 201))  # quantiles of a tail of index 1
    assert 20 < _tail(pareto, 10, 30.0) < 40  # ~30^(1/1)
    thinner = sorted(int(1_000_000 / i ** 0.5) for i in range(1, 201))  # index 2
    assert 4 < _tail(thinner, 10, 30.0) < 7  # ~30^(1/2)
    assert _tail([5, 5, 5], 3, 30.0) == 1.0  # too few to say, or all equal: no growth


def test_a_young_window_extrapolates_its_rank_to_the_horizon_and_an_old_one_does_not():
    sym = _Sym()
    st = LargeSteps(sym, 3, 1800, horizon_s=300)
    st.refresh(0, 100)
    for i in range(30):  # a heavy tail: 30 orders of 1e6 / (i + 1), one a second
        sym.message()
        st.observe([(BID, 990 - (i % 80), 0, 1_000_000 // (i + 1))], i * SEC)
    st.refresh(30 * SEC, 100)
    assert st.ref == 333_333
    assert st.tail > 3  # 30 s of a 300 s horizon: ten times the samples to come
    young = st.tail
    st.refresh(100 * SEC, 100)
    assert 1 < st.tail < young  # older: less to come
    st.refresh(300 * SEC, 100)
    assert st.tail == 1.0  # the horizon reached: the window's own rank stands
    off = LargeSteps(sym, 3, 1800)  # horizon 0: never extrapolated
    off.refresh(0, 100)
    off.observe([(BID, 900, 0, 5000)], 0)
    assert off.tail == 1.0


def heavy_organic_flow(s) -> None:
    """Twelve organic orders of a heavy tail (20,000 down to 1,200 lots) down the band, each gone
    within 200 ms, a second apart."""
    heavy = (20_000, 14_000, 9_000, 6_500, 5_000, 4_000, 3_300, 2_700, 2_200, 1_800, 1_500, 1_200)
    for i, size in enumerate(heavy):
        px = 4985 - i
        s.delta(bids=[(px, 1000 + 10 * (5000 - px) + size)])
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))], dt_ms=200)
        s.idle(1_000)


def test_early_in_a_session_a_level_must_be_beyond_the_extrapolated_top_of_the_organic_flow():
    s = Script()
    s.warm()
    heavy_organic_flow(s)
    s.delta(bids=[(4962, 1380 + 30_000)])  # 1.5x the largest seen so far: not beyond what is to come
    s.idle(4000)
    assert s.alerts == []
    young = Script(wall_step_horizon_s=0, wall_step_exceed=0)  # the same without extrapolation: announced
    young.warm()
    heavy_organic_flow(young)
    young.delta(bids=[(4962, 1380 + 30_000)])
    young.idle(4000)
    assert young.states() == [AlertState.NEW]
    assert young.alerts[0].evidence["step_tail"] == 1.0


def test_the_extrapolation_is_bounded_whatever_the_horizon_and_the_steps():
    wild = sorted([1] * 25 + [10**15] * 20)  # a window of tiny steps and enormous ones
    assert _tail(wild, 10, 1e12) == pytest.approx(1e6)  # (1e12 ** 34 would overflow a float)
    assert _tail(wild, 10, 1.0) == 1.0  # nothing more to come: no growth
    sym = _Sym()
    st = LargeSteps(sym, 3, 1800, horizon_s=10**12)  # the largest horizon a config may give
    st.refresh(0, 100)
    for i, size in enumerate((1, 1, 1, 1, 10**15, 10**15, 10**15)):
        sym.message()
        st.observe([(BID, 990 - 12 * i, 0, size)], i * SEC)
    st.refresh(10 * SEC, 100)
    assert st.ref == 10**15 and 1 <= st.tail <= 1e6


def test_a_heavy_tail_asks_for_the_size_its_organic_orders_rarely_exceed_and_a_capped_flow_does_not():
    def window(sizes, exceed):
        sym = _Sym()
        st = LargeSteps(sym, 10, 3600, exceed=exceed)
        st.refresh(0, 100)
        for i, size in enumerate(sizes):  # 11 s apart: none of them one order moved
            sym.message()
            st.observe([(BID, 990 - (i % 80), 0, size)], 11 * i * SEC)
        st.refresh(11 * len(sizes) * SEC, 100)
        return st
    pareto = [1_000_000 // i for i in range(1, 201)]  # quantiles of a tail of index 1
    heavy, plain = window(pareto, 2.0), window(pareto, 0.0)
    assert heavy.ref == plain.ref == 100_000
    assert 4 < heavy.grow < 6  # (10 / 2) ** (1 / 1): five times rarer, five times larger
    assert plain.grow == 1.0 and plain.need(1.5) == 150_000
    assert heavy.need(1.5) == int(heavy.grow * 100_000)
    capped = [1000] * 40 + list(range(100, 600, 10))  # its largest orders all sit at the cap
    st = window(capped, 2.0)
    assert st.grow < 1.2 and st.need(1.5) == 1500  # the ratio, not the tail, decides


def test_the_exceedance_tail_leaves_the_largest_steps_out_of_its_estimate():
    pareto = sorted(1_000_000 // i for i in range(1, 201))  # quantiles of a tail of index 1
    assert 0.9 < _hill(pareto, 10) < 1.1 and 0.9 < _hill(pareto, 10, 9) < 1.1  # the same flow, the same index
    crowded = sorted(pareto + [10**9] * 9)  # and nine large orders at its top
    assert _hill(crowded, 10) > 4  # they make the whole flow look five times heavier
    assert _hill(crowded, 10, 9) < _hill(crowded, 10) / 2  # taken only as "at least the 10th largest"
    assert _hill([5, 5], 10, 9) == 0.0 and _hill([], 10, 9) == 0.0  # too few


def _heavy_tail_then_a_step(**kw):
    s = Script(**kw)
    s.warm()
    s.heavy_tail()
    s.delta(bids=[(4962, 1380 + 40_000)])  # 2x the 10th largest (20k): the tail reaches that
    s.idle(4000)
    return s


def test_a_level_beyond_the_heavy_tails_10th_largest_but_within_its_reach_is_no_wall():
    assert _heavy_tail_then_a_step(wall_step_horizon_s=0, wall_step_exceed=2).alerts == []
    plain = _heavy_tail_then_a_step(wall_step_horizon_s=0, wall_step_exceed=0)  # (the ratio alone)
    assert plain.states() == [AlertState.NEW] and plain.alerts[0].evidence["step_grow"] == 1.0


def test_a_step_within_the_tails_reach_is_a_wall_once_it_stood_the_weak_persistence():
    run = _heavy_tail_then_a_step
    s = run(wall_step_horizon_s=0, wall_step_exceed=2, wall_weak_persist_ms=9000, wall_weak_graded=False)
    assert s.alerts == []  # 4 s: the ratio alone is not enough yet
    s.idle(4000)
    assert s.alerts == []  # 8 s
    s.idle(2000)
    assert s.states() == [AlertState.NEW] and s.alerts[0].evidence["persisted_ms"] >= 9000
    short = run(wall_step_horizon_s=0, wall_step_exceed=2, wall_step_ratio=2.5, wall_weak_persist_ms=9000)
    short.idle(30_000)
    assert short.alerts == []  # a step under the ratio (2.5 x 22k) never passes, however long it stands


def test_the_tail_indices_follow_the_windows_top_from_one_refresh_to_the_next():
    def fed(sizes, refreshes):
        sym = _Sym()
        st = LargeSteps(sym, 10, 3600, horizon_s=600, exceed=2.0)
        st.refresh(0, 100)
        for i, size in enumerate(sizes):  # 11 s apart: none of them one order moved
            sym.message()
            st.observe([(BID, 990 - (i % 80), 0, size)], 11 * i * SEC)
            if i in refreshes:
                st.refresh(11 * i * SEC + 1, 100)
        st.refresh(11 * len(sizes) * SEC, 100)
        return st
    sizes = [1_000_000 // i for i in range(1, 41)] + [3_000_000, 50, 40]  # a new largest, then small ones
    for refreshes in ((), set(range(len(sizes)))):  # once at the end; after every step (cached between)
        st = fed(sizes, refreshes)
        s, k = st.samples.sorted, 10
        assert st.tail == _tail(s, k, 600 / (11 * len(sizes)))  # as computed afresh from the window
        assert st.grow == _grow(_hill(s, k, k - 1), k / 2) and st.grow > 1
    assert fed(sizes, ()).grow != fed(sizes[:-3], ()).grow  # the new largest moved it


def test_a_step_short_of_the_full_need_waits_a_time_graded_by_how_short():
    run = _heavy_tail_then_a_step  # a 40k step: over the ratio's 33k, under the exceedance's 118k
    s = run(wall_step_horizon_s=0, wall_step_exceed=2, wall_weak_persist_ms=30_000, wall_weak_graded=True)
    s.idle(24_000)  # 28 s in all: more than the full path's 3 s, less than the weak path's 30 s
    assert s.states() == [AlertState.NEW]
    waited = s.alerts[0].evidence["persisted_ms"]
    assert 20_000 < waited < 28_000  # log(118 / 40) / log(118 / 33) = 0.85 of the way from 3 s to 30 s
    whole = run(wall_step_horizon_s=0, wall_step_exceed=2, wall_weak_persist_ms=30_000, wall_weak_graded=False)
    whole.idle(24_000)
    assert whole.alerts == []  # without the grading: the weak path's whole 30 s


def test_the_graded_wait_runs_from_the_full_paths_time_to_the_weak_paths():
    from dom.core.detectors.persistence import graded_wait
    assert graded_wait(100, 10, 100, 3, 30) == 3 and graded_wait(500, 10, 100, 3, 30) == 3
    assert graded_wait(10, 10, 100, 3, 30) == 30 and graded_wait(5, 10, 100, 3, 30) == 30
    assert graded_wait(31, 10, 100, 3_000, 30_000) == pytest.approx(16_500, abs=300)  # halfway in log
    assert graded_wait(50, 10, 100, 3, 30) > graded_wait(60, 10, 100, 3, 30)  # shorter of the need: longer
    assert graded_wait(50, 100, 100, 3, 30) == 30  # no room between the needs: the weak path's time


def test_a_weak_need_of_zero_lots_grades_from_one_lot():
    """``wall_step_ratio = 0`` (which the config accepts) leaves the weak need at 0 lots: the grading
    counts from one lot instead of dividing by zero (a live run crashed on it)."""
    from dom.core.detectors.persistence import graded_wait
    assert graded_wait(0, 0, 100, 3, 30) == 30 and graded_wait(1, 0, 100, 3, 30) == 30
    assert graded_wait(10, 0, 100, 3_000, 30_000) == pytest.approx(16_500, abs=300)  # halfway from 1 lot
    s = _heavy_tail_then_a_step(wall_step_ratio=0, wall_step_horizon_s=0, wall_step_exceed=2,
                                wall_weak_persist_ms=30_000, wall_weak_graded=True)
    s.idle(30_000)
    assert s.states() == [AlertState.NEW]  # the 40k step, under the full need: announced, not a crash



def _young_heavy(book_ratio):
    """A young window (horizon 300 s) of a heavy tail, 30 s old: its need is extrapolated far."""
    sym = _Sym()
    st = LargeSteps(sym, 3, 1800, horizon_s=300, exceed=1.5, book_ratio=book_ratio)
    st.refresh(0, 100)
    for i in range(30):
        sym.message()
        st.observe([(BID, 990 - (i % 80), 0, 1_000_000 // (i + 1))], i * SEC)
    return sym, st


def test_a_young_windows_need_is_bounded_by_the_largest_organic_level_the_book_showed():
    _, free = _young_heavy(0.0)
    free.refresh(30 * SEC, 100)
    assert free.ref == 333_333 and free.tail > 3
    need, weak = free.need(1.5), free.need_ratio(1.5)
    assert need > 4_000_000 and weak > 1_500_000
    assert free.bounded(need, 400_000, 1.5) == need  # no bound set: the book is not read
    _, st = _young_heavy(2.0)
    assert st.wants_book()  # (not refreshed yet: the book as first seen counts)
    st.see_book(400_000)
    st.see_book(250_000)  # the largest seen stays
    st.refresh(30 * SEC, 100)
    assert st.book == 400_000 and st.need(1.5) == need  # the window's own need is as without
    assert st.bounded(need, 400_000, 1.5) == 800_000 and st.bounded(weak, 400_000, 1.5) == 800_000
    assert st.bounded(need, 100_000, 1.5) == int(1.5 * 333_333)  # never under what an old window asks
    assert st.bounded(need, 10_000_000, 1.5) == need  # a bound over the need does not raise it
    assert st.bounded(need, 0, 1.5) == need  # no book seen: no bound
    st.refresh(300 * SEC, 100)  # the horizon reached: no longer young, the book no longer read
    old = st.need(1.5)
    assert old > int(1.5 * st.ref)  # (the exceedance asks more than the ratio)
    assert not st.wants_book() and st.bounded(old, 100_000, 1.5) == old


def _early_wall(book_ratio, large=9_000):
    """A heavy organic flow early in a session, a ``large`` organic level in the band that leaves
    again, a 9,500-lot queue at the touch, then a 30,000-lot order 38 ticks out."""
    s = Script(wall_step_book_ratio=book_ratio)
    s.delta(bids=[(4960, large), (4999, 9_500)])
    s.warm()
    s.delta(bids=[(4960, 1400), (4999, 1010)])
    heavy_organic_flow(s)
    s.delta(bids=[(4962, 1380 + 30_000)])
    s.idle(4000)
    return s


def test_early_in_a_session_a_step_beyond_the_books_largest_organic_level_is_a_wall():
    assert _early_wall(0.0).alerts == []  # the extrapolated need (as test above): not announced
    s = _early_wall(2.0)  # 2 x 9,000: the touch queue and the candidate itself not counted
    assert s.states() == [AlertState.NEW]
    ev = s.alerts[0].evidence
    assert ev["step_lots"] == 30_000 and ev["step_book_lots"] == 9_000
    assert _early_wall(4.0).alerts == []  # 4 x 9,000 > 30,000
    # The largest level seen counts, gone or not: after a 20,000-lot level the bound is 40,000
    assert _early_wall(2.0, large=20_000).alerts == []


def _walls(s):
    """The wall detector of the script's symbol."""
    from dom.core.detectors.walls import WallDetector

    return next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, WallDetector))


def _trailing_candidate(s, size=60_000):
    """A large order placed 15 ticks under the best bid, then re-placed a tick nearer twice (its
    level empties, the next one gains its size 100 ms later), all within 1.2 s: a candidate that
    moves before it could be announced."""
    for px in (4985, 4986, 4987):
        s.delta(bids=[(px, 1000 + 10 * (5000 - px) + size)])
        s.idle(300)
        s.delta(bids=[(px, 1000 + 10 * (5000 - px))])  # gone without trades


@pytest.mark.parametrize("forget", [False, True])
def test_a_candidate_that_moves_takes_its_step_out_of_the_window_only_with_wall_move_forget(forget):
    s = Script(wall_move_forget=forget)
    s.warm()
    _organic_steps(s, n=3)
    det = _walls(s)
    before = sorted(det.steps.samples.sorted)
    _trailing_candidate(s)
    s.idle(200)
    det.steps.refresh(s.t, 100)
    after = sorted(det.steps.samples.sorted)
    assert s.alerts == []  # gone before the 3 s a wall must stand
    # one sample for the order however often it moved (the window's own move rule) ...
    assert len(after) - len(before) == (0 if forget else 1)
    # ... and with the rule on, its move showed it to be one large order: out of the window
    assert (60_000 in after) is not forget
