"""The walls' depth hook (``WallHook``, _native_wdh.c; symbol_state.delta_hooks) against the wall
detector's own ``on_delta``: on random markets (walls coming and going, several changes a message,
trades into them, a gap and a resync, the step windows paired with pulled liquidity's or alone)
the same alerts and the same state after every event, with the hook or with ``on_delta`` itself;
what the hook does not take (a delta of another class, a change or a time out of range, the gate
off, a window moved to its twin) goes to ``on_delta``, and the two still agree."""

from __future__ import annotations

import dataclasses
import random

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.spoof import SpoofDetector
from dom.core.detectors.step_state import StepState
from dom.core.detectors.steps import LargeSteps
from dom.core.detectors.walls import WallDetector
from dom.core.engine import ObserverBase
from dom.core.types import BookDelta, BookSide, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, OddDelta

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
OFF = {"icebergs": False, "absorptions": False, "bursts": False, "sweeps": False}
_BASE = ObserverBase.on_delta


def _book(levels=60):
    return (tuple((5000 - i, 1000 + 10 * i) for i in range(levels)),
            tuple((5001 + i, 1000 + 10 * i) for i in range(levels)))


def _window(w: LargeSteps | None):
    if w is None:
        return None
    kept, at, clean = w.st.state()
    return (list(w.samples.q), kept, sorted((k[0].value, k[1], v) for k, v in at.items()), clean, w._at,
            w.synced_ns, w.start, w.floor, w.ref, type(w.st).__name__)


def market(seed, hooks, spoofs=True, odd_at=-1, wide_at=-1, tuple_at=-1, gate_off=(), dips=False, holds=False,
           **params):
    """A random market: after every event the alerts so far and the walls' (and the step windows')
    state. ``hooks``: False binds the detectors' own ``on_delta`` in place of the engine's hooks.
    The ``odd_at``-th message is an ``OddDelta``; at the ``wide_at``-th a level of 2^60 + 1 lots
    comes (past what the C store takes: the windows move to their twin); at ``tuple_at`` a
    message's changes are handed over as a tuple; before each message of ``gate_off`` the hook's gate
    is turned off (until the detector next hands its numbers over). ``dips``: a level cut under its
    entry keeps changing, mostly under it (a dipping candidate's quiet changes), now and then back up.
    ``holds``: a large level keeps changing, mostly to another large size (a steady candidate's changes)."""
    s = EventScript(DetectorParams(spoofs=spoofs, **OFF, **params), _book())
    st = s.eng["KITEUSDT"]
    if not hooks:
        st.delta_hooks = [ob.on_delta for ob in st.observers if getattr(type(ob), "on_delta", None) is not _BASE]
    walls = next(o for o in st.observers if isinstance(o, WallDetector))
    sp = next((o for o in st.observers if isinstance(o, SpoofDetector)), None)
    now_at = [-1]  # the message of the loop below being fed
    if tuple_at >= 0:
        real = list(st.delta_hooks)

        def as_tuple(sym, delta, changes, _real=real):
            ch = tuple(changes) if now_at[0] == tuple_at else changes
            out = []
            for h in _real:
                out += h(sym, delta, ch)
            return out
        st.delta_hooks = [as_tuple]
    rng = random.Random(seed)
    seen = []

    def note():
        ws = sorted((k[0].value, k[1], *dataclasses.astuple(w)[1:]) for k, w in walls.walls.items())
        seen.append((len(s.alerts), ws, walls.next_stats_ns, walls.tmin, dict(walls.threshold), walls.walls_lo,
                     walls.walls_hi, _window(walls.steps), _window(sp.steps if sp else None), st.state,
                     walls.hook.state() if walls.hook is not None else None, now_at[0]))

    for _ in range(410):  # warm: the distance baselines
        s.delta(asks=[(5100, 7 + s.u % 2)])
    big, cut = [], []
    for i in range(700):
        if i == 350:  # a gap: the book unsynced, then a snapshot
            s.u += 5
            s.delta(asks=[(5010, 7)])
            note()
            s.u += 5
            s.snapshot(_book())
        bids, asks = {}, {}
        for _ in range(rng.choice((1, 1, 2, 3, 5))):
            bid = rng.random() < 0.5
            d = rng.randrange(0, 40)
            px = 5000 - d if bid else 5001 + d
            r = rng.random()
            if r < 0.012:
                q = rng.randrange(40_000, 150_000)  # a wall, perhaps
                big.append((bid, px))
            elif r < 0.03 and big:
                bid, px = big.pop(rng.randrange(len(big)))
                q = rng.choice((0, rng.randrange(500, 3000)))  # pulled or cut
                if dips and q:
                    cut.append((bid, px))
            elif holds and big and r < 0.25:
                bid, px = rng.choice(big)
                q = rng.randrange(40_000, 150_000) if rng.random() < 0.9 else rng.randrange(0, 3000)
            elif dips and cut and r < 0.35:
                bid, px = rng.choice(cut)
                q = rng.randrange(40_000, 150_000) if rng.random() < 0.05 else rng.randrange(100, 3000)
                if len(cut) > 6:
                    cut.pop(0)
            else:
                q = rng.randrange(0, 3000)
            (bids if bid else asks)[px] = q
        now_at[0] = i
        if i in gate_off:
            walls.hook.set(None, None)
        if i == wide_at:
            bids[4990] = (1 << 60) + 1
        dt = rng.choice((20, 100, 100, 300, 1200, 3000))
        s.t += dt * MS
        cls = OddDelta if i == odd_at else BookDelta
        s.feed(cls("KITEUSDT", tuple(bids.items()), tuple(asks.items()), s.u + 1, s.u + 1, s.u, s.t, s.t))
        s.u += 1
        note()
        if big and rng.random() < 0.2:  # trades into a large level
            bid, px = rng.choice(big)
            s.tid += 1
            s.feed(Trade("KITEUSDT", px, rng.randrange(1, 40_000), TakerSide.SELL if bid else TakerSide.BUY,
                         s.tid, s.t, s.t))
            note()
    return [(a.kind, a.state, a.id, a.ts_ns, a.px_ticks, a.qty_lots, dict(a.evidence)) for a in s.alerts], seen, st, walls


def hooked_and_not(monkeypatch, seed: int, **kw) -> tuple:
    """The market once with the hook and once with ``on_delta`` alone, counting ``_judge`` calls
    in each: (hooked run, its detector's state, plain run, [judged hooked, judged plain])."""
    judged = []
    judge = WallDetector._judge

    def counted(self, sym, now, changes):
        judged[-1] += 1
        return judge(self, sym, now, changes)
    monkeypatch.setattr(WallDetector, "_judge", counted)
    judged.append(0)
    got, got_seen, st, walls = market(seed, hooks=True, **kw)
    judged.append(0)
    want, want_seen, _, _ = market(seed, hooks=False, **kw)
    return got, got_seen, st, walls, want, want_seen, judged


@needs_native
@pytest.mark.parametrize("seed,spoofs,params", [(1, True, {}), (2, True, {}), (3, False, {}), (4, False, {}),
                                                (7, True, {"wall_traded_fraction": 0.05}),
                                                (8, False, {"wall_traded_fraction": 0.05, "wall_weak_graded": False}),
                                                (9, True, {"wall_distance_ratio": 1.2, "wall_step_rank": 0})])
