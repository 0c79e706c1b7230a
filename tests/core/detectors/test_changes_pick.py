"""``pick`` (dom/core/detectors/changes.py): the level changes the walls', pulled liquidity's and
the step windows' loops can act on. The C filter against its pure-Python twin on edge and fuzzed
inputs, and the detectors fed through it against the same detectors looping over every change:
the same alerts and the same state after every message, repeated prices in a message included."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams, changes, spoof, spoof_delta, step_state, wall_pick, walls
from dom.core.detectors.changes import FAR, pick, pick_py
from dom.core.types import BookSide, TakerSide
from tests.core.detectors.script import EventScript, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def spec(chs, bid, tb, ta, lo, hi, inc, blo=-FAR, bhi=FAR, alo=-FAR, ahi=FAR, ilo=-FAR, ihi=FAR):
    """What ``pick`` keeps, written as its docstring says (the widening made explicit)."""
    out = []
    for c in chs:
        side, px, old, new = c
        t, wlo, whi = (tb, blo, bhi) if side is bid else (ta, alo, ahi)
        if new >= t and wlo <= px <= whi:
            out.append(c)
            lo, hi = min(lo, px), max(hi, px)
        elif lo <= px <= hi or (new - old > inc and ilo <= px <= ihi):
            out.append(c)
    return out


def test_pick_at_its_edges():
    chs = [(BID, 100, 5, 50), (ASK, 105, 0, 3), (BID, 99, 10, 0), (ASK, 110, 1, 9), (BID, 100, 50, 2)]
    # a side's threshold, reached exactly (kept) and missed by one
    assert pick_py(chs, BID, 50, FAR, FAR, -FAR, FAR) == [chs[0], chs[4]]  # (100 widened the range)
    assert pick_py(chs, BID, 51, FAR, FAR, -FAR, FAR) == []
    assert pick_py(chs, BID, FAR, 9, FAR, -FAR, FAR) == [chs[3]]
    # a side's window: its ends are in it; a change over the threshold outside it is not kept,
    # nor does it widen the range
    assert pick_py(chs, BID, 50, FAR, FAR, -FAR, FAR, 100, 100) == [chs[0], chs[4]]
    assert pick_py(chs, BID, 50, FAR, FAR, -FAR, FAR, 90, 99) == []
    assert pick_py(chs, BID, 0, 0, FAR, -FAR, FAR, 99, 99, 110, 120) == chs[2:]  # (99..110 after the third)
    # the range's ends are in it
    assert pick_py(chs, BID, FAR, FAR, 99, 100, FAR) == [chs[0], chs[2], chs[4]]
    assert pick_py(chs, BID, FAR, FAR, 105, 105, FAR) == [chs[1]]
    # a step over inc, not at it
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 8) == [chs[0]]
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 7) == [chs[0], chs[3]]
    # ... within its window only (its ends are in it); the range and the thresholds do not ask it
    w = (-FAR, FAR, -FAR, FAR)
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 7, *w, 100, 110) == [chs[0], chs[3]]
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 7, *w, 101, 110) == [chs[3]]
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 7, *w, 100, 109) == [chs[0]]
    assert pick_py(chs, BID, FAR, FAR, FAR, -FAR, 7, *w, FAR, -FAR) == []  # (an empty window)
    assert pick_py(chs, BID, FAR, FAR, 110, 110, 7, *w, FAR, -FAR) == [chs[3]]
    assert pick_py(chs, BID, 50, FAR, FAR, -FAR, 7, *w, FAR, -FAR) == [chs[0], chs[4]]
    # the range widens to a price kept for its threshold: a later change there is kept, one
    # before it is not, nor one only near it
    later = [(ASK, 120, 9, 1), (ASK, 121, 0, 40), (ASK, 120, 1, 0), (ASK, 121, 40, 1), (ASK, 125, 3, 2)]
    assert pick_py(later, BID, FAR, 40, FAR, -FAR, FAR) == [later[1], later[3]]
    assert pick_py(later, BID, FAR, 40, 118, 119, FAR) == later[1:4]  # 118..121 from the second on
    assert pick_py(later, BID, FAR, 40, FAR, -FAR, FAR, -FAR, FAR, 122, 130) == []
    assert pick_py([], BID, 0, 0, 0, 0, 0) == []
    for args in [(BID, 50, FAR, FAR, -FAR, FAR), (BID, FAR, 40, 118, 119, FAR), (BID, FAR, FAR, 99, 100, 7),
                 (ASK, 3, 9, 100, 104, 0), (BID, 0, 0, FAR, -FAR, FAR, 99, 99, 110, 120), (BID, 3, 3, 0, 0, 0, 95, 100, 104, 122),
                 (BID, FAR, FAR, FAR, -FAR, 0, *w, 105, 121), (ASK, 3, 40, 120, 120, 0, 95, 100, 104, 122, 99, 110)]:
        full = args + (-FAR, FAR, -FAR, FAR, -FAR, FAR)[len(args) - 6:]
        want = spec(chs + later, *args)
        assert pick(chs + later, *args) == pick_py(chs + later, *args) == want
        if NATIVE is not None:
            assert NATIVE.pick_changes(chs + later, *full) == want


def _changes(rng: random.Random, n: int) -> list:
    out = []
    for _ in range(n):
        side = BID if rng.random() < 0.5 else ASK
        px = rng.randrange(990, 1010)  # few prices: repeats in one message are common
        old, new = (rng.choice((0, rng.randrange(1, 50), rng.randrange(1, 5000))) for _ in range(2))
        out.append((side, px, old, new))
    return out


def _bounds(rng: random.Random) -> tuple:
    t = lambda: rng.choice((FAR, 0, rng.randrange(1, 60), rng.randrange(1, 5000)))  # noqa: E731
    lo = rng.choice((FAR, rng.randrange(985, 1012)))
    hi = -FAR if lo == FAR or rng.random() < 0.2 else lo + rng.randrange(-2, 8)

    def window():
        if rng.random() < 0.4:
            return -FAR, FAR
        a = rng.randrange(985, 1012)
        return a, a + rng.randrange(-2, 12)

    return ((BID if rng.random() < 0.9 else ASK), t(), t(), lo, hi, rng.choice((FAR, 0, rng.randrange(1, 3000))),
            *window(), *window(), *window())


@pytest.mark.parametrize("seed", range(4))
def test_pick_py_is_what_its_docstring_says(seed):
    rng = random.Random(seed)
    for _ in range(1000):
        chs, args = _changes(rng, rng.randrange(0, 40)), _bounds(rng)
        assert pick_py(chs, *args) == spec(chs, *args)


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_native_pick_is_pick_py(seed):
    rng = random.Random(100 + seed)
    for _ in range(1500):
        chs, args = _changes(rng, rng.randrange(0, 70)), _bounds(rng)
        got = NATIVE.pick_changes(chs, *args)
        want = pick_py(chs, *args)
        assert got == want and all(a is b for a, b in zip(got, want))  # the same tuples, in order
        assert pick(chs, *args) == want


@needs_native
def test_native_pick_declines_what_it_does_not_take():
    ok = [(BID, 100, 1, 2)]
    big = 1 << 62
    w = (-big, big, -big, big, -big, big)
    for chs, args in [
        (tuple(ok), (BID, 0, 0, 0, 0, 0, *w)),  # not a list
        ([(BID, 100, 1)], (BID, 0, 0, 0, 0, 0, *w)),  # not a 4-tuple
        ([[BID, 100, 1, 2]], (BID, 0, 0, 0, 0, 0, *w)),
        ([(BID, 100, 1, big // 2 + 1)], (BID, 0, 0, 0, 0, 0, *w)),  # a change past +-2^61
        ([(BID, -big // 2 - 1, 1, 2)], (BID, 0, 0, 0, 0, 0, *w)),
        ([(BID, 100, -big // 2 - 1, big // 2)], (BID, 0, 0, 0, 0, 0, *w)),  # (new - old past 2^62)
        ([(BID, 100, True, 2)], (BID, 0, 0, 0, 0, 0, *w)),  # a bool is no exact int
        ([(BID, 100, 1, 2.0)], (BID, 0, 0, 0, 0, 0, *w)),
        (ok, (BID, big + 1, 0, 0, 0, 0, *w)),
        (ok, (BID, 0, 0, 0, 0, 1.5, *w)),
        (ok, (BID, None, 0, 0, 0, 0, *w)),
        (ok, (BID, 0, 0, 0, 0, 0, -big, big, -big, big + 1, -big, big)),
        (ok, (BID, 0, 0, 0, 0, 0, -big, big, -big, big, -big - 1, big)),
        (ok, (BID, 0, 0, 0, 0, 0, -big, big, -big, big, -big, "1")),
    ]:
        assert NATIVE.pick_changes(chs, *args) is NotImplemented
        if len(chs[0]) == 4 and type(chs) is list and None not in args:  # (the wrapper then takes the Python way)
            assert pick(chs, *args) == pick_py(chs, *args)
    h = big // 2
    assert NATIVE.pick_changes([(BID, h, -h, h)], BID, big, big, -big, big, big, *w) == [(BID, h, -h, h)]  # (the range)
    assert NATIVE.pick_changes([(BID, -h, -h, h)], BID, big, big, big, -big, big - 1, *w) == [(BID, -h, -h, h)]  # (a step of 2^62)
    assert NATIVE.pick_changes([(BID, -h, -h, h)], BID, big, big, big, -big, big, *w) == []
    with pytest.raises(TypeError):
        NATIVE.pick_changes(ok, BID, 0, 0, 0, 0, 0)
    with pytest.raises(TypeError):
        NATIVE.pick_changes(ok, BID, 0, 0, 0, 0, 0, -big, big, -big, big)  # (the 11 of an older build)


def _every_change(chs, *bounds):
    return list(chs)


def _market(seed: int, everything: bool, monkeypatch, **params):
    """A random book around a flat one: sizes wander, large levels come and go (some pulled as
    price comes, some eaten), a price now and then twice in one message; trades. Returns the
    alerts and, after every message, what the walls and pulled liquidity hold."""
    for mod in (walls, step_state):  # (the step pass: the twin's; C filters in its own loop)
        monkeypatch.setattr(mod, "pick", _every_change if everything else changes.pick)
    monkeypatch.setattr(walls, "wall_pick", _every_change if everything else wall_pick.wall_pick)  # (the walls' loop's)
    monkeypatch.setattr(spoof_delta, "FILTER", not everything)  # (pulled liquidity's pick is its loop's test)
    p = DetectorParams(icebergs=False, absorptions=False, bursts=False, sweeps=False, **params)
    s = EventScript(p, flat_book(80))  # (wider than the band: large levels come and go past its edge too)
    w, sp = s.eng["KITEUSDT"].observers
    book = s.eng["KITEUSDT"].book
    held = lambda st: None if st is None else (sorted(st.samples.sorted), dict(st.at), [list(x) for x in st.last])  # noqa: E731
    rng = random.Random(seed)
    states = []
    for i in range(1500):
        bids, asks = [], []
        for _ in range(rng.randrange(0, 14)):
            bid = rng.random() < 0.5
            px = 5000 - rng.randrange(0, 70) if bid else 5001 + rng.randrange(0, 70)
            r = rng.random()
            q = (rng.randrange(8000, 40000) if r < 0.06 else 0 if r < 0.12 else rng.randrange(300, 2000))
            (bids if bid else asks).append((px, q))
            if rng.random() < 0.08:  # the same price again in this message, another size first
                (bids if bid else asks).insert(-1, (px, rng.choice((0, rng.randrange(8000, 40000), q + 1))))
        if rng.random() < 0.3:  # a change on an edge the filters draw: a threshold met exactly at a band's or
            # the candidates' edge, an increase of exactly pulled liquidity's ``big``
            bid = rng.random() < 0.5
            lv = book.bids if bid else book.asks
            best = lv.best_px()
            det = rng.choice((w, sp))
            t = det.threshold.get(BID if bid else ASK)
            if best is not None and t is not None:
                d = rng.choice((w.half[BID if bid else ASK], sp.p.spoof_min_d0_ticks, sp.half[BID if bid else ASK]))
                d += rng.choice((-1, 0, 0, 1))
                px = best - d if bid else best + d
                old = lv.levels.get(px, 0)
                q = rng.choice((t, t - 1, old + sp.big, max(t, old - 1), max(t, old + 1)))  # (the last two: small steps)
                if q > 0 and (5000 - 80 < px <= 5000 if bid else 5000 < px <= 5001 + 80):
                    (bids if bid else asks).append((px, q))
        s.delta(bids, asks, dt_ms=rng.choice((50, 100, 100, 250)))
        for _ in range(rng.randrange(0, 3)):
            bid = rng.random() < 0.5
            s.trade(5000 - rng.randrange(0, 3) if bid else 5001 + rng.randrange(0, 3), rng.randrange(1, 3000),
                    TakerSide.SELL if bid else TakerSide.BUY)
        states.append((
            {k: (x.first_ns, x.size, x.peak, x.announced, x.dip_ns, x.gone_ns, x.step) for k, x in w.walls.items()},
            sp.st.state()[0], [vars(x) for x in sp.pulls], held(w.steps), held(sp.steps), sp.st.state()[2]))
    return [repr(a) for a in s.alerts], states


@pytest.mark.parametrize("seed, params", [
    (1, {}),
    (2, {"wall_ratio": 4.0, "spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "wall_persist_ms": 500}),
    (3, {"wall_step_rank": 0, "spoof_step_rank": 0, "wall_ratio": 5.0, "spoof_ratio": 4.0}),
])
def test_detectors_through_pick_act_as_over_every_change(seed, params, monkeypatch):
    got = _market(seed, False, monkeypatch, **params)
    want = _market(seed, True, monkeypatch, **params)
    assert got[1] == want[1]
    assert got[0] == want[0]
    # (the market does exercise the loops: large levels followed, steps taken)
    assert any(st[0] for st in want[1]) and any(st[1] for st in want[1])
    assert params.get("wall_step_rank") == 0 or want[1][-1][3][0]


@pytest.mark.parametrize("seed, params", [
    (4, {"spoof_ratio": 3.0, "spoof_min_flow_share": 0.0}),
    (5, {"spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "spoof_move_ticks": 3, "spoof_step_rank": 0}),
])
def test_increases_kept_only_near_the_candidates_judge_pulls_as_all_of_them(seed, params, monkeypatch):
    """Pulled liquidity keeps a size increase (``adds``, read as a pulled order moved) only within
    ``spoof_move_ticks`` of its candidates' range (``spoof_rules.move_reach``): every pull is judged
    as with every increase kept, and the market has pulls with increases beside them."""
    got = _market(seed, False, monkeypatch, **params)
    beside = []
    judge = spoof.is_pull

    def is_pull(det, x):  # (how many kept increases lie where this pull's judgement reads them)
        r, w = det.p.spoof_move_ticks, det.p.spoof_drop_window_ms * 1_000_000
        beside.append(sum(1 for t, px, _ in det.st.added(x.side)
                          if px != x.px and abs(px - x.px) <= r and x.t - w <= t <= x.t + det._wait()))
        return judge(det, x)

    monkeypatch.setattr(spoof, "is_pull", is_pull)
    monkeypatch.setattr(spoof, "move_reach", lambda p: None)
    want = _market(seed, False, monkeypatch, **params)
    assert got[0] == want[0]
    assert [st[1:3] for st in got[1]] == [st[1:3] for st in want[1]]  # candidates and pulls, message by message
    assert sum(map(bool, beside)) >= 3
    assert sum(len(st[5][BID]) + len(st[5][ASK]) for st in got[1]) < sum(len(st[5][BID]) + len(st[5][ASK]) for st in want[1])


def test_first_move_at_its_edges():
    """``first_move_py`` (steps.py's move check over one side's kept steps): the first that
    matches, its bounds inclusive, the level itself never."""
    from collections import deque

    from dom.core.detectors.steps import first_move_py

    a, b, c = [1, BID, 100, 50, 43, 57], [2, BID, 105, 80, 68, 92], [3, BID, 103, 55, 47, 63]
    kept = deque([a, b, c])
    assert first_move_py(kept, 50, 95, 105, 100) is c  # a is at the level itself
    assert first_move_py(kept, 50, 95, 105, 101) is a
    assert first_move_py(kept, 43, 100, 100, 99) is a and first_move_py(kept, 57, 100, 100, 99) is a
    assert first_move_py(kept, 42, 100, 100, 99) is None and first_move_py(kept, 58, 100, 100, 99) is None
    assert first_move_py(kept, 80, 105, 110, 107) is b and first_move_py(kept, 80, 106, 110, 107) is None
    assert first_move_py(deque(), 1, 0, 10, 5) is None
    for args in [(50, 95, 105, 100), (50, 95, 105, 101), (43, 100, 100, 99), (42, 100, 100, 99), (80, 105, 110, 107),
                 (58, 90, 110, 103)]:
        if NATIVE is not None:
            assert NATIVE.first_move(kept, *args) is first_move_py(kept, *args)


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_native_first_move_is_first_move_py(seed):
    from collections import deque

    from dom.core.detectors.steps import first_move_py

    rng = random.Random(200 + seed)
    for _ in range(1500):
        kept = deque()
        for _ in range(rng.randrange(0, 40)):
            step = rng.randrange(1, 3000)
            r = int(0.15 * step)
            kept.append([rng.randrange(0, 10**10), rng.choice((BID, ASK)), rng.randrange(980, 1020), step,
                         step - r, step + r])
        px = rng.randrange(980, 1020)
        ticks = rng.choice((0, 1, 10))
        args = (rng.randrange(1, 3000), px - ticks, px + ticks, px)
        assert NATIVE.first_move(kept, *args) is first_move_py(kept, *args)


@needs_native
def test_native_first_move_declines_what_it_does_not_take():
    big = 1 << 62
    ok = [1, BID, 100, 50, 43, 57]
    for kept, args in [([(1, BID, 100, 50, 43, 57)], (50, 95, 105, 101)), ([[1, BID, 100, 50, 43]], (50, 95, 105, 101)),
                       ([[1, BID, 100.0, 50, 43, 57]], (50, 95, 105, 101)), ([[1, BID, 100, 50, 43, big + 1]], (50, 95, 105, 101)),
                       ([ok], (50, 95, 105, 1.5)), ([ok], (None, 95, 105, 101)), ([ok], (50, -big - 1, 105, 101))]:
        assert NATIVE.first_move(kept, *args) is NotImplemented
    assert NATIVE.first_move([ok, (1,)], 50, 95, 105, 101) is ok  # (it stops at the first match)
    with pytest.raises(TypeError):
        NATIVE.first_move(5, 50, 95, 105, 101)
