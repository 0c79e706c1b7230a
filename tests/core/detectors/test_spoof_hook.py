"""Pulled liquidity's depth hook (``PullsHook``, _native_pdh.c: what ``SpoofDetector.delta_hook``
gives the engine) against the detector's own ``on_delta``: on random markets whose price walks
(large levels placed ahead of it, some pulled as it comes, some eaten), the same alerts and the same
state after every event, with the hook or with ``on_delta`` itself; what the hook does not take (a
message of another class, a size past what C reads, a book side on the tree index) ends as
``on_delta`` would have it; and where the hook is not made at all."""

from __future__ import annotations

import random

import pytest

from dom.core import accel, price_index
from dom.core.book import BookSideLevels
from dom.core.detectors import DetectorParams, spoof_delta, spoof_store
from dom.core.detectors.spoof import SpoofDetector
from dom.core.types import BookDelta, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, OddDelta, flat_book

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
PARAMS = {"icebergs": False, "absorptions": False, "bursts": False, "sweeps": False, "spoof_ratio": 3.0,
          "spoof_min_flow_share": 0.0}


def state(sp: SpoofDetector) -> tuple:
    """What pulled liquidity holds: its store, pulls, tapes, the list the hook reads (``lim``), the
    depth times, thresholds, medians, band half-widths, the volatility's samples, the judged and the
    alignment slack (the trade hook feeds it against the depth time)."""
    steps = None if sp.steps is None else (sorted(sp.steps.samples.sorted), dict(sp.steps.at))
    return (sp.st.state(), [vars(x) for x in sp.pulls], [(list(t.q), t.popped) for t in sp.trades.values()],
            list(sp.lim), sp.depth_t, sp.prev_depth_t, dict(sp.threshold), dict(sp.median), dict(sp.half),
            sp.range_pct, list(sp.judged), sp.n, steps, sp.slack.state())


def market(seed: int, hook: bool, walls: bool = True, odd_at: int = -1, huge_at: int = -1,
           params: dict | None = None, wide: int = 0) -> tuple:
    """A price walking from 0.5000 with large levels placed ahead of it and pulled (or eaten) as it
    comes, trades pushing it, a gap and a snapshot midway. ``hook`` False: the engine calls
    ``on_delta`` and ``on_trade`` themselves. The ``odd_at``-th message is an ``OddDelta``; the ``huge_at``-th holds a
    level of 2^62 lots (more than C reads). Returns the alerts, the state after every event and how
    the engine's depth hooks were made. ``params``: more parameters (knobs on). ``wide``: that many
    more queue changes a message (a real book's message holds ~68)."""
    s = EventScript(DetectorParams(walls=walls, **{**PARAMS, **(params or {})}), flat_book(60))
    st = s.eng["KITEUSDT"]
    sp = next(o for o in st.observers if isinstance(o, SpoofDetector))
    if not hook:  # (the trade hook too: it reads the depth time the depth hook moves on)
        st.delta_hooks = [ob.on_delta for ob in st.observers]
        st.trade_hooks = [ob.on_trade for ob in st.observers]
    kinds = [type(h).__name__ for h in st.delta_hooks]
    pulls = sp.pulls  # (the hook holds it: _judge keeps it in place)
    rng = random.Random(seed)
    bb, seen = 5000, []
    for i in range(1200):
        if i == 600:  # a gap (the book unsynced), then a snapshot where price got to
            s.u += 5
            s.delta(asks=[(bb + 9, 7)])
            s.u += 5
            s.snapshot((tuple((bb - k, 1000) for k in range(60)), tuple((bb + 1 + k, 1000) for k in range(60))))
        bids, asks = [], []
        step = rng.choice((0, 0, 0, 0, 1, -1))
        if step > 0:  # price up: the best ask taken, a bid placed above
            asks.append((bb + 1, 0))
            bids.append((bb + 1, rng.randrange(300, 2000)))
        elif step < 0:
            bids.append((bb, 0))
            asks.append((bb, rng.randrange(300, 2000)))
        bb += step
        for _ in range(rng.randrange(0, 8) + wide):  # the queue wanders
            bid = rng.random() < 0.5
            d = rng.randrange(1, 40)
            (bids if bid else asks).append((bb - d if bid else bb + 1 + d, rng.randrange(300, 2000)))
        if rng.random() < 0.15:  # a large level ahead of price, or one pulled near it
            bid = rng.random() < 0.5
            d = rng.randrange(2, 14)
            px = bb - d if bid else bb + 1 + d
            q = rng.choice((rng.randrange(6000, 40000), 0 if d < 6 else rng.randrange(300, 900)))
            (bids if bid else asks).append((px, q))
        if i == huge_at:
            asks.append((bb + 200, 2**62))  # (far out: no candidate, but C does not read the message)
        dt = rng.choice((20, 50, 100, 100, 250))
        if i == odd_at:
            s.t += dt * MS
            s.feed(OddDelta("KITEUSDT", tuple(bids), tuple(asks), s.u + 1, s.u + 1, s.u, s.t, s.t))
            s.u += 1
        else:
            s.delta(bids, asks, dt_ms=dt)
        seen.append(state(sp))
        for _ in range(rng.choice((0, 0, 1, 2, 4))):
            up = step > 0 or (step == 0 and rng.random() < 0.5)
            s.trade(bb + 1 if up else bb, rng.randrange(1, 3000), TakerSide.BUY if up else TakerSide.SELL,
                    at_ns=s.t - rng.randrange(0, 200) * MS * (rng.random() < 0.2))
            seen.append(state(sp))
    assert sp.pulls is pulls
    return [repr(a) for a in s.alerts], seen, kinds