def test_the_hook_is_the_detectors_on_delta_event_by_event(seed, spoofs, params, monkeypatch):
    got, got_seen, st, walls, want, want_seen, judged = hooked_and_not(monkeypatch, seed, spoofs=spoofs, **params)
    assert type(st.delta_hooks[0]).__name__ == "WallHook" and st.delta_hooks[0] is walls.hook
    assert got == want
    assert got_seen == want_seen
    kinds = {a[1].value for a in got}
    assert {"new", "end"} <= kinds  # (walls came and went)
    assert any(x[1] for x in got_seen) and any(not x[1] for x in got_seen)  # (with walls and without)
    assert walls.steps is None or got_seen[-1][7][-1] == "StepStore"  # (the C store all along)
    assert got_seen[-1][10][:2] == (walls.next_stats_ns, walls.tmin)  # (the hook's gate as the detector's)
    assert walls.steps is None or len(walls.steps.samples) > 20
    # (the standing walls' gate handed over, and messages with walls standing decided in C)
    assert any(x[1] and x[10] is not None and len(x[10]) == 3 for x in got_seen)
    assert judged[0] < judged[1] - 50, judged


@needs_native
@pytest.mark.parametrize("seed,params", [(21, {}), (22, {"wall_traded_fraction": 0.05}), (23, {"wall_dip_ms": 3000})])
def test_a_dipping_candidates_quiet_changes_are_decided_in_c(seed, params, monkeypatch):
    """Changes under a dipping candidate's entry within its band leave it as it is: the hook
    decides them in C (fewer ``_judge`` calls than with every change at a wall's price passed
    on), and the alerts and state after every event are ``on_delta``'s."""
    import dom.core.detectors.walls as wmod
    from dom.core.detectors.wall_hook import hand_walls

    got, got_seen, _, _, want, want_seen, judged = hooked_and_not(monkeypatch, seed, spoofs=False, dips=True, **params)
    assert got == want and got_seen == want_seen
    assert {"new", "end"} <= {a[1].value for a in got}

    class Loud:  # (the walls' gate without the quiet sizes)
        def __init__(self, det):
            self.det, self.hook = det, det.hook

        def __getattr__(self, k):
            return getattr(self.det, k)

    def loud(det, now):
        rec = Loud(det)
        rec.hook = type("R", (), {"walls": lambda _, *a: det.hook.walls(*a[:7])})()
        hand_walls(rec, now)
    monkeypatch.setattr(wmod, "hand_walls", loud)
    judged.append(0)
    got2, got2_seen, _, _ = market(seed, hooks=True, spoofs=False, dips=True, **params)
    assert got2 == want and [x[:10] for x in got2_seen] == [x[:10] for x in want_seen]
    assert judged[0] <= judged[2] - 5, judged  # (decided in C: a few in these markets)


@needs_native
@pytest.mark.parametrize("odd", [{"odd_at": 30, "wide_at": 120, "spoofs": False}, {"tuple_at": 60}])
def test_what_the_hook_does_not_take_goes_to_on_delta(odd):
    got, got_seen, st, walls = market(5, hooks=True, **odd)
    want, want_seen, _, _ = market(5, hooks=False, **odd)
    assert got == want and got_seen == want_seen
    moved = next(x[11] for x in got_seen if x[7][-1] == "StepState")
    assert moved == odd.get("wide_at", odd.get("tuple_at"))  # (what C declined moved the windows to their twin)
    assert got_seen[-1][7][-1] == "StepState" and (got_seen[-1][8] or [None])[-1] in (None, "StepState")


@needs_native
def test_with_the_gate_off_the_messages_go_to_on_delta():
    got, got_seen, _, walls = market(6, hooks=True, gate_off=range(100, 400, 7))
    want, want_seen, _, _ = market(6, hooks=False)
    assert got == want and [x[:10] for x in got_seen] == [x[:10] for x in want_seen]
    assert got_seen[-1][7][-1] == "StepStore"
    assert any(x[10] is None for x in got_seen) and got_seen[-1][10][:2] == (walls.next_stats_ns, walls.tmin)


@needs_native
def test_the_hook_declines_what_it_is_not_built_for():
    s = EventScript(DetectorParams(spoofs=False, **OFF), _book())
    walls = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, WallDetector))
    S = LargeSteps
    slots = (S.synced_ns, S._at, S.start, S.twin, S.st, S.floor, S.half, S.samples)
    base = (walls, walls.walls, walls.steps, BookDelta, BookDelta.ts_exchange_ns, S)
    B = BookSide.BID
    for bad in ((*base[:4], Trade.ts_exchange_ns, S, *slots, B),  # the time slot not the delta class's
                (*base[:4], BookDelta.__init__, S, *slots, B),  # not a slot
                (*base[:5], S, *slots[:7], BookDelta.bids, B),  # a slot not the window class's
                (*base[:2], object(), *base[3:], *slots, B)):  # a window not of the class
        with pytest.raises(ValueError):
            NATIVE.WallHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.WallHook(walls, [], *base[2:], *slots, B)  # the walls not a dict
    with pytest.raises(TypeError):
        NATIVE.WallHook(*base, *slots[:7], B)  # a slot short
    with pytest.raises(TypeError):
        NATIVE.WallHook(*base, *slots)  # no bid side
    hook = NATIVE.WallHook(*base, *slots, B)
    with pytest.raises(TypeError):
        hook(1, 2)
    with pytest.raises(TypeError):
        hook.set(1)
    for v in (True, 2**70, -(2**63), "1", None):
        hook.set(v, 0)
        assert hook.state() is None
    hook.set(-1, 1 << 62)
    assert hook.state() == (-1, 1 << 62)
    with pytest.raises(TypeError):
        hook.walls(1, 2, 3, 4)
    hook.walls(5, 1, 2, 3, 4)
    assert hook.state() == (-1, 1 << 62, (5, 1, 2, 3, 4))
    for v in (True, 2**70, -(2**63), "1", None, 1.0):
        hook.walls(5, 1, 2, v, 4)
        assert hook.state() == (-1, 1 << 62)


def test_without_the_accelerator_the_hook_is_on_delta(monkeypatch):
    s = EventScript(DetectorParams(spoofs=False, **OFF), _book())
    walls = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, WallDetector))
    monkeypatch.setattr(accel, "native", None)
    h = walls.delta_hook()
    assert h == walls.on_delta


@needs_native
def test_a_subclass_keeps_its_own_on_delta():
    class Mine(WallDetector):
        def on_delta(self, sym, delta, changes):
            return super().on_delta(sym, delta, changes)

    s = EventScript(DetectorParams(spoofs=False, **OFF), _book())
    st = s.eng["KITEUSDT"]
    mine = Mine(st, DetectorParams(spoofs=False, **OFF))
    assert mine.delta_hook() == mine.on_delta and mine.hook is None


