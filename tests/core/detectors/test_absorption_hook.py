"""Absorption's depth hook (``AbsHook``, _native_adh.c: what ``AbsorptionDetector.delta_hook``
gives the engine) against the detector's own ``on_delta``: on random markets where sellers and
buyers lean on large levels at the touch (some hold, some are withdrawn, eaten or traded through,
flows that stop), the same alerts and the same state after every event, with the hook or with
``on_delta`` itself; what the hook does not take (a message of another class, a time or a size
past what C reads, an episode's queued message or trade time C does not read) ends as
``on_delta`` would have it; and where the hook is not made at all."""

from __future__ import annotations

import dataclasses
import random
import sys
from collections import deque
from dataclasses import dataclass

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.absorption import AbsorptionDetector
from dom.core.detectors.absorption_state import _Episode
from dom.core.types import AlertKind, BookDelta, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, OddDelta, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
PARAMS = {"walls": False, "icebergs": False, "spoofs": False, "bursts": False, "sweeps": False}


def state(det: AbsorptionDetector) -> tuple:
    """What absorption holds that its depth path reads or writes: every field of every open
    episode (its queued messages as a list), the depth time, the sampling grid, the held episodes,
    the baselines."""
    eps = [(k, [list(getattr(ep, f.name)) if f.name == "msgs" else getattr(ep, f.name)
                for f in dataclasses.fields(ep)]) for k, ep in det.eps.items()]
    return (eps, det.depth_t, det.next_sample_ns, det.next_stats_ns, dict(det.recent), dict(det.base_w),
            dict(det.min_shown), dict(det.med_touch))


class Counted:
    """Calls of the detector's own on_delta and _judge (the hook holds them bound: patched on
    the class before the engine binds its hooks)."""

    def __init__(self, monkeypatch) -> None:
        self.on_delta = self.judge = 0
        on_delta, judge = AbsorptionDetector.on_delta, AbsorptionDetector._judge

        def od(det, *a):
            self.on_delta += 1
            return on_delta(det, *a)

        def jd(det, *a):
            self.judge += 1
            return judge(det, *a)

        monkeypatch.setattr(AbsorptionDetector, "on_delta", od)
        monkeypatch.setattr(AbsorptionDetector, "_judge", jd)


