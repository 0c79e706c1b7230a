"""A wall's alert: its message, score and evidence (split from walls.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dom.core.detectors.wall_state import _Wall
from dom.core.engine import SymbolState
from dom.core.types import Alert, AlertKind, AlertState, BookSide

if TYPE_CHECKING:
    from dom.core.detectors.walls import WallDetector


def wall_alert(det: "WallDetector", sym: SymbolState, w: _Wall, state: AlertState, now: int, size: int,
               end: str = "") -> Alert:
    w.updated_ns = now
    inst = det.inst
    med = det.median.get(w.side) or 1
    ratio = w.peak / med
    p = det.p
    score = 0.5 + 0.5 * min(1.0, max(0.0, (ratio - p.wall_ratio) / max(1e-9, p.wall_strong_ratio - p.wall_ratio)))
    best = sym.book.side(w.side).best_px()
    dist = abs(best - w.px) if best is not None else 0
    typ = det._typical(w.side, dist)
    ev = {
        "size_lots": size,
        "peak_lots": w.peak,
        "band_median_lots": int(med),
        "p90_at_distance_lots": typ,
        "ratio_to_median": round(ratio, 2),
        "p95_lots": det.p95[w.side],
        "notional": round(det._notional(w.px, w.peak), 2),
        "distance_ticks": dist,
        "persisted_ms": (now - w.first_ns) // 1_000_000,
        "required_persist_ms": det.lifetimes.required_ns // 1_000_000,
        "traded_at_level_lots": w.traded,
    }
    if det.steps is not None:
        ev["step_lots"] = w.step  # the largest single increase at its level as it came
        ev["step_rank_lots"] = det.steps.ref  # the window's wall_step_rank-th largest step
        ev["step_tail"] = round(det.steps.tail, 2)  # x that, while the window is young
        ev["step_grow"] = round(det.steps.grow, 2)  # x that, to what the organic flow rarely exceeds
        if det.steps.book_ratio > 0:
            ev["step_book_lots"] = w.book  # the largest organic level seen before it came (bounds a young need)
    if w.moves:
        ev["moves"] = w.moves
    if end:
        ev["end"] = end
    side = "bid" if w.side is BookSide.BID else "ask"
    verb = {"new": "Wall", "update": "Wall changed", "end": f"Wall ended ({end})"}[state.value]
    if end:
        msg = (f"{verb}: {side} {inst.px_str(w.px)} peak {inst.qty_str(w.peak)}, {inst.qty_str(size)} left, "
               f"{inst.qty_str(w.traded)} traded there, {dist} ticks from the touch")
    else:
        msg = (f"{verb}: {side} {inst.px_str(w.px)} size {inst.qty_str(size)} "
               f"({ratio:.1f}x band median), {dist} ticks from the touch")
    return Alert(w.id, now, sym.symbol, AlertKind.WALL, state, w.side, w.px, size, round(score, 3), msg, ev)
