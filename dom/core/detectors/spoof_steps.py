"""Pulled liquidity's step test: a pulled level arrived as one order beyond the organic ones.

Organic large orders cancelled as price comes near look on L2 and trades exactly like a spoof;
what tells them apart is their size against the organic flow's largest orders. As for the walls
(steps.py), an order shows as the step by which its level grew in one depth message: a pull is
reported only when the largest step its level took while it was a candidate (or in the
``KEEP_NS`` before) is at least ``spoof_step_ratio`` x the ``spoof_step_rank``-th largest step
of the symbol's band over ``wall_step_window_s`` (``ref``; no test while fewer were seen).

The window is the detector's own, not the walls' one: its alerts must not depend on whether the
walls are on, nor move with the walls' own step tuning, and the walls take their announced
orders out of theirs (``forget``) where pulled liquidity keeps every step (a candidate is not
known to be a large order until it is pulled). A level already in the book when the feed synced
(a candidate within ``SNAPSHOT_NS`` of the first message) has its size for a step, as for walls.
"""

from __future__ import annotations

from collections.abc import Sequence

from dom.core.detectors.params import DetectorParams
from dom.core.detectors.steps import LargeSteps
from dom.core.engine import LevelChange, SymbolState
from dom.core.types import BookSide

_SEC = 1_000_000_000
SNAPSHOT_NS = 2 * _SEC
"""A candidate this soon after the sync stood in the book as first seen: its arrival unseen."""


def spoof_steps(sym: SymbolState, p: DetectorParams) -> SpoofSteps | None:
    """The step test pulled liquidity's parameters ask for (None: ``spoof_step_rank`` 0, off)."""
    if not p.spoof_step_rank:
        return None
    return SpoofSteps(sym, p)


class SpoofSteps:
    """``observe`` each depth message, ``refresh`` with the statistics; ``step`` of a level (its
    largest recent one-message increase) and ``need`` (what a pulled order's step must reach)."""

    __slots__ = ("ratio", "steps", "synced_ns")

    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.steps = LargeSteps(sym, p.spoof_step_rank, p.wall_step_window_s, p.wall_move_ticks,
                                p.wall_move_size_tolerance)
        self.ratio = p.spoof_step_ratio
        self.synced_ns = -1  # exchange time of the first message since the last sync (-1: the next)

    def observe(self, changes: Sequence[LevelChange], now: int) -> None:
        if self.synced_ns < 0:
            self.synced_ns = now
        if changes:
            self.steps.observe(changes, now)

    def refresh(self, now: int, half: int) -> None:
        self.steps.refresh(now, half)

    @property
    def ref(self) -> int | None:
        return self.steps.ref

    def need(self) -> int:
        """What a pulled order's step must reach now (0: fewer steps than the rank seen, no test)."""
        ref = self.steps.ref
        return 0 if ref is None else int(self.ratio * ref)

    def step(self, side: BookSide, px: int, q: int, now: int) -> int:
        """The largest step at the level in the last ``KEEP_NS``; a level standing in the book as
        first seen (within ``SNAPSHOT_NS`` of the sync) with no step seen: its size ``q``."""
        step = self.steps.recent(side, px, now)[1]
        if not step and 0 <= self.synced_ns and now - self.synced_ns <= SNAPSHOT_NS:
            return q
        return step

    def reset(self) -> None:
        """The feed lost sync: the next message is the first of a new snapshot."""
        self.synced_ns = -1
