"""Pulled liquidity's store of candidates, mids and size increases in C (``_native.PullStore``,
_native_pstore.c) and its pure-Python twin (``spoof_store.PullState``): the same results and the
same state after each of thousands of random calls, at the edges of each method, and what the C
type declines (wrong types, huge ints, negative sizes: an error, the store unchanged)."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors.spoof_store import PullState, pull_state
from dom.core.types import BookSide

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
SEC = 1_000_000_000


def stores():
    return [PullState(BID, ASK)] + ([NATIVE.PullStore(BID, ASK)] if NATIVE is not None else [])


def call(ss, name, *args):
    """``name(*args)`` on each store: the same result (or the same exception type) from each."""
    got = []
    for s in ss:
        try:
            got.append(("ok", getattr(s, name)(*args)))
        except (KeyError, ValueError, IndexError) as e:
            got.append(("err", type(e).__name__))
    assert all(g == got[0] for g in got), (name, args, got)
    return got[0][1]


def test_pull_state_is_c_where_built():
    s = pull_state(BID, ASK)
    assert type(s) is (PullState if NATIVE is None else NATIVE.PullStore)
    assert len(s) == 0 and s.state() == ({}, [], {BID: [], ASK: []})


def test_each_method_at_its_edges():
    for s in stores():
        s.new(BID, 100, 0, 5, 700, 3)
        s.new(ASK, 110, 10, 6, 800, 0)
        assert len(s) == 2 and s.has(BID, 100) and not s.has(ASK, 100) and not s.has(BID, 110)
        assert s.seen(BID, 100, 20, 900) and not s.seen(BID, 101, 20, 900)
        assert s.facts(BID, 100, SEC) == (False, 900, 5, 5, 5, 5, 0, 3)
        assert s.facts(BID, 101, SEC) is None
        s.mark(BID, 100)
        with pytest.raises(KeyError):
            s.mark(ASK, 100)
        # the pass: bid best 105 (distance 5, unchanged), ask best 104 (6 -> 6: the level at 110),
        # thresholds 1400 (half: 700) and 1601 (half 800.5: a level of 800 is under it)
        lo, hi = s.sweep(105, 104, 1400, 1601, 10, 10, {100: 10}, {110: 800}, 2 * SEC, SEC, SEC)
        assert (lo, hi) == (100, 100)  # the ask candidate dead (800 < 800.5), the bid pending
        assert s.state()[0] == {(BID, 100): (0, 5, 900, [(20, 900)], [(0, 5)], True, 3)}
        s.new(ASK, 110, 30, 6, 800, 0)
        assert s.sweep(104, 104, 1400, 1600, 10, 10, {}, {110: 800}, 3 * SEC, 3 * SEC, 0) == (100, 110)
        assert s.state()[0][BID, 100][4] == [(3 * SEC, 4)]  # (the older distance before approach dropped)
        s.remove(BID, 100)
        s.remove(BID, 100)
        assert list(s.state()[0]) == [(ASK, 110)]
        s.mid(0, 10001)
        s.mid(SEC // 2, 10005)
        s.mid(SEC, None)  # (the first at exactly now - 1 s dropped)
        assert s.state()[1] == [(SEC // 2, 10005)] and s.mid_range(1 << 62) == 0
        s.mid(SEC + 1, 9990)
        assert s.mid_range(SEC + 1) == 0 and s.mid_range(SEC + 2) == 15
        s.add(BID, 10, 100, 50)
        s.add(BID, 20, 102, 70)
        s.add(BID, 30, 97, 11)
        assert s.moved(BID, 10, 30, 100, 2) == 70 and s.moved(BID, 0, 100, 99, 2) == 61 and s.moved(ASK, 0, 99, 0, 9) == 0
        s.expire(20)
        assert s.added(BID) == [(20, 102, 70), (30, 97, 11)] and s.added(ASK) == []
        band = [(95, 10), (96, 3000), (110, 1)]
        assert s.hits(band, 3000, ASK) == [(96, 3000), (110, 1)] and s.hits(band, 3001, BID) == []
        s.seen_band(ASK, 100, 110, {110: 4000}, 50)
        s.seen_band(ASK, 100, 109, {110: 9000}, 60)  # (out of the range given)
        assert s.state()[0][ASK, 110][2:4] == (4000, [(30, 800), (50, 4000)])
        s.clear()
        assert len(s) == 0 and not s and s.state() == ({}, [], {BID: [], ASK: []})


def test_the_pass_at_the_edges_of_each_rule():
    """``sweep``: a candidate dies (not pending) when its side has no threshold or no best, its level
    is under half the threshold, or it is outside its side's band; each rule at its edge."""
    # bid best 100, ask best 110, thresholds 7 (half: 3.5) and 8, bands 10 ticks
    bl = {95: 4, 94: 3, 90: 100, 89: 100, 101: 9, 80: 4}
    al = {112: 4, 113: 3, 120: 100, 121: 100, 109: 9}
    plan = [(BID, 95, True), (BID, 94, False), (BID, 90, True), (BID, 89, False), (BID, 101, False),
            (BID, 80, True), (BID, 70, False), (ASK, 112, True), (ASK, 113, False), (ASK, 120, True),
            (ASK, 121, False), (ASK, 109, False)]  # (BID 80 under, outside, but pending; BID 70: no level)
    for s in stores():
        for side, px, _ in plan:
            s.new(side, px, 0, 5, 1, 0)
        s.mark(BID, 80)
        assert s.sweep(100, 110, 7, 8, 10, 10, bl, al, 10, 5, 5) == (80, 120)
        assert list(s.state()[0]) == [(side, px) for side, px, alive in plan if alive]
        assert s.state()[0][BID, 95][4] == [(0, 5)] and s.state()[0][ASK, 120][4] == [(0, 5), (10, 10)]
        assert s.sweep(None, 110, 7, None, 10, 10, bl, al, 11, 5, 5) == (80, 80)  # (no best, no threshold)
        assert list(s.state()[0]) == [(BID, 80)]
        s.remove(BID, 80)
        assert s.sweep(100, 110, 7, 8, 10, 10, bl, al, 12, 5, 5) == (1 << 62, -(1 << 62))


