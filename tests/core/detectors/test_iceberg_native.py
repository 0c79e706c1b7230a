"""The iceberg detector's two loops in C and their pure-Python twins: ``pick_at`` (changes.py: the
changes near the touch or at a level with trades waiting or followed) and ``chain_scan``
(iceberg_chain.py: a level's adds scanned for a same-size chain). Each C function against its twin
on edge and fuzzed inputs, what C declines, and the detector on a random market with the
accelerator and without it: the same alerts and the same state after every message."""

from __future__ import annotations

import math
import random

import pytest

from dom.core import accel
from dom.core import detectors
from dom.core.detectors import DetectorParams, iceberg
from dom.core.detectors.changes import FAR, pick_at, pick_at_py
from dom.core.detectors.iceberg_chain import chain_scan, chain_scan_py
from dom.core.types import AlertKind, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
NEVER = 1 << 62


def near_spec(chs, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2):
    """The iceberg detector's own filter as it was written inline before ``pick_at``: the hull of
    the three ranges first, then the side's window, then each dict within its range."""
    lo, hi = min(blo, alo, lo1, lo2), max(bhi, ahi, hi1, hi2)
    return [c for c in chs
            if lo <= c[1] <= hi and ((blo <= c[1] <= bhi if c[0] is bid else alo <= c[1] <= ahi)
                                     or (lo1 <= c[1] <= hi1 and (c[0], c[1]) in d1)
                                     or (lo2 <= c[1] <= hi2 and (c[0], c[1]) in d2))]


def both_pick_at(chs, *args):
    want = pick_at_py(chs, *args)
    if NATIVE is not None:
        got = NATIVE.pick_at(chs, *args)
        assert got == want and all(a is b for a, b in zip(got, want))  # the same tuples, in order
    assert pick_at(chs, *args) == want
    return want


def test_pick_at_at_its_edges():
    chs = [(BID, 95, 1, 2), (BID, 100, 5, 0), (BID, 105, 3, 4), (ASK, 101, 0, 7), (ASK, 106, 7, 1),
           (ASK, 110, 2, 2), (BID, 90, 1, 1), (ASK, 120, 9, 9)]
    none = ({}, NEVER, -NEVER, {}, NEVER, -NEVER)
    # a side's window: its ends are in it, one tick past them is not; each side its own window
    assert both_pick_at(chs, BID, 95, 105, 101, 106, *none) == chs[:5]
    assert both_pick_at(chs, BID, 96, 104, 102, 105, *none) == [chs[1]]
    assert both_pick_at(chs, ASK, 95, 105, 101, 106, *none) == [chs[2], chs[3]]  # (bid is ASK: the windows swap)
    assert both_pick_at(chs, BID, NEVER, -NEVER, NEVER, -NEVER, *none) == []  # (both sides empty)
    # a key of either dict, within its range (ends included); a key outside its range is not looked up
    d1, d2 = {(ASK, 110): 0, (BID, 90): 0}, {(ASK, 120): 0, (ASK, 95): 0}
    w = (NEVER, -NEVER, NEVER, -NEVER)
    assert both_pick_at(chs, BID, *w, d1, 90, 110, {}, NEVER, -NEVER) == [chs[5], chs[6]]
    assert both_pick_at(chs, BID, *w, d1, 91, 110, {}, NEVER, -NEVER) == [chs[5]]
    assert both_pick_at(chs, BID, *w, d1, 90, 109, {}, NEVER, -NEVER) == [chs[6]]
    assert both_pick_at(chs, BID, *w, {}, NEVER, -NEVER, d2, 95, 120) == [chs[7]]  # ((BID, 95) is not (ASK, 95))
    assert both_pick_at(chs, BID, *w, {}, NEVER, -NEVER, d2, 95, 119) == []
    assert both_pick_at(chs, BID, 100, 100, 101, 101, d1, 90, 110, d2, 120, 120) == [chs[1], chs[3]] + chs[5:]
    assert both_pick_at([], BID, 0, 10, 0, 10, d1, 0, 10, d2, 0, 10) == []
    for args in [(BID, 95, 105, 101, 106, *none), (BID, *w, d1, 90, 110, d2, 95, 120),
                 (ASK, 100, 100, 106, 110, d2, 95, 120, d1, 90, 90)]:
        assert pick_at_py(chs, *args) == near_spec(chs, *args)


