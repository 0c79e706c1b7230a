"""The iceberg detector's waiting changes and trades, its levels' numbers and its null control in C
(``IceWait``, _native_ice.c) against the pure-Python twin (``_Wait``, iceberg_wait.py): the same
answers and the same state call by call on random operations, what C declines (nothing changed;
the detector goes on with the twin), bounded memory and steady reference counts. The detector on a random market with either is in
test_iceberg_native.py (``test_the_detector_acts_the_same_with_the_accelerator_and_without``)."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.iceberg_wait import ADD, NEW, OVERRUN, PUSH, _Rec, _Wait, as_twin, make_wait
from dom.core.types import AlertKind, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
BID, ASK = BookSide.BID, BookSide.ASK
SLACK = 200 * MS
WINDOW = 500 * MS


def pair(overrun=False):
    return NATIVE.IceWait(BID, ASK, WINDOW, overrun), _Wait(BID, ASK, WINDOW, overrun)


def same(got, want):
    """Two answers alike: items' records compared by their numbers (each form has its own)."""
    if isinstance(got, tuple) and len(got) == 8:
        rec, wrec = got[7], want[7]
        assert (rec.traded, rec.last, rec.max_q, rec.last_q) == (wrec.traded, wrec.last, wrec.max_q, wrec.last_q)
        return got[:7] == want[:7]
    return got == want


def ops(rng, n, spread=8, mult=1):
    """Random calls: trades at and near a wandering touch (some stamped late), depth messages of
    a few changes near and far, drains at the watermark (now and then far ahead: everything
    goes), levels no longer followed, now and then a resync."""
    t, best = 0, 5000
    for _ in range(n):
        t += rng.choice((0, 1, 50, 100, 250)) * MS
        if rng.random() < 0.05:
            best += rng.choice((-2, -1, 1, 2))
        r = rng.random()
        if r < 0.35:
            side = rng.choice((BID, ASK))
            px = (best - rng.choice((0, 0, 1, 3, 40)) if side is BID else best + 1 + rng.choice((0, 0, 1, 3, 40))) * mult
            T = t - rng.randrange(1, 600) * MS if rng.random() < 0.15 else t
            yield "trade", (side, px, T, rng.choice((1, 5, 700, 2**40, 0)))
        elif r < 0.65:
            changes = []
            for _ in range(rng.randrange(0, 8)):
                side = rng.choice((BID, ASK))
                px = (best - rng.randrange(0, spread) if side is BID else best + 1 + rng.randrange(0, spread)) * mult
                if rng.random() < 0.1:
                    px += rng.choice((-1, 1)) * rng.randrange(10, 60) * mult
                changes.append((side, px, rng.randrange(0, 3000), rng.choice((0, rng.randrange(0, 3000)))))
            b = best * mult
            touch = rng.choice(((b, b + 1),) * 8 + ((None, b + 1), (b, None), (None, None)))
            yield "delta", (t - rng.choice((0, 0, 0, 30 * MS)), changes, *touch)
        elif r < 0.86:
            mark = t - SLACK if rng.random() < 0.97 else t + 10**12
            yield "step", (mark,)
        elif r < 0.90:
            yield "late", (t - 2 * SLACK if rng.random() < 0.97 else t + 10**12,)
        elif r < 0.93:
            side = rng.choice((BID, ASK))
            q = rng.randrange(0, 3000)
            yield "judge", (side, best * mult + rng.randrange(-4, 5), t - SLACK, q, rng.choice((q, 0, q + 300)),
                            rng.choice((0, 0, 5, 800)))
        elif r < 0.985:
            keys = [(rng.choice((BID, ASK)), (best + rng.randrange(-6, 7)) * mult) for _ in range(rng.randrange(0, 4))]
            yield "unfollow", (keys,)
        elif r < 0.99:
            yield "clear", ()
        elif r < 0.995:
            yield "sizes", ()
        else:
            yield "counts", ()


@needs_native
@pytest.mark.parametrize("seed,spread,mult,overrun", [(1, 8, 1, False), (2, 8, 1, True), (3, 20, 1, False),
                                                      (4, 8, 4096, False), (5, 3, 64, True)])
