"""The walls' depth hook (symbol_state.delta_hooks): what the engine calls for each applied depth
message in place of ``WallDetector.on_delta`` where the accelerator is built (``WallHook``,
_native_wdh.c), and the gate's numbers it holds."""

from __future__ import annotations

from typing import Any

from dom.core import accel
from dom.core.detectors.steps import LargeSteps
from dom.core.types import BookDelta, BookSide

_FAR = 1 << 62


def build_hook(det: Any, cls: type) -> Any:
    """``det.delta_hook()`` for a detector of ``cls`` (WallDetector): ``det.on_delta`` itself, or
    where the accelerator is built ``WallHook``: the step observation and ``on_delta``'s gate in
    C, a fresh empty list for the messages that need nothing, ``_judge`` past the gate,
    ``on_delta`` for anything it does not take. It holds the gate's numbers (``next_stats_ns``,
    ``tmin``), handed over each time they change (``hand_gate``), the standing walls' (``hand_walls``)
    and ``walls`` itself (mutated in place, never rebound). One per detector (``det.hook``)."""
    native = accel.native
    if (native is None or type(det).on_delta is not cls.on_delta or type(det)._judge is not cls._judge
            or (det.steps is not None and type(det.steps) is not LargeSteps)):
        return det.on_delta
    if det.hook is None:
        S = LargeSteps
        det.hook = native.WallHook(det, det.walls, det.steps, BookDelta, BookDelta.ts_exchange_ns, S,
                                   S.synced_ns, S._at, S.start, S.twin, S.st, S.floor, S.half, S.samples,
                                   BookSide.BID)
        hand_gate(det)
    return det.hook


def hand_gate(det: Any) -> None:
    """The gate's numbers to the detector's hook, if it has one (after each change of either)."""
    if det.hook is not None:
        det.hook.set(det.next_stats_ns, det.tmin)


def hand_walls(det: Any) -> None:
    """The standing walls' gate to the hook (after each ``_judge`` that leaves walls): until
    ``due`` none of them changes with time alone, and a change can matter only at a price within
    its side's walls' range (or up to a threshold, the gate's ``tmin``). ``due``: the earliest of a
    pending update's turn (``wall_update_ms`` after the last line), a dip's end (``wall_dip_ms``),
    a candidate's shortest wait (``wall_persist_ms``: the floor, what a wall traded into waits);
    now for a wall gone from its level (its move is looked for in every message)."""
    p = det.p
    due = _FAR
    blo = alo = _FAR
    bhi = ahi = -_FAR
    bid = BookSide.BID
    for w in det.walls.values():
        px = w.px
        if w.side is bid:
            if px < blo:
                blo = px
            if px > bhi:
                bhi = px
        else:
            if px < alo:
                alo = px
            if px > ahi:
                ahi = px
        if w.announced:
            if w.gone_ns:
                due = -_FAR
            elif w.moves != w.sent_moves or abs(w.size - w.sent_size) > p.wall_update_change * w.sent_size:
                t = w.updated_ns + p.wall_update_ms * 1_000_000
                if t < due:
                    due = t
        else:
            t = w.dip_ns + p.wall_dip_ms * 1_000_000 if w.dip_ns else w.first_ns + det.floor_ns
            if t < due:
                due = t
    det.hook.walls(due, blo, bhi, alo, ahi)