@needs_native
def test_many_messages_leave_no_reference_behind():
    import sys

    s = EventScript(DetectorParams(spoofs=True, **OFF), _book())
    st = s.eng["KITEUSDT"]
    walls = next(o for o in st.observers if isinstance(o, WallDetector))
    before = sys.getrefcount(walls), sys.getrefcount(walls.walls), sys.getrefcount(walls.steps)
    for i in range(20_000):
        s.delta(asks=[(5100 + i % 3, 7 + i % 5)], bids=[(4990 - i % 40, 500 + (i * 7919) % 3000)], dt_ms=7)
    assert (sys.getrefcount(walls), sys.getrefcount(walls.walls), sys.getrefcount(walls.steps)) == before


class _Stub:
    """What the hook calls, noted: on_delta (what it does not take) or _judge (past the gate)."""

    def __init__(self):
        self.calls = []
        self.walls = {}

    def on_delta(self, sym, delta, changes):
        self.calls.append("on_delta")
        return ["on_delta"]

    def _judge(self, sym, now, changes):
        self.calls.append(("judge", now))
        return ["judge"]


def _stub_hook():
    d = _Stub()
    S = LargeSteps
    hook = NATIVE.WallHook(d, d.walls, None, BookDelta, BookDelta.ts_exchange_ns, S, S.synced_ns, S._at, S.start,
                           S.twin, S.st, S.floor, S.half, S.samples, BookSide.BID)
    return d, hook


def _at(t):
    return BookDelta("X", (), (), 1, 1, 0, t, t)


@needs_native
def test_the_gate_is_on_delta_s_to_the_lot():
    from dom.core.types import BookSide
    B, A = BookSide.BID, BookSide.ASK
    d, hook = _stub_hook()
    assert hook(None, _at(5), []) == ["on_delta"]  # (no numbers handed over yet: the gate off)
    hook.set(1000, 5000)
    assert hook(None, _at(999), [(B, 10, 0, 4999), (A, 11, 7000, 4999)]) == []  # none up to tmin
    assert hook(None, _at(999), [(B, 10, 0, 4999), (A, 11, 0, 5000)]) == ["judge"]  # one at tmin exactly
    assert hook(None, _at(1000), [(B, 10, 0, 1)]) == ["judge"]  # stats due
    assert hook(None, _at(999), []) == []
    d.walls[(B, 10)] = object()  # a wall: every message past the gate
    assert hook(None, _at(999), []) == ["judge"]
    d.walls.clear()
    for odd in ([(B, 10, 0, True)], [(B, 10, 0, 1 << 61 + 1)], [(B, 10, 0.5, 1)], [(B, 10, 0)], ((B, 10, 0, 1),),
                [[B, 10, 0, 1]], [(B, 1 << 62, 0, 1)]):
        assert hook(None, _at(999), odd) == ["on_delta"]  # not what pick_changes takes
    assert hook(None, _at(1 << 62), []) == ["on_delta"]  # a time past 2^61
    assert hook(None, OddDelta("X", (), (), 1, 1, 0, 5, 5), []) == ["on_delta"]
    hook.set(-1, 1 << 62)  # the first message: stats due at once
    assert hook(None, _at(0), []) == ["judge"]
    assert d.calls.count("on_delta") == 10 and ("judge", 1000) in d.calls


@needs_native
def test_the_gate_reads_ints_of_every_width_exactly():
    from dom.core.types import BookSide
    B = BookSide.BID
    d, hook = _stub_hook()
    for t in (0, 1, 2**30 - 1, 2**30, 2**30 + 1, 2**31, 2**45 + 7, 2**60 - 1, 2**60, 2**61 - 1, 2**61,
              -1, -(2**30), -(2**30) - 1, -(2**45) - 7, -(2**61)):
        hook.set(2**62, t)
        assert hook.state() == (2**62, t)
        below = [] if t > -(2**61) else ["on_delta"]  # (t - 1 past -2^61: not what pick_changes takes)
        assert hook(None, _at(5), [(B, t, t, t - 1)]) == below, t
        assert hook(None, _at(5), [(B, t, t, t)]) == ["judge"], t
        assert hook(None, _at(t), [(B, 10, 0, t - 1)]) == below, t
        assert hook(None, _at(t), [(B, 10, 0, t - 1), (B, 10, 0, t)]) == (["judge"] if t > -(2**61) else below), t
    hook.set(10**12, 0)
    for q in (-1, -(2**30), -(2**45) - 7, -(2**61)):  # (a sign read wrong would reach 0)
        assert hook(None, _at(5), [(B, 10, 0, q)]) == []
    assert hook(None, _at(5), [(B, 10, 0, 2**61 + 1)]) == ["on_delta"]  # (past what pick_changes takes)
    assert hook(None, _at(5), [(B, -(2**61) - 1, 0, -1)]) == ["on_delta"]
    assert hook(None, _at(-(2**61) - 1), []) == ["on_delta"]
    assert hook(None, _at(-(2**61)), []) == []


@needs_native
def test_the_walls_gate_passes_what_can_matter_to_a_standing_wall():
    B, A = BookSide.BID, BookSide.ASK
    d, hook = _stub_hook()
    hook.set(1000, 5000)
    d.walls[(B, 10)] = object()
    assert hook(None, _at(5), [(B, 30, 0, 1)]) == ["judge"]  # (no walls' gate handed over: every message)
    hook.walls(500, 10, 12, 20, 20)  # bids' walls within 10..12, the asks' at 20; nothing due before 500
    assert hook(None, _at(5), []) == []
    assert hook(None, _at(499), [(B, 9, 0, 4999), (B, 13, 7, 0), (A, 19, 0, 1), (A, 21, 0, 1), (B, 20, 0, 1)]) == []
    for hit in ([(B, 10, 0, 1)], [(B, 12, 7, 0)], [(B, 11, 1, 2)], [(A, 20, 5, 0)], [(A, 30, 0, 1), (B, 9, 0, 5000)],
                [(A, 21, 0, 1), (A, 20, 0, 1)]):
        assert hook(None, _at(499), hit) == ["judge"], hit  # at a wall's price range, or up to tmin
    assert hook(None, _at(500), []) == ["judge"]  # something due
    assert hook(None, _at(1000), []) == ["judge"]  # stats due
    assert hook(None, _at(5), [(B, 10, 0, 1 << 61 + 1)]) == ["on_delta"]  # not what pick_changes takes
    assert hook(None, _at(5), [(B, 5, 0.5, 1)]) == ["on_delta"]
    hook.walls(-(1 << 62), 10, 12, 20, 20)  # a wall gone from its level: every message
    assert hook(None, _at(5), []) == ["judge"]
    hook.walls(500, 10, 12, 20, 20)
    hook.walls(500, 10, 12, 20, None)  # the walls' gate off: every message
    assert hook(None, _at(5), []) == ["judge"]
    d.walls.clear()  # no wall: the gate on tmin alone
    hook.walls(500, 10, 12, 20, 20)
    assert hook(None, _at(5), [(B, 10, 0, 1)]) == []


