"""The walls' depth hook (symbol_state.delta_hooks): what the engine calls for each applied depth
message in place of ``WallDetector.on_delta`` where the accelerator is built (``WallHook``,
_native_wdh.c), and the gate's numbers it holds."""

from __future__ import annotations

from typing import Any

from dom.core import accel
from dom.core.detectors.steps import LargeSteps
from dom.core.types import BookDelta


def build_hook(det: Any, cls: type) -> Any:
    """``det.delta_hook()`` for a detector of ``cls`` (WallDetector): ``det.on_delta`` itself, or
    where the accelerator is built ``WallHook``: the step observation and ``on_delta``'s gate in
    C, a fresh empty list for the messages that need nothing, ``_judge`` past the gate,
    ``on_delta`` for anything it does not take. It holds the gate's numbers (``next_stats_ns``,
    ``tmin``), handed over each time they change (``hand_gate``), and ``walls`` itself (mutated
    in place, never rebound). One per detector (kept as ``det.hook``)."""
    native = accel.native
    if (native is None or type(det).on_delta is not cls.on_delta or type(det)._judge is not cls._judge
            or (det.steps is not None and type(det.steps) is not LargeSteps)):
        return det.on_delta
    if det.hook is None:
        S = LargeSteps
        det.hook = native.WallHook(det, det.walls, det.steps, BookDelta, BookDelta.ts_exchange_ns, S,
                                   S.synced_ns, S._at, S.start, S.twin, S.st, S.floor, S.half, S.samples)
        hand_gate(det)
    return det.hook


def hand_gate(det: Any) -> None:
    """The gate's numbers to the detector's hook, if it has one (after each change of either)."""
    if det.hook is not None:
        det.hook.set(det.next_stats_ns, det.tmin)
