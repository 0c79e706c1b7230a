"""The C merge's pump hands each trade to its symbol's trade hooks as ``Engine._on_trade`` does:
hooks returning empty lists (skipped in C), other empty or full iterables, a list subclass, hooks
added or removed by a hook while the list is walked, and a tuple of hooks (walked through its
iterator): the same outputs, calls and state as the Python loop over the pure-Python merge."""

from __future__ import annotations

import pytest

from dom.core import accel
from dom.core.symbol_state import ObserverBase
from dom.core.types import Alert, AlertKind, AlertState, BookSide, FeedState, StatusChange
from tests.runtime.test_merge_pump import _market, _pipe, _state

pytestmark = pytest.mark.skipif(accel.native is None, reason="the C accelerator is not built")


class _Sub(list):
    pass


class Odd(ObserverBase):
    """Each trade's outputs in another shape, by its id: [], (), an empty list subclass, a generator
    of an alert and a status, a tuple of a status, a list of an alert, a full list subclass."""

    def __init__(self, log):
        self.log = log

    def on_trade(self, sym, t):
        self.log.append(("odd", sym.symbol, t.trade_id))
        a = Alert(f"a{t.trade_id}", t.ts_exchange_ns, sym.symbol, AlertKind.WALL, AlertState.NEW, BookSide.BID,
                  t.px_ticks, t.qty_lots, 1.0, "x")
        s = StatusChange(sym.symbol, FeedState.STALE, f"t{t.trade_id}", t.ts_recv_ns)
        k = t.trade_id % 7
        return ([], (), _Sub(), (o for o in (a, s)), (s,), [a], _Sub((s, a)))[k]


class Meddler(ObserverBase):
    """Adds a hook to its symbol's list while it is walked (every 5th trade id), removes the last
    one added (every 7th): the Python loop calls one added behind it and skips one removed."""

    def __init__(self, log):
        self.log = log

    def on_trade(self, sym, t):
        self.log.append(("meddler", sym.symbol, t.trade_id, len(sym.trade_hooks)))
        hooks = sym.trade_hooks
        if type(hooks) is list:
            if t.trade_id % 5 == 0:
                hooks.append(self.extra)
            elif t.trade_id % 7 == 0 and len(hooks) > 3:
                hooks.pop()
        return []

    def extra(self, sym, t):
        self.log.append(("extra", sym.symbol, t.trade_id))
        return [StatusChange(sym.symbol, FeedState.STALE, f"x{t.trade_id}", t.ts_recv_ns)]


def _run(monkeypatch, c_merge: bool, lines: list, as_tuple: bool):
    log: list = []
    pipe, seen = _pipe(monkeypatch, c_merge, lambda st: [Odd(log), Meddler(log), Odd(log)])
    assert (pipe._pump is not None) is c_merge
    if as_tuple:
        for st in pipe.detect.symbols.values():
            st.trade_hooks = tuple(st.trade_hooks)
    for evs in lines:
        pipe.feeder()(evs)
    pipe.flush()
    return seen.out, _state(pipe), log


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("as_tuple", [False, True])
def test_the_pump_calls_the_trade_hooks_as_the_engine_does(monkeypatch, seed, as_tuple):
    lines = _market(seed)  # (the same events in both: the outputs name their cause's id)
    got = _run(monkeypatch, True, lines, as_tuple)
    want = _run(monkeypatch, False, lines, as_tuple)
    assert got == want
    out, _, log = got
    assert sum(k == "alert" for k, _, _ in out) > 5 and sum(k == "status" for k, _, _ in out) > 20
    extra = sum(x[0] == "extra" for x in log)
    assert (extra > 10) is (not as_tuple)  # (hooks added while the list is walked: called there)
    assert any(x[0] == "meddler" and x[3] > 3 for x in log) is (not as_tuple)


def test_a_hook_that_raises_stops_the_trade_as_in_python(monkeypatch):
    """A hook's error leaves the pump as it leaves the Python loop (the same exception)."""
    class Boom(ObserverBase):
        def on_trade(self, sym, t):
            if t.trade_id % 11 == 0:
                raise ValueError(f"boom {t.trade_id}")
            return []
    errs, lines = [], _market(0)
    for c_merge in (True, False):
        pipe, _ = _pipe(monkeypatch, c_merge, lambda st: [Boom()])
        with pytest.raises(ValueError) as e:
            for evs in lines:
                pipe.feeder()(evs)
            pipe.flush()
        errs.append(str(e.value))
    assert errs[0] == errs[1]