def test_the_walls_gate_numbers_are_when_each_wall_next_changes_with_time():
    from types import SimpleNamespace

    from dom.core.detectors.wall_hook import hand_walls
    from dom.core.detectors.wall_state import _Wall

    class Rec:
        def walls(self, *a):
            self.got = a

    p = DetectorParams(wall_update_ms=2000, wall_dip_ms=700, wall_update_change=0.2)
    ms, far = 1_000_000, 1 << 62
    B, A = BookSide.BID, BookSide.ASK
    det = SimpleNamespace(p=p, walls={}, floor_ns=3000 * ms, hook=Rec(), lifetimes=SimpleNamespace(required_ns=5000 * ms),
                          step_need=0, step_weak=0, steps=None, weak_ns=30_000 * ms, bound=None,
                          threshold={B: 400, A: 400})

    def due(*ws, now=200 * ms, holds=False):
        det.walls = {(w.side, w.px): w for w in ws}
        hand_walls(det, now)
        return det.hook.got if holds else det.hook.got[:9]

    cand = _Wall(B, 4990, 100 * ms, 500, 500)
    assert due(cand) == (5100 * ms, 4990, 4990, far, -far, (4990,), (), (-far,), ())  # a candidate: its persistence's end
    dip = _Wall(A, 5010, 100 * ms, 500, 500, dip_ns=150 * ms, enter=450)
    assert due(dip) == (850 * ms, far, -far, 5010, 5010, (), (5010,), (), (450,))  # a dip: its end; quiet under its entry
    told = _Wall(A, 5012, 0, 500, 500, announced=True, sent_size=500, updated_ns=1000 * ms)
    assert due(told)[:5] == (far, far, -far, 5012, 5012)  # announced, nothing to tell: no time of its own
    moved = _Wall(B, 4995, 0, 500, 500, announced=True, sent_size=500, updated_ns=1000 * ms, moves=1)
    assert due(moved)[0] == 3000 * ms  # a move to tell: when the next line may go
    grown = _Wall(B, 4996, 0, 601, 601, announced=True, sent_size=500, updated_ns=1000 * ms)
    assert due(grown)[0] == 3000 * ms  # a size change past wall_update_change
    same = _Wall(B, 4996, 0, 600, 600, announced=True, sent_size=500, updated_ns=1000 * ms)
    assert due(same)[0] == far  # (not past it)
    gone = _Wall(B, 4980, 0, 500, 500, announced=True, sent_size=500, gone_ns=900 * ms)
    assert due(gone)[0] == -far  # gone from its level: every message
    assert due(cand, dip, told, moved) == (850 * ms, 4990, 4995, 5010, 5012, (4990, 4995), (5010, 5012),
                                           (-far, -far), (450, -far))
    told.dip_ns = 100 * ms  # (an announced wall is never quiet: its exit is judged at every change)
    assert due(told)[-2:] == ((), (-far,))
    # the steady candidates' hold sizes and rise flags: a candidate not dipping, inside its wait (any
    # change up to its entry) or past it (one not over the level's old size); none for the rest
    cand.enter = 450
    assert due(cand, dip, told, moved, holds=True)[9:] == ((450, far), (far, far), (1, 0), (0, 0))
    assert due(cand, now=5099 * ms, holds=True)[9:] == ((450,), (), (1,), ())
    assert due(cand, now=5100 * ms, holds=True) == (5100 * ms, 4990, 4990, far, -far, (4990,), (), (-far,), (), (450,), (),
                                                    (0,), ())  # (its step up to the need: _announce tried at once)
    det.step_need = det.step_weak = 800  # (its step short of both needs: no path takes it before a larger step)
    assert due(cand, now=5100 * ms, holds=True) == (far, 4990, 4990, far, -far, (4990,), (), (-far,), (), (450,), (),
                                                    (0,), ())
    det.threshold = {A: 400}  # (no threshold on its side: _level does nothing there)
    assert due(cand, holds=True)[9:] == ((far,), (), (0,), ())
    det.threshold = {B: 400, A: 400}
    det.p = dataclasses.replace(p, wall_ref_step_ratio=2.0)  # (its size read past its wait: steady inside it only)
    assert due(cand, holds=True)[9:] == ((450,), (), (1,), ())
    assert due(cand, now=5100 * ms, holds=True)[9:] == ((far,), (), (0,), ())
    det.p = dataclasses.replace(p, wall_traded_fraction=0.05)  # (its wait may change with a trade: none steady)
    assert due(cand, holds=True)[9:] == ((far,), (), (0,), ())


class _Steps:
    """What candidate_due reads of a step window: ``bounded`` (a young window's need, at most 2 x book)."""

    def bounded(self, n, book, ratio):
        return min(n, 2 * book)


def test_a_candidates_turn_is_when_its_loop_next_does_something():
    from types import SimpleNamespace

    from dom.core.detectors.persistence import graded_wait
    from dom.core.detectors.wall_hook import candidate_due
    from dom.core.detectors.wall_state import _Wall

    ms, far = 1_000_000, 1 << 62
    off = DetectorParams(wall_traded_fraction=0.0, wall_weak_graded=True)
    on = DetectorParams(wall_traded_fraction=0.5, wall_weak_graded=True)
    det = SimpleNamespace(p=off, floor_ns=1000 * ms, lifetimes=SimpleNamespace(required_ns=5000 * ms), step_need=800,
                          step_weak=400, steps=_Steps(), weak_ns=20_000 * ms, bound=None)
    B = BookSide.BID
    w = _Wall(B, 4990, 100 * ms, 1000, 1000, step=100)
    assert candidate_due(det, w, 200 * ms) == 5100 * ms  # waiting out the persistence
    det.p = on  # (the rule on: a trade into it may make it traded into before the next message: the floor)
    assert candidate_due(det, w, 200 * ms) == 1100 * ms
    w.traded = 500  # traded into (half its peak): the floor
    assert candidate_due(det, w, 200 * ms) == 1100 * ms
    assert candidate_due(det, w, 1100 * ms) == far  # past it, its step short of the weak need: not by time
    w.step = 400  # traded into, at the weak need (its need then): _announce tried
    assert candidate_due(det, w, 1100 * ms) == 1100 * ms
    w.traded = 0  # not yet: it may be after a trade (its step at the weak need): every message
    assert candidate_due(det, w, 1100 * ms) == 1100 * ms
    det.p = off
    assert candidate_due(det, w, 1100 * ms) == 5100 * ms  # (the rule off: the persistence)
    w.step = 100
    assert candidate_due(det, w, 5100 * ms) == far  # short of the weak need
    det.p = on
    assert candidate_due(det, w, 5100 * ms) == far  # (and of what a trade into it would ask)
    det.p = off
    w.step = 800
    assert candidate_due(det, w, 5100 * ms) == 5100 * ms  # at the need: _announce tried
    w.step = 600  # between the needs: the graded wait's end
    t = 100 * ms + graded_wait(600, 400, 800, 5000 * ms, 20_000 * ms)
    assert 5100 * ms < t < 20_100 * ms and candidate_due(det, w, 5100 * ms) == t
    det.p = on
    assert candidate_due(det, w, 5100 * ms) == 5100 * ms  # (past the weak need: a trade into it, _announce)
    det.p = off
    det.bound = SimpleNamespace(wait_ns=7000 * ms)  # bounded by what the book's large levels outlasted
    assert candidate_due(det, w, 5100 * ms) == min(t, 7100 * ms)
    det.bound = None
    det.p = DetectorParams(wall_traded_fraction=0.0, wall_weak_graded=False)
    assert candidate_due(det, w, 5100 * ms) == 20_100 * ms  # the fixed weak wait
    w.book = 350  # a young window: the needs bounded by the book (at most 700: the step still between them)
    assert candidate_due(det, w, 5100 * ms) == 20_100 * ms
    w.book = 250  # need and weak at most 500: the step is past the need
    assert candidate_due(det, w, 5100 * ms) == 5100 * ms
    det.p = DetectorParams(wall_traded_fraction=0.5, wall_weak_graded=False)
    w.step, w.traded = 350, 500  # traded into: its need the weak one (400), short of it: not by time
    w.book = 0
    assert candidate_due(det, w, 5100 * ms) == far
    w.step = 450  # past it: _announce tried
    assert candidate_due(det, w, 5100 * ms) == 5100 * ms


