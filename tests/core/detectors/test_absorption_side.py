"""Absorption's per-side state in C (``AbsSide``, _native_abs.c) against its pure-Python twin
(``_Side``, absorption_side.py): the same answers and the same state call by call on random
operations, the detector on a random market with either (the same alerts and windows after every
event), and what C declines (nothing changed; the detector goes on with the twin)."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.absorption_side import _Side, as_twin, make_side
from dom.core.types import AlertKind, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
UNSET = object()
W_NS, RATE_NS = 10 * 1_000_000_000, 1_000_000_000


def pair(side=BookSide.BID, frac=0.25):
    bid = side is BookSide.BID
    return NATIVE.AbsSide(side, bid, RATE_NS, W_NS, frac), _Side(side, bid, RATE_NS, W_NS, frac)


def ops(rng, n):
    """Random calls on a side: trades near 5000 (time mostly forward, now and then back, jumps
    past the windows), thresholds set (None, small, large), and every read the detector makes."""
    t = 0
    for _ in range(n):
        t += rng.choice((0, 1, 50, 300, 1000, 5000)) * 1_000_000
        if rng.random() < 0.02:
            t += 12 * 1_000_000_000  # past W: windows empty out
        r = rng.random()
        px = 5000 + rng.randrange(-6, 7)
        if r < 0.55:
            T = t - rng.randrange(0, 2_000_000_000) if rng.random() < 0.05 else t  # out of order now and then
            yield "trade", (px, T, rng.randrange(1, 5000), rng.random() < 0.7)
        elif r < 0.62:
            yield "thr_set", (px, rng.choice((None, 1, 800, 3000, 40_000, 10**30)))
        elif r < 0.66:
            yield "thr_get", (px, UNSET)
        elif r < 0.69:
            yield "clear_thr", ()
        elif r < 0.72:
            yield "drop_stale", (t - W_NS,)
        elif r < 0.75:
            yield "rate_count", (t - RATE_NS,)
        elif r < 0.78:
            yield "side_prune", (t - RATE_NS,)
        elif r < 0.81:
            yield "side_volume_after", (t - rng.randrange(0, 2 * RATE_NS),)
        elif r < 0.84:
            yield "prune_at", (px, t - W_NS)
        elif r < 0.87:
            yield "count_since", (px, t - RATE_NS)
        elif r < 0.90:
            yield "volume_since", (px, t - RATE_NS)
        elif r < 0.93:
            yield "largest", (px,)
        elif r < 0.96:
            yield "first_time", (px,)
        elif r < 0.97:
            yield "reset", ()
        else:
            yield "levels", None


@needs_native
@pytest.mark.parametrize("seed,side", [(1, BookSide.BID), (2, BookSide.ASK), (3, BookSide.BID), (4, BookSide.ASK)])
def test_c_side_answers_and_holds_what_the_python_twin_does_call_by_call(seed, side):
    c, py = pair(side)
    rng = random.Random(seed)
    kinds = set()
    for name, args in ops(rng, 6000):
        if args is None:
            got, want = getattr(c, name), getattr(py, name)
        else:
            got, want = getattr(c, name)(*args), getattr(py, name)(*args)
        assert got == want, (name, args)
        assert c.state() == py.state(), (name, args)
        assert (c.edge, c.last_px, c.side) == (py.edge, py.last_px, py.side)
        kinds.add((name, got if name == "trade" and got < 0 and got >= -1 else type(got)))
    # (the trade's three answers were all given: followed, not followed, no threshold cached)
    assert ("trade", -1) in kinds and ("trade", int) in kinds
    assert len(c.state()[3]) <= 13  # windows only at the prices traded


@needs_native
def test_trade_through_drops_the_windows_beyond_and_moves_the_edge():
    # (a bid's windows at 4998 up to 5000, the best: a trade at 4998 went through the two above it)
    for side, pxs, through, edge in ((BookSide.BID, (4998, 4999, 5000), 4998, 4998),
                                     (BookSide.ASK, (5003, 5002, 5001), 5003, 5003)):
        c, py = pair(side)
        for i, px in enumerate(pxs):
            for s in (c, py):
                s.trade(px, i * MS, 10, False)
        for s in (c, py):
            assert s.levels == 3 and s.edge == pxs[-1]
            s.trade(pxs[1], 5 * MS, 10, False)  # inside: nothing beyond the edge
            s.trade(pxs[-1], 5 * MS, 10, False)
            assert s.levels == 3 and s.edge == pxs[-1]
            s.trade(through, 6 * MS, 10, False)  # through the first two: their windows restart
            assert s.levels == 1 and s.edge == edge
        assert c.state() == py.state()


@needs_native
def test_c_side_declines_what_it_does_not_take_and_changes_nothing():
    c, py = pair()
    c.trade(5000, 10, 7, True)
    before = c.state()
    for args in ((5000, 11, 2**40 + 1, True), (5000, 11, -1, True), (5000, 2**62, 1, True),
                 (2**61 + 1, 11, 1, True), (5000, 11, 1.0, True), ("5000", 11, 1, True), (True, 11, 1, True),
                 (5000, 10**30, 1, True)):
        assert c.trade(*args) is NotImplemented, args
        assert c.state() == before
    for bad in ((), (5000, 11, 1), (5000, 11, 1, True, 0)):
        with pytest.raises(TypeError):
            c.trade(*bad)
    assert c.thr_set(5000, 3.5) is NotImplemented and c.thr_set(5000, "x") is NotImplemented
    assert c.rate_count("0") is NotImplemented and c.prune_at(5000, None) is NotImplemented
    assert c.state() == before
    # bounds and prices past the limits are clamped: the answers are the exact ones
    py.trade(5000, 10, 7, True)
    for name, args in (("rate_count", (-(10**40),)), ("prune_at", (10**40, 0)), ("count_since", (5000, -(10**40))),
                       ("volume_since", (5000, -(2**63))), ("side_volume_after", (10**40,)),
                       ("thr_get", (10**40, UNSET)), ("drop_stale", (-(10**40),)), ("largest", (-(10**40),))):
        assert getattr(c, name)(*args) == getattr(py, name)(*args), name
    assert c.state() == py.state()
    c.drop_stale(10**40)
    assert c.levels == 0 and c.rate_count(10**40) == 0
    with pytest.raises(TypeError):
        NATIVE.AbsSide(BookSide.BID, 1, RATE_NS, W_NS, 0.25)  # (bid must be a bool)
    with pytest.raises(ValueError):
        NATIVE.AbsSide(BookSide.BID, True, -1, W_NS, 0.25)


@needs_native
def test_as_twin_carries_the_c_state_over():
    c, py = pair(BookSide.ASK)
    rng = random.Random(7)
    for name, args in ops(rng, 800):
        if args is not None:
            getattr(c, name)(*args), getattr(py, name)(*args)
    twin = as_twin(c, False, RATE_NS, W_NS, 0.25)
    assert isinstance(twin, _Side) and twin.state() == c.state() == py.state()
    for name, args in ops(rng, 800):
        if args is not None:
            assert getattr(twin, name)(*args) == getattr(py, name)(*args)
    assert twin.state() == py.state()


def test_make_side_follows_the_accelerator(monkeypatch):
    monkeypatch.setattr(accel, "native", None)
    assert isinstance(make_side(BookSide.BID, RATE_NS, W_NS, 0.25), _Side)
    monkeypatch.setattr(accel, "native", NATIVE)
    s = make_side(BookSide.ASK, RATE_NS, W_NS, 0.25)
    assert s.side is BookSide.ASK and s.edge == 1 << 62 and s.last_px is None
    assert isinstance(s, _Side) == (NATIVE is None)


# ------------------------------------------------------------------------------ the detector
PARAMS = {"walls": False, "icebergs": False, "spoofs": False, "bursts": False, "sweeps": False,
          "absorption_min_notional": 50.0, "absorption_warmup_s": 5, "absorption_touch_mult": 1.0,
          "absorption_level_mult": 1.0, "absorption_min_shown": 0.2, "absorption_min_shown_touch": 0.2}


def market(seed, huge_at=-1):
    """A random market: the touch wanders, bursts of selling into a bid or buying into an ask
    (some through it), quiet spells; after every event the alerts so far and both sides' state.
    ``huge_at``: the trade of that number is 2^41 lots (C declines it)."""
    s = EventScript(DetectorParams(**PARAMS), flat_book(30))
    s.kind = AlertKind.ABSORPTION
    det = s.eng["KITEUSDT"].observers[0]
    rng = random.Random(seed)
    seen, n = [], 0

    def note():
        eps = sorted((k[0].value, k[1], e.first_ns, e.traded, e.peak_w, e.cross_ns, e.announced) for k, e in det.eps.items())
        seen.append((len(s.alerts), det.bid.state(), det.ask.state(), eps))

    s.idle(6_000)
    for _ in range(900):
        bid = rng.random() < 0.5
        px = 5000 - rng.randrange(0, 3) if bid else 5001 + rng.randrange(0, 3)
        s.delta(bids=[(px, rng.randrange(200, 30_000))] if bid else [],
                asks=[] if bid else [(px, rng.randrange(200, 30_000))], dt_ms=rng.choice((20, 100, 100, 400, 3000)))
        note()
        for _ in range(rng.choice((0, 0, 1, 3, 8, 20))):
            n += 1
            q = 2**41 if n == huge_at else rng.randrange(1, 3000)
            at = s.t - rng.randrange(0, 50 * MS) if rng.random() < 0.1 else None
            s.trade(px - (rng.random() < 0.05) * (1 if bid else -1), q, TakerSide.SELL if bid else TakerSide.BUY, at)
            note()
    return [(a.state, a.id, a.ts_ns, dict(a.evidence)) for a in s.alerts], seen, det


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_detector_with_the_c_side_gives_the_twins_alerts_and_state_event_by_event(seed, monkeypatch):
    got, got_seen, det = market(seed)
    assert isinstance(det.bid, _Side) == (NATIVE is None)
    monkeypatch.setattr(accel, "native", None)
    want, want_seen, twin = market(seed)
    assert isinstance(twin.bid, _Side)
    assert len(want) >= 3 and len(want_seen) > 5000  # (alerts were made: the episodes' path ran)
    assert got == want
    for i, (a, b) in enumerate(zip(got_seen, want_seen)):
        assert a == b, i
    assert len(got_seen) == len(want_seen)


def test_a_declined_trade_moves_the_side_to_the_twin_and_the_alerts_stay(monkeypatch):
    got, got_seen, det = market(2, huge_at=400)
    monkeypatch.setattr(accel, "native", None)
    want, want_seen, _ = market(2, huge_at=400)
    assert got == want and got_seen == want_seen
    if NATIVE is not None:  # (the side that took the huge trade is now the twin; the other is still C)
        assert isinstance(det.bid, _Side) != isinstance(det.ask, _Side)
        assert det.bid.side is BookSide.BID and det.ask.side is BookSide.ASK


@needs_native
def test_the_track_test_is_the_pythons_at_the_bar_exactly():
    for frac, thr, at in ((0.25, 4000, 1000), (0.3, 1000, 300), (1.0, 7, 7), (0, 5, 1)):
        c, py = pair(frac=frac)
        for s in (c, py):
            assert s.trade(5000, 1, at - 1, True) == -2 - (at - 1)  # no threshold cached yet
            s.thr_set(5000, thr)
            assert s.trade(5000, 2, 0, True) == (-1 if at - 1 < frac * thr else at - 1)  # under the bar (0: none)
            assert s.trade(5000, 3, 1, True) == at  # at the bar: followed
            assert s.trade(5000, 4, 0, False) == at  # (an episode there: the window's total)
            s.thr_set(5000, None)
            assert s.trade(5000, 5, 0, True) == -1
            s.clear_thr()
            assert s.thr_get(5000, UNSET) is UNSET and s.trade(5000, 6, 0, True) == -2 - at
        assert c.state() == py.state()


@needs_native
@pytest.mark.parametrize("side", [BookSide.BID, BookSide.ASK])
def test_many_levels_collide_in_the_c_table_and_stay_found(side):
    """Hundreds of prices (the table grows, prices share slots) dropped by trade-throughs and as
    stale in every order: each is still found where the twin has it."""
    c, py = pair(side)
    rng = random.Random(11)
    t = 0
    for i in range(20_000):
        t += rng.choice((1, 1, 1, 400)) * 1_000_000
        r = rng.random()
        px = rng.randrange(0, 3000) * rng.choice((1, 64, 4096))  # (multiples share the hash's low bits)
        if r < 0.9:
            args = ("trade", (px, t, rng.randrange(1, 50), rng.random() < 0.5))
        elif r < 0.95:
            args = ("drop_stale", (t - rng.randrange(0, W_NS),))
        else:
            args = ("volume_since", (px, t - W_NS))
        assert getattr(c, args[0])(*args[1]) == getattr(py, args[0])(*args[1]), (i, args)
        if i % 50 == 0:
            assert c.state() == py.state(), i
    assert c.state() == py.state() and c.levels > 0


@pytest.mark.parametrize("native", [True, False])
def test_thresholds_stay_cached_until_the_sides_baselines_move(native, monkeypatch):
    if native and NATIVE is None:
        pytest.skip("the C accelerator is not built")
    if not native:
        monkeypatch.setattr(accel, "native", None)
    s = EventScript(DetectorParams(**PARAMS), flat_book(30))
    det = s.eng["KITEUSDT"].observers[0]
    s.idle(8_000)  # warm (absorption_warmup_s 5)
    s.sell(5000, 10)
    thr = det.bid.thr_get(5000, UNSET)
    assert isinstance(thr, int) and thr == det._compute_threshold(BookSide.BID, 5000)
    s.idle(1_000)  # one more sample, the baselines as they were (computed every 10 s)
    assert det.bid.thr_get(5000, UNSET) == thr
    det.med_touch[BookSide.BID] += 1  # (as the 10-s statistics would move it)
    s.idle(1_000)
    assert det.bid.thr_get(5000, UNSET) is UNSET  # forgotten: computed again when next needed
    s.sell(5000, 10)
    assert det.bid.thr_get(5000, UNSET) == det._compute_threshold(BookSide.BID, 5000)


@needs_native
def test_the_threshold_cache_is_bounded_and_outlives_the_windows():
    from dom.core.detectors.absorption_side import THR_MAX

    c, py = pair()
    for s in (c, py):
        s.trade(5000, 1, 10, True)
        s.thr_set(5000, 40)
        s.trade(4990, 2, 10, True)  # through 5000: its window restarts, its threshold stays
        assert s.levels == 1 and s.thr_get(5000, UNSET) == 40 and s.trade(5000, 3, 10, True) == 10
        for px in range(THR_MAX - 1):
            s.thr_set(10_000 + px, px)
        assert len(s.state()[4]) == THR_MAX
        s.thr_set(10_000, 7)  # (a price already there: no restart)
        assert len(s.state()[4]) == THR_MAX
        s.thr_set(5001, None)  # one more price: the cache starts again
        assert s.state()[4] == {5001: None} and s.thr_get(5000, UNSET) is UNSET
    assert c.state() == py.state()
    assert c.thr_set(2**61 + 1, 5) is NotImplemented and c.thr_get(2**61 + 1, UNSET) is UNSET
    assert c.thr_get(-(10**40), UNSET) is UNSET and c.state() == py.state()
