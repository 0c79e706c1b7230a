"""The walls' and pulled liquidity's step windows are fed by one pass over each message's changes
(steps.py, ``pair``), yet each holds what it would alone: the walls' alerts do not depend on
pulled liquidity being on, nor its alerts on the walls."""

import random

from dom.core.detectors import DetectorParams
from dom.core.detectors.steps import LargeSteps, pair
from dom.core.types import AlertKind, BookSide
from tests.core.detectors.script import EventScript, flat_book
from tests.core.detectors.test_spoof import WALL, Script
from tests.core.detectors.test_wall_steps import _Sym

BID, ASK = BookSide.BID, BookSide.ASK
SEC = 1_000_000_000


def _state(st: LargeSteps):
    return (list(st.samples.sorted), st.ref, st.floor, dict(st.at), [list(x) for x in st.last],
            {s: [list(x) for x in d] for s, d in st.last_side.items()}, st.start, st.synced_ns)


def test_two_paired_windows_hold_what_two_windows_fed_apart_hold():
    """Random steps, orders moving, one window forgetting steps, the two with other ranks (so
    other floors) and bands: after every message each paired window equals its unpaired copy."""
    rng = random.Random(7)
    sym = _Sym()
    a, b = LargeSteps(sym, 3, 60), LargeSteps(sym, 5, 60)  # paired
    a1, b1 = LargeSteps(sym, 3, 60), LargeSteps(sym, 5, 60)  # each alone
    pair(a, b)
    assert a.twin is b and b.twin is a and a1.twin is None
    kept: list[tuple[int, int]] = []
    for i in range(3000):
        now = i * SEC // 5
        sym.message()
        changes = []
        for _ in range(rng.randrange(0, 6)):
            side = BID if rng.random() < 0.5 else ASK
            px = 1000 - rng.randrange(0, 60) if side is BID else 1001 + rng.randrange(0, 60)
            old = rng.choice((0, rng.randrange(1, 3000)))
            changes.append((side, px, old, old + rng.choice((-1, 1)) * int(rng.paretovariate(1.3) * 300)))
        first, second = (a, b) if i % 3 else (b, a)  # either detector may ask first
        first.observe(changes, now)
        second.observe(changes, now)
        a1.observe(changes, now)
        b1.observe(changes, now)
        kept += [(now, new - old) for _s, _p, old, new in changes if new - old > a.floor]
        if i % 5 == 0:  # the statistics, once a second, with bands of their own
            half_a, half_b = rng.randrange(10, 50), rng.randrange(10, 50)
            for st, h in ((a, half_a), (a1, half_a), (b, half_b), (b1, half_b)):
                st.refresh(now, h)
        if i % 37 == 0 and kept:  # the walls announce an order: its step leaves their window
            t, step = kept[rng.randrange(len(kept))]
            a.forget(t, step)
            a1.forget(t, step)
        if i % 401 == 0:
            for st in (a, b, a1, b1):
                st.resync()
        assert _state(a) == _state(a1) and _state(b) == _state(b1), i
    assert len(a.samples) != len(b.samples) and a.floor and b.floor


def _market(walls: bool, spoofs: bool, seed: int):
    """Organic orders of random sizes joining and leaving away from the touch, a wall that stands
    (announced: the walls take its step out of their window), then a large bid pulled as sellers
    walk price toward it."""
    rng = random.Random(seed)
    s = EventScript(DetectorParams(walls=walls, spoofs=spoofs, icebergs=False, absorptions=False), flat_book(60))
    s.idle_px = Script.idle_px
    Script.warm_up(s)
    for i in range(30):
        px = 4985 - rng.randrange(0, 20)
        size = int(rng.paretovariate(1.5) * 5000)
        s.delta(bids=[(px, 1000 + size)], asks=[(5010 + rng.randrange(0, 20), 1000 + rng.randrange(0, 3000))])
        s.delta(bids=[(px, 1000)], dt_ms=200)
        if i == 20:
            s.delta(asks=[(5030, 1000 + 80_000)])  # a wall: it stays
        s.idle(rng.choice((1500, 5000, 10_500)))
    s.delta(bids=[(WALL, 1000 + 70_000)])
    Script.walk_down(s, 4992)
    s.delta(bids=[(WALL, 0)])
    s.idle(2000)
    return s.alerts


def test_each_detector_reports_the_same_with_the_other_on_or_off():
    for seed in (1, 2, 3):
        both = _market(True, True, seed)
        walls = [a for a in both if a.kind is AlertKind.WALL]
        pulls = [a for a in both if a.kind is AlertKind.SPOOF]
        assert walls and pulls, seed
        assert walls == _market(True, False, seed), seed
        assert pulls == _market(False, True, seed), seed
