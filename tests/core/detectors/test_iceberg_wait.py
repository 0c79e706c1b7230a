"""The iceberg detector's waiting changes and trades in C (``IceWait``, _native_ice.c) against the
pure-Python twin (``_Wait``, iceberg_wait.py): the same answers and the same state call by call on
random operations, what C declines (nothing changed; the detector goes on with the twin), bounded
memory and steady reference counts. The detector on a random market with either is in
test_iceberg_native.py (``test_the_detector_acts_the_same_with_the_accelerator_and_without``)."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.iceberg_wait import _Wait, as_twin, make_wait
from dom.core.types import AlertKind, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
BID, ASK = BookSide.BID, BookSide.ASK
SLACK = 200 * MS


def pair():
    return NATIVE.IceWait(BID, ASK), _Wait(BID, ASK)


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
            win = (b - 5, b + 5, b + 1 - 5, b + 1 + 5) if rng.random() < 0.9 else (1 << 62, -(1 << 62), 1 << 62, -(1 << 62))
            yield "delta", (t - rng.choice((0, 0, 0, 30 * MS)), changes, *win)
        elif r < 0.93:
            mark = t - SLACK if rng.random() < 0.97 else t + 10**12
            yield "drain", (mark, mark - SLACK)
        elif r < 0.985:
            keys = [(rng.choice((BID, ASK)), (best + rng.randrange(-6, 7)) * mult) for _ in range(rng.randrange(0, 4))]
            yield "unfollow", (keys,)
        elif r < 0.99:
            yield "clear", ()
        else:
            yield "sizes", ()


@needs_native
@pytest.mark.parametrize("seed,spread,mult", [(1, 8, 1), (2, 8, 1), (3, 20, 1), (4, 8, 4096), (5, 3, 64)])
def test_c_answers_and_holds_what_the_python_twin_does_call_by_call(seed, spread, mult):
    c, py = pair()
    rng = random.Random(seed)
    seen = set()
    for i, (name, args) in enumerate(ops(rng, 6000, spread, mult)):
        got, want = getattr(c, name)(*args), getattr(py, name)(*args)
        assert got == want, (i, name, args)
        assert c.state() == py.state(), (i, name)
        assert c.sizes() == py.sizes(), (i, name)
        if name == "drain" and got is not None:
            seen.add((bool(got[0]), bool(got[1])))
            assert all(side is BID or side is ASK for side, *_ in got[0] + got[1])
    # (both lists came: changes judged, and trades the depth never showed changing)
    assert (True, True) in seen and (True, False) in seen and (False, True) in seen
    assert c.state()[2] or c.sizes()[0] >= 0


@needs_native
def test_a_drain_judges_a_change_where_trades_waited_or_a_level_is_followed():
    c, py = pair()
    for w in (c, py):
        w.trade(BID, 5000, 10, 7)
        w.trade(BID, 5000, 30, 5)  # (later than the change: stays waiting)
        w.delta(20, [(BID, 5000, 100, 90), (BID, 4990, 50, 60), (ASK, 5001, 10, 20)], 4995, 5005, 4996, 5006)
        w.delta(25, [(BID, 4980, 1, 2)], 4995, 5005, 4996, 5006)  # far, nothing there: not picked
        assert w.sizes() == (1, 2, 2)  # (4990: away from the touch, nothing there: not picked either)
        items, lates = w.drain(20, 0)
        # 5000: trades attributed (and followed from now on); 5001: near, but nothing there, not followed
        assert items == [(BID, 5000, 20, 100, 90, 7)] and lates == []
        assert w.state()[2] == ((BID, 5000),)
        w.delta(40, [(BID, 4980, 1, 2), (BID, 5000, 90, 95)], 1 << 62, -(1 << 62), 1 << 62, -(1 << 62))
        assert w.drain(40, 0) == ([(BID, 5000, 40, 90, 95, 5)], [])
        w.delta(50, [(BID, 5000, 95, 80)], 1 << 62, -(1 << 62), 1 << 62, -(1 << 62))  # followed: picked
        w.trade(ASK, 5002, 45, 3)
        w.trade(BID, 4999, 44, 2)
        assert w.drain(50, 45) == ([(BID, 5000, 50, 95, 80, 0)], [(ASK, 5002, 3), (BID, 4999, 2)])
        w.unfollow([(BID, 5000), (BID, 4999)])
        assert w.state() == ((), (), ((ASK, 5002),))
        assert w.drain(10**6, 10**6) is None
    assert c.state() == py.state()


@needs_native
def test_c_declines_what_it_does_not_take_and_changes_nothing():
    c, py = pair()
    for w in (c, py):
        w.trade(BID, 5000, 10, 7)
        w.delta(5, [(BID, 5000, 1, 2)], 4995, 5005, 4996, 5006)
    before = c.state()
    big = 1 << 61
    for args in (("bid", 5000, 11, 1), (None, 5000, 11, 1), (BID, big + 1, 11, 1), (BID, 5000, big + 1, 1),
                 (BID, 5000, 11, 2**40 + 1), (BID, 5000, 11, 1.0), (BID, True, 11, 1), (BID, 5000, 10**30, 1)):
        assert c.trade(*args) is NotImplemented, args
        assert c.state() == before
    good = (BID, 5001, 3, 4)
    for changes in ((good,), [good, (BID, 5001, 3)], [good, [BID, 5001, 3, 4]], [good, ("ask", 5001, 3, 4)],
                    [good, (BID, 5001, 3, 4.0)], [good, (BID, 5001, big + 1, 4)], [good, (BID, 5001, 3, False)]):
        assert c.delta(6, changes, 4995, 5005, 4996, 5006) is NotImplemented, changes
        assert c.state() == before
    assert c.delta(big + 1, [good], 4995, 5005, 4996, 5006) is NotImplemented
    assert c.delta(6, [good], 4995.0, 5005, 4996, 5006) is NotImplemented
    assert c.drain(1.5, 0) is NotImplemented and c.drain(0, None) is NotImplemented
    for keys in (((BID, 5000),), [(BID, 5000, 1)], [(BID, 5000), ("bid", 5000)], [(BID, 5000.0)], [(BID, big + 1)]):
        assert c.unfollow(keys) is NotImplemented
    assert c.state() == before
    # the sizes waiting at a key stay within what a drain adds up exactly: one more is declined
    c2, py2 = pair()
    assert all(c2.trade(ASK, 7, i, 2**40) is None for i in range(2**21))
    assert c2.sizes() == (1, 2**21, 0)
    assert c2.trade(ASK, 7, 0, 1) is NotImplemented and c2.trade(ASK, 8, 0, 2**40) is None
    # bounds past the limits are clamped: the answers are the exact ones
    for w in (c, py):
        w.delta(7, [good], -(10**40), 10**40, 10**30, -(10**30))
    assert c.state() == py.state()
    assert c.drain(-(10**40), 10**40) == py.drain(-(10**40), 10**40) and c.state() == py.state()
    for bad in ((), (BID, 5000, 11), (BID, 5000, 11, 1, 0)):
        with pytest.raises(TypeError):
            c.trade(*bad)
    with pytest.raises(TypeError):
        c.drain(0)
    with pytest.raises(TypeError):
        NATIVE.IceWait(BID)


@needs_native
def test_as_twin_carries_the_c_state_over():
    c, py = pair()
    rng = random.Random(7)
    for name, args in ops(rng, 1500):
        getattr(c, name)(*args), getattr(py, name)(*args)
    twin = as_twin(c)
    assert isinstance(twin, _Wait) and twin.state() == c.state() == py.state() and twin.sizes() == py.sizes()
    assert twin.state()[1] and twin.state()[2]  # (trades waiting and levels followed were carried)
    for name, args in ops(rng, 1500):
        assert getattr(twin, name)(*args) == getattr(py, name)(*args)
    assert twin.state() == py.state() and as_twin(twin) is twin


def test_make_wait_follows_the_accelerator(monkeypatch):
    monkeypatch.setattr(accel, "native", None)
    assert isinstance(make_wait(BID, ASK), _Wait)
    monkeypatch.setattr(accel, "native", NATIVE)
    w = make_wait(BID, ASK)
    assert w.bid is BID and w.ask is ASK and w.state() == ((), (), ())
    assert isinstance(w, _Wait) == (NATIVE is None)


def _rounds(c, py, rng, changes, n):
    """n rounds of random calls on both, each ending with everything judged and unfollowed; what
    each holds after each round."""
    held = []
    for rnd in range(n):
        for name, args in ops(rng, 400):
            getattr(c, name)(*args)
            getattr(py, name)(*args)
        c.delta(rnd, changes, 4995, 5005, 4996, 5006)
        py.delta(rnd, changes, 4995, 5005, 4996, 5006)
        held.append((c.drain(10**13, 10**13) == py.drain(10**13, 10**13), c.sizes(), len(c.state()[2])))
        c.unfollow(list(c.state()[2]))
        py.unfollow(list(py.state()[2]))
        held.append((True, c.sizes(), py.sizes()))
    return held


@needs_native
def test_memory_stays_bounded_and_reference_counts_steady():
    c, py = pair()
    rng = random.Random(3)
    big = 10**15 + 7  # (an int no one else holds)
    changes = [(BID, 5000, big, big), (ASK, 5001, big, 3)]
    _rounds(c, py, rng, changes, 2)
    refs = sys.getrefcount(BID), sys.getrefcount(ASK), sys.getrefcount(big), [sys.getrefcount(x) for x in changes]
    held = _rounds(c, py, rng, changes, 30)
    assert (sys.getrefcount(BID), sys.getrefcount(ASK), sys.getrefcount(big), [sys.getrefcount(x) for x in changes]) == refs
    for (same, (keys, waiting, pend), followed), (_, after, twin) in zip(held[::2], held[1::2]):
        assert same  # everything judged alike
        assert waiting == 0 and pend == 0 and keys == followed  # only the followed keys are held
        assert after == (0, 0, 0) == twin  # ... and none once unfollowed
    assert any(f for _, _, f in held[::2])
    c.clear()
    assert c.sizes() == (0, 0, 0) and c.state() == ((), (), ())


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
            assert list(a[1][2]) == a[2], i
    assert len(got_seen) == len(want_seen)


def test_a_declined_trade_moves_the_detector_to_the_twin_and_the_alerts_stay(monkeypatch):
    got, got_seen, det = market(2, huge_at=300)
    monkeypatch.setattr(accel, "native", None)
    want, want_seen, _ = market(2, huge_at=300)
    assert got == want and got_seen == want_seen
    assert isinstance(det.wait, _Wait)  # (C declined the huge trade: the twin carried on)