def _random_case(rng: random.Random):
    chs = []
    for _ in range(rng.randrange(0, 40)):
        chs.append((BID if rng.random() < 0.5 else ASK, rng.randrange(985, 1015), rng.randrange(0, 50),
                    rng.randrange(0, 50)))

    def window():
        if rng.random() < 0.2:
            return NEVER, -NEVER
        a = rng.randrange(985, 1015)
        return a, a + rng.randrange(-1, 11)

    def keyed():
        d = {(rng.choice((BID, ASK)), rng.randrange(980, 1020)): 0 for _ in range(rng.randrange(0, 8))}
        if not d or rng.random() < 0.2:
            return d, NEVER, -NEVER
        prices = [px for _, px in d]
        return d, min(prices) + rng.choice((0, 0, 1)), max(prices) - rng.choice((0, 0, 1))  # (a range one short: spared)

    return chs, (rng.choice((BID, ASK)), *window(), *window(), *keyed(), *keyed())


@pytest.mark.parametrize("seed", range(3))
def test_pick_at_is_the_detectors_old_filter_and_c_is_python(seed):
    rng = random.Random(300 + seed)
    for _ in range(1500):
        chs, args = _random_case(rng)
        assert both_pick_at(chs, *args) == near_spec(chs, *args)


@needs_native
def test_native_pick_at_declines_what_it_does_not_take():
    ok = [(BID, 100, 1, 2)]
    big = 1 << 62
    w = (-big, big, -big, big)
    for chs, args in [
        (tuple(ok), (BID, *w, {}, 0, 0, {}, 0, 0)),  # not a list
        ([(BID, 100, 1)], (BID, *w, {}, 0, 0, {}, 0, 0)),  # not a 4-tuple
        ([[BID, 100, 1, 2]], (BID, *w, {}, 0, 0, {}, 0, 0)),
        ([(BID, big + 1, 1, 2)], (BID, *w, {}, 0, 0, {}, 0, 0)),  # a price past +-2^62
        ([(BID, 100.0, 1, 2)], (BID, *w, {}, 0, 0, {}, 0, 0)),
        ([(BID, True, 1, 2)], (BID, *w, {}, 0, 0, {}, 0, 0)),  # a bool is no exact int
        (ok, (BID, *w, set(), 0, 0, {}, 0, 0)),  # not a dict
        (ok, (BID, *w, {}, 0, 0, frozenset(), 0, 0)),
        (ok, (BID, -big - 1, big, -big, big, {}, 0, 0, {}, 0, 0)),
        (ok, (BID, *w, {}, 0, 1.5, {}, 0, 0)),
        (ok, (BID, *w, {}, 0, 0, {}, None, 0)),
    ]:
        assert NATIVE.pick_at(chs, *args) is NotImplemented
    assert pick_at(tuple(ok), BID, *w, {}, 0, 0, {}, 0, 0) == ok  # (the wrapper then takes the Python way)
    with pytest.raises(TypeError):
        NATIVE.pick_at(ok, BID, 0, 0, 0, 0)


def chain_spec(adds, lo, hi, need):
    """What ``chain_scan`` returns, written from its docstring: links, idle adds, opportunities."""
    chain, outcomes, idle, idle_in = [], [], 0, 0
    start, since = (0, 0), None
    for size, traded, through in adds:
        inside = lo <= size and size <= hi
        if since is None:
            if inside:
                chain, since, start = [size], traded, (traded, through)
        elif traded - since < need * chain[-1]:
            idle, idle_in = idle + 1, idle_in + inside
        else:
            outcomes.append(inside)
            if inside:
                chain.append(size)
                since = traded
    return chain, outcomes, sum(lo <= a[0] <= hi for a in adds), idle, idle_in, start


