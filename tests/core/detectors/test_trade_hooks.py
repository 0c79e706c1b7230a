"""The engine's trade hooks (symbol_state.trade_hooks): the icebergs' ``IceHook``, pulled
liquidity's ``SpoofHook`` (_native_trd_hook.c), with absorption beside them sharing the slack,
against the detectors' own ``on_trade``: on random markets the
same alerts and the same state after every event, with the hooks or with ``on_trade`` itself; what
a hook does not take (a trade that is not a ``Trade``, a size the C wait declines, the wait moved
to its twin) goes to ``on_trade``, and the two still agree."""

from __future__ import annotations

import random

import pytest

from dom.core import accel, symbol_state
from dom.core.detectors import DetectorParams
from dom.core.detectors.absorption import AbsorptionDetector
from dom.core.detectors.iceberg import IcebergDetector
from dom.core.detectors.iceberg_wait import _Wait
from dom.core.detectors.spoof import SpoofDetector
from dom.core.detectors.walls import WallDetector
from dom.core.types import BookSide, FeedState, TakerSide, Trade
from tests.core.detectors.script import MS, EventScript, OddTrade, flat_book

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
PARAMS = {"bursts": False, "sweeps": False, "wall_step_rank": 0}


def eps(ab):
    return sorted((k[0].value, k[1], e.first_ns, e.traded, e.peak_w, e.cross_ns, e.announced, tuple(e.times))
                  for k, e in ab.eps.items())


def market(seed, hooks, odd_at=-1, huge_at=-1):
    """A random market near the touch with bursts of trades (some late, some through the level);
    after every event the alerts so far and the iceberg detector's and the walls' state.
    ``hooks``: False replaces the engine's hooks by the detectors' on_trade. The ``odd_at``-th
    trade is an ``OddTrade``, the ``huge_at``-th one is 2^41 lots (the C wait declines it)."""
    s = EventScript(DetectorParams(**PARAMS), flat_book(30))
    st = s.eng["KITEUSDT"]
    if not hooks:
        st.trade_hooks = [ob.on_trade for ob in st.observers]
    walls = next(o for o in st.observers if isinstance(o, WallDetector))
    ice = next(o for o in st.observers if isinstance(o, IcebergDetector))
    sp = next(o for o in st.observers if isinstance(o, SpoofDetector))
    ab = next(o for o in st.observers if isinstance(o, AbsorptionDetector))
    rng = random.Random(seed)
    seen, n = [], 0

    def note():
        wait = ice.wait.state() if hasattr(ice.wait, "state") else None
        tr = sorted((k[0].value, k[1], w.traded) for k, w in walls.walls.items())
        tapes = [(tuple(tp.q), tp.last_desc, tp.popped) for tp in sp.trades.values()]
        seen.append((len(s.alerts), ice.slack.state(), dict(ice.through.bid), dict(ice.through.ask),
                     type(ice.wait).__name__, wait, tr, tapes, sp.slack.state(), st.state,
                     ab.bid.state(), ab.ask.state(), eps(ab)))

    s.idle(3_000)
    for i in range(500):
        if i == 250:  # a gap: the book unsynced while some trades come, then a snapshot
            s.u += 5
            s.delta(asks=[(5010, 7)])
        if i == 260:
            s.u += 5
            s.snapshot(flat_book(30))
        bid = rng.random() < 0.5
        px = 5000 - rng.randrange(0, 3) if bid else 5001 + rng.randrange(0, 3)
        size = rng.choice((rng.randrange(200, 3000), rng.randrange(20_000, 90_000)))  # (walls now and then)
        s.delta(bids=[(px, size)] if bid else [], asks=[] if bid else [(px, size)],
                dt_ms=rng.choice((20, 100, 100, 400, 3000)))
        note()
        for _ in range(rng.choice((0, 0, 1, 3, 8))):
            n += 1
            q = 2**41 if n == huge_at else rng.randrange(1, 3000)
            at = s.t - rng.randrange(0, 900 * MS) if rng.random() < 0.2 else s.t
            taker = TakerSide.SELL if bid else TakerSide.BUY
            tpx = px - (rng.random() < 0.05) * (1 if bid else -1)
            s.tid += 1
            cls = OddTrade if n == odd_at else Trade
            s.feed(cls("KITEUSDT", tpx, q, taker, s.tid, at, at))
            note()
    return [(a.kind, a.state, a.id, a.ts_ns, dict(a.evidence)) for a in s.alerts], seen, st, ice


@needs_native
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_hooks_are_the_detectors_on_trade_event_by_event(seed):
    got, got_seen, st, ice = market(seed, hooks=True)
    want, want_seen, _, _ = market(seed, hooks=False)
    assert [type(h).__name__ for h in st.trade_hooks] == ["AtdWallHook", "IceHook", "AtdHook", "SpoofHook"]
    assert got == want
    assert got_seen == want_seen
    assert ice.slack.n > 500 and ice.through.bid and ice.through.ask  # (trades went through the hook)
    assert any(ld > 0 for x in got_seen for _, ld, _ in x[7])  # (trades out of time order)
    assert any(x[9] is not FeedState.SYNCED for x in got_seen)  # (trades while unsynced)
    assert any(x[12] for x in got_seen)  # (absorption episodes opened)


@needs_native
def test_what_a_hook_does_not_take_goes_to_on_trade():
    got, got_seen, _, ice = market(4, hooks=True, odd_at=30, huge_at=200)
    want, want_seen, _, _ = market(4, hooks=False, odd_at=30, huge_at=200)
    assert got == want and got_seen == want_seen
    assert isinstance(ice.wait, _Wait)  # (the huge trade moved the wait to its twin; the hook went on with it)
    assert got_seen[-1][1] == want_seen[-1][1] and ice.slack.n > 500


def test_trade_hooks_skip_the_base_and_take_trade_hook():
    calls = []

    class Plain(symbol_state.ObserverBase):
        pass

    class Own(symbol_state.ObserverBase):
        def on_trade(self, sym, trade):
            calls.append("own")
            return []

    class Hooked(Own):
        def trade_hook(self):
            return lambda sym, trade: calls.append("hook") or []

    own, hooked = Own(), Hooked()
    hooks = symbol_state.trade_hooks([Plain(), own, hooked])
    assert len(hooks) == 2
    for h in hooks:
        assert h(None, None) == []
    assert calls == ["own", "hook"]


@needs_native
def test_the_ice_hook_declines_what_it_is_not_built_for():
    s = EventScript(DetectorParams(**PARAMS), flat_book(5))
    ice = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, IcebergDetector))
    base = (ice, ice.through.bid, ice.through.ask, ice.slack, BookSide.BID, BookSide.ASK, TakerSide.BUY, Trade)
    fields = (Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.qty_lots)
    for bad in ((*base, Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.__init__),  # not a slot
                (*base[:7], OddTrade, *fields),  # the descriptors are not that class's
                (*base[:4], BookSide.BID, BookSide.BID, *base[6:], *fields)):  # one side twice
        with pytest.raises(ValueError):
            NATIVE.IceHook(*bad)
    with pytest.raises(TypeError):
        NATIVE.IceHook(ice, [], ice.through.ask, ice.slack, *base[4:], *fields)  # a table not a dict
    hook = NATIVE.IceHook(*base, *fields)
    with pytest.raises(TypeError):
        hook(1)
