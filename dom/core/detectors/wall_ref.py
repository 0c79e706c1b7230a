"""Walls: a step far over the window's own reference waits a bounded time (``wall_ref_step_ratio``).

While the step window is young (``wall_step_horizon_s``), both step needs are the window's
rank-th largest step (``ref``) extrapolated to the horizon along the tail of the window's own
largest steps (``tail``, steps.py): a window of a minute has not yet seen the organic flow's top.
In a run's first minutes that extrapolation is 3-20x, and walls whose step is 3-10x ``ref`` (and
many times the band threshold) fell under even the weak need: the largest share of the misses
traced on the tuning seeds 6600-6659 (9 of 39, all placed in the first 100 s; docs/history).

A candidate whose step is at least ``wall_ref_step_ratio`` x ``ref`` itself (not extrapolated) and
whose size is at least ``wall_ref_size_ratio`` x its side's band threshold is announced once it
stood ``wall_ref_wait_ms`` (at least the persistence the full path asks): a third path under the
weak one, and a bound on the graded wait of a step between the two needs. Organic large levels
rarely rest that long where a wall does; the young window's extrapolation no longer decides
alone. 0 ratio: off (every alert as without it). Pure and deterministic.
"""

from __future__ import annotations

from typing import Any

from dom.core.detectors.persistence import graded_wait
from dom.core.detectors.wall_state import _Wall

_FAR = 1 << 62


def ref_wait(det: Any, w: _Wall, persist: int) -> int:
    """How long candidate ``w`` must stand on this path (ns; ``_FAR``: the path does not take it):
    its step at least the ratio x the window's reference, its size at least the size ratio x its
    side's band threshold (as of the last stats), and at least ``persist`` (the full path's time)."""
    p = det.p
    k = p.wall_ref_step_ratio
    st = det.steps
    if k <= 0 or st is None:
        return _FAR
    ref = st.ref
    thr = det.threshold.get(w.side)
    if ref is None or thr is None or w.step < k * ref or w.size < p.wall_ref_size_ratio * thr:
        return _FAR
    return max(persist, p.wall_ref_wait_ms * 1_000_000)


def under_need_wait(det: Any, w: _Wall, weak: int, need: int, persist: int) -> int:
    """How long candidate ``w``, its step under the ``need`` and not traded into, must stand (ns;
    ``_FAR``: no path takes it): the weak path's wait (graded between the needs with
    ``wall_weak_graded``, at most what this book's large levels outlasted), or this module's path
    where sooner. The detector's judgement and its hook's due time both ask this."""
    p = det.p
    if w.step < weak:
        wait = _FAR  # (no weak path: the reference's only)
    else:
        wait = graded_wait(w.step, weak, need, persist, det.weak_ns) if p.wall_weak_graded else det.weak_ns
        if det.bound is not None:
            wait = min(wait, max(persist, det.bound.wait_ns))
    if p.wall_ref_step_ratio > 0:
        wait = min(wait, ref_wait(det, w, persist))
    return wait