class _Side:
    def __init__(self, best):
        self.best = best

    def best_px(self):
        if isinstance(self.best, Exception):
            raise self.best
        return self.best


def _sym(bb, ba):
    from types import SimpleNamespace
    return SimpleNamespace(book=SimpleNamespace(bids=_Side(bb), asks=_Side(ba)))


@needs_native
def test_the_bands_entries_pass_what_can_start_a_candidate():
    B, A = BookSide.BID, BookSide.ASK
    d, hook = _stub_hook()
    far = 1 << 62
    eb = (far, 900, 900, 900, 900, 900, 1200, 1500, 2000, far)  # (bucket 0 still warming, 9 too)
    ea = (800,) * 10
    hook.set(1000, 800, 20, 30, eb, ea)
    assert hook.entries() == (20, 30, eb, ea)
    sym = _sym(5000, 5001)
    assert hook(sym, _at(5), [(B, 4999, 0, 899), (A, 5032, 0, 10**6), (B, 4979, 0, 10**6)]) == []  # short, out of band
    assert hook(sym, _at(5), [(B, 5000, 0, 10**6)]) == []  # at the touch: bucket 0 warming
    assert hook(sym, _at(5), [(B, 4999, 0, 900)]) == ["judge"]  # bucket 1 at its entry
    assert hook(sym, _at(5), [(B, 4993, 0, 1199)]) == []  # bucket 6 (7 ticks) short of its entry
    assert hook(sym, _at(5), [(B, 4993, 0, 1200)]) == ["judge"]
    assert hook(sym, _at(5), [(B, 4980, 0, 1999), (A, 5032, 0, 10**6)]) == []  # bucket 8 short; the ask out of band
    assert hook(sym, _at(5), [(A, 5032, 0, 10**6), (B, 4980, 0, 2000)]) == ["judge"]  # (20 ticks: within the band)
    assert hook(sym, _at(5), [(A, 5032, 0, 10**6), (A, 5031, 0, 800)]) == ["judge"]  # the ask band's edge
    assert hook(_sym(None, 5001), _at(5), [(B, 4999, 0, 10**6)]) == []  # no bids: none to start there
    assert hook(_sym(4999.0, 5001), _at(5), [(B, 4999, 0, 10**6)]) == ["on_delta"]  # a best price C does not take
    assert hook(_sym(1 << 61 + 1, 5001), _at(5), [(B, 4999, 0, 10**6)]) == ["on_delta"]
    with pytest.raises(KeyError):
        hook(_sym(KeyError("x"), 5001), _at(5), [(B, 4999, 0, 10**6)])
    assert hook(_sym(KeyError("x"), 5001), _at(5), [(B, 4999, 0, 899)]) == []  # (read only when one may reach)
    assert hook(None, _at(5), [(B, 4999, 0, 10)]) == []
    d.walls[(B, 4990)] = object()
    hook.walls(500, 4990, 4994, far, -far, (4990, 4994), ())
    assert hook(sym, _at(5), [(B, 4992, 0, 10), (A, 4990, 0, 10)]) == []  # between the bids' walls, at none; an ask
    assert hook(sym, _at(5), [(B, 4994, 7, 0)]) == ["judge"]
    hook.walls(500, 4990, 4994, far, -far, tuple(range(4990, 5007)), ())  # more than 16: the range alone
    assert hook(sym, _at(5), [(B, 4992, 0, 10)]) == ["judge"]
    for bad in ((4990, 4994.0), [4990], (True,)):
        hook.walls(500, 4990, 4994, far, -far, bad, ())
        assert len(hook.state()) == 2  # the walls' gate off
    hook.walls(500, 4990, 4994, far, -far, (4990, 4994), ())
    assert hook(sym, _at(499), [(B, 4980, 0, 2000)]) == ["judge"]  # an entry reached, walls or none
    assert hook(sym, _at(500), []) == ["judge"]
    for bad in ((20, 30, eb, ea[:9]), (20, 30, eb, list(ea)), (-1, 30, eb, ea), (20, 30.0, eb, ea),
                (20, 30, eb, (True,) * 10), (20, 30, eb, (1 << 62 + 1,) * 10)):
        hook.set(1000, 800, *bad)
        assert hook.state() is None and hook.entries() is None  # the gate off
    with pytest.raises(TypeError):
        hook.set(1000, 800, 20, 30, eb)
    hook.set(1000, 800)  # the entries left out: tmin at every price, as before
    assert hook.entries() is None
    d.walls.clear()
    assert hook(None, _at(5), [(B, 10, 0, 800)]) == ["judge"]


@needs_native
def test_a_change_under_a_dipping_candidates_entry_matters_only_outside_its_band():
    B, A = BookSide.BID, BookSide.ASK
    d, hook = _stub_hook()
    far = 1 << 62
    hook.set(1000, 800, 20, 30, (far,) * 10, (far,) * 10)  # (no entry reachable: the walls alone)
    d.walls[(B, 4990)] = object()
    hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,), (450, -far), (-far,))
    sym = _sym(5000, 5001)
    assert hook(sym, _at(5), [(B, 4990, 500, 449)]) == []  # under its entry, 10 ticks from the best: as it is
    assert hook(sym, _at(5), [(B, 4990, 500, 450)]) == ["judge"]  # back at its entry
    assert hook(sym, _at(5), [(B, 4994, 500, 10)]) == ["judge"]  # (not quiet: every change)
    assert hook(sym, _at(5), [(A, 5010, 500, 10)]) == ["judge"]
    assert hook(sym, _at(5), [(A, 4990, 500, 10)]) == []  # (an ask at a bid wall's price: none of its walls)
    assert hook(_sym(5011, 5012), _at(5), [(B, 4990, 500, 10)]) == ["judge"]  # 21 ticks: out of the band
    assert hook(_sym(5010, 5012), _at(5), [(B, 4990, 500, 10)]) == []  # (20: the band's edge)
    assert hook(_sym(None, 5012), _at(5), [(B, 4990, 500, 10)]) == ["judge"]  # no bids: it falls back
    hook.walls(500, 5, 5, far, -far, (5,), (), (450,), ())
    assert hook(_sym(None, 5012), _at(5), [(B, 5, 500, 10)]) == ["judge"]  # (no best price, not one at 0)
    assert hook(_sym(15, 5012), _at(5), [(B, 5, 500, 10)]) == []
    hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,), (450, -far), (-far,))
    assert hook(_sym(4999.0, 5012), _at(5), [(B, 4990, 500, 10)]) == ["on_delta"]  # a best C does not take
    with pytest.raises(KeyError):
        hook(_sym(KeyError("x"), 5001), _at(5), [(B, 4990, 500, 10)])
    hook.set(1000, 800)  # without the bands: no half-width known, every change at a wall
    hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,), (450, -far), (-far,))
    assert hook(sym, _at(5), [(B, 4990, 500, 449)]) == ["judge"]
    hook.set(1000, 800, 20, 30, (far,) * 10, (far,) * 10)
    hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,))  # (without the quiet sizes: every change)
    assert hook(sym, _at(5), [(B, 4990, 500, 449)]) == ["judge"]
    for bad in (((450,), (-far,)), ((450, -far), ()), ([450, -far], (-far,)), ((450.0, -far), (-far,)),
                ((450, 1 << 63), (-far,))):
        hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,), *bad)
        assert len(hook.state()) == 2  # the walls' gate off
    with pytest.raises(TypeError):
        hook.walls(500, 4990, 4994, 5010, 5010, (4990, 4994), (5010,), (450, -far))


