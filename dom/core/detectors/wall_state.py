"""What the wall detector keeps: a candidate or announced wall, and the distance buckets its
baselines are sampled in."""

from __future__ import annotations

from dataclasses import dataclass

from dom.core.types import BookSide


@dataclass
class _Wall:
    side: BookSide
    px: int
    first_ns: int
    size: int
    peak: int
    traded: int = 0
    announced: bool = False
    sent_size: int = 0
    id: str = ""
    gone_ns: int = 0  # when its level fell away (it may reappear nearby: a moving wall)
    gone_size: int = 0  # how much left the level
    end_q: int = 0
    moves: int = 0
    dist: int = 0  # ticks from the touch when last seen standing
    updated_ns: int = 0  # when its last alert went out
    enter: int = 0  # the threshold it had to reach (its exit is ``wall_end_fraction`` of it)
    dip_ns: int = 0  # a candidate: since when it stands below its exit threshold
    sent_moves: int = 0  # moves already told


def _bucket(d: int) -> int:
    """Distance buckets: one per tick near the touch, wider further out."""
    if d < 6:
        return d
    if d < 10:
        return 6
    if d < 15:
        return 7
    if d < 25:
        return 8
    return 9


_NBUCKETS = 10
_BUCKET_FAR = 25  # from here on, the last bucket (named apart: it once rebound _FAR, the price-range
# sentinel above, so the walls' price range started at 25 and filtered nothing below the highest wall)
_BUCKET = [_bucket(d) for d in range(_BUCKET_FAR)]
# Where each bucket ends (1, 2, 3, 4, 5, 6, 10, 15, 25, and no end for the last): the distances of a
# band's levels rise from the touch, so each bucket's levels are one run of them, cut at these edges.
_EDGES = tuple(d for d in range(1, _BUCKET_FAR + 1) if _bucket(d) != _bucket(d - 1)) + (1 << 62,)