def both_chain_scan(adds, lo, hi, need):
    want = chain_scan_py(adds, lo, hi, need)
    if NATIVE is not None:
        got = NATIVE.chain_scan(adds, lo, hi, need)
        assert got == want and [type(x) for x in got[1]] == [bool] * len(got[1])
        assert [type(x) for x in got[2:5]] == [int] * 3
    assert chain_scan(adds, lo, hi, need) == want
    return want


def test_chain_scan_at_its_edges():
    # 1000 starts the chain at traded 500; the next link is due once 0.8 x 1000 more traded: at
    # 1299 (799 since) the add is idle, at 1300 (800 since) an opportunity, 990 its next link; then
    # 792 after 1300: 2000 (700 since) idle, 2200 (900 since) due
    adds = [(400, 100, 7), (1000, 500, 9), (1000, 1299, 9), (990, 1300, 11), (2000, 2000, 11), (1010, 2200, 12)]
    chain, outcomes, own, idle, idle_in, start = both_chain_scan(adds, 990.0, 1010.0, 0.8)
    assert chain == [1000, 990, 1010] and outcomes == [True, True] and own == 4 and (idle, idle_in) == (2, 1)
    assert start == (500, 9)
    # the band's ends are in it (floats against ints, exactly)
    assert both_chain_scan(adds, 990.0000000000001, 1010.0, 0.8)[:2] == ([1000, 1010], [False, False, True])
    assert both_chain_scan(adds, 1000.0, 1000.0, 0.8)[0] == [1000]
    # need as an int compares exactly too: at need 1, 800 since 1000 is not yet due
    assert both_chain_scan(adds, 990.0, 1010.0, 1)[:2] == ([1000, 1010], [False, True])
    assert both_chain_scan(adds, 990.0, 1010.0, 0)[:2] == ([1000, 1000, 990, 1010], [True, True, False, True])
    assert both_chain_scan([], 0.0, 1.0, 0.8) == ([], [], 0, 0, 0, (0, 0))
    assert both_chain_scan(adds, 5000.0, 6000.0, 0.8) == ([], [], 0, 0, 0, (0, 0))
    assert both_chain_scan(adds, math.nan, 2000.0, 0.8) == ([], [], 0, 0, 0, (0, 0))
    every = [a[0] for a in adds]
    assert both_chain_scan(adds, -math.inf, math.inf, math.nan)[:2] == (every, [True] * 5)  # (never "not yet due")
    assert both_chain_scan(adds, -math.inf, math.inf, 0.0)[0] == every
    big = 1 << 52  # the largest C takes: still exact
    edge = [(big, -big, big), (big, big - 1, 0), (big - 1, big, -big), (big, big, 0)]
    assert both_chain_scan(edge, float(big - 1), float(big), 1) == ([big, big], [True], 4, 2, 2, (-big, big))
    assert both_chain_scan(edge, float(big), float(big), 0.5) == ([big, big], [True], 3, 2, 1, (-big, big))
    # an int need whose product with a size passes 2^63: C saturates it, beyond any difference
    assert both_chain_scan(edge, float(big - 1), float(big), big)[:2] == ([big], [])  # (never due)
    assert both_chain_scan(edge, float(big - 1), float(big), -big)[:2] == ([big, big, big - 1, big], [True] * 3)
    for args in [(adds, 990.0, 1010.0, 0.8), (adds, 990.0, 1010.0, 1), (edge, float(big - 1), float(big), 1),
                 (edge, float(big - 1), float(big), big), (edge, float(big - 1), float(big), -big)]:
        assert chain_scan_py(*args) == chain_spec(*args)


