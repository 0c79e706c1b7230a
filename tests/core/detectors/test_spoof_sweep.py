"""Pulled liquidity's pass over its candidates at each depth message, ``sweep_py`` (spoof_state.py,
what the Python store's ``sweep`` runs): at the edges of each rule and on fuzzed candidates. The C
store's pass is held against it in test_spoof_store.py."""

from __future__ import annotations

import copy
import random

import pytest

from dom.core.detectors.spoof_state import _Cand, sweep_py
from dom.core.types import BookSide

BID, ASK = BookSide.BID, BookSide.ASK
FAR = 1 << 62


def cand(side, px, dists=(), sizes=(), pending=False):
    c = _Cand(side, px, 0, 5, 0)
    c.dists.extend(dists)
    c.sizes.extend(sizes)
    c.pending = pending
    return c


def held(cands):
    return {k: (list(c.dists), list(c.sizes), c.pending) for k, c in cands.items()}


def both(cands, *args):
    """sweep_py on a copy: what it gave (the dead by key, in order; the range) and its candidates
    after (the C store's pass is held against the twin's in test_spoof_store.py)."""
    a = copy.deepcopy(cands)
    dead, lo, hi = sweep_py(a, BID, *args)
    return (None if dead is None else [(c.side, c.px) for c in dead], lo, hi), a


def test_sweep_at_the_edges_of_each_rule():
    now, approach, old = 10_000, 7_000, 9_500
    # bid best 100, ask best 110, thresholds 7 (half: 3.5) and 8, bands 10 ticks
    bl = {95: 4, 94: 3, 90: 100, 89: 100, 101: 9, 80: 4}
    al = {112: 4, 113: 3, 120: 100, 121: 100, 109: 9}
    cands = {
        (BID, 95): cand(BID, 95, [(1, 5)]),  # q 4 over 3.5, d 5: alive; its distance unchanged, not noted
        (BID, 94): cand(BID, 94, [(1, 5)]),  # q 3 under 3.5: dead; distance 6 noted
        (BID, 90): cand(BID, 90),  # d 10 = half: alive
        (BID, 89): cand(BID, 89),  # d 11: dead
        (BID, 101): cand(BID, 101),  # d -1: dead
        (BID, 80): cand(BID, 80, pending=True),  # under, outside, but pending: alive
        (BID, 70): cand(BID, 70),  # no level (q 0): dead
        (ASK, 112): cand(ASK, 112, [(6_000, 9), (7_000, 3), (7_001, 2)]),  # q 4 = half of 8: alive; the
        # first distance goes (the second's time is approach), the next stays
        (ASK, 113): cand(ASK, 113, sizes=[(9_000, 1), (9_500, 2), (9_501, 3)]),  # q 3 under 4: dead; a size goes
        (ASK, 120): cand(ASK, 120, [(1, 9)], [(1, 1)]),  # d 10: alive; one distance, one size: kept
        (ASK, 121): cand(ASK, 121),  # d 11: dead
        (ASK, 109): cand(ASK, 109),  # d -1: dead
    }
    (dead, lo, hi), after = both(cands, 100, 110, 7, 8, 10, 10, bl, al, now, approach, old)
    assert dead == [(BID, 94), (BID, 89), (BID, 101), (BID, 70), (ASK, 113), (ASK, 121), (ASK, 109)]
    assert (lo, hi) == (80, 120)
    assert list(after[BID, 95].dists) == [(1, 5)] and list(after[BID, 94].dists) == [(1, 5), (now, 6)]
    assert list(after[ASK, 112].dists) == [(7_000, 3), (7_001, 2)]  # (distance 2 as last noted)
    assert list(after[ASK, 113].sizes) == [(9_500, 2), (9_501, 3)]
    assert list(after[ASK, 120].dists) == [(1, 9), (now, 10)] and list(after[ASK, 120].sizes) == [(1, 1)]
    # no threshold on a side, an empty side: every candidate there dead unless pending; none left
    (dead, lo, hi), after = both(cands, None, 110, 7, None, 10, 10, bl, al, now, approach, old)
    assert (BID, 95) in dead and (ASK, 120) in dead and (BID, 80) not in dead
    assert list(after[BID, 95].dists) == [(1, 5)]  # (no best: no distance noted)
    assert both({}, 100, 110, 7, 8, 10, 10, bl, al, now, approach, old)[0] == (None, FAR, -FAR)
    # an odd threshold's half (3.5) against sizes 3 and 4, an even one's (4) against 4
    assert both({(BID, 95): cand(BID, 95)}, 100, 110, 7, 8, 10, 10, {95: 3}, al, now, approach, old)[0][0] == [(BID, 95)]
    assert both({(ASK, 112): cand(ASK, 112)}, 100, 110, 7, 8, 10, 10, bl, {112: 3}, now, approach, old)[0][0] == [(ASK, 112)]


@pytest.mark.parametrize("seed", range(5))
def test_sweep_fuzzed(seed):
    rng = random.Random(seed)
    seen = {"dead": 0, "alive": 0}
    for _ in range(300):
        bb = rng.choice((None, 1000, 1000, 1000))
        ba = rng.choice((None, 1005, 1005, 1010))
        cands = {}
        for _ in range(rng.randrange(0, 12)):
            side = rng.choice((BID, ASK))
            px = (bb or 1000) - rng.randrange(-2, 30) if side is BID else (ba or 1005) + rng.randrange(-2, 30)
            t0 = rng.randrange(0, 5000)
            dists = [(t0 + i * rng.randrange(0, 400), rng.randrange(-2, 30)) for i in range(rng.randrange(0, 5))]
            sizes = [(t0 + i * rng.randrange(0, 400), rng.randrange(0, 900)) for i in range(rng.randrange(0, 5))]
            cands[side, px] = cand(side, px, dists, sizes, rng.random() < 0.2)
        bl = {px: rng.randrange(1, 900) for side, px in cands if side is BID and rng.random() < 0.8}
        al = {px: rng.randrange(1, 900) for side, px in cands if side is ASK and rng.random() < 0.8}
        now = rng.randrange(3000, 8000)
        (dead, lo, hi), after = both(cands, bb, ba, rng.choice((None, rng.randrange(1, 900))),
                                     rng.choice((None, rng.randrange(1, 900))), rng.randrange(0, 30),
                                     rng.randrange(0, 30), bl, al, now, now - rng.randrange(0, 3000),
                                     now - rng.randrange(0, 1000))
        alive = [px for key, c in after.items() if key not in (dead or ()) for px in (c.px,)]
        assert (lo, hi) == ((min(alive), max(alive)) if alive else (FAR, -FAR))
        seen["dead"] += bool(dead)
        seen["alive"] += bool(alive)
    assert seen["dead"] > 30 and seen["alive"] > 30  # the fuzz reaches both outcomes
