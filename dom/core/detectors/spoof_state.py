"""What the pulled-liquidity detector keeps: a candidate level, and a pull awaiting judgement."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from dom.core.types import BookSide


@dataclass
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