def market(seed: int, hook: bool, odd_at: int = -1, huge_at: int = -1, float_at: int = -1,
           spoil_at: int = -1, steps: int = 1500, t0: int = 0) -> tuple:
    """Sellers (or buyers) leaning on the best bid (ask) where a large level shows, at a random
    pace, the level refilled, withdrawn, eaten or traded through; quiet spells; late trades; a gap
    and a snapshot midway. ``hook`` False: the engine calls ``on_delta`` itself. The ``odd_at``-th
    message is an ``OddDelta``; the ``huge_at``-th shows a level of 2^61 lots at the followed
    price; the ``float_at``-th has a float time; at the first step from the ``spoil_at``-th with an
    episode not announced, every open episode is handed a queued message and a trade time C does
    not read. ``t0``: the time the market starts at after its snapshot (an exchange's nanoseconds
    since 1970 are ints of three 30-bit digits, which C reads apart). Returns the alerts, the
    state after every event and how the engine's depth hooks were made."""
    s = EventScript(DetectorParams(**PARAMS), flat_book(30))
    s.kind = AlertKind.ABSORPTION
    st = s.eng["KITEUSDT"]
    det = next(o for o in st.observers if isinstance(o, AbsorptionDetector))
    if not hook:
        st.delta_hooks = [ob.on_delta for ob in st.observers]
    kinds = [type(h).__name__ for h in st.delta_hooks]
    eps = det.eps
    rng = random.Random(seed)
    seen = []
    s.t += t0
    s.idle(31_000)  # (the baselines' warm-up)
    bb, shown, lean = 5000, 0, None  # the best bid; the leaned-on level's size; its side
    for i in range(steps):
        if i == steps // 2:  # a gap (the book unsynced), then a snapshot where the price got to
            s.u += 5
            s.delta(asks=[(bb + 9, 7)])
            s.u += 5
            s.snapshot((tuple((bb - k, 1000) for k in range(30)), tuple((bb + 1 + k, 1000) for k in range(30))))
            lean = None
        if lean is None and rng.random() < 0.08:  # a large level appears at the touch and is leaned on
            lean, shown = rng.choice((BID, ASK)), rng.randrange(15_000, 80_000)
        bids, asks = [], []
        px = bb if lean is BID else bb + 1
        left = through = False  # (the level left: withdrawn or traded through, its last size shown)
        if lean is not None:
            r = rng.random()
            if r < 0.03:  # withdrawn
                shown = rng.randrange(0, 2000)
                left = rng.random() < 0.5
            elif r < 0.06:  # traded through: the price moves past it
                bb += -1 if lean is BID else 1
                shown, left, through = 0, True, lean
            elif r < 0.12:  # refilled
                shown += rng.randrange(1000, 20_000)
        if lean is not None:
            (bids if lean is BID else asks).append((px, max(0, shown)))
        if left:
            lean = None
        for _ in range(rng.randrange(0, 5)):  # the rest of the book wanders
            bid = rng.random() < 0.5
            d = rng.randrange(1, 25)
            (bids if bid else asks).append((bb - d if bid else bb + 1 + d, rng.randrange(300, 3000)))
        if i == huge_at and lean is not None:
            (bids if lean is BID else asks).append((px, 2**61))
        dt = rng.choice((20, 50, 100, 100, 100, 250, 600 if rng.random() < 0.05 else 100))
        if i == odd_at:
            s.t += dt * MS
            s.feed(OddDelta("KITEUSDT", tuple(bids), tuple(asks), s.u + 1, s.u + 1, s.u, s.t, s.t))
            s.u += 1
        elif i == float_at:
            s.t += dt * MS
            t = s.t + 0.5
            s.feed(BookDelta("KITEUSDT", tuple(bids), tuple(asks), s.u + 1, s.u + 1, s.u, t, t))
            s.u += 1
        else:
            s.delta(bids, asks, dt_ms=dt)
        seen.append(state(det))
        if through:  # (a trade beyond the level it stood at)
            s.trade(px - 1 if through is BID else px + 1, rng.randrange(100, 900),
                    TakerSide.SELL if through is BID else TakerSide.BUY)
            seen.append(state(det))
        if 0 <= spoil_at <= i and any(not ep.announced for ep in eps.values()):
            spoil_at = -1
            for ep in eps.values():  # (the same in both runs: what the C side then hands to _judge)
                ep.msgs.append((ep.last_d, ep.last_d + 1, 2**61, ep.last_q))
                ep.times.insert(0, -(2**63))
                ep.cum.insert(0, 0)
        if lean is not None and rng.random() < 0.85:  # the flow into it, some of it late
            taker = TakerSide.SELL if lean is BID else TakerSide.BUY
            for _ in range(rng.choice((1, 2, 3, 4, 6))):
                q = rng.randrange(100, 1500)
                shown -= q if rng.random() < 0.7 else 0
                s.trade(px, q, taker, at_ns=s.t - rng.randrange(0, dt) * MS * (rng.random() < 0.3))
                seen.append(state(det))
        elif rng.random() < 0.2:  # a stray trade elsewhere
            s.trade(bb - rng.randrange(0, 3), rng.randrange(1, 300), TakerSide.SELL)
            seen.append(state(det))
    assert det.eps is eps  # (the hook holds it: the detector keeps it in place)
    return [repr(a) for a in s.alerts], seen, kinds