def test_huge_sums_and_ranges_are_exact():
    for s in stores():
        for i in range(4):
            s.add(ASK, i, 10, (1 << 62) - i)
        s.mid(0, (1 << 62))
        s.mid(1, -(1 << 62))
        assert s.moved(ASK, 0, 9, 11, 1) == 4 * (1 << 62) - 6
        assert s.mid_range(5) == 1 << 63


@pytest.mark.parametrize("seed", range(6))
def test_random_calls_c_is_python(seed):
    if NATIVE is None:
        pytest.skip("the C accelerator is not built")
    rng = random.Random(seed)
    ss = stores()
    now = 10 * SEC
    sides = (BID, ASK)
    busy = 0
    for step in range(4000):
        now += rng.choice((0, 1, 50_000_000, 100_000_000, 400_000_000))
        side, px = rng.choice(sides), rng.randrange(90, 120)
        q = rng.choice((0, 1, rng.randrange(0, 5000)))
        op = rng.random()
        if op < 0.12:
            call(ss, "new", side, px, now, rng.randrange(-3, 12), q, rng.randrange(0, 4000))
        elif op < 0.40:
            call(ss, "seen", side, px, now, q)
        elif op < 0.45:
            call(ss, "mark", side, px)
        elif op < 0.48:
            call(ss, "remove", side, px)
        elif op < 0.55:
            call(ss, "facts", side, px, now)
        elif op < 0.60:
            call(ss, "has", side, px)
        elif op < 0.70:
            bb = rng.choice((None, rng.randrange(95, 106)))
            ba = rng.choice((None, rng.randrange(104, 115)))
            call(ss, "mid", now, None if bb is None or ba is None else bb + ba)
            levels = [{p: rng.randrange(1, 5000) for p in range(90, 120) if rng.random() < 0.6} for _ in sides]
            call(ss, "sweep", bb, ba, rng.choice((None, rng.randrange(1, 4000))), rng.choice((None, 2001, 2000)),
                 rng.randrange(0, 12), rng.randrange(0, 12), levels[0], levels[1], now,
                 now - rng.choice((SEC, 3 * SEC)), now - rng.choice((300_000_000, 800_000_000)))
        elif op < 0.75:
            call(ss, "mid_range", rng.choice((1 << 62, now, now - 300_000_000)))
        elif op < 0.83:
            call(ss, "add", side, now, px, rng.randrange(1, 3000))
        elif op < 0.86:
            call(ss, "expire", now - rng.choice((SEC, 5 * SEC)))
        elif op < 0.90:
            call(ss, "moved", side, now - SEC, now + rng.randrange(0, SEC), px, rng.randrange(0, 4))
        elif op < 0.94:
            band = [(p, rng.randrange(1, 5000)) for p in range(90, 120) if rng.random() < 0.5]
            call(ss, "hits", band, rng.randrange(1, 5000), side)
        elif op < 0.99:
            call(ss, "seen_band", side, rng.randrange(85, 105), rng.randrange(100, 125),
                 {p: rng.randrange(1, 5000) for p in range(90, 120) if rng.random() < 0.5}, now)
        else:
            call(ss, "clear")
        assert ss[1].state() == ss[0].state(), step
        assert len(ss[1]) == len(ss[0])
        busy += len(ss[0]) > 3
    assert busy > 150  # (several candidates held at once, often)


