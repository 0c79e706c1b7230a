"""The engine's depth hooks (symbol_state.delta_hooks): each observer's ``on_delta`` bound once, or
what its ``delta_hook()`` gives in its place, called in the observers' order with the book's level
changes of every applied depth message; observers that keep the base's ``on_delta`` are skipped."""

from __future__ import annotations

from dom.core import symbol_state
from dom.core.engine import Engine
from dom.core.types import BookDelta, BookSnapshot
from dom.core.units import Instrument


def test_delta_hooks_skip_the_base_and_take_delta_hook():
    calls = []

    class Plain(symbol_state.ObserverBase):
        pass

    class Own(symbol_state.ObserverBase):
        def on_delta(self, sym, delta, changes):
            calls.append(("own", delta))
            return []

    class Hooked(Own):
        def delta_hook(self):
            return lambda sym, delta, changes: calls.append(("hook", delta)) or ["out"]

    hooks = symbol_state.delta_hooks([Plain(), Own(), Hooked()])
    assert len(hooks) == 2
    assert [h(None, 7, []) for h in hooks] == [[], ["out"]]
    assert calls == [("own", 7), ("hook", 7)]


def test_the_engine_calls_the_hooks_with_the_changes_in_order():
    seen = []

    class Own(symbol_state.ObserverBase):
        def on_delta(self, sym, delta, changes):
            seen.append(("own", delta.last_id, [(side.value, px, old, new) for side, px, old, new in changes]))
            return ["own"]

    class Hooked(symbol_state.ObserverBase):
        def on_delta(self, sym, delta, changes):  # never called: the hook stands in its place
            raise AssertionError("on_delta called where a delta_hook was given")

        def delta_hook(self):
            def hook(sym, delta, changes):
                seen.append(("hook", delta.last_id, len(changes)))
                return ["hook"]
            return hook

    inst = Instrument("KITEUSDT", "0.0001", "1")
    eng = Engine([inst], observers=lambda st: [Symbolless(), Own(), Hooked()])
    st = eng["KITEUSDT"]
    assert len(st.delta_hooks) == 2
    eng.feed(BookSnapshot("KITEUSDT", ((100, 5),), ((101, 5),), 10, 0, 0))
    out = eng.feed(BookDelta("KITEUSDT", ((100, 7), (99, 3)), ((101, 0),), 11, 11, 10, 1, 1))
    assert [o for o in out if isinstance(o, str)] == ["own", "hook"]
    assert seen == [("own", 11, [("bid", 100, 5, 7), ("bid", 99, 0, 3), ("ask", 101, 5, 0)]), ("hook", 11, 3)]
    eng.feed(BookDelta("KITEUSDT", ((100, 7),), (), 12, 12, 11, 2, 2))  # nothing changed: still called
    assert seen[-1] == ("hook", 12, 0)


class Symbolless(symbol_state.ObserverBase):
    """Keeps every method of the base: no hook."""