@needs_native
@pytest.mark.parametrize("seed, t0", [(1, 0), (2, 0), (3, 1_767_225_600 * 10**9), (4, 1_767_225_600 * 10**9)])
def test_the_hook_is_on_delta_event_by_event(seed, t0, monkeypatch):
    n = Counted(monkeypatch)
    got, got_seen, kinds = market(seed, True, t0=t0)
    taken = n.on_delta
    want, want_seen, _ = market(seed, False, t0=t0)
    assert kinds == ["AbsHook"]
    assert got == want
    assert got_seen == want_seen
    # (the market exercises it: episodes open on most messages, alerts, most messages taken in C)
    assert sum(bool(x[0]) for x in want_seen) > len(want_seen) // 3
    assert len(got) >= 4 and any("'new'" in a or "NEW" in a for a in got)
    assert taken < n.on_delta - taken and taken < 0.5 * (n.on_delta - taken)


@needs_native
def test_what_the_hook_does_not_take_ends_as_on_delta(monkeypatch):
    for kw in ({"odd_at": 400}, {"huge_at": 500}, {"huge_at": 700, "float_at": 800}):
        got, got_seen, _ = market(5, True, **kw, steps=900)
        want, want_seen, _ = market(5, False, **kw, steps=900)
        assert got == want and got_seen == want_seen
    n = Counted(monkeypatch)
    market(6, True, steps=600)
    plain = n.judge
    got, got_seen, _ = market(6, True, spoil_at=300, steps=600)
    spoiled = n.judge - plain
    want, want_seen, _ = market(6, False, spoil_at=300, steps=600)
    assert got == want and got_seen == want_seen
    assert spoiled > plain  # (C handed the spoiled episodes' judgement to _judge)


@needs_native
def test_the_hook_is_made_only_where_it_does_on_deltas_work(monkeypatch):
    s = EventScript(DetectorParams(**PARAMS), flat_book(20))
    det = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, AbsorptionDetector))
    assert type(det.delta_hook()).__name__ == "AbsHook"

    class Own(AbsorptionDetector):
        def on_delta(self, sym, delta, changes):
            return super().on_delta(sym, delta, changes)

    class OwnJudge(AbsorptionDetector):
        def _judge(self, sym, ep, mark, out):
            return super()._judge(sym, ep, mark, out)

    class OwnTick(AbsorptionDetector):
        def _tick(self, sym, now):
            return super()._tick(sym, now)

    for cls in (Own, OwnJudge, OwnTick):
        own = cls.__new__(cls)
        own.__dict__.update(vars(det))
        assert own.delta_hook() == own.on_delta  # (a subclass's on_delta, _judge or _tick is its own)
    with monkeypatch.context() as m:
        m.setattr(accel, "native", None)
        assert det.delta_hook() == det.on_delta