@needs_native
def test_a_best_price_read_that_changes_the_list_is_read_again(monkeypatch):
    B = BookSide.BID
    d, hook = _stub_hook()
    far = 1 << 62
    changes = [(B, 4999, 0, 10**6)]

    class Odd(_Side):
        def best_px(self):
            changes.clear()  # (hostile: the list emptied while its best price is read)
            changes.extend([(B, 4999, 0, 5), "x"])
            return 5000

    hook.set(1000, 800, 20, 20, (800,) * 10, (far,) * 10)
    from types import SimpleNamespace
    sym = SimpleNamespace(book=SimpleNamespace(bids=Odd(5000), asks=_Side(None)))
    assert hook(sym, _at(5), changes) == ["on_delta"]  # (its second read found what C does not take)
    changes[:] = [(B, 4999, 0, 10**6)]

    class Off(_Side):
        def best_px(self):
            hook.set(1000, 800)  # (the numbers handed over again meanwhile)
            return 5000
    sym = SimpleNamespace(book=SimpleNamespace(bids=Off(5000), asks=_Side(None)))
    assert hook(sym, _at(5), changes) == ["on_delta"]


def test_the_entries_are_what_level_asks_of_a_new_candidate():
    from types import SimpleNamespace

    from dom.core.detectors.wall_hook import entries
    from dom.core.detectors.wall_state import DistanceBaseline

    far = 1 << 62
    B, A = BookSide.BID, BookSide.ASK
    dist = DistanceBaseline(50, 3)
    dist.add([0, 0, 0, 7, 7, 7, 30, 30, 31], [100, 200, 300, 10, 10, 10, 5000, 7000, 6000])
    dist.refresh()
    det = SimpleNamespace(p=DetectorParams(wall_distance_ratio=3.0), threshold={B: 400}, half={B: 20, A: 25},
                          dist={B: dist, A: DistanceBaseline(50, 3)})
    hb, ha, eb, ea, mb, ma = entries(det)
    assert (mb, ma) == (400, far)
    assert (hb, ha) == (20, 25) and ea == (far,) * 10  # no threshold on the asks: none starts there
    assert eb == (400, far, far, far, far, far, 400, far, far, 400)  # (no P90 worked out yet: the threshold)
    assert [det.dist[B].typical(d) for d in (0, 7, 30)] == [200, 10, 6000]  # (what _level reads)
    # bucket 0: P90 of 100, 200, 300 is 200 (sorted[int(0.9 x 2)]): 3 x 200 + 1; bucket 6 (7 ticks): the
    # threshold over 3 x 10 + 1; bucket 9: 3 x 6000 + 1; the rest warming up
    assert entries(det)[2] == (601, far, far, far, far, far, 400, far, far, 18001)
    det.p = DetectorParams(wall_distance_ratio=float("nan"))
    assert entries(det)[2] == (400, far, far, far, far, far, 400, far, far, 400)  # (no number: the threshold)


@needs_native
def test_a_trade_into_a_candidate_leaves_the_hook_as_it_was():
    """The walls' trade path is the detector's alone: a candidate's turn already counts with a
    trade into it (``candidate_due``), so a trade changes nothing of the hook's gate."""
    from dom.core.detectors.wall_state import _Wall

    s = EventScript(DetectorParams(spoofs=False, wall_traded_fraction=0.3, **OFF), _book())
    st = s.eng["KITEUSDT"]
    walls = next(o for o in st.observers if isinstance(o, WallDetector))
    B, A = BookSide.BID, BookSide.ASK
    walls.walls[(A, 5005)] = _Wall(A, 5005, s.t, 50_000, 50_000)
    walls.walls[(B, 4990)] = _Wall(B, 4990, s.t, 50_000, 50_000, announced=True)
    walls.hook.set(s.t + 10**12, 1 << 40)
    walls.hook.walls(s.t + 10**12, 4990, 4990, 5005, 5005, (4990,), (5005,))
    before = walls.hook.state()
    for px, taker in ((4990, TakerSide.SELL), (5005, TakerSide.BUY)):
        s.tid += 1
        walls.on_trade(st, Trade("KITEUSDT", px, 7, taker, s.tid, s.t, s.t))
        assert walls.hook.state() == before
    assert walls.walls[(A, 5005)].traded == 7


@needs_native
def test_many_band_reads_leave_no_reference_behind():
    import sys

    B, A = BookSide.BID, BookSide.ASK
    d, hook = _stub_hook()
    best = 5000 + (1 << 40)  # (not a cached small int)
    sym = _sym(best, best + 1)
    hook.set(1000, 800, 20, 20, (800,) * 10, (800,) * 10)
    d.walls[(B, best - 30)] = object()
    hook.walls(500, best - 30, best - 30, 1 << 62, -(1 << 62), (best - 30,), ())
    ch = [(B, best - 1, 0, 700), (A, best + 50, 0, 900), (B, best - 3, 0, 900)]
    before = sys.getrefcount(sym.book.bids), sys.getrefcount(best), sys.getrefcount(ch[2]), sys.getrefcount(sym)
    for i in range(20_000):
        assert hook(sym, _at(5), ch[:2]) == []
        assert hook(sym, _at(5), ch) == ["judge"]
    assert (sys.getrefcount(sym.book.bids), sys.getrefcount(best), sys.getrefcount(ch[2]), sys.getrefcount(sym)) == before