@needs_native
@pytest.mark.parametrize("seed, walls", [(1, True), (2, True), (3, False), (4, False)])
def test_the_hook_is_on_delta_event_by_event(seed, walls):
    got, got_seen, kinds = market(seed, True, walls)
    want, want_seen, _ = market(seed, False, walls)
    assert kinds == (["WallHook", "PullsHook"] if walls else ["PullsHook"])  # (both hooks feed the step window)
    assert got == want
    assert got_seen == want_seen
    # (the market exercises it: candidates, pulls judged, alerts, the tapes expired)
    assert sum(bool(x[0][0]) for x in want_seen) > 500 and any(x[1] for x in want_seen)
    assert any(x[2][0][1] for x in want_seen) and any(x[10] for x in want_seen)
    assert got or walls  # (pulls alerted where no walls share the band)


@needs_native
def test_what_the_hook_does_not_take_ends_as_on_delta(monkeypatch):
    rest, handed = spoof_delta.rest_py, []
    with monkeypatch.context() as m:  # (the hook is handed the kit when made: count what C hands on)
        m.setattr(spoof_delta, "KIT", tuple((lambda *a: handed.append(1) or rest(*a)) if x is rest else x
                                            for x in spoof_delta.KIT))
        got, got_seen, _ = market(5, True, odd_at=100, huge_at=300)
    want, want_seen, _ = market(5, False, odd_at=100, huge_at=300)
    assert got == want and got_seen == want_seen
    assert handed  # (the message with a size C does not read went to rest_py)
    # A book side on the tree index (past FLAT_MAX levels, the best price asked of it) and back
    monkeypatch.setattr(price_index, "FLAT_MAX", 64)
    calls = []
    best_px = BookSideLevels.best_px
    monkeypatch.setattr(BookSideLevels, "best_px", lambda self: calls.append(1) or best_px(self))
    got, got_seen, _ = market(6, True)
    n = len(calls)
    want, want_seen, _ = market(6, False)
    assert got == want and got_seen == want_seen
    assert 0 < n < len(calls)  # (the hook asked best_px only of a side on the tree index)


@needs_native
def test_the_hook_is_made_only_where_it_does_on_deltas_work(monkeypatch):
    s = EventScript(DetectorParams(**PARAMS), flat_book(20))
    sp = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, SpoofDetector))
    assert type(sp.delta_hook()).__name__ == "PullsHook"

    class Own(SpoofDetector):
        def on_delta(self, sym, delta, changes):
            return super().on_delta(sym, delta, changes)

    own = Own.__new__(Own)
    own.__dict__.update(vars(sp))
    assert own.delta_hook() == own.on_delta  # (a subclass's on_delta is its own)
    with monkeypatch.context() as m:
        m.setattr(spoof_delta, "FILTER", False)
        assert sp.delta_hook() == sp.on_delta
    with monkeypatch.context() as m:
        m.setattr(accel, "native", None)
        assert sp.delta_hook() == sp.on_delta
    held = sp.held
    sp.held = (spoof_store.PullState(BID, ASK),) + held[1:]  # (the Python twin of the store)
    assert sp.delta_hook() == sp.on_delta
    sp.held = held


@needs_native
def test_the_hook_refuses_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**PARAMS), flat_book(20))
    sym = s.eng["KITEUSDT"]
    sp = next(o for o in sym.observers if isinstance(o, SpoofDetector))
    kit = spoof_delta.native_kit(sp)
    assert kit is not None
    det, k, held, dpy, cls, ts, side_cls = kit
    for bad in ((det, k[:-1], held, dpy, cls, ts, side_cls),  # a kit short
                (det, k, held[:-1], dpy, cls, ts, side_cls),  # held short
                (det, k, (spoof_store.PullState(BID, ASK),) + held[1:], dpy, cls, ts, side_cls),  # the twin store
                (det, k, held[:-1] + (tuple(held[-1]),), dpy, cls, ts, side_cls),  # lim not a list
                (det, k, held, 5, cls, ts, side_cls),  # delta_py not callable
                (det, k, held, dpy, cls, BookDelta.__init__, side_cls),  # not a slot descriptor
                (det, k, held, dpy, OddDelta, ts, side_cls)):  # the descriptor not that class's
        with pytest.raises(ValueError):
            NATIVE.PullsHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.PullsHook(det, list(k), held, dpy, cls, ts, side_cls)
    with pytest.raises(TypeError):
        NATIVE.PullsHook(*kit, 1)
    hook = NATIVE.PullsHook(*kit)
    d = BookDelta("KITEUSDT", (), ((5021, 3),), 1, 1, 0, 10**9, 10**9)
    with pytest.raises(TypeError):
        hook(sym, d)
    with pytest.raises(TypeError):
        hook(sym, d, [], extra=1)
    assert hook(sym, d, []) == [] and sp.depth_t == 10**9 and sp.lim[0] == 2 * 10**9  # (the grid's first point)
    assert hook(sym, d, []) == [] and sp.prev_depth_t == 0  # (the same time: no move)
    with pytest.raises(AttributeError):
        hook(sym, object(), [])  # (not a BookDelta: on_delta's own error)
    sp.lim.append(0)  # (lim resized: refused, no crash)
    with pytest.raises(ValueError):
        hook(sym, BookDelta("KITEUSDT", (), (), 2, 2, 1, 2 * 10**9, 2 * 10**9), [])
    sp.lim.pop()
    for t in (1.5e9, 2**63, -(2**63)):  # a time C does not read: the Python way, as on_delta
        bad = BookDelta("KITEUSDT", (), (), 3, 3, 2, t, t)
        try:
            want = sp.on_delta(sym, bad, [])
        except Exception as e:  # noqa: BLE001
            want = type(e)
        try:
            got = hook(sym, bad, [])
        except Exception as e:  # noqa: BLE001
            got = type(e)
        assert got == want
