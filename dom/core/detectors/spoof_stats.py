"""Pulled liquidity's once-a-second reads of a band, and the mids' range (split from spoof.py and
spoof_rules.py): each the C accelerator's function of the same name where it is built and takes
the arguments, else its ``_py`` twin here (the same list or int; ``test_spoof_stats.py`` holds
them against each other)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from dom.core import accel
from dom.core.types import BookSide, Level


def band_sizes_py(band: list[Level]) -> list[int]:
    """The band's level sizes, in its order."""
    return [q for _, q in band]


def band_hits_py(band: list[Level], t: int, cands: dict, side: BookSide) -> list[Level]:
    """The band's levels, in order, up to ``t`` or at a candidate's price (``(side, px)`` a key of
    ``cands``): those ``SpoofDetector._stats`` hands to ``_level`` (which adds only its own level's
    key, so the levels it picks do not depend on one another)."""
    return [lv for lv in band if lv[1] >= t or (side, lv[0]) in cands]


def mid_range_py(mids: Iterable[tuple[int, int]], before: int) -> int:
    """The mid's range (half ticks) over the mids kept, (t, 2 x mid) over the last second, up to
    ``before`` (not at it): with a depth message's time, where price stood before the push that
    showed a pull (0: it had not moved)."""
    v = [m for t, m in mids if t < before]
    return max(v) - min(v) if v else 0


def band_sizes(band: list[Level]) -> list[int]:
    """``band_sizes_py``, in C where built (a list of 2-tuples)."""
    native = accel.native
    if native is not None:
        got = native.band_sizes(band)
        if got is not NotImplemented:
            return got
    return band_sizes_py(band)


def band_hits(band: list[Level], t: int, cands: dict, side: BookSide) -> list[Level]:
    """``band_hits_py``, in C where built (a list of 2-tuples whose sizes, and ``t``, are exact
    ints within +-2^62; ``cands`` a dict)."""
    native = accel.native
    if native is not None:
        got = native.band_hits(band, t, cands, side)
        if got is not NotImplemented:
            return got
    return band_hits_py(band, t, cands, side)


def band_median_top(band: list[Level]) -> tuple[int, int, int | None] | None:
    """Of ``band``'s sizes: how many, ``int`` of their median and the largest ((0, 0, None): none),
    in C by selection where built and it takes ``band`` (a list of 2-tuples, sizes exact ints within
    +-2^52); None otherwise (``SpoofDetector._stats`` then reads the sorted sizes, shared with the walls)."""
    native = accel.native
    if native is not None:
        got = native.band_median_top(band)
        if got is not NotImplemented:
            return got
    return None


def mid_range(mids: Iterable[tuple[int, int]], before: int) -> int:
    """``mid_range_py``, in C where built (a list or deque of 2-tuples of exact ints, times within
    +-2^62 and mids within +-2^61, ``before`` such a time)."""
    native = accel.native
    if native is not None:
        got = native.mid_range(mids, before, deque)
        if got is not NotImplemented:
            return got
    return mid_range_py(mids, before)