@pytest.mark.parametrize("seed,params", [(11, {}), (12, {"wall_distance_ratio": 1.0}), (13, {"wall_distance_ratio": 6.0})])
def test_judge_with_the_entries_is_judge_with_the_thresholds(seed, params, monkeypatch):
    """_judge picks, and the stats' levels go to _level, only up to a side's lowest entry
    (``entries``): the same alerts and state after every event as with the thresholds alone."""
    import dom.core.detectors.walls as wmod
    from dom.core.detectors.wall_hook import hand_band

    want, want_seen, _, _ = market(seed, hooks=False, **params)

    def thresholds_only(det):
        hand_band(det)
        far = 1 << 62
        tb, ta = det.threshold.get(BookSide.BID, far), det.threshold.get(BookSide.ASK, far)
        det.ents = (tb,) * 10, (ta,) * 10  # (what wall_pick reads: the thresholds in every bucket)
        return tb, ta
    monkeypatch.setattr(wmod, "hand_band", thresholds_only)
    got, got_seen, _, _ = market(seed, hooks=False, **params)
    assert got == want and [x[:10] for x in got_seen] == [x[:10] for x in want_seen]
    assert {"new", "end"} <= {a[1].value for a in got}


@pytest.mark.parametrize("hooks", [True, False])
def test_a_level_at_its_entry_starts_a_candidate_and_one_lot_under_does_not(hooks):
    from dom.core.detectors.wall_state import _bucket

    if hooks and NATIVE is None:
        pytest.skip("the C accelerator is not built")
    for under in (0, 1):
        s = EventScript(DetectorParams(spoofs=False, **OFF), _book())
        st = s.eng["KITEUSDT"]
        if not hooks:
            st.delta_hooks = [ob.on_delta for ob in st.observers if getattr(type(ob), "on_delta", None) is not _BASE]
        walls = next(o for o in st.observers if isinstance(o, WallDetector))
        for i in range(410):  # warm: the distance baselines
            s.delta(asks=[(5100, 7 + i % 2)], bids=[(4993, 8000 + i % 5), (4999, 1010 + i % 3)])
        for i in range(30):  # (past a refresh of the baselines: their P90s known)
            s.delta(asks=[(5100, 7 + i % 2)], dt_ms=1000)
        from dom.core.detectors.wall_hook import entries, hand_band
        walls.dist[BookSide.BID].typical(7)  # (asked, as _level asks it: the next stats' entries hold its P90)
        walls.entry = hand_band(walls)
        hb, ha, eb, ea, mb, ma = entries(walls)
        assert walls.entry == (mb, ma)
        if hooks:
            assert walls.hook.entries() == (hb, ha, eb, ea)  # (worked out in C: the same)
        px = 4993  # 7 ticks under the best bid: bucket 6
        e = eb[_bucket(5000 - px)]
        assert mb <= e < 1 << 40 and e > walls.threshold[BookSide.BID]  # (the distance's entry binds)
        s.delta(bids=[(px, e - under)], dt_ms=5)  # (no stats due: the message's own changes)
        assert ((BookSide.BID, px) in walls.walls) is (not under), (under, e)


@needs_native
def test_the_gate_reads_a_books_flat_index_as_best_px_does():
    from types import SimpleNamespace

    from dom.core.book import BookSideLevels

    B, A = BookSideLevels(BookSide.BID), BookSideLevels(BookSide.ASK)
    B.load([(5000, 10), (4990, 10)])
    A.load([(5001, 10), (5010, 10)])
    d = _Stub()
    S = LargeSteps
    hook = NATIVE.WallHook(d, d.walls, None, BookDelta, BookDelta.ts_exchange_ns, S, S.synced_ns, S._at, S.start,
                           S.twin, S.st, S.floor, S.half, S.samples, BookSide.BID, BookSideLevels)
    hook.set(1000, 800, 20, 20, (800,) * 10, (800,) * 10)
    sym = SimpleNamespace(book=SimpleNamespace(bids=B, asks=A))
    bid, ask = BookSide.BID, BookSide.ASK
    assert hook(sym, _at(5), [(bid, 4980, 0, 900), (ask, 5021, 0, 900)]) == ["judge"]  # (20 ticks from each best)
    assert hook(sym, _at(5), [(bid, 4979, 0, 900), (ask, 5022, 0, 900)]) == []
    A.load([])
    assert hook(sym, _at(5), [(ask, 5021, 0, 900)]) == []  # (an empty side)
    B._r = 2  # (not what the flat read takes: best_px() itself, 2 x 5000)
    assert hook(sym, _at(5), [(bid, 9980, 0, 900)]) == ["judge"]
    with pytest.raises(TypeError):
        NATIVE.WallHook(d, d.walls, None, BookDelta, BookDelta.ts_exchange_ns, S, S.synced_ns, S._at, S.start,
                        S.twin, S.st, S.floor, S.half, S.samples, BookSide.BID, "not a class")


def _candidate(px=4990, size=500, enter=450, side=BookSide.BID):
    from dom.core.detectors.wall_state import _Wall

    return _Wall(side, px, 1, size, size, enter=enter, dist=3)


