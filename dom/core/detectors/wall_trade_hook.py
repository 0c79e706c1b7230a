"""The walls' trade hook: what the engine calls for each trade (symbol_state.trade_hooks) in place
of ``WallDetector.on_trade``.

Where the accelerator is built it is ``AtdWallHook`` (_native_atd_wall.c): the same work in C
without the Python frame (nothing while there is no wall; else the wall at the trade's maker side
and price has its traded volume grown by the trade's size, the same in-place add), ``on_trade``
itself for a trade of another class (tests/core/detectors/test_wall_trade_hook.py holds the two
against each other). It holds the detector's ``walls`` (mutated in place, never rebound).
"""

from __future__ import annotations

from typing import Any

from dom.core import accel
from dom.core.types import Trade


def make_trade_hook(det: Any, cls: type, bid: Any, ask: Any, buy: Any) -> Any:
    """``det.on_trade``, or an ``AtdWallHook`` over ``det`` where the accelerator is built and
    ``det`` runs ``cls``'s own ``on_trade`` (a subclass that changes it keeps its own)."""
    native = accel.native
    if native is None or type(det).on_trade is not cls.on_trade:
        return det.on_trade
    return native.AtdWallHook(det, det.walls, Trade, Trade.taker, Trade.px_ticks, Trade.qty_lots, bid, ask, buy)
