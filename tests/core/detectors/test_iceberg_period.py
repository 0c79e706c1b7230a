"""A chain's chance judged per due period (iceberg_period.py, ``iceberg_due_periods``): the
level's traded volume cut into periods of a slice's worth from where the refill is due, each a hit
when an add in the band came in it, with the chance ``1 - (1 - q)**m`` for its ``m`` adds."""

import itertools
import math
import random

from dom.core.detectors.iceberg_chain import binomial_tail_py, chain_scan_py
from dom.core.detectors.iceberg_period import hit_chances, period_scan, poisson_binomial_tail
from dom.core.types import AlertState
from tests.core.detectors.test_iceberg import MS, SUMS_NEAR_1000, Script, _touch_with_joins


def test_the_poisson_binomial_tail_is_the_sum_over_outcomes():
    rng = random.Random(3)
    for _ in range(200):
        ps = [rng.random() ** 2 for _ in range(rng.randint(0, 7))]
        for k in range(len(ps) + 2):
            exact = sum(math.prod(p if o else 1 - p for p, o in zip(ps, outs))
                        for outs in itertools.product((0, 1), repeat=len(ps)) if sum(outs) >= k)
            assert math.isclose(poisson_binomial_tail(k, ps), min(1.0, exact), rel_tol=1e-9, abs_tol=1e-15)
    assert poisson_binomial_tail(0, []) == 1.0 and poisson_binomial_tail(1, []) == 0.0
    # equal chances: the binomial tail
    assert math.isclose(poisson_binomial_tail(4, [0.1] * 12), binomial_tail_py(4, 12, 0.1), rel_tol=1e-12)


def test_periods_of_a_slice_worth_from_where_the_refill_is_due():
    # A 1000-lot link at traded 0: due at 800, periods [800, 1600), [1600, 2400), ...
    adds = [
        (1000, 0, 0),  # the first link
        (3000, 300, 0),  # before the due point: idle
        (5000, 900, 0),  # period 1: a miss
        (7000, 1000, 0),  # period 1: a miss
        (1010, 1200, 0),  # period 1: the hit (a link; the next due at 1200 + 808 = 2008)
        (1005, 1500, 0),  # period 1 after its hit: idle, in m (a closed period counts all its adds)
        (4000, 2100, 0),  # period 2 starts at max(2008, 1600): a miss
        (6000, 4500, 0),  # period 2 ended at 2008 + 808 = 2816 with 1 add; [2816, 3624) empty, skipped; a miss
        (990, 4600, 0),  # the same period: its hit
    ]
    chain, periods, own, idle, idle_in, start = period_scan(adds, 950, 1050, 0.8)
    assert chain == [1000, 1010, 990]
    assert periods == [(4, True), (1, False), (2, True)]
    assert (own, idle, idle_in, start) == (4, 2, 1, (0, 0))
    # the per-add scan takes the add at 1500 as idle too, and every add after due as an opportunity
    assert chain_scan_py(adds, 950, 1050, 0.8)[1] == [False, False, True, False, False, True]
    assert [round(x, 6) for x in hit_chances(periods, 0.1)] == [round(1 - 0.9 ** 4, 6), 0.1, 0.19]


def test_after_a_hit_the_next_period_waits_for_the_new_link_and_periods_without_adds_are_left_out():
    adds = [
        (1000, 0, 0),  # the first link: due at 800, the period [800, 1600)
        (1000, 900, 0),  # its hit: the new link, due at 1700
        (3000, 1650, 0),  # the period is over; the next begins at max(1700, 1600): idle
        (3000, 2600, 0),  # [1700, 2500) held no add (left out); [2500, 3300): a miss
        (1000, 3400, 0),  # [3300, 4100): the hit
    ]
    chain, periods, own, idle, idle_in, _ = period_scan(adds, 950, 1050, 0.8)
    assert chain == [1000, 1000, 1000]
    assert periods == [(1, True), (1, False), (1, True)]
    assert (own, idle, idle_in) == (3, 1, 0)


def test_no_chain_no_periods_and_the_open_period_only_with_its_link():
    assert period_scan([(500, 0, 0), (700, 100, 0)], 950, 1050, 0.8)[:2] == ([], [])
    # the link opens nothing until due; a miss in the open period is not counted yet
    chain, periods, *_ = period_scan([(1000, 0, 0), (3000, 900, 0)], 950, 1050, 0.8)
    assert chain == [1000] and periods == []


