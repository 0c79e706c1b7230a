"""Absorption's hooks: what the engine calls for each applied depth message
(symbol_state.delta_hooks) in place of ``AbsorptionDetector.on_delta``, and for each trade
(symbol_state.trade_hooks) in place of its ``on_trade``.

Where the accelerator is built it is ``AbsHook`` (_native_adh.c): the same work in C, without the
Python frame, on the messages that need no decision (every open episode one followed closely, not
announced, not crossed, still trading): the depth time moved on, the once-a-second sample taken
where due (``_tick``, in Python) and, per episode, the message queued and the messages up to the
watermark judged into its refill lower bound, as ``on_delta`` and ``_judge`` do. Every other
message goes to ``on_delta`` itself (after the depth time and the sample: it finds them done), the
one truth (tests/core/detectors/test_absorption_hook.py holds the two against each other). The
hook holds the detector's ``eps`` (mutated in place, never rebound) and ``slack``, and reads its
``next_sample_ns`` and ``depth_t`` at each call: nothing to hand over when they change.

The trade hook, ``AtdHook`` (_native_atd.c), does in C the trades ``on_trade`` only counts: the
book synced, no episode at the price (or one it drops as stale) and a level not to be followed,
or an episode the trade neither crosses, updates nor ends; no trade-through. It decides that
before changing anything and gives every other trade to ``on_trade`` itself
(tests/core/detectors/test_absorption_trade_hook.py holds the two against each other).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from dom.core import accel
from dom.core.detectors.absorption_state import _Episode
from dom.core.types import BookDelta, BookSide, FeedState, TakerSide, Trade


def make_hook(det: Any, cls: type) -> Any:
    """``det.on_delta``, or an ``AbsHook`` over ``det`` where the accelerator is built and ``det``
    runs ``cls``'s own ``on_delta``, ``_judge`` and ``_tick`` (a subclass that changes one keeps its
    own ``on_delta``)."""
    native = accel.native
    kind = type(det)
    if native is None or kind.on_delta is not cls.on_delta or kind._judge is not cls._judge or kind._tick is not cls._tick:
        return det.on_delta
    return native.AbsHook(det, BookDelta, BookDelta.ts_exchange_ns, _Episode, BookSide.BID, BookSide.ASK, deque)


def make_trade_hook(det: Any, cls: type) -> Any:
    """``det.on_trade``, or an ``AtdHook`` over ``det`` where the accelerator is built and ``det``
    runs ``cls``'s own ``on_trade``, ``_threshold`` and ``_compute_threshold`` (the hook has a
    threshold cached before it counts a trade, where ``on_trade`` has it cached after: the same only
    for the class's own, which touches nothing else; a subclass that changes one keeps its own
    ``on_trade``) with a float track fraction (the C side's bar is that float times the threshold)."""
    native = accel.native
    kind = type(det)
    if native is None or kind.on_trade is not cls.on_trade or kind._threshold is not cls._threshold \
            or kind._compute_threshold is not cls._compute_threshold \
            or type(det.p.absorption_track_fraction) is not float:
        return det.on_trade
    return native.AtdHook(det, Trade, Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.qty_lots, _Episode,
                          FeedState.SYNCED, TakerSide.BUY, BookSide.BID)
