"""The walls' trade hook (``AtdWallHook``, _native_atd_wall.c: what ``WallDetector.trade_hook``
gives the engine) against the detector's own ``on_trade``: on random markets where walls stand and
are traded into, the same alerts and the same walls (their traded volume) after every event;
values Python adds its own way (floats, int subclasses, huge ints, a wall's volume spoiled) the
same; a trade of another class to ``on_trade``; the hook made only where it does ``on_trade``'s
work; many calls leave no references behind."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors.walls import WallDetector
from dom.core.types import AlertKind, BookSide, TakerSide, Trade
from tests.core.detectors.script import EventScript, OddTrade

BID, ASK = BookSide.BID, BookSide.ASK
SELL, BUY = TakerSide.SELL, TakerSide.BUY
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
PARAMS = {"absorptions": False, "icebergs": False, "spoofs": False, "bursts": False, "sweeps": False,
          "wall_step_rank": 0}


def setup(hook: bool):
    """A 60-level book that thickens away from the touch (as test_walls.py's), the distances'
    baselines warmed up."""
    book = (tuple((5000 - i, 1000 + 10 * i) for i in range(60)), tuple((5001 + i, 1000 + 10 * i) for i in range(60)))
    s = EventScript(DetectorParams(**PARAMS), book)
    s.idle_px = 5100
    s.kind = AlertKind.WALL
    st = s.eng["KITEUSDT"]
    det = next(o for o in st.observers if isinstance(o, WallDetector))
    if not hook:
        st.trade_hooks = [det.on_trade]
    s.idle(41_000)
    return s, st, det


def a_wall(s, det):
    """A large bid standing 10 ticks below the touch: the wall's (key, state)."""
    s.delta(bids=[(4990, 60_000)])
    s.idle(3500)
    return next(iter(det.walls.items()))


def walls(det):
    return sorted((k[0].value, k[1], repr(w.traded), w.announced) for k, w in det.walls.items())


def market(seed: int, hook: bool, steps: int = 600, odd=None):
    """Large levels near the touch that stand for a while, traded into (some trades at other
    prices or of odd sizes from ``odd(i)``). Returns the alerts, the walls after every event, the
    hooks' kinds and how many trades met a wall."""
    s, st, det = setup(hook)
    rng = random.Random(seed)
    seen, met = [], 0
    for i in range(steps):
        bid = rng.random() < 0.5
        px = 5000 - rng.randrange(2, 14) if bid else 5001 + rng.randrange(2, 14)
        size = rng.choice((rng.randrange(200, 3000), rng.randrange(40_000, 90_000), 1000 + 10 * abs(px - 5000)))
        s.delta(bids=[(px, size)] if bid else [], asks=[] if bid else [(px, size)],
                dt_ms=rng.choice((20, 100, 100, 400, 3000)))
        seen.append(walls(det))
        for _ in range(rng.choice((0, 1, 3, 6))):
            q = odd(i) if odd is not None else None
            q = rng.randrange(1, 3000) if q is None else q
            tpx = px + rng.choice((0, 0, 0, 1, -1))
            taker = SELL if bid else BUY
            met += ((BID if taker is SELL else ASK), tpx) in det.walls
            s.tid += 1
            s.feed(Trade("KITEUSDT", tpx, q, taker, s.tid, s.t, s.t))
            seen.append(walls(det))
    return [repr(a) for a in s.alerts], seen, [type(h).__name__ for h in st.trade_hooks], met


@needs_native
@pytest.mark.parametrize("seed", [1, 2])
def test_the_hook_is_on_trade_event_by_event(seed):
    got, got_seen, kinds, met = market(seed, True)
    want, want_seen, _, _ = market(seed, False)
    assert kinds == ["AtdWallHook"]
    assert got == want and got_seen == want_seen
    assert met > 100 and any(w[2] != "0" for x in got_seen for w in x)  # (trades into walls, counted)
    assert len(got) > 5


class Sub(int):
    pass


@needs_native
def test_odd_sizes_add_as_python_adds_them():
    for bad in (0.5, True, 2**70, Sub(7), -3):
        got = market(3, True, steps=300, odd=lambda i: bad if i % 7 == 0 else None)[:2]
        want = market(3, False, steps=300, odd=lambda i: bad if i % 7 == 0 else None)[:2]
        assert got == want, bad
    seen = []
    for hook in (True, False):  # a wall's volume that cannot take the size: the same error
        s, st, det = setup(hook)
        _, w = a_wall(s, det)
        w.traded = "x"
        try:
            s.trade(w.px, 5, SELL if w.side is BID else BUY)
            seen.append(walls(det))
        except TypeError as e:
            seen.append(str(e))
    assert seen[0] == seen[1] and "str" in seen[0]


@needs_native
def test_other_trades_and_arguments():
    s, st, det = setup(True)
    hook = st.trade_hooks[0]
    (side, px), w = a_wall(s, det)
    before = w.traded
    assert hook(st, OddTrade("KITEUSDT", px, 7, SELL, 1, s.t, s.t)) == [] and w.traded == before + 7  # (on_trade)
    assert hook(None, Trade("KITEUSDT", px, 3, SELL, 2, s.t, s.t)) == [] and w.traded == before + 10
    assert hook(st, Trade("KITEUSDT", px, 3, BUY, 3, s.t, s.t)) == [] and w.traded == before + 10  # (the asks)
    with pytest.raises(TypeError):
        hook(st)
    with pytest.raises(TypeError):
        hook(st, None, None)
    with pytest.raises(TypeError):
        hook(st, Trade("KITEUSDT", px, 1, SELL, 1, s.t, s.t), extra=1)
    with pytest.raises(AttributeError):
        hook(st, object())  # (not a Trade: on_trade's own error)
    det.walls.clear()
    with pytest.raises(TypeError):
        NATIVE.AtdWallHook(det, det.walls, Trade, Trade.taker, Trade.px_ticks, Trade.qty_lots, BID, ASK)
    for bad in ((det, det.walls, Trade, Trade.taker, Trade.px_ticks, Trade.__init__, BID, ASK, BUY),
                (det, det.walls, OddTrade, Trade.taker, Trade.px_ticks, Trade.qty_lots, BID, ASK, BUY),
                (det, det.walls, Trade, Trade.taker, Trade.px_ticks, Trade.qty_lots, BID, BID, BUY)):
        with pytest.raises(ValueError):
            NATIVE.AtdWallHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.AtdWallHook(det, [], Trade, Trade.taker, Trade.px_ticks, Trade.qty_lots, BID, ASK, BUY)


@needs_native
def test_the_hook_is_made_only_where_it_does_on_trades_work(monkeypatch):
    s, st, det = setup(True)
    assert type(det.trade_hook()).__name__ == "AtdWallHook"

    class Own(WallDetector):
        def on_trade(self, sym, trade):
            return super().on_trade(sym, trade)

    own = Own.__new__(Own)
    own.__dict__.update(vars(det))
    assert own.trade_hook() == own.on_trade
    with monkeypatch.context() as m:
        m.setattr(accel, "native", None)
        assert det.trade_hook() == det.on_trade


@needs_native
def test_many_calls_leave_no_references_behind():
    import gc

    market(5, True, steps=300)
    gc.collect()
    before = sys.getallocatedblocks()
    market(5, True, steps=300)
    gc.collect()
    assert sys.getallocatedblocks() - before < 300
    s, st, det = setup(True)
    (side, px), w = a_wall(s, det)
    hook = st.trade_hooks[0]
    q = 10**6 + 1  # (an int of its own)
    tr = Trade("KITEUSDT", px, q, SELL, 1, s.t, s.t)
    miss = Trade("KITEUSDT", px + 100, q, SELL, 1, s.t, s.t)
    w.traded = 0
    refs = (sys.getrefcount(q), sys.getrefcount(tr), sys.getrefcount(w), sys.getrefcount(px))
    for _ in range(20_000):
        assert hook(st, tr) == [] and hook(st, miss) == []
    assert w.traded == 20_000 * q
    assert (sys.getrefcount(q), sys.getrefcount(tr), sys.getrefcount(w), sys.getrefcount(px)) == refs

