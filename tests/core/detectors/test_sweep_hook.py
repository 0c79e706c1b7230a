"""The sweeps' hooks (``SweepHook``, _native_swp.c) against the detector's own ``on_trade`` and
``on_delta``: on random markets of taker runs the same alerts and the same state after every event
(the open runs slot by slot, the deadline, the outsized floor, the runs' sizes); what the hook does
not take (another trade class, a price or a size past its ranges, the sizes moved to their twin)
goes to the detector's own methods, and the two still agree."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.sweep import _RUN_SLOTS, SweepDetector, _Run
from dom.core.types import AlertKind, AlertState, FeedState, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, OddTrade, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
ONLY = {"walls": False, "icebergs": False, "absorptions": False, "spoofs": False, "bursts": False}
FIELDS = ("first_t", "last_t", "first_px", "last_px", "levels", "qty", "notional", "trades", "id")


def state(det):
    runs = [(k, tuple(getattr(r, f) for f in FIELDS)) for k, r in det.runs.items()]
    return runs, det.deadline, det.floor, len(det.sizes), tuple(det.sizes.sorted), type(det.sizes).__name__


def market(seed, hooks, odd=(), huge_px=(), huge_qty=(), **params):
    """Runs of buyers and sellers through a few levels, some within 100 ms, some not, some out of
    time order, a gap and a resync in the middle; after every event the alerts so far and the
    detector's state. ``hooks``: False gives the engine the detector's own methods. The n-th trades
    in ``odd`` are ``OddTrade``s, in ``huge_px`` priced at 2^60 ticks, in ``huge_qty`` 2^70 lots."""
    p = DetectorParams(**{**ONLY, "sweep_warmup_runs": 20, "sweep_min_notional": 100.0, "sweep_size_pct": 90.0,
                          **params})
    s = EventScript(p, flat_book(30))
    st = s.eng["KITEUSDT"]
    det = next(o for o in st.observers if isinstance(o, SweepDetector))
    if not hooks:
        st.trade_hooks, st.delta_hooks = [det.on_trade], [det.on_delta]
    rng = random.Random(seed)
    seen, n = [], 0
    for i in range(400):
        if i == 200:  # a gap: trades while unsynced, then a snapshot
            s.u += 5
            s.delta(asks=[(5010, 7)])
        if i == 215:
            s.u += 5
            s.snapshot(flat_book(30))
        s.delta(asks=[(5029, 1000 + i % 2)], dt_ms=rng.choice((5, 20, 60, 150, 700)))
        seen.append((len(s.alerts), state(det), st.state))
        buy = rng.random() < 0.5
        px = 5001 if buy else 5000
        for _ in range(rng.choice((0, 1, 1, 2, 3, 5))):
            n += 1
            px += (rng.random() < 0.6) * (1 if buy else -1) * rng.choice((1, 1, 2))
            if rng.random() < 0.1:
                px -= 3 if buy else -3  # a step back: the run is over
            at = s.t + rng.randrange(0, 130) * MS - (rng.random() < 0.1) * 200 * MS
            q = rng.choice((rng.randrange(1, 400), rng.randrange(400, 4000), rng.randrange(4000, 60_000)))
            tpx = 2**60 if n in huge_px else px
            q = 2**70 if n in huge_qty else q
            s.tid += 1
            cls = OddTrade if n in odd else Trade
            s.feed(cls("KITEUSDT", tpx, q, TakerSide.BUY if buy else TakerSide.SELL, s.tid, at, at))
            seen.append((len(s.alerts), state(det), st.state))
    return [(a.state, a.id, a.ts_ns, a.px_ticks, a.qty_lots, dict(a.evidence)) for a in s.alerts], seen, st, det


@needs_native
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_hook_is_the_detectors_own_methods_event_by_event(seed):
    got, got_seen, st, det = market(seed, hooks=True)
    want, want_seen, _, _ = market(seed, hooks=False)
    assert [type(h).__name__ for h in st.trade_hooks] == ["SweepHook"]
    assert [type(h).__name__ for h in st.delta_hooks] == ["SweepHook"]
    assert got == want
    assert got_seen == want_seen
    states = [a[0] for a in got]
    assert states.count(AlertState.NEW) >= 3 and AlertState.END in states  # (sweeps announced and ended)
    assert any(x[2] is not FeedState.SYNCED for x in got_seen)  # (trades while unsynced)
    assert any(len(x[1][0]) == 2 for x in got_seen)  # (both sides' runs open at once)


@needs_native
def test_every_trade_a_sweep_candidate():
    """sweep_min_levels 1: a run may be a sweep at its first trade (the hook hands it over)."""
    got, got_seen, _, _ = market(5, hooks=True, sweep_min_levels=1)
    want, want_seen, _, _ = market(5, hooks=False, sweep_min_levels=1)
    assert got == want and got_seen == want_seen
    assert sum(a[0] is AlertState.NEW for a in got) >= 10


@needs_native
def test_what_the_hook_does_not_take_goes_to_the_detector():
    kw = {"odd": (10, 11, 40), "huge_px": (60, 61, 90), "huge_qty": (120, 121)}
    got, got_seen, _, det = market(6, hooks=True, **kw)
    want, want_seen, _, _ = market(6, hooks=False, **kw)
    assert got == want and got_seen == want_seen
    assert any(2**70 in x[1][4] for x in got_seen)  # (a run of 2^70 lots closed into the sizes)
    assert any(2**60 in (r[3] for _, r in x[1][0]) for x in got_seen)  # (a run at 2^60 ticks was followed)


@needs_native
def test_the_hook_declines_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**ONLY), flat_book(5))
    det = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, SweepDetector))
    tf = (Trade.ts_exchange_ns, Trade.taker, Trade.px_ticks, Trade.qty_lots)
    good = [0, det, det.on_trade, det.runs, det.sizes, _Run, _RUN_SLOTS, Trade, tf, FeedState.SYNCED, FeedState.TOP,
            TakerSide.BUY, det.window, det.horizon, 3, 5000.0, 99.9, 200, det.lot, det.tick]
    NATIVE.SweepHook(*good)
    for i, bad in ((0, 2), (6, _RUN_SLOTS[:-1]), (8, tf[:3]), (7, OddTrade), (16, 100.5), (16, float("nan")),
                   (12, -1), (5, OddTrade), (15, 2**60), (18, "1")):
        args = list(good)
        args[i] = bad
        with pytest.raises((ValueError, TypeError)):
            NATIVE.SweepHook(*args)
    hook = NATIVE.SweepHook(*good)
    with pytest.raises(TypeError):
        hook(1)
    with pytest.raises(TypeError):
        hook(1, 2, 3)
    with pytest.raises(AttributeError):  # not a Trade: the detector's own on_trade, which reads its time
        hook(s.eng["KITEUSDT"], object())


def test_a_subclass_that_changes_a_rule_keeps_the_python_methods():
    class Mine(SweepDetector):
        def _is_sweep(self, run):
            return False

    s = EventScript(DetectorParams(**ONLY), flat_book(5))
    st = s.eng["KITEUSDT"]
    det = Mine(st, DetectorParams(**ONLY))
    assert det.trade_hook() == det.on_trade and det.delta_hook() == det.on_delta


def test_the_outsized_floor_follows_the_sizes():
    """``floor`` is what ``_outsized`` gives, after every run that closed (the hook keeps it so too)."""
    s = EventScript(DetectorParams(**ONLY, sweep_warmup_runs=5), flat_book(30))
    det = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, SweepDetector))
    assert det.floor == float("inf")
    for i in range(30):
        s.trade(5001 if i % 2 else 5000, 100 + 10 * i, TakerSide.BUY if i % 2 else TakerSide.SELL, at_ns=s.t)
        s.t += 150 * MS
        assert det.floor == det._outsized()
    assert det.floor != float("inf") and len(det.sizes) >= 5
    sweeps = [a for a in s.alerts if a.kind is AlertKind.SWEEP]
    assert not sweeps  # (one level a run: none is a sweep)