@needs_native
def test_a_steady_candidates_changes_are_done_in_c():
    """A change at a steady candidate (``hand_walls``' hold size and rise flag), up to its hold size
    within its side's band, when nothing else in the message matters: the hook does ``_level``'s
    work (size, peak, distance) and returns a fresh empty list; anything else goes to ``_judge``
    with nothing written."""
    B, A = BookSide.BID, BookSide.ASK
    far = 1 << 62
    d, hook = _stub_hook()
    hook.set(1000, 800, 20, 30, (far,) * 10, (far,) * 10)  # (no entry reachable: the walls alone)
    w = d.walls[(B, 4990)] = _candidate()
    gate = (500, 4990, 4990, far, -far, (4990,), (), (-far,), ())
    hook.walls(*gate, (450,), (), (1,), ())
    sym = _sym(5000, 5001)
    assert hook(sym, _at(5), [(B, 4990, 500, 600)]) == [] and not d.calls
    assert (w.size, w.peak, w.dist, w.dip_ns) == (600, 600, 10, 0)
    assert hook(sym, _at(6), [(B, 4990, 600, 450)]) == []  # (its entry exactly: it holds; the peak stays)
    assert (w.size, w.peak) == (450, 600)
    assert hook(_sym(5010, 5011), _at(7), [(B, 4990, 450, 460), (B, 4990, 460, 700)]) == []  # (twice: in order)
    assert (w.size, w.peak, w.dist) == (700, 700, 20)  # (20 ticks: the band's edge)
    before = dataclasses.astuple(w)
    for sym2, chs in [(sym, [(B, 4990, 700, 449)]),  # under its entry: a dip, _judge's
                      (_sym(5011, 5012), [(B, 4990, 700, 800)]),  # out of its band
                      (_sym(None, 5012), [(B, 4990, 700, 800)]),  # no best price
                      (sym, [(B, 4990, 700, 800), (A, 5005, 0, 10**9)]),  # (no entry to reach: nothing else matters)
                      (sym, [(B, 4990, 700, 800), (B, 4991, 0, 5)]),  # (not a wall's price: nothing)
                      ]:
        d.calls.clear()
        got = hook(sym2, _at(8), chs)
        if chs[-1][1] in (5005, 4991):
            assert got == [] and (w.size, w.peak, w.dist) == (800, 800, 10)
            for f, x in zip(dataclasses.fields(w), before):
                setattr(w, f.name, x)
        else:
            assert got == ["judge"] and dataclasses.astuple(w) == before, chs
    hook.set(1000, 800, 20, 30, (far,) * 10, (900,) * 10)
    hook.walls(*gate, (450,), (), (1,), ())
    assert hook(sym, _at(8), [(B, 4990, 700, 800), (A, 5005, 0, 900)]) == ["judge"]  # (an entry reached)
    assert dataclasses.astuple(w) == before
    # past its wait (rise 0): a change not over the level's old size holds, an increase goes to _judge
    hook.walls(*gate, (450,), (), (0,), ())
    assert hook(sym, _at(9), [(B, 4990, 700, 600)]) == [] and (w.size, w.peak) == (600, 700)
    assert hook(sym, _at(9), [(B, 4990, 600, 600)]) == [] and w.size == 600
    assert hook(sym, _at(9), [(B, 4990, 600, 601)]) == ["judge"] and w.size == 600
    # not steady (hold 2^62), or the gate's numbers stale: _judge, nothing written
    hook.walls(*gate, (far,), (), (1,), ())
    assert hook(sym, _at(9), [(B, 4990, 600, 650)]) == ["judge"] and w.size == 600
    hook.walls(*gate, (450,), (), (1,), ())
    assert hook(sym, _at(500), [(B, 4990, 600, 650)]) == ["judge"]  # (due)
    assert hook(sym, _at(1000), [(B, 4990, 600, 650)]) == ["judge"] and w.size == 600  # (stats)
    for attr, v in [("enter", 451), ("announced", True), ("dip_ns", 3), ("peak", 700.0), ("peak", (1 << 61) + 1),
                    ("enter", None)]:
        old = getattr(w, attr)
        setattr(w, attr, v)
        snap = dataclasses.astuple(w)
        assert hook(sym, _at(9), [(B, 4990, 600, 650)]) == ["judge"], attr
        assert dataclasses.astuple(w) == snap
        setattr(w, attr, old)
    d.walls[(B, 4970)] = _candidate(4970)  # (walls standing, but not this one: missing from the dict)
    del d.walls[(B, 4990)]
    assert hook(sym, _at(9), [(B, 4990, 600, 650)]) == ["judge"] and w.size == 600
    d.walls[(B, 4990)] = w
    del d.walls[(B, 4970)]
    # two candidates, one not as handed over: nothing written to either
    v = d.walls[(B, 4980)] = _candidate(4980, enter=300)
    hook.walls(500, 4980, 4990, far, -far, (4990, 4980), (), (-far, -far), (), (450, 301), (), (1, 1), ())
    assert hook(sym, _at(9), [(B, 4990, 600, 650), (B, 4980, 500, 900)]) == ["judge"]
    assert (w.size, v.size, v.peak) == (600, 500, 500)
    hook.walls(500, 4980, 4990, far, -far, (4990, 4980), (), (-far, -far), (), (450, 300), (), (1, 1), ())
    assert hook(sym, _at(9), [(B, 4990, 600, 650), (B, 4980, 500, 900)]) == []
    assert (w.size, v.size, v.peak, v.dist) == (650, 900, 900, 20)
    # more holds in a message than C keeps: _judge
    many = [(B, 4990, 600, 650 + k) for k in range(17)]
    assert hook(sym, _at(9), many) == ["judge"] and w.size == 650
    assert hook(sym, _at(9), many[:16]) == [] and w.size == 665
    # without the bands' numbers: every change at a wall's price is _judge's
    hook.set(1000, 800)
    hook.walls(*gate, (450,), (), (1,), ())
    assert hook(sym, _at(9), [(B, 4990, 665, 700)]) == ["judge"] and w.size == 665
    # what walls() does not take turns the walls' gate off; the wrong count raises
    hook.set(1000, 800, 20, 30, (far,) * 10, (far,) * 10)
    for bad in [((450,), (), (2,), ()), ((450,), (), (-1,), ()), ((450,), (), (1.0,), ()), ((450.0,), (), (1,), ()),
                ((450,), (), (1,), [1]), ([450], (), (1,), ()), ((450, 1), (), (1,), ()), ((450,), (), (), ()),
                ((1 << 63,), (), (1,), ()), ((450,), (), (True,), ())]:
        hook.walls(*gate, *bad)
        assert len(hook.state()) == 2, bad
    with pytest.raises(TypeError):
        hook.walls(*gate, (450,), (), (1,))


@needs_native
@pytest.mark.parametrize("seed,params", [(31, {}), (32, {"wall_persist_ms": 8000}), (33, {"wall_traded_fraction": 0.05}),
                                         (34, {"wall_ref_step_ratio": 2.0})])
def test_a_steady_candidates_changes_done_in_c_are_on_delta_s(seed, params, monkeypatch):
    """A market where large levels keep changing at large sizes: the hook with the steady
    candidates' changes done in C gives ``on_delta``'s alerts and state after every event, and
    (where ``hand_walls`` hands steady candidates: the traded fraction off) fewer ``_judge`` calls
    than the hook without the hold sizes."""
    import dom.core.detectors.walls as wmod
    from dom.core.detectors.wall_hook import hand_walls

    got, got_seen, _, _, want, want_seen, judged = hooked_and_not(monkeypatch, seed, spoofs=False, holds=True,
                                                                  **params)
    assert got == want and got_seen == want_seen
    assert {"new", "end"} <= {a[1].value for a in got}

    def no_holds(det, now):  # (the walls' gate without the hold sizes)
        real = det.hook

        class R:
            def walls(self, *a):
                real.walls(*a[:9])
        det.hook = R()
        try:
            hand_walls(det, now)
        finally:
            det.hook = real
    monkeypatch.setattr(wmod, "hand_walls", no_holds)
    judged.append(0)
    got2, got2_seen, _, _ = market(seed, hooks=True, spoofs=False, holds=True, **params)
    assert got2 == want and [x[:10] for x in got2_seen] == [x[:10] for x in want_seen]
    if params.get("wall_traded_fraction"):
        assert judged[0] == judged[2], judged  # (no steady candidate handed over)
    else:  # (with the reference's path on, only candidates inside their wait are steady: fewer)
        assert judged[0] <= judged[2] - (5 if params.get("wall_ref_step_ratio") else 20), judged


@needs_native
def test_many_holds_leave_no_reference_behind():
    import sys

    B = BookSide.BID
    far = 1 << 62
    d, hook = _stub_hook()
    hook.set(1000, 800, 20, 30, (far,) * 10, (far,) * 10)
    w = d.walls[(B, 4990)] = _candidate()
    hook.walls(500, 4990, 4990, far, -far, (4990,), (), (-far,), (), (450,), (), (1,), ())
    sym = _sym(5000, 5001)
    sizes = [10**6 + k for k in range(50)]  # (ints of their own: their counts are read)
    before = [sys.getrefcount(q) for q in sizes], sys.getrefcount(w)
    for i in range(4000):
        q = sizes[i % 50]
        assert hook(sym, _at(5), [(B, 4990, 500, q)]) == ([] if w.enter == 450 else ["judge"])
        w.enter = 451 if i % 3 == 0 else 450  # (every third declined: _judge, nothing written)
    del q
    w.size = w.peak = 0
    assert ([sys.getrefcount(q) for q in sizes], sys.getrefcount(w)) == before
