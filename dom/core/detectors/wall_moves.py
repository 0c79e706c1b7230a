"""A wall that moves: a candidate re-placed nearby keeps its start, and an announced wall whose
level emptied is followed to an increase of about its size nearby (split from walls.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dom.core.detectors.wall_state import _Wall
from dom.core.engine import LevelChange, SymbolState
from dom.core.types import BookSide, Output

if TYPE_CHECKING:
    from dom.core.detectors.walls import WallDetector


def track_moves(det: "WallDetector", sym: SymbolState, gone: list[_Wall], changes: Sequence[LevelChange], now: int,
                out: list[Output]) -> None:
    """A wall whose level emptied and an increase of about its size nearby, within
    ``wall_move_ms``: the same order moved (DETECTORS.md §2.1). Otherwise it ended."""
    p = det.p
    best = {s: sym.book.side(s).best_px() for s in (BookSide.BID, BookSide.ASK)}
    for w in gone:
        if now - w.gone_ns > p.wall_move_ms * 1_000_000:
            if now - w.gone_ns >= p.wall_dip_ms * 1_000_000:
                det._end(sym, w, now, out)  # neither moved nor back at its level
            continue
        for side, px, old, new in changes:
            if side is not w.side or px == w.px:
                continue
            b = best[side]
            # Near its old price, or (a wall trailing the touch through a sweep) at the
            # distance from the touch it kept before.
            trails = b is not None and abs(abs(b - px) - w.dist) <= 2 and abs(px - w.px) <= 4 * p.wall_move_ticks
            if abs(px - w.px) > p.wall_move_ticks and not trails:
                continue
            # Other orders join and leave both levels in the same message: allow what a
            # typical level at that distance holds on top of the size tolerance.
            typ = (det._typical(side, abs(b - px)) or 0) if b is not None else 0
            # The allowance is capped at half what left (a touch queue's typical size would let
            # any join near the touch pass for the wall), and the new level must still hold a
            # wall by the exit rule.
            typ = min(typ, w.gone_size // 2)
            if new > old and abs((new - old) - w.gone_size) <= p.wall_move_size_tolerance * w.gone_size + typ \
                    and new >= p.wall_end_fraction * w.peak:
                del det.walls[(w.side, w.px)]
                det.walls.pop((side, px), None)
                if det.steps is not None:
                    det.steps.forget(now, new - old)  # the same large order, not an organic one
                w.moves += 1
                w.px, w.size, w.peak, w.traded, w.gone_ns = px, new, max(new, w.gone_size), 0, 0
                if b is not None:
                    w.dist = abs(b - px)
                det.walls[(side, px)] = w
                det._admit(px)
                det._maybe_update(sym, w, now, out)  # a trailing wall moves often: rate-limited
                break
        else:
            if now - w.gone_ns >= max(p.wall_move_ms, p.wall_dip_ms) * 1_000_000:
                det._end(sym, w, now, out)  # neither moved nor back at its level


def moved_candidate(det: "WallDetector", side: BookSide, px: int, q: int, now: int) -> int:
    """A new candidate that is an unannounced one moved here (its level emptied within
    ``wall_move_ms``, within ``wall_move_ticks``, about the same size) keeps that one's start:
    an order trailing the touch is one candidate, not a new one (and a short life) per move.
    Returns the start time (``now`` for a new one)."""
    p = det.p
    for w in det.walls.values():
        if (not w.announced and w.dip_ns and w.side is side and now - w.dip_ns <= p.wall_move_ms * 1_000_000
                and abs(w.px - px) <= p.wall_move_ticks
                and abs(q - w.size) <= p.wall_move_size_tolerance * w.size):
            del det.walls[(w.side, w.px)]
            if p.wall_move_forget and w.step and det.steps is not None:
                det.steps.forget(w.step_t, w.step)  # the same order: its earlier step is not an organic one
            return w.first_ns
    return now
