"""Whether a wall candidate stands out from the book around it (its announcement's last test)."""

from __future__ import annotations

import statistics

from dom.core.book import BookSideLevels
from dom.core.detectors.params import DetectorParams


def stands_out(lv: BookSideLevels, px: int, size: int, p: DetectorParams) -> bool:
    """Is the level of ``size`` at ``px`` (on the book side ``lv``) the wall, not a part of a
    ladder or a thick stretch of book: no larger level within ``wall_neighbourhood_ticks``, fewer
    than two there of ``wall_ladder_fraction`` of its size, and at least ``wall_local_ratio`` x
    the median of the levels within ``wall_local_ticks``."""
    r = p.wall_neighbourhood_ticks
    near = [q for x, q in lv.levels_between(px - r, px + r) if x != px]
    if any(q > size for q in near):
        return False  # a larger level nearby: the wall, if any, is that one
    if sum(q >= p.wall_ladder_fraction * size for q in near) >= 2:
        return False  # several levels of about its size: a market maker's ladder, not a wall
    r = p.wall_local_ticks
    local = [q for x, q in lv.levels_between(px - r, px + r) if x != px]
    # (else it does not stand out from the levels around it: a thick stretch of book)
    return not (local and size < p.wall_local_ratio * statistics.median(local))