@pytest.mark.parametrize("seed", range(3))
def test_chain_scan_fuzzed_c_is_python_is_its_spec(seed):
    rng = random.Random(400 + seed)
    for _ in range(1500):
        sizes = [rng.randrange(1, 3000) for _ in range(rng.randrange(1, 5))]  # a few sizes repeat
        traded = rng.randrange(0, 10**6)
        adds = []
        for _ in range(rng.randrange(0, 40)):
            traded += rng.choice((0, rng.randrange(0, 500), rng.randrange(0, 5000)))
            size = rng.choice(sizes) if rng.random() < 0.7 else rng.randrange(1, 3000)
            adds.append((size, traded, rng.randrange(0, 10**5)))
        centre = rng.choice(sizes)
        tol = rng.choice((0.005, 0.1, 0.3, 0.0))
        lo, hi = centre / (1 + tol) - 1, centre * (1 + tol) + 1
        need = rng.choice((0.8, 0.0, 1.0, 0.5, 1, 0, 2, rng.random() * 2))
        assert both_chain_scan(adds, lo, hi, need) == chain_spec(adds, lo, hi, need)


@needs_native
def test_native_chain_scan_declines_what_it_does_not_take():
    big = 1 << 52
    ok = [(10, 0, 0), (10, 100, 0)]
    for adds, args in [
        (tuple(ok), (5.0, 20.0, 0.8)),  # not a list
        ([(10, 0)], (5.0, 20.0, 0.8)),  # not a 3-tuple
        ([[10, 0, 0]], (5.0, 20.0, 0.8)),
        ([(10.0, 0, 0)], (5.0, 20.0, 0.8)),
        ([(10, True, 0)], (5.0, 20.0, 0.8)),  # a bool is no exact int
        ([(big + 1, 0, 0)], (5.0, 20.0, 0.8)),  # past 2^52: its difference may not be an exact double
        (ok + [(10, 0, -big - 1)], (5.0, 20.0, 0.8)),  # (the last add too: nothing done)
        (ok, (5, 20.0, 0.8)),  # lo, hi: floats
        (ok, (5.0, None, 0.8)),
        (ok, (5.0, 20.0, big + 1)),
        (ok, (5.0, 20.0, None)),
    ]:
        assert NATIVE.chain_scan(adds, *args) is NotImplemented
    assert chain_scan(tuple(ok), 5.0, 20.0, 0.8) == chain_scan_py(ok, 5.0, 20.0, 0.8)  # (the Python way)
    with pytest.raises(TypeError):
        NATIVE.chain_scan(ok, 5.0, 20.0)


class EveryMessageScan(iceberg.IcebergDetector):
    """The end of quiet levels as it was written before the heap of last trades: every level
    scanned at every message (in ``levels``' order), one whose last trade is more than
    ``iceberg_end_s`` before the depth clock ended there."""

    def _end_quiet(self, sym, out):
        pass

    def _drain(self, sym):
        out = super()._drain(sym)
        end_ns = self.p.iceberg_end_s * 1_000_000_000
        for key, lv in list(self.levels.items()):
            last = lv.last_trade_ns
            if last and self.depth_t - last > end_ns:
                if lv.announced:
                    out.append(self._alert(sym, lv, iceberg.AlertState.END, self.depth_t, end="no_trades"))
                del self.levels[key]
                self.wait.unfollow([key])
        return out