def test_c_answers_and_holds_what_the_python_twin_does_call_by_call(seed, spread, mult, overrun):
    c, py = pair(overrun)
    rng = random.Random(seed)
    flags, most = 0, [0, 0]
    for i, (name, args) in enumerate(ops(rng, 6000, spread, mult)):
        got, want = getattr(c, name)(*args), getattr(py, name)(*args)
        assert same(got, want), (i, name, args, got, want)
        st = c.state()
        assert st == py.state(), (i, name)
        assert c.sizes() == py.sizes(), (i, name)
        if name in ("step", "judge") and got is not None:
            flags |= got[6]
            assert got[0] is args[0] if name == "judge" else got[0] in (BID, ASK)
        most = [max(most[0], len(st[2])), max(most[1], len(st[3]))]
    # (every flag came, levels were followed, depletions watched, both hits counted)
    assert flags == NEW | PUSH | ADD | (OVERRUN if overrun else 0)
    assert most[0] >= 2 and most[1] >= 2 and all(c.state()[4])


@needs_native
def test_a_step_judges_a_change_where_trades_waited_or_a_level_is_followed():
    c, py = pair()
    far = (None, None)  # (empty sides: nothing near)
    for w in (c, py):
        w.trade(BID, 5000, 10, 7)
        w.trade(BID, 5000, 30, 5)  # (later than the change: stays waiting)
        w.delta(20, [(BID, 5000, 100, 90), (BID, 4990, 50, 60), (ASK, 5001, 10, 20)], 5000, 5001)
        w.delta(25, [(BID, 4980, 1, 2)], 5000, 5001)  # far, nothing there: not picked
        assert w.sizes() == (1, 2, 2)  # (4990: away from the touch, nothing there: not picked either)
        # 5000: trades attributed, a new level (its first trade: PUSH), 7 - (100 - 90) < 0: no add;
        # 5001: near, but nothing there, not followed: not judged
        got = w.step(20)
        assert got[:7] == (BID, 5000, 20, 100, 90, 7, NEW | PUSH) and w.step(20) is None
        rec = got[7]
        assert (rec.traded, rec.last, rec.max_q, rec.last_q) == (7, 20, 100, 90)
        assert w.state()[2] == ((BID, 5000, 7, 20, 100, 90),)
        w.delta(40, [(BID, 4980, 1, 2), (BID, 5000, 90, 95)], *far)  # followed: picked
        got = w.step(40)  # 5 traded and 5 put back: a possible refill
        assert got[:7] == (BID, 5000, 40, 90, 95, 5, ADD) and got[7] is rec and rec.traded == 12
        w.delta(50, [(BID, 5000, 95, 80)], *far)
        assert w.step(50) is None  # (nothing traded, nothing put back: nothing left to the rules)
        assert (rec.traded, rec.last, rec.max_q, rec.last_q) == (12, 40, 100, 80)
        w.trade(ASK, 5002, 45, 3)
        w.trade(BID, 4999, 44, 2)
        assert w.late(45) == [(ASK, 5002, 3), (BID, 4999, 2)] and w.late(45) is None
        assert w.state()[1] == () and len(w.state()[2]) == 1  # (taken; judged by the caller with the book's size)
        assert w.judge(ASK, 5002, 45, 10, 10, 3)[6] == NEW | PUSH | ADD
        assert w.judge(ASK, 5003, 45, 10, 10, 0) is None and len(w.state()[2]) == 2  # (nothing there)
        w.unfollow([(BID, 5000), (BID, 4999)])
        assert w.state()[2] == ((ASK, 5002, 3, 45, 10, 10),)
        assert w.step(10**6) is None and w.late(10**6) is None
    assert c.state() == py.state()


