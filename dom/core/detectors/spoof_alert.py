"""The alert of a pulled-liquidity episode: its message, score and evidence (split from spoof.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dom.core.detectors.spoof_rules import approach, traded
from dom.core.detectors.spoof_state import _Pull
from dom.core.engine import SymbolState
from dom.core.types import Alert, AlertKind, AlertState, Output

if TYPE_CHECKING:
    from dom.core.detectors.spoof import SpoofDetector

_MS = 1_000_000
_SEC = 1_000_000_000


def pull_alerts(det: "SpoofDetector", sym: SymbolState, group: list[_Pull]) -> list[Output]:
    """The ``new`` and ``end`` alerts of one pull episode (a point event), at the level that lost most."""
    inst = det.inst
    x = max(group, key=lambda g: (g.before - g.after, -abs(g.dist)))
    drop = x.before - x.after
    dist, jump, tdist = approach(det, x)  # the book's distance, or the trades' of the pull's push when nearer
    at, beyond = traded(det, x)
    total = sum(g.before - g.after for g in group)
    med = max(1, x.median)
    ratio = x.before / med
    p = det.p
    det.n += 1
    score = 0.5 + 0.3 * min(1.0, max(0.0, (ratio - p.spoof_ratio) / max(1e-9, 2 * p.spoof_ratio)))
    score += 0.1 * min(1.0, (x.max_recent_dist - dist) / max(1, x.d0))
    if len(group) >= 3:
        score += 0.1
    ev = {
        "size_pulled_lots": drop,
        "size_before_lots": x.before,
        "size_after_lots": x.after,
        "traded_at_level_lots": at,
        "traded_through_lots": beyond,
        "distance_at_pull_ticks": dist,
        "book_distance_ticks": x.dist,
        "trade_distance_ticks": tdist,
        "first_distance_ticks": x.d0,
        "approach_ticks": x.max_recent_dist - dist,
        "lifetime_ms": (x.t - x.first_ns) // _MS,
        "band_median_lots": x.median,
        "queue_lots": x.queue,
        "excess_lots": x.before - x.queue,
        "ratio_to_median": round(ratio, 2),
        "layers": len(group),
        "layers_pulled_lots": total,
        "pulled_at_ns": x.t,
        "mid_range_1s_ticks": x.mid_range / 2,
        "trade_lag_ms": det.slack.lag // _MS,
        "approach_1s_ticks": jump,
        "taker_share_toward": round(x.toward, 2),
    }
    if det.steps is not None:
        ev["step_lots"] = x.step  # the largest single increase at its level
        ev["step_rank_lots"] = x.step_ref  # the step window's spoof_step_rank-th largest step
    if len(group) > 1:
        ev["layer_prices"] = " ".join(inst.px_str(g.px) for g in sorted(group, key=lambda g: g.px))
    t = det.depth_t
    aid = f"{sym.symbol}:spoof:{x.side.value}:{x.px}:{x.t}"
    side = x.side.value
    layers = f", {len(group)} levels together" if len(group) > 1 else ""
    where = "at the touch" if dist == 0 else f"{dist} tick{'' if dist == 1 else 's'} from the touch"
    msg = (f"Pulled liquidity: {side} {inst.px_str(x.px)} size {inst.qty_str(drop)} "
           f"({ratio:.1f}x band median) pulled {where} as price approached, "
           f"after {(x.t - x.first_ns) / _SEC:.1f} s{layers}")
    new = Alert(aid, t, sym.symbol, AlertKind.SPOOF, AlertState.NEW, x.side, x.px, drop, round(min(1.0, score), 3),
                msg, ev)
    end = Alert(aid, t, sym.symbol, AlertKind.SPOOF, AlertState.END, x.side, x.px, drop, new.score,
                f"Pulled liquidity (done): {side} {inst.px_str(x.px)}", dict(ev, end="pulled"))
    return [new, end]