def _market(seed: int, native, monkeypatch, scan=False, **params):
    """A random book whose touch wanders, with trades at and near it, levels that refill to a few
    sizes now and again (chains form, some pass), trades that arrive late, and far changes at levels
    followed earlier. Returns the iceberg alerts and, after every message, what the detector holds."""
    monkeypatch.setattr(accel, "native", native)
    monkeypatch.setattr(detectors, "IcebergDetector", EveryMessageScan if scan else iceberg.IcebergDetector)
    p = DetectorParams(walls=False, absorptions=False, spoofs=False, bursts=False, sweeps=False,
                       iceberg_baseline_min=20, **params)
    s = EventScript(p, flat_book(40))
    s.kind = AlertKind.ICEBERG
    det = s.eng["KITEUSDT"].observers[0]
    assert isinstance(det, iceberg.IcebergDetector)
    book = s.eng["KITEUSDT"].book
    rng = random.Random(seed)
    refills = [rng.randrange(300, 3000) for _ in range(4)]
    states = []
    for i in range(2500):
        bb, ba = book.bids.best_px(), book.asks.best_px()
        bids, asks = [], []
        for _ in range(rng.randrange(0, 10)):
            bid = rng.random() < 0.5
            best = bb if bid else ba
            if best is None:
                continue
            d = rng.choice((0, 0, 1, 2, 3, 5, 6, rng.randrange(0, 30)))
            px = best - d if bid else best + d
            r = rng.random()
            q = rng.choice(refills) if r < 0.35 else 0 if r < 0.45 else rng.randrange(100, 3000)
            (bids if bid else asks).append((px, q))
        if bb is not None and ba is not None and ba - bb > 1 and rng.random() < 0.05:  # the touch moves in
            (bids if rng.random() < 0.5 else asks).append((bb + 1, 1000) if rng.random() < 0.5 else (ba - 1, 1000))
        s.delta(bids, asks, dt_ms=rng.choice((50, 100, 100, 250)))
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            bid = rng.random() < 0.5
            best = book.bids.best_px() if bid else book.asks.best_px()
            if best is None:
                continue
            late = rng.choice((None, None, None, s.t - rng.randrange(1, 400) * MS))
            s.trade(best - rng.choice((0, 0, 0, 1)) if bid else best + rng.choice((0, 0, 0, 1)),
                    rng.randrange(1, 2500), TakerSide.SELL if bid else TakerSide.BUY, at_ns=late)
        states.append((
            {k: (lv.first_ns, lv.traded, lv.max_q, lv.last_q, list(lv.adds), list(lv.chain), lv.band, lv.chance,
                 lv.opportunities, lv.hits, lv.start, lv.announced, lv.reported, list(lv.shown))
             for k, lv in det.levels.items()},
            det.wait.state(), list(det.recent_adds)))
    return [repr(a) for a in s.alerts], states


@needs_native
@pytest.mark.parametrize("seed, params", [(1, {"iceberg_max_chance": 1e-2}),
                                          (2, {"iceberg_max_chance": 1e-2, "iceberg_min_refills": 2}),
                                          (3, {"iceberg_chain_traded": 1, "iceberg_max_chance": 1e-1}),
                                          (6, {"iceberg_max_chance": 1e-2, "iceberg_due_periods": True}),
                                          (7, {"iceberg_max_chance": 1e-2, "iceberg_min_chain_share": 0.3}),
                                          (8, {"iceberg_max_chance": 1e-2, "iceberg_min_depletion": 0.5})])
def test_the_detector_acts_the_same_with_the_accelerator_and_without(seed, params, monkeypatch):
    got = _market(seed, NATIVE, monkeypatch, **params)
    want = _market(seed, None, monkeypatch, **params)
    assert got[1] == want[1]
    assert got[0] == want[0]
    # (the market does exercise both loops: levels followed away from the touch, chains judged, alerts)
    assert any(len(lv[5]) >= 3 for st in want[1] for lv in st[0].values())
    assert want[0]


@pytest.mark.parametrize("seed, params", [(4, {"iceberg_max_chance": 1e-1}), (5, {"iceberg_end_s": 2, "iceberg_max_chance": 1e-2})])
def test_quiet_levels_end_as_a_scan_of_every_level_at_every_message_ends_them(seed, params, monkeypatch):
    """The heap of last trades ends the same levels at the same messages, their alerts in the same
    order, as a scan of every level at every message."""
    got = _market(seed, accel.native, monkeypatch, **params)
    want = _market(seed, accel.native, monkeypatch, scan=True, **params)
    assert got[1] == want[1]
    assert got[0] == want[0]
    ends = [a for a in want[0] if "no_trades" in a]
    assert len(ends) >= 2  # (levels that traded and were announced did end quietly)
    assert any(len(st[0]) < len(prev[0]) for prev, st in zip(want[1], want[1][1:]))
