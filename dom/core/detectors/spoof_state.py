"""What the pulled-liquidity detector keeps: a candidate level, and a pull awaiting judgement."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from dom.core.types import BookSide

_FAR = 1 << 62


@dataclass(slots=True)  # (slots: the per-message pass reads its attributes, in C or Python)
class _Cand:
    side: BookSide
    px: int
    first_ns: int
    d0: int
    peak: int
    sizes: deque = field(default_factory=deque)  # (t, size) over the drop window
    dists: deque = field(default_factory=deque)  # (t, distance) when it changed
    pending: bool = False
    step: int = 0  # its level's largest one-message increase when it became a candidate (steps.py)

    def seen(self, t: int, q: int) -> None:
        """Its level shows ``q`` at ``t``."""
        if q > self.peak:
            self.peak = q
        self.sizes.append((t, q))


@dataclass
class _Pull:
    side: BookSide
    px: int
    t: int  # depth time of the drop
    before: int  # largest size within the drop window
    after: int
    median: int
    d0: int
    dist: int
    max_recent_dist: int
    first_ns: int
    edge: bool
    threshold: int
    mid_range: int  # half ticks over the last second
    range_limit: int | None
    jump: int  # ticks of approach over the last second
    toward: float  # share of taker volume that hit this side over the flow window
    queue: int = 0  # the organic queue beside it (median of its neighbours, at least the band median)
    step: int = 0  # the level's largest one-message increase (the step test; 0 when off)
    need: int = 0  # what that step had to reach (0: no test)
    step_ref: int | None = None  # the step window's spoof_step_rank-th largest step at the pull
    since: int = 0  # the depth time before the message that showed the pull (its push began there)
    range_before: int = 0  # half ticks: the mid's range over the last second before that message
    fresh: bool = False  # first seen over SNAPSHOT_NS after the sync: its step was seen (steps.py)


def sweep_py(cands: dict[tuple[BookSide, int], _Cand], bid: BookSide, bb: int | None, ba: int | None,
             tb: int | None, ta: int | None, hb: int, ha: int, bl: dict[int, int], al: dict[int, int], now: int,
             approach: int, old: int) -> tuple[list[_Cand] | None, int, int]:
    """Each candidate brought up to the message at ``now`` (best prices ``bb``, ``ba``; levels
    ``bl``, ``al``): its distance noted when it changed, its distances before ``approach`` and its
    sizes before ``old`` dropped (the last of each before them kept). Returns the candidates no
    longer one (not pending, and no threshold on its side, its level under half of it, its side
    empty, or it outside its side's band: ``hb``, ``ha`` ticks), in the dict's order (None: none),
    and the others' price range (``1 << 62, -(1 << 62)`` when none is left)."""
    lo, hi = _FAR, -_FAR
    dead = None
    for c in cands.values():
        px = c.px
        if c.side is bid:
            d = None if bb is None else bb - px
            t, half, q = tb, hb, bl.get(px, 0)
        else:
            d = None if ba is None else px - ba
            t, half, q = ta, ha, al.get(px, 0)
        dists = c.dists
        if d is not None and (not dists or dists[-1][1] != d):
            dists.append((now, d))
        while len(dists) > 1 and dists[1][0] <= approach:
            dists.popleft()
        sizes = c.sizes
        while len(sizes) > 1 and sizes[1][0] <= old:
            sizes.popleft()
        if not c.pending and (t is None or q < 0.5 * t or d is None or d < 0 or d > half):
            if dead is None:
                dead = [c]
            else:
                dead.append(c)
        else:
            if px < lo:
                lo = px
            if px > hi:
                hi = px
    return dead, lo, hi

