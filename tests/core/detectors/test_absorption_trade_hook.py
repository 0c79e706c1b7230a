"""Absorption's trade hook (``AtdHook``, _native_atd.c: what ``AbsorptionDetector.trade_hook``
gives the engine) against the detector's own ``on_trade``: on random markets where sellers and
buyers lean on large levels at the touch (episodes open, cross, are announced, updated, end; levels
traded through; late trades; quiet spells after which a trade finds its episode stale; gaps and
resyncs), the same alerts and the same state after every event, with the hook or with ``on_trade``
itself, and most trades done in C, among them trades counted into open episodes; hostile values
(bools, floats, int subclasses, ints past int64, None, negative sizes; an episode's or the
detector's fields spoiled) end as ``on_trade`` has them; the hook is made only where it does
``on_trade``'s work; many calls leave no references behind."""

from __future__ import annotations

import dataclasses
import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.absorption import AbsorptionDetector
from dom.core.detectors.absorption_state import _Episode
from dom.core.types import AlertKind, BookSide, FeedState, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, OddTrade, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
SELL, BUY = TakerSide.SELL, TakerSide.BUY
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
PARAMS = {"walls": False, "icebergs": False, "spoofs": False, "bursts": False, "sweeps": False}


def state(det: AbsorptionDetector) -> tuple:
    """What absorption's trade path reads or writes: every field of every open episode (its queued
    messages as a list), both sides' trades and thresholds, the slack, the depth time, the held
    episodes."""
    eps = [(k, [list(getattr(ep, f.name)) if f.name == "msgs" else getattr(ep, f.name)
                for f in dataclasses.fields(ep)]) for k, ep in det.eps.items()]
    return (eps, det.bid.state(), det.ask.state(), type(det.bid).__name__, det.slack.state(), det.depth_t,
            dict(det.recent))


class Counted:
    """Calls of the detector's own on_trade and _threshold (patched on the class before the
    engine binds its hooks: the hook holds them bound)."""

    def __init__(self, monkeypatch) -> None:
        self.on_trade = self.threshold = 0
        on_trade, threshold = AbsorptionDetector.on_trade, AbsorptionDetector._threshold

        def ot(det, *a):
            self.on_trade += 1
            return on_trade(det, *a)

        def th(det, *a):
            self.threshold += 1
            return threshold(det, *a)

        monkeypatch.setattr(AbsorptionDetector, "on_trade", ot)
        monkeypatch.setattr(AbsorptionDetector, "_threshold", th)


def setup(hook: bool, t0: int = 0):
    s = EventScript(DetectorParams(**PARAMS), flat_book(30))
    s.kind = AlertKind.ABSORPTION
    st = s.eng["KITEUSDT"]
    det = next(o for o in st.observers if isinstance(o, AbsorptionDetector))
    if not hook:
        st.trade_hooks = [det.on_trade]
    s.t += t0
    return s, st, det