@needs_native
def test_the_null_control_counts_as_the_python_control_does():
    """A depletion (half the level traded) starts a watch: a gain within the window is a near hit,
    one in the window a second later a far hit, each once; past the far window the watch ends."""
    from dom.core.detectors.iceberg_control import NullControl

    c, py = pair()
    ctl = NullControl(WINDOW // MS)
    s = 1_000_000_000
    for w in (c, py):
        w.judge(BID, 5000, 1, 100, 100, 1)  # (followed from here)
    steps = [(10, 100, 10, 60), (20, 10, 50, 0), (30, 50, 70, 0), (10 + s + 100, 70, 90, 0), (10 + s + 200, 90, 95, 0),
             (10 + s + WINDOW + 1, 95, 40, 60), (10 + s + WINDOW + 2, 40, 50, 0)]
    for t, before, after, v in steps:
        for w in (c, py):
            w.judge(BID, 5000, t, before, after, v)
        ctl.on_judged((BID, 5000), t, before, after, v)
        assert c.counts() == py.counts() == ctl.counts
    assert ctl.counts == {"depletions": 2, "near_hits": 2, "far_hits": 1}
    assert c.state() == py.state()
    for w in (c, py):
        w.clear()  # (a resync: the watch and the counts stay)
    assert c.state()[3] == py.state()[3] == ((BID, 5000, 10 + s + WINDOW + 1 + WINDOW, 10 + 2 * s + WINDOW + 1,
                                              10 + 2 * s + 2 * WINDOW + 1, 1),)
    assert c.counts() == ctl.counts and c.set_counts({"depletions": 5, "near_hits": 1, "far_hits": 0}) is None
    assert c.state()[4] == (5, 1, 0) and c.sizes() == (1, 0, 0)


@needs_native
def test_c_declines_what_it_does_not_take_and_changes_nothing():
    c, py = pair()
    for w in (c, py):
        w.trade(BID, 5000, 10, 7)
        w.delta(5, [(BID, 5000, 1, 2)], 5000, 5001)
    before = c.state()
    big = 1 << 61
    for args in (("bid", 5000, 11, 1), (None, 5000, 11, 1), (BID, big + 1, 11, 1), (BID, 5000, big + 1, 1),
                 (BID, 5000, 11, 2**40 + 1), (BID, 5000, 11, 1.0), (BID, True, 11, 1), (BID, 5000, 10**30, 1)):
        assert c.trade(*args) is NotImplemented, args
        assert c.state() == before
    good = (BID, 5001, 3, 4)
    for changes in ((good,), [good, (BID, 5001, 3)], [good, [BID, 5001, 3, 4]], [good, ("ask", 5001, 3, 4)],
                    [good, (BID, 5001, 3, 4.0)], [good, (BID, 5001, big + 1, 4)], [good, (BID, 5001, 3, False)]):
        assert c.delta(6, changes, 5000, 5001) is NotImplemented, changes
        assert c.state() == before
    assert c.delta(big + 1, [good], 5000, 5001) is NotImplemented
    assert c.delta(6, [good], 5000.0, 5001) is NotImplemented
    assert c.delta(6, [good], 5000, "5001") is NotImplemented
    assert c.step(1.5) is NotImplemented and c.late(None) is NotImplemented
    for args in (("bid", 5000, 6, 1, 2, 3), (BID, 5000.0, 6, 1, 2, 3), (BID, 5000, 6, 2**53 + 1, 2, 3),
                 (BID, 5000, 6, 1, -(2**53) - 1, 3), (BID, 5000, 6, 1, 2, 2**61 + 1), (BID, 5000, big + 1, 1, 2, 3)):
        assert c.judge(*args) is NotImplemented, args
    assert c.set_counts({"depletions": 1, "near_hits": 1}) is NotImplemented
    assert c.set_counts({"depletions": 1, "near_hits": 1, "far_hits": 1.0}) is NotImplemented
    assert c.set_counts([]) is NotImplemented
    for keys in (((BID, 5000),), [(BID, 5000, 1)], [(BID, 5000), ("bid", 5000)], [(BID, 5000.0)], [(BID, big + 1)]):
        assert c.unfollow(keys) is NotImplemented
    assert c.state() == before
    # the sizes waiting at a key and traded there stay within what a judgement adds up exactly
    c2 = pair()[0]
    assert all(c2.trade(ASK, 7, i, 2**40) is None for i in range(2**21))
    assert c2.sizes() == (1, 2**21, 0)
    assert c2.trade(ASK, 7, 0, 1) is NotImplemented and c2.trade(ASK, 8, 0, 2**40) is None
    c2.delta(2**21, [(ASK, 7, 0, 0)], None, None)
    assert c2.step(2**21)[5] == 2**61 and c2.state()[2] == ((ASK, 7, 2**61, 2**21, 0, 0),)  # (all traded there)
    assert c2.trade(ASK, 7, 0, 1) is NotImplemented and c2.judge(ASK, 7, 5, 0, 0, 1) is NotImplemented
    c3 = pair()[0]  # (a level's volume let go when it is no longer followed; taken trades leave the sum)
    assert all(c3.trade(ASK, 7, i, 2**40) is None for i in range(2**21 - 1)) and c3.trade(ASK, 7, 2**22, 1) is None
    c3.delta(2**21, [(ASK, 7, 0, 0)], None, None)
    assert c3.step(2**21)[5] == 2**61 - 2**40 and c3.trade(ASK, 7, 0, 2**40) is NotImplemented
    c3.unfollow([(ASK, 7)])
    assert c3.sizes() == (1, 1, 0) and c3.trade(ASK, 7, 0, 2**40) is None
    # bounds past the limits are clamped: the answers are the exact ones
    for w in (c, py):
        w.delta(7, [good], -(10**40), 10**40)
        w.delta(8, [good], 5001, 2**62 + 3)
    assert c.state() == py.state()
    assert same(c.step(-(10**40)), py.step(-(10**40))) and c.state() == py.state()
    assert c.late(10**40) == py.late(10**40) and c.state() == py.state()
    assert same(c.step(10**40), py.step(10**40)) and c.state() == py.state()
    for bad in ((), (BID, 5000, 11), (BID, 5000, 11, 1, 0)):
        with pytest.raises(TypeError):
            c.trade(*bad)
    with pytest.raises(TypeError):
        c.judge(BID, 5000, 1, 2, 3)
    with pytest.raises(TypeError):
        NATIVE.IceWait(BID, ASK)
    for window in (-1, 2**60 + 1):
        with pytest.raises(ValueError):
            NATIVE.IceWait(BID, ASK, window, False)
    assert isinstance(make_wait(BID, ASK, 2**61, False), _Wait)  # (a window C does not take: the twin)


@needs_native
def test_as_twin_carries_the_c_state_over():
    c, py = pair()
    rng = random.Random(7)
    for name, args in ops(rng, 1500):
        getattr(c, name)(*args), getattr(py, name)(*args)
    recs = c.recs_by_key()
    twin = as_twin(c)
    assert isinstance(twin, _Wait) and twin.state() == c.state() == py.state() and twin.sizes() == py.sizes()
    assert twin.state()[1] and twin.state()[2] and twin.state()[3]  # (trades waiting, levels, watches carried)
    assert twin.recs_by_key() == recs and all(twin.recs[k] is r for k, r in recs.items())  # (the same records)
    for name, args in ops(rng, 1500):
        assert same(getattr(twin, name)(*args), getattr(py, name)(*args))
    assert twin.state() == py.state() and as_twin(twin) is twin


def test_make_wait_follows_the_accelerator(monkeypatch):
    monkeypatch.setattr(accel, "native", None)
    assert isinstance(make_wait(BID, ASK, WINDOW, False), _Wait)
    monkeypatch.setattr(accel, "native", NATIVE)
    w = make_wait(BID, ASK, WINDOW, True)
    assert w.bid is BID and w.ask is ASK and w.window_ns == WINDOW and w.overrun
    assert w.state() == ((), (), (), (), (0, 0, 0)) and w.counts() == {"depletions": 0, "near_hits": 0, "far_hits": 0}
    assert isinstance(w, _Wait) == (NATIVE is None)
    assert isinstance(_Rec(), _Rec) and _Rec().traded == 0


def _rounds(c, py, rng, changes, n):
    """n rounds of random calls on both, each ending with everything judged and unfollowed; what
    each holds after each round."""
    held = []
    for rnd in range(n):
        for name, args in ops(rng, 400):
            getattr(c, name)(*args)
            getattr(py, name)(*args)
        c.delta(rnd, changes, 5000, 5001)
        py.delta(rnd, changes, 5000, 5001)
        ok = True
        while (got := c.step(10**13)) is not None:  # everything judged
            ok = ok and same(got, py.step(10**13))
        ok = ok and py.step(10**13) is None and c.late(10**13) == py.late(10**13)
        st = c.state()
        held.append((ok and st == py.state(), c.sizes(), len({k[:2] for k in st[2] + st[3]})))
        keys = [k[:2] for k in st[2]]
        c.unfollow(keys)
        py.unfollow(keys)
        held.append((True, c.sizes(), len(c.state()[3])))
    return held


@needs_native
def test_memory_stays_bounded():
    c, py = pair()
    rng = random.Random(3)
    changes = [(BID, 5000, 10**15, 10**15), (ASK, 5001, 10**15, 3)]
    held = _rounds(c, py, rng, changes, 30)
    for (alike, (keys, waiting, pend), followed), (_, after, watched) in zip(held[::2], held[1::2]):
        assert alike  # everything judged alike
        assert waiting == 0 and pend == 0 and keys == followed  # only the followed and watched keys are held
        assert after == (watched, 0, 0)  # ... and once unfollowed, the watched ones alone
    assert any(f for _, _, f in held[::2])
    c.clear()
    assert c.sizes()[1:] == (0, 0) and c.state()[:3] == ((), (), ())


def _c_rounds(c, rng, changes, n):
    """n rounds of random calls on c alone (answers dropped), each ending with everything judged."""
    for rnd in range(n):
        for name, args in ops(rng, 400):
            getattr(c, name)(*args)
        c.delta(rnd, changes, 5000, 5001)
        while c.step(10**13) is not None:
            pass
        c.late(10**13)
        c.state(), c.recs_by_key(), c.counts()
        c.unfollow([k[:2] for k in c.state()[2]])


@needs_native
def test_reference_counts_stay_steady():
    c = NATIVE.IceWait(BID, ASK, WINDOW, True)
    rng = random.Random(4)
    big = 10**15 + 7  # (an int no one else holds)
    changes = [(BID, 5000, big, big), (ASK, 5001, big, 3)]
    _c_rounds(c, rng, changes, 2)
    refs = sys.getrefcount(BID), sys.getrefcount(ASK), sys.getrefcount(big), [sys.getrefcount(x) for x in changes]
    _c_rounds(c, rng, changes, 30)
    assert (sys.getrefcount(BID), sys.getrefcount(ASK), sys.getrefcount(big), [sys.getrefcount(x) for x in changes]) == refs
    rec = c.judge(BID, 4000, 1, 0, 5, 5)[7]  # (a new level's record: the wait's and ours)
    assert sys.getrefcount(rec) == 3
    c.unfollow([(BID, 4000)])
    assert sys.getrefcount(rec) == 2 and rec.traded == 5  # (let go by the wait; ours still reads)
    c.clear()
    del c
    assert (sys.getrefcount(BID), sys.getrefcount(ASK)) == (refs[0] - 1, refs[1] - 1)  # (its own two let go)


# ------------------------------------------------------------------------------ the detector
def market(seed, huge_at=-1):
    """A random market at a wandering touch (refills of a few sizes, trades at and near it, some
    late); after every event the alerts so far and what the detector waits on and follows.
    ``huge_at``: the trade of that number is 2^41 lots (C declines it)."""
    p = DetectorParams(walls=False, absorptions=False, spoofs=False, bursts=False, sweeps=False,
                       iceberg_baseline_min=20, iceberg_max_chance=1e-2)
    s = EventScript(p, flat_book(40))
    s.kind = AlertKind.ICEBERG
    det = s.eng["KITEUSDT"].observers[0]
    book = s.eng["KITEUSDT"].book
    rng = random.Random(seed)
    refills = [rng.randrange(300, 3000) for _ in range(4)]
    seen, n = [], 0
    for _ in range(1500):
        bb, ba = book.bids.best_px(), book.asks.best_px()
        bids, asks = [], []
        for _ in range(rng.randrange(0, 8)):
            bid = rng.random() < 0.5
            best = bb if bid else ba
            if best is None:
                continue
            d = rng.choice((0, 0, 1, 2, 6, rng.randrange(0, 30)))
            r = rng.random()
            q = rng.choice(refills) if r < 0.35 else 0 if r < 0.45 else rng.randrange(100, 3000)
            (bids if bid else asks).append((best - d if bid else best + d, q))
        s.delta(bids, asks, dt_ms=rng.choice((50, 100, 250)))
        seen.append((len(s.alerts), det.wait.state(), sorted(det.levels, key=lambda k: (k[0] is ASK, k[1]))))
        for _ in range(rng.choice((0, 1, 2, 3))):
            bid = rng.random() < 0.5
            best = book.bids.best_px() if bid else book.asks.best_px()
            if best is None:
                continue
            n += 1
            late = s.t - rng.randrange(1, 400) * MS if rng.random() < 0.2 else None
            s.trade(best - (rng.random() < 0.2) if bid else best + (rng.random() < 0.2),
                    2**41 if n == huge_at else rng.randrange(1, 2500), TakerSide.SELL if bid else TakerSide.BUY, at_ns=late)
            seen.append((len(s.alerts), det.wait.state()))
    return [repr(a) for a in s.alerts], seen, det


@pytest.mark.parametrize("seed", [1, 2])
def test_the_detector_follows_the_same_levels_as_it_waits_on_with_either_form(seed, monkeypatch):
    got, got_seen, det = market(seed)
    assert isinstance(det.wait, _Wait) == (NATIVE is None)
    monkeypatch.setattr(accel, "native", None)
    want, want_seen, twin = market(seed)
    assert isinstance(twin.wait, _Wait)
    assert want and any(len(x[1][2]) >= 3 for x in want_seen)  # (alerts came; levels were followed)
    assert got == want
    for i, (a, b) in enumerate(zip(got_seen, want_seen)):
        assert a == b, i
        if len(a) == 3:  # (after a depth message) the keys followed are the detector's levels
            assert [k[:2] for k in a[1][2]] == a[2], i
    assert len(got_seen) == len(want_seen)


def test_a_declined_trade_moves_the_detector_to_the_twin_and_the_alerts_stay(monkeypatch):
    got, got_seen, det = market(2, huge_at=300)
    monkeypatch.setattr(accel, "native", None)
    want, want_seen, _ = market(2, huge_at=300)
    assert got == want and got_seen == want_seen
    assert isinstance(det.wait, _Wait)  # (C declined the huge trade: the twin carried on)
