"""The bursts' hooks (``BurstHook``, _native_bst.c) against the detector's own ``on_trade`` and
``on_delta``: on random markets with bursts the same alerts and the same state after every event
(the windows, the seconds' volumes and moves, the episode); what the hook does not take (another
trade class, a size past its range, a second to close, an episode open) goes to the detector's own
methods, and the two still agree."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.burst import BurstDetector
from dom.core.types import AlertState, BookDelta, FeedState, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, OddTrade

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
ONLY = {"walls": False, "icebergs": False, "absorptions": False, "spoofs": False, "sweeps": False,
        "burst_warmup_s": 20, "burst_baseline_s": 60, "burst_min_move_bps": 5.0}


def state(d):
    ep = None if d.ep is None else (d.ep.id, d.ep.peak, d.ep.volume, d.ep.base)
    return (tuple(d.trades), d.wsum, tuple(d.mids), d.sec, d.sec_vol, tuple(d.vols), d.vol_sum, tuple(d.closes),
            d.sq_sum, d.last_mid, d.need, ep)


def market(seed, hooks, odd=(), huge=()):
    """A mid that walks a tick at a time with trades most steps, and now and then a burst (many large
    trades while the mid climbs or falls a tick a step); a gap and a resync in the middle. After
    every event the alerts so far and the detector's state. ``hooks``: False gives the engine the
    detector's own methods. The n-th trades in ``odd`` are ``OddTrade``s, in ``huge`` 2^60 lots."""
    book = tuple((5000 - i, 1000) for i in range(80)), tuple((5001 + i, 1000) for i in range(80))
    s = EventScript(DetectorParams(**ONLY), book)
    st = s.eng["KITEUSDT"]
    det = next(o for o in st.observers if isinstance(o, BurstDetector))
    if not hooks:
        st.trade_hooks, st.delta_hooks = [det.on_trade], [det.on_delta]
    rng = random.Random(seed)
    seen, n, b, a, burst, way = [], 0, 5000, 5001, 0, 1
    for i in range(1500):
        if i == 900:  # a gap: the book lost, trades while unsynced, then a snapshot
            s.u += 5
            s.delta(asks=[(a + 1, 7)])
        if i == 920:
            s.u += 5
            book = tuple((b - j, 1000) for j in range(60)), tuple((a + j, 1000) for j in range(60))
            s.snapshot(book)
        if burst == 0 and rng.random() < 0.01:
            burst, way = rng.randrange(10, 30), rng.choice((1, -1))
        move = way if burst else rng.choice((0, 0, 0, 1, -1))
        move = -1 if move > 0 and a > 5030 else 1 if move < 0 and b < 4970 else move
        if move > 0:
            s.delta(bids=[(b + 1, 1000)], asks=[(a, 0)], dt_ms=rng.choice((30, 100, 250)))
        elif move < 0:
            s.delta(bids=[(b, 0)], asks=[(a - 1, 1000)], dt_ms=rng.choice((30, 100, 250)))
        else:
            s.delta(asks=[(a + 20, 1000 + i % 2)], dt_ms=rng.choice((30, 100, 250, 1500)))
        b, a = b + move, a + move
        seen.append((len(s.alerts), state(det), st.state))
        for _ in range(rng.choice((0, 1, 2)) + (6 if burst else 0)):
            n += 1
            q = 2**60 if n in huge else rng.randrange(1, 50) * (40 if burst else 1)
            at = s.t - (rng.random() < 0.1) * rng.randrange(0, 1500) * MS  # some late, some of a closed second
            s.tid += 1
            cls = OddTrade if n in odd else Trade
            taker = TakerSide.BUY if (way > 0) == (rng.random() < 0.8) else TakerSide.SELL
            s.feed(cls("KITEUSDT", a if taker is TakerSide.BUY else b, q, taker, s.tid, at, at))
            seen.append((len(s.alerts), state(det), st.state))
        burst = max(0, burst - 1)
    return [(x.state, x.id, x.ts_ns, x.px_ticks, x.qty_lots, dict(x.evidence)) for x in s.alerts], seen, st, det


@needs_native
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_hook_is_the_detectors_own_methods_event_by_event(seed):
    got, got_seen, st, det = market(seed, hooks=True)
    want, want_seen, _, _ = market(seed, hooks=False)
    assert [type(h).__name__ for h in st.trade_hooks] == ["BurstHook"]
    assert [type(h).__name__ for h in st.delta_hooks] == ["BurstHook"]
    assert got == want
    assert got_seen == want_seen
    states = [x[0] for x in got]
    assert states.count(AlertState.NEW) >= 2 and AlertState.END in states  # (bursts announced and ended)
    assert any(x[2] is not FeedState.SYNCED for x in got_seen)  # (events while unsynced)


@needs_native
def test_what_the_hook_does_not_take_goes_to_the_detector():
    kw = {"odd": (10, 11, 400), "huge": (500, 700)}
    got, got_seen, _, _ = market(4, hooks=True, **kw)
    want, want_seen, _, _ = market(4, hooks=False, **kw)
    assert got == want and got_seen == want_seen
    assert any(any(q == 2**60 for _, q in x[1][0]) for x in got_seen)  # (the huge trade was counted)


@needs_native
def test_the_hook_declines_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**ONLY), (((5000, 1),), ((5001, 1),)))
    det = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, BurstDetector))
    tf = (Trade.ts_exchange_ns, Trade.qty_lots)
    good = [0, det, det.on_trade, det.trades, det.mids, Trade, tf, det.w_ns]
    NATIVE.BurstHook(*good)
    for i, bad in ((0, 2), (6, tf[:1]), (5, OddTrade), (7, -1), (7, 2**62), (7, 1.5), (6, (Trade.ts_exchange_ns, Trade.__init__))):
        args = list(good)
        args[i] = bad
        with pytest.raises((ValueError, TypeError)):
            NATIVE.BurstHook(*args)
    NATIVE.BurstHook(1, det, det.on_delta, det.trades, det.mids, BookDelta, (BookDelta.ts_exchange_ns,), det.w_ns)
    hook = NATIVE.BurstHook(*good)
    with pytest.raises(TypeError):
        hook(1)
    with pytest.raises(TypeError):
        hook(1, 2, 3)


def test_a_subclass_that_changes_a_rule_keeps_the_python_methods():
    class Mine(BurstDetector):
        def _judge(self, sym, t):
            return []

    s = EventScript(DetectorParams(**ONLY), (((5000, 1),), ((5001, 1),)))
    det = Mine(s.eng["KITEUSDT"], DetectorParams(**ONLY))
    assert det.trade_hook() == det.on_trade and det.delta_hook() == det.on_delta