def market(seed: int, hook: bool, steps: int = 1500, t0: int = 0, counted: Counted | None = None,
           spoil=None) -> tuple:
    """Sellers (or buyers) leaning on the best bid (ask) where a large level shows, at a random
    pace; the level refilled, withdrawn, eaten or traded through; stray trades elsewhere, some late;
    quiet spells with no depth message, after which a trade at a followed level finds its episode
    stale; two gaps (trades while the book is unsynced) and snapshots. ``hook`` False: the engine
    calls ``on_trade`` itself. ``spoil(det, i)``, called at each step in both runs, may change the
    detector's state. Returns the alerts, the state after every event, how the engine's trade hooks
    were made, and (with ``counted``) per trade whether an episode stood at its price and whether
    ``on_trade`` ran."""
    s, st, det = setup(hook, t0)
    kinds = [type(h).__name__ for h in st.trade_hooks]
    eps = det.eps
    rng = random.Random(seed)
    seen, calls = [], []
    w_ns = det.w_ns

    def trade(px, q, taker, at_ns=None):
        side = BID if taker is SELL else ASK
        key = (side, px)
        had = key in eps
        S, T = (det.bid if side is BID else det.ask), s.t if at_ns is None else at_ns
        through = px != S.last_px and any(ep.side is side and T >= ep.first_ns and (px < ep.px if side is BID else
                                                                                   px > ep.px) for ep in eps.values())
        n = counted.on_trade if counted else 0
        s.trade(px, q, taker, at_ns)
        seen.append(state(det))
        if counted:
            calls.append((had, counted.on_trade > n, st.state is FeedState.SYNCED, through))

    s.idle(31_000)  # (the baselines' warm-up)
    bb, shown, lean = 5000, 0, None
    for i in range(steps):
        if i in (steps // 3, 2 * steps // 3):  # a gap: trades while unsynced, then a snapshot
            s.u += 5
            s.delta(asks=[(bb + 9, 7)])
            trade(bb, 500, SELL)
            s.u += 5
            s.snapshot((tuple((bb - k, 1000) for k in range(30)), tuple((bb + 1 + k, 1000) for k in range(30))))
            lean = None
        if spoil is not None:
            spoil(det, i)
        if lean is None and rng.random() < 0.1:
            lean, shown = rng.choice((BID, ASK)), rng.randrange(15_000, 80_000)
        bids, asks = [], []
        px = bb if lean is BID else bb + 1
        left = through = False
        if lean is not None:
            r = rng.random()
            if r < 0.03:  # withdrawn
                shown = rng.randrange(0, 2000)
                left = rng.random() < 0.5
            elif r < 0.06:  # traded through: the price moves past it
                bb += -1 if lean is BID else 1
                shown, left, through = 0, True, lean
            elif r < 0.12:
                shown += rng.randrange(1000, 20_000)
            (bids if lean is BID else asks).append((px, max(0, shown)))
        if left:
            lean = None
        for _ in range(rng.randrange(0, 5)):
            bid = rng.random() < 0.5
            d = rng.randrange(1, 25)
            (bids if bid else asks).append((bb - d if bid else bb + 1 + d, rng.randrange(300, 3000)))
        dt = rng.choice((20, 50, 100, 100, 100, 250, 600 if rng.random() < 0.05 else 100))
        s.delta(bids, asks, dt_ms=dt)
        seen.append(state(det))
        if through:
            trade(px - 1 if through is BID else px + 1, rng.randrange(100, 900), SELL if through is BID else BUY)
        if lean is not None and eps and rng.random() < 0.02:  # a quiet spell: no depth message for W and more
            s.t += w_ns + rng.randrange(1, 3000) * MS
        if lean is not None and rng.random() < 0.85:  # the flow into it, some of it late
            taker = SELL if lean is BID else BUY
            for _ in range(rng.choice((1, 2, 3, 4, 6))):
                q = rng.randrange(100, 1500)
                shown -= q if rng.random() < 0.7 else 0
                trade(px, q, taker, at_ns=s.t - rng.randrange(0, dt) * MS * (rng.random() < 0.3))
        elif rng.random() < 0.3:  # a stray trade elsewhere, either side
            taker = rng.choice((SELL, BUY))
            trade(bb - rng.randrange(0, 3) if taker is SELL else bb + 1 + rng.randrange(0, 3), rng.randrange(1, 300),
                  taker)
    assert det.eps is eps
    return [repr(a) for a in s.alerts], seen, kinds, calls


@needs_native
@pytest.mark.parametrize("seed, t0", [(1, 0), (2, 0), (3, 1_767_225_600 * 10**9), (4, 1_767_225_600 * 10**9)])
def test_the_hook_is_on_trade_event_by_event(seed, t0, monkeypatch):
    n = Counted(monkeypatch)
    got, got_seen, kinds, calls = market(seed, True, t0=t0, counted=n)
    want, want_seen, _, _ = market(seed, False, t0=t0)
    assert kinds == ["AtdHook"]
    assert got == want
    assert got_seen == want_seen
    synced = [c for c in calls if c[2]]
    in_c = [c for c in synced if not c[1]]
    assert sum(c[3] for c in in_c) > 5  # (trades through episodes not announced, done in C)
    # (the market exercises it: alerts of every state, most trades done in C, among them trades
    # counted into an episode at their price, and trades handed to on_trade)
    assert any("NEW" in a for a in got) and any("UPDATE" in a for a in got) and any("END" in a for a in got)
    assert len(in_c) > 0.35 * len(synced) and len(synced) - len(in_c) > 50
    assert sum(c[0] for c in in_c) > 200
    assert len(calls) > len(synced)  # (trades while unsynced)


@needs_native
def test_stale_episodes_and_thresholds_are_handled_in_c(monkeypatch):
    """A trade after a quiet spell finds its level's episode stale (on_trade drops it) and no
    threshold cached (the hook has _threshold cache it): the hook does both, and agrees."""
    n = Counted(monkeypatch)
    stale = []

    def watch(det, i):  # (the same in both runs: only looks)
        stale.append(sum(not ep.announced for ep in det.eps.values()))

    got, got_seen, _, calls = market(8, True, steps=1200, counted=n, spoil=watch)
    thr_hook = n.threshold
    want, want_seen, _, _ = market(8, False, steps=1200, spoil=watch)
    assert got == want and got_seen == want_seen
    assert thr_hook > 0 and n.threshold > thr_hook  # (the hook had _threshold run too)


def spoilers():
    """Ways to spoil the detector's state at one step (the same in both runs)."""

    def ep_field(name, value):
        def f(det, i):
            if i == 300:
                for ep in det.eps.values():
                    setattr(ep, name, value)
        return f

    def twin(det, i):  # the sides moved to their pure-Python twins
        if i == 200:
            det._to_twin(det.bid)
            det._to_twin(det.ask)

    def depth_t(det, i):
        if i == 400:
            det.depth_t = float(det.depth_t)

    def times_float(det, i):
        if i == 300:
            for ep in det.eps.values():
                ep.times.append(float(ep.times[-1]) if ep.times else 0.5)
                ep.cum.append(ep.cum[-1] if ep.cum else 0)

    class Sub(int):
        pass

    def thr_odd(det, i):
        if i == 350:
            for side in (det.bid, det.ask):
                for px in range(4950, 5050):
                    side.thr_set(px, 2**70)

    return [ep_field("traded", 0.5), ep_field("traded", True), ep_field("traded", 2**64), ep_field("peak_w", None),
            ep_field("cross_ns", Sub(0)), ep_field("announced", 1), ep_field("sent_traded", 2**53 + 1),
            ep_field("last_trade_ns", 2**63), ep_field("first_ns", 1.5), twin, depth_t, times_float, thr_odd]


@needs_native
@pytest.mark.parametrize("spoil", spoilers())
def test_spoiled_state_ends_as_on_trade(spoil):
    def run(hook):
        try:
            return market(9, hook, steps=700, spoil=spoil)[:2]
        except Exception as e:  # noqa: BLE001  (on_trade may raise on some: the hook the same)
            return type(e), str(e)

    assert run(True) == run(False)


BAD = (True, False, 1.0, 5000.5, None, 2**63, -(2**63) - 1, 2**62, 2**61 + 1, -(2**61) - 1, 2**41, -1, 10**30)


class Sub(int):
    pass


@needs_native
@pytest.mark.parametrize("field", ["px", "qty", "T"])
def test_hostile_trades_end_as_on_trade(field):
    """A trade whose price, size or time is a bool, a float, None, an int subclass, an int past
    int64 or past C's limits, a negative size: the hook and on_trade give the same (an error or a
    result), and the detector holds the same after it, and after ordinary trades that follow."""
    for bad in BAD + (Sub(5000), Sub(7)):
        seen = []
        for hook in (True, False):
            s, st, det = setup(hook)
            s.idle(31_000)
            for k in range(30):  # an episode open at 5000 (a level leaned on)
                s.delta(bids=[(5000, 60_000 - k)])
                s.trade(5000, 900, SELL)
            T = s.t + 1
            vals = {"px": 5000, "qty": 300, "T": T}
            vals[field] = bad
            got = []
            for tk in (SELL, BUY):
                try:
                    out = st.trade_hooks[0](st, Trade("KITEUSDT", vals["px"], vals["qty"], tk, 99, vals["T"], T))
                    got.append(repr(out))
                except Exception as e:  # noqa: BLE001
                    got.append(type(e).__name__)
            got.append(state(det))
            try:  # (a value the twin kept may break later trades: on_trade's error then, in both)
                for k in range(10):
                    s.delta(bids=[(5000, 50_000 - k)])
                    s.trade(5000, 700, SELL)
                    s.trade(5001, 50, BUY)
            except Exception as e:  # noqa: BLE001
                got.append(type(e).__name__)
            got.append(state(det))
            got.append([repr(a) for a in s.alerts])
            seen.append(got)
        assert seen[0] == seen[1], bad


@needs_native
def test_other_trades_and_arguments():
    s, st, det = setup(True)
    hook = st.trade_hooks[0]
    s.idle(3000)
    with pytest.raises(TypeError):
        hook(st)
    with pytest.raises(TypeError):
        hook(st, None, None)
    with pytest.raises(TypeError):
        hook(st, Trade("KITEUSDT", 5000, 1, SELL, 1, s.t, s.t), extra=1)
    with pytest.raises(AttributeError):
        hook(st, object())  # (not a Trade: on_trade's own error)
    odd = OddTrade("KITEUSDT", 5000, 10, SELL, 1, s.t, s.t)
    assert hook(st, odd) == [] and det.bid.state()[3]  # (on_trade took it: a window at 5000)
    with pytest.raises(AttributeError):
        hook(object(), Trade("KITEUSDT", 5000, 1, SELL, 1, s.t, s.t))  # (no state)
    st.state = FeedState.GAP
    before = state(det)
    assert hook(st, Trade("KITEUSDT", 5000, 10, SELL, 2, s.t, s.t)) == [] and state(det) == before


@needs_native
def test_the_hook_is_made_only_where_it_does_on_trades_work(monkeypatch):
    s, st, det = setup(True)
    assert type(det.trade_hook()).__name__ == "AtdHook"

    class Own(AbsorptionDetector):
        def on_trade(self, sym, t):
            return super().on_trade(sym, t)

    class OwnThreshold(AbsorptionDetector):
        def _threshold(self, side, px):
            return super()._threshold(side, px)

    class OwnCompute(AbsorptionDetector):
        def _compute_threshold(self, side, px):
            return super()._compute_threshold(side, px)

    for cls in (Own, OwnThreshold, OwnCompute):
        own = cls.__new__(cls)
        own.__dict__.update(vars(det))
        assert own.trade_hook() == own.on_trade
    own = AbsorptionDetector.__new__(AbsorptionDetector)
    own.__dict__.update(vars(det))
    own.p = dataclasses.replace(det.p, absorption_track_fraction=1)  # (an int: the C bar is a float's)
    assert own.trade_hook() == own.on_trade
    with monkeypatch.context() as m:
        m.setattr(accel, "native", None)
        assert det.trade_hook() == det.on_trade


@needs_native
def test_the_hook_refuses_what_it_is_not_built_for():
    s, st, det = setup(True)
    f = (Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.qty_lots)
    rest = (_Episode, FeedState.SYNCED, BUY, BID)

    @dataclasses.dataclass
    class NoSlots:
        side: BookSide

    for bad in ((det, Trade, *f[:3], Trade.__init__, *rest),  # not a slot descriptor
                (det, OddTrade, *f, *rest),  # the descriptors not that class's
                (det, Trade, *f, NoSlots, *rest[1:])):  # an episode class without the slots
        with pytest.raises(ValueError):
            NATIVE.AtdHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.AtdHook(det, Trade, *f, *rest[:-1])
    with pytest.raises(TypeError):
        NATIVE.AtdHook(det, Trade, *f, *rest, extra=1)
    with pytest.raises(AttributeError):
        NATIVE.AtdHook(object(), Trade, *f, *rest)
    eps, w = det.eps, det.w_ns
    det.eps = {}.items()
    with pytest.raises(ValueError):
        NATIVE.AtdHook(det, Trade, *f, *rest)
    det.eps = eps
    for bad_w in (1.5, -1, 2**63, True):
        det.w_ns = bad_w
        with pytest.raises(ValueError):
            NATIVE.AtdHook(det, Trade, *f, *rest)
    det.w_ns = w
    assert type(NATIVE.AtdHook(det, Trade, *f, *rest)).__name__ == "AtdHook"


@needs_native
def test_a_side_moved_to_its_twin_is_on_trades():
    """After a size C declines (the side moved to its pure-Python twin), every later trade into that
    side goes to on_trade, and the two runs agree."""
    seen = []
    for hook in (True, False):
        s, st, det = setup(hook)
        s.idle(31_000)
        for k in range(20):
            s.delta(bids=[(5000, 60_000 - k)])
            s.trade(5000, 900, SELL)
        s.trade(5000, 2**41, SELL)  # (past LIM_Q: the C side declines it)
        for k in range(20):
            s.delta(bids=[(5000, 60_000 - k)])
            s.trade(5000, 900, SELL)
            s.trade(5001, 20, BUY)
        seen.append((type(det.bid).__name__, type(det.ask).__name__, state(det), [repr(a) for a in s.alerts]))
    assert seen[0] == seen[1] and seen[0][:2] == ("_Side", "AbsSide")


@needs_native
def test_many_calls_leave_no_references_behind():
    """The same market twice through the hook: the memory blocks alive after it do not grow (a
    reference leaked per trade would leave one block each: thousands); the trade's values keep
    their reference counts."""
    import gc

    market(7, True, steps=600)
    gc.collect()
    before = sys.getallocatedblocks()
    market(7, True, steps=600)
    gc.collect()
    assert sys.getallocatedblocks() - before < 300
    s, st, det = setup(True)
    s.idle(31_000)
    hook = st.trade_hooks[0]
    px, T = 5000 + 10**6, s.t + 10**12  # (ints of their own)
    px -= 10**6
    tr = Trade("KITEUSDT", px, 0, SELL, 1, T, T)  # (0 lots: the level never followed, every call in C)
    refs = (sys.getrefcount(px), sys.getrefcount(T), sys.getrefcount(tr), sys.getrefcount(det.eps))
    for _ in range(20_000):
        assert hook(st, tr) == []
    assert (sys.getrefcount(px), sys.getrefcount(T), sys.getrefcount(tr), sys.getrefcount(det.eps)) == refs
    assert det.bid.state()[3][5000][1] == 0 and len(det.bid.state()[3][5000][0]) == 20_000


@needs_native
def test_a_trade_through_episodes_not_announced_drops_them_in_c(monkeypatch):
    """A trade below a followed bid (not announced) drops its episode, as _trade_through does,
    without on_trade; the key the episode was held by is released (no reference kept)."""
    n = Counted(monkeypatch)
    s, st, det = setup(True)
    s.idle(31_000)
    for k in range(4):
        s.delta(bids=[(5000, 60_000 - k)])
        s.trade(5000, 900, SELL)
    assert list(det.eps) == [(BID, 5000)] and not det.eps[(BID, 5000)].announced
    key = next(iter(det.eps))
    refs, calls = sys.getrefcount(key), n.on_trade
    s.trade(4999, 10, SELL)
    assert det.eps == {} and n.on_trade == calls
    assert sys.getrefcount(key) == refs - 1