def test_the_chance_holds_its_level_under_the_null_at_any_episode_length():
    """Ordinary adds (each in the band with chance q), traded volume in random steps: the chance
    the test gives is below x in at most about a share x of the levels, for short and long
    episodes alike (the window counts periods, so the last judgement does not weaken as adds pile up)."""
    rng = random.Random(11)
    q, lo, hi = 0.15, 900, 1100
    for n_adds in (40, 400):
        below = {0.01: 0, 0.05: 0, 0.2: 0}
        levels = 0
        for _ in range(1500):
            adds, traded = [(1000, 0, 0)], 0
            for _ in range(n_adds):
                traded += rng.choice((0, 100, 300, 700, 1500, 4000))
                adds.append((1000 if rng.random() < q else 5000, traded, 0))
            chain, periods, *_ = period_scan(adds, lo, hi, 0.8)
            win = periods[-12:]
            if not win:
                continue
            levels += 1
            got = poisson_binomial_tail(sum(h for _, h in win), hit_chances(win, q))
            for x in below:
                below[x] += got <= x
        for x, n in below.items():
            assert n <= x * levels * 1.25 + 5, (n_adds, x, n, levels)


def _order_among_joins(**params):
    """A refilling order showing 1,000 at a time; each time sellers took its slice, three others
    join the bid (sizes 1,530-2,990, never twice) while sellers go on hitting it, and then the
    order puts its next 1,000 up. Per add, each join after the slice traded is a miss (1 hit in
    4 opportunities: 3 in the window of 12); per due period, every period is a hit with the
    chance of four adds."""
    s = Script(**params)
    s.delta(bids=[(4997, 1000)])
    shown, others, n = 1000, 0, 0
    for _ in range(10):
        s.t += 50 * MS
        s.sell(4997, 1000)  # the slice taken (and nothing of the others')
        shown -= 1000
        s.delta(bids=[(4997, shown)], dt_ms=50)
        for _ in range(3):  # others join, each while sellers take 150 of them
            n += 1
            join = 1530 + (n * 491) % 1460
            s.t += 30 * MS
            s.sell(4997, 150)
            shown += join - 150
            others += join - 150
            s.delta(bids=[(4997, shown)], dt_ms=30)
        s.t += 30 * MS
        s.sell(4997, 150)  # the refill, in the same push as a small take of the others
        shown += 1000 - 150
        others -= 150
        s.delta(bids=[(4997, shown)], dt_ms=30)
        s.idle(200)
        shown -= others  # the others cancel: the slice is at the front again
        others = 0
        s.delta(bids=[(4997, shown)])
    s.idle(500)
    return [a for a in s.alerts if a.state is AlertState.NEW]


def test_an_order_whose_refills_come_among_other_joins_is_found_per_period():
    # (the slice is a small part of its level: the share test, on by default, is off here)
    flagged = _order_among_joins(iceberg_due_periods=True, iceberg_min_turnover=0.0, iceberg_min_chain_share=0.0)
    assert flagged and flagged[0].px_ticks == 4997
    ev = flagged[0].evidence
    assert ev["refill_band"] == 0.005 and 3 <= ev["refills_in_window"] <= ev["opportunities"] <= 12
    assert not _order_among_joins(iceberg_min_turnover=0.0, iceberg_min_chain_share=0.0), "per add, the joins' misses hide it"


def test_a_crowded_touch_is_judged_as_per_add():
    """The queue test's crowded touch (every push takes 1,100 of 30,000 and adds about 1,000):
    one add per push and period, so the chance is the per-add one's, and so is the alert (the
    per-add test's known false alarm: test_iceberg_queue.py)."""
    for extra in ({"iceberg_min_chain_share": 0.0}, {"iceberg_min_turnover": 0.0, "iceberg_min_chain_share": 0.0}):
        per_add = _touch_with_joins(SUMS_NEAR_1000, shown=30_000, take=1100, **extra)
        per_period = _touch_with_joins(SUMS_NEAR_1000, shown=30_000, take=1100, iceberg_due_periods=True, **extra)
        assert per_add and [(a.ts_ns, a.evidence) for a in per_period] == [(a.ts_ns, a.evidence) for a in per_add]
