"""Absorption's once-a-second work (``AbsorptionDetector.on_delta`` calls it at the first depth
message on or after each second of the grid): per book side the volume over the window at the
touch (``V_W``), the trades and the taker volume into the side over the rate window, the median of
the ten best levels' sizes and the touch's size, each into its rolling samples; the ten best
sizes (``absorption_large_mult``), the largest band level away from the touch
(``absorption_large_far``) and the levels near the best (``absorption_far_before``,
absorption_away.py); every 10 s their rolling percentiles; then the levels that stopped trading
dropped, the held episodes past ``absorption_resume_s`` forgotten and the thresholds cached per
price cleared where what they were computed from moved.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from dom.core.detectors.absorption_state import far_max
from dom.core.detectors.rolling import grid_after, percentile as _pct
from dom.core.engine import SymbolState
from dom.core.types import BookSide

_BID, _ASK = BookSide.BID, BookSide.ASK
_SEC = 1_000_000_000
_qty = itemgetter(1)


def sample(det: Any, sym: SymbolState, now: int) -> None:
    """Once a second, at exchange time ``now``: the samples of both sides of detector ``det``;
    every 10 s their percentiles (``det``'s baselines)."""
    p = det.p
    horizon = now - p.absorption_baseline_s * _SEC
    # Trade samples are taken as of the time the trade stream is complete up to, when it runs
    # behind the depth stream by more than the normal slack.
    slack = det.slack
    tt = now - max(0, slack.lag - slack.floor)
    lo, lo_w = tt - det.rate_ns, tt - det.w_ns
    book = sym.book
    for side, lv, S in ((_BID, book.bids, det.bid), (_ASK, book.asks, det.ask)):
        top = lv.top(10)
        if not top:  # (an empty side: no best price)
            continue
        best, touch = top[0]
        n = S.rate_count(lo)
        top = sorted(map(_qty, top))
        v_w, vol = S.prune_at(best, lo_w), S.side_volume_after(lo)
        dq = det.samples[side]
        dq.add(now, v_w)
        dq.expire(horizon)
        dq = det.rates[side]
        dq.add(now, n)
        dq.expire(horizon)
        dq = det.vols[side]
        dq.add(now, vol)
        dq.expire(horizon)
        dq = det.levels[side]
        dq.add(now, top[len(top) // 2])
        dq.expire(horizon)
        dq = det.touches[side]
        dq.add(now, touch)
        dq.expire(horizon)
        if p.absorption_large_mult:
            det.sizes[side].add_many(now, top)
            det.sizes[side].expire(horizon)
            if p.absorption_large_far:
                det.fars[side].add(now, far_max(lv, best, p.wall_band_ticks))
                det.fars[side].expire(horizon)
        if p.absorption_far_before:
            det.fars["away", side].sample(lv, best, p.wall_band_ticks, now)
    if now >= det.next_stats_ns:
        det.next_stats_ns = grid_after(now, 10 * _SEC)
        for side in (_BID, _ASK):
            det.base_w[side] = _pct(det.samples[side], p.absorption_baseline_pct)
            det.base_rate[side] = _pct(det.rates[side], p.absorption_rate_pct)
            det.base_vol[side] = _pct(det.vols[side], p.absorption_rate_pct)
            det.med_level[side] = _pct(det.levels[side], 50.0)
            det.med_touch[side] = _pct(det.touches[side], 50.0)
            det.big_level[side] = _pct(det.sizes[side], p.absorption_large_pct)
            det.far_level[side] = _pct(det.fars[side], p.absorption_large_far_pct)
            det.min_shown[side] = max(p.absorption_min_shown * det.med_level[side],
                                      p.absorption_min_shown_touch * det.med_touch[side])
            if p.absorption_far_before:
                det.fars["away", side].expire(now)
    lo = now - det.w_ns
    det.bid.drop_stale(lo)  # levels that stopped trading
    det.ask.drop_stale(lo)
    recent = det.recent
    if recent:
        lo = now - p.absorption_resume_s * _SEC
        for key in [k for k, (_, t) in recent.items() if t < lo]:
            del recent[key]
    warm = p.absorption_warmup_s
    for side, S in ((_BID, det.bid), (_ASK, det.ask)):
        # The thresholds cached per price stand while what _compute_threshold reads of the side
        # is the same (the baselines move every 10 s, the warm-up ends once).
        inputs = (len(det.samples[side]) < warm, det.base_w[side], det.med_touch[side], det.med_level[side])
        if inputs != det.thr_inputs[side]:
            det.thr_inputs[side] = inputs
            S.clear_thr()