@needs_native
def test_c_declines_what_it_does_not_take():
    s = NATIVE.PullStore(BID, ASK)
    s.new(BID, 100, 0, 5, 700, 3)
    s.add(ASK, 0, 110, 5)
    s.mid(0, 10001)
    before = s.state()
    big = 1 << 70
    bad = [
        ("new", (BID, 101, 0, 5, -1, 0)),  # a negative size
        ("new", (BID, 101.0, 0, 5, 1, 0)),  # a float price
        ("new", (BID, big, 0, 5, 1, 0)),  # a huge price
        ("new", ("bid", 101, 0, 5, 1, 0)),  # not one of its sides
        ("new", (BID, True, 0, 5, 1, 0)),  # a bool is not an int here
        ("seen", (BID, 100, 0, -5)),
        ("seen", (BID, 100, big, 5)),
        ("seen", (BID, 100, 0, "5")),
        ("mid", (0, big)),
        ("mid", (None, 1)),
        ("add", (ASK, 0, 110, big)),
        ("add", (None, 0, 110, 1)),
        ("moved", (ASK, 0, big, 110, 1)),
        ("sweep", (105, 104, 1400, 1600, 10, 10, [], {}, 0, 0, 0)),  # levels not a dict
        ("sweep", (105, 104, 1400, 1600, 10, 10, {100: 5.0}, {}, 0, 0, 0)),  # a size not an int
        ("sweep", (105, 104, 1400, 1600, 10, 10, {100: big}, {}, 0, 0, 0)),
        ("sweep", (105.0, 104, 1400, 1600, 10, 10, {}, {}, 0, 0, 0)),
        ("hits", ((), 5, BID)),
        ("hits", ([(1, 2, 3)], 5, BID)),
        ("hits", ([(1, big)], 5, BID)),
        ("seen_band", (BID, 0, 200, {100: -1}, 0)),
        ("seen_band", (BID, 0, 200, {100: "x"}, 0)),
        ("seen_band", (BID, 0, 200, None, 0)),
        ("facts", (BID, 100)),
        ("state", (1,)),
    ]
    for name, args in bad:
        with pytest.raises((TypeError, ValueError)):
            getattr(s, name)(*args)
        assert s.state() == before, name
    with pytest.raises(TypeError):
        NATIVE.PullStore(BID)
    with pytest.raises(TypeError):
        NATIVE.PullStore(BID, ASK, side=BID)


@needs_native
def test_memory_is_bounded_by_the_trims():
    s = NATIVE.PullStore(BID, ASK)
    s.new(BID, 100, 0, 5, 700, 3)
    s.mark(BID, 100)
    for i in range(1, 20000):
        t = i * 10_000_000
        s.seen(BID, 100, t, 700 + i % 7)
        s.mid(t, 10001 + i % 3)
        s.add(BID, t, 101, 5)
        s.expire(t - 5 * SEC)
        s.sweep(105 + i % 2, 110, 1400, 1400, 10, 10, {100: 700}, {}, t, t - SEC, t - 300_000_000)
    st = s.state()
    assert len(st[0][BID, 100][3]) <= 31 and len(st[0][BID, 100][4]) <= 101 and len(st[1]) == 100
    assert len(st[2][BID]) == 501


@needs_native
def test_c_keeps_no_reference_it_does_not_own():
    """What the C type is handed and gives back is counted right: after thousands of calls (and of
    errors) the objects read hold as many references as before; the store holds its two sides, and
    gives them back when it goes."""
    import gc
    import sys

    side_b, side_a = object(), object()
    band = [(p, 1000 + p) for p in range(90, 120)]
    levels = {p: 2000 + p for p in range(90, 120)}
    big = 1 << 70
    watched = [side_b, side_a, band, levels, big] + band + list(levels.values())
    before = [sys.getrefcount(x) for x in watched]
    nb = sys.getrefcount(side_b)
    s = NATIVE.PullStore(side_b, side_a)
    assert sys.getrefcount(side_b) == nb + 1  # (the store's own)
    for i in range(3000):
        side = side_b if i % 2 else side_a
        s.new(side, 90 + i % 30, i, i % 9, 1000 + i, 3)
        s.seen(side, 90 + i % 30, i, 5)
        s.mid(i, 10000 + i % 5)
        s.add(side, i, 100, 7)
        got = s.hits(band, 1100, side)
        s.seen_band(side, 0, 200, levels, i)
        s.facts(side, 90 + i % 30, i)
        s.moved(side, 0, i, 101, 2)
        s.sweep(110, 85, 1800, 1800, 30, 30, levels, levels, i, i - 50, i - 20)
        s.state()
        s.added(side)
        for bad in ((side, big, 0, 1, 1, 0), (side, 1, 0, 1, -1, 0), ("x", 1, 0, 1, 1, 0)):
            with pytest.raises((TypeError, ValueError)):
                s.new(*bad)
        del got
    del s, side
    gc.collect()
    assert [sys.getrefcount(x) for x in watched] == before