@needs_native
def test_the_hook_refuses_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**PARAMS), flat_book(20))
    sym = s.eng["KITEUSDT"]
    det = next(o for o in sym.observers if isinstance(o, AbsorptionDetector))
    ts = BookDelta.ts_exchange_ns
    args = (det, BookDelta, ts, _Episode, BID, ASK, deque)

    @dataclass
    class NoSlots:
        side: BookSide

    for bad in ((det, BookDelta, BookDelta.__init__, _Episode, BID, ASK, deque),  # not a slot descriptor
                (det, OddDelta, ts, _Episode, BID, ASK, deque),  # the descriptor not that class's
                (det, BookDelta, ts, NoSlots, BID, ASK, deque),  # an episode class without the slots
                (det, BookDelta, ts, _Episode, BID, BID, deque)):  # one side twice
        with pytest.raises(ValueError):
            NATIVE.AbsHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.AbsHook(*args[:-1])
    with pytest.raises(TypeError):
        NATIVE.AbsHook(det, BookDelta, ts, _Episode, BID, ASK, 5)  # (not a type)
    with pytest.raises(AttributeError):
        NATIVE.AbsHook(object(), *args[1:])  # (no on_delta)
    eps = det.eps
    det.eps = {}.items()
    with pytest.raises(ValueError):
        NATIVE.AbsHook(*args)  # (eps not a dict)
    det.eps = eps
    hook = NATIVE.AbsHook(*args)
    d = BookDelta("KITEUSDT", (), ((5021, 3),), 1, 1, 0, 10**9, 10**9)
    with pytest.raises(TypeError):
        hook(sym, d)
    with pytest.raises(TypeError):
        hook(sym, d, [], extra=1)
    assert hook(sym, d, []) == [] and det.depth_t == 10**9 and det.next_sample_ns == 2 * 10**9  # (on_delta's)
    d2 = BookDelta("KITEUSDT", (), (), 2, 2, 1, 10**9 + 5, 10**9 + 5)
    assert hook(sym, d2, []) == [] and det.depth_t == 10**9 + 5  # (in C: no sample due, no episode)
    with pytest.raises(AttributeError):
        hook(sym, object(), [])  # (not a BookDelta: on_delta's own error)
    for t in (1.5e9, 2**63, -(2**63), True, 2**62 + 1, -(2**62), -(2**61), 2**61, 2**90):
        # (C reads +-2^62, three-digit ints from their digits: the rest as on_delta, and the same)
        seen = []
        for hooked in (True, False):
            s2 = EventScript(DetectorParams(**PARAMS), flat_book(20))
            sym2 = s2.eng["KITEUSDT"]
            det2 = next(o for o in sym2.observers if isinstance(o, AbsorptionDetector))
            s2.idle(2000)  # (the grid set, samples taken)
            call = NATIVE.AbsHook(det2, *args[1:]) if hooked else det2.on_delta
            try:
                got = call(sym2, BookDelta("KITEUSDT", (), (), s2.u + 1, s2.u + 1, s2.u, t, t), [])
            except Exception as e:  # noqa: BLE001
                got = type(e)
            seen.append((got, det2.depth_t, det2.next_sample_ns, det2.next_stats_ns))
        assert seen[0] == seen[1]


@needs_native
def test_many_calls_leave_no_references_behind():
    """The same market twice through the hook: the memory blocks alive after it do not grow (a
    reference leaked per call or per episode would leave one block each: hundreds)."""
    import gc

    market(7, True, steps=600)
    gc.collect()
    before = sys.getallocatedblocks()
    market(7, True, steps=600)
    gc.collect()
    assert sys.getallocatedblocks() - before < 300


@needs_native
def test_a_judge_that_spoils_the_episodes_meets_an_error_not_a_crash(monkeypatch):
    """``_judge`` (called by the hook for what it does not read) is Python: one that deletes the
    other open episode's fields leaves the hook an error to raise at that episode, not a field it
    reads freed."""
    judge = AbsorptionDetector._judge
    calls = []

    def spoil(det, sym, ep, mark, out):
        calls.append(ep.px)
        for other in det.eps.values():
            if other is not ep:
                for f in ("msgs", "last_d", "times"):
                    delattr(other, f)
        return judge(det, sym, ep, mark, out)

    monkeypatch.setattr(AbsorptionDetector, "_judge", spoil)
    s = EventScript(DetectorParams(**PARAMS), flat_book(20))
    sym = s.eng["KITEUSDT"]
    det = next(o for o in sym.observers if isinstance(o, AbsorptionDetector))
    s.idle(2000)
    now = s.t + 10 * MS
    assert now < det.next_sample_ns  # (no sample due: the episodes' work in C)
    for px in (5000, 4999):  # (the first one's queued message is past what C reads: to _judge)
        ep = det.eps[BID, px] = _Episode(BID, px, s.t, s.t, 1000, s.t, 1000, s.t, times=[s.t], cum=[500])
        ep.msgs.append((s.t - 5, s.t - 4, 2**61 if px == 5000 else 1000, 1000))
    hook = NATIVE.AbsHook(det, BookDelta, BookDelta.ts_exchange_ns, _Episode, BID, ASK, deque)
    with pytest.raises(RuntimeError, match="changed while a message was handled"):
        hook(sym, BookDelta("KITEUSDT", (), (), s.u + 1, s.u + 1, s.u, now, now), [])
    assert calls == [5000]
