"""The alert of an absorption episode: its message, score and evidence (split from absorption.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dom.core.detectors.absorption_state import _Episode
from dom.core.engine import SymbolState
from dom.core.types import Alert, AlertKind, AlertState, BookSide

if TYPE_CHECKING:
    from dom.core.detectors.absorption import AbsorptionDetector

_MS = 1_000_000


def absorption_alert(det: "AbsorptionDetector", sym: SymbolState, ep: _Episode, state: AlertState, t: int,
                     end: str = "", how: str = "") -> Alert:
    """One alert of the episode ``ep`` (``end``: how it ended, ``how``: why); an end that held
    is remembered, so that the level absorbing again soon after is the same episode."""
    inst = det.inst
    ep.sent_traded = ep.traded
    ratio = ep.peak_w / max(1, ep.threshold)
    intensity = ep.rate / max(1, ep.rate_threshold)
    if ep.rate_vol_threshold:
        intensity = max(intensity, ep.rate_vol / ep.rate_vol_threshold)
    score = 0.4 + 0.2 * min(1.0, (ratio - 1.0) / 2.0) + 0.2 * min(1.0, (intensity - 1.0) / 2.0)
    score += 0.2 if ep.confirmed else 0.0
    shown = ep.last_q
    ev = {
        "traded_lots": ep.traded,
        "window_traded_lots": ep.peak_w,
        "displayed_before_lots": ep.q0,
        "displayed_now_lots": shown,
        "max_displayed_lots": ep.max_q,
        "refill_lb_lots": ep.refill_lb,
        "threshold_lots": ep.threshold,
        "baseline_window_lots": det.base_w[ep.side],
        "median_level_lots": det.med_level[ep.side],
        "median_touch_lots": det.med_touch[ep.side],
        "min_shown_lots": int(det.min_shown[ep.side]),
        "ratio_to_threshold": round(ratio, 2),
        "one_sided": round(ep.one_sided, 2),
        "trades_in_rate_window": ep.rate,
        "baseline_trades_in_rate_window": det.base_rate[ep.side],
        "volume_in_rate_window_lots": ep.rate_vol,
        "baseline_volume_in_rate_window_lots": det.base_vol[ep.side],
        "subtype": "hidden" if ep.traded > ep.max_q else "visible",
        "large_level": ep.large,
        "confirmed": ep.confirmed,
        "time_at_level_ms": max(0, t - ep.first_ns) // _MS,
        "align_slack_ms": det.slack.ns // _MS,
    }
    if det.p.absorption_large_far:
        ev["far_level_lots"] = det.far_level[ep.side]  # the organic large orders' reach (a large level's floor)
    if det.p.absorption_deep_mult:
        ev["deep_flow"] = ep.deep  # crossed on the volume alone, many times the threshold
    if det.p.absorption_far_before:
        ev["far_before_lots"] = ep.far_before  # the most it showed 2+ ticks from the best before
    if end:
        ev["end"] = end
        ev["end_reason"] = how
        if end == "held":
            det.recent[(ep.side, ep.px)] = (ep.id, t)
    side = ep.side.value
    taker = "sellers" if ep.side is BookSide.BID else "buyers"
    if end:
        msg = (f"Absorption ended ({end}, {how.replace('_', ' ')}): {side} {inst.px_str(ep.px)} took "
               f"{inst.qty_str(ep.traded)} from {taker}")
    else:
        if ep.deep:  # the volume over W alone (absorption_deep_mult)
            pace = f"{inst.qty_str(ep.peak_w)} in {det.p.absorption_window_s} s"
        elif ep.rate >= ep.rate_threshold:
            pace = f"{ep.rate} trades in {det.p.absorption_rate_ms} ms"
        else:  # it passed on volume (merged prints)
            pace = f"{inst.qty_str(ep.rate_vol)} in {det.p.absorption_rate_ms} ms"
        msg = (f"Absorption: {side} {inst.px_str(ep.px)} took {inst.qty_str(ep.traded)} from {taker} "
               f"({ratio:.1f}x threshold, {pace}) and holds, shown {inst.qty_str(shown)}")
    return Alert(ep.id, t, sym.symbol, AlertKind.ABSORPTION, state, ep.side, ep.px, ep.traded,
                 round(min(1.0, score), 3), msg, ev)
