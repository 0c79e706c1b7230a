"""The level changes of a depth message that a detector's loop can act on, picked out first.

The walls, pulled liquidity and the step windows each loop over every level change of every
depth message, and most changes do nothing there: under every threshold, away from every level
followed, no step over the floor. The real BTCUSDT recording's depth messages carry ~68 changes
each (the built-in market's ~10). ``pick`` keeps, in order, the changes that one of those loops
may act on, so that the loop runs over a few; the loop still tests each change it gets exactly
as before, so it does exactly what it did over all of them as long as every change it acts on is
kept (each caller says why its own are).

``pick`` is the C accelerator's (``dom.core._native.pick_changes``) where it is built, else ``pick_py``:
the same list. ``pick_at`` (C ``pick_at``, twin ``pick_at_py``) is the iceberg detector's filter of
the same kind: the changes near the touch or at a level it holds state for.
"""

from __future__ import annotations

from collections.abc import Sequence

from dom.core import accel
from dom.core.engine import LevelChange
from dom.core.types import BookSide

FAR = 1 << 62
"""No threshold (``tb``, ``ta``), no range (``lo = FAR, hi = -FAR``), no step (``inc``); a side's
window ``-FAR..FAR``: every price."""


def pick_py(changes: Sequence[LevelChange], bid: BookSide, tb: int, ta: int, lo: int, hi: int, inc: int,
            blo: int = -FAR, bhi: int = FAR, alo: int = -FAR, ahi: int = FAR,
            ilo: int = -FAR, ihi: int = FAR) -> list[LevelChange]:
    """The changes ``(side, px, old, new)`` with ``new`` at least the side's threshold and ``px``
    within the side's window (``tb`` and ``blo..bhi`` where ``side is bid``, else ``ta`` and
    ``alo..ahi``), or ``px`` within ``lo..hi``, or ``new - old`` over ``inc`` with ``px`` within
    ``ilo..ihi`` (where such increases can matter; every price by default); the range widens to
    the price of each change kept for its threshold (a detector may start to follow that level
    within the same message: a later change of it must reach the loop)."""
    out = []
    for c in changes:
        side, px, old, new = c
        if side is bid:
            up = new >= tb and blo <= px <= bhi
        else:
            up = new >= ta and alo <= px <= ahi
        if up:
            out.append(c)
            if px < lo:
                lo = px
            if px > hi:
                hi = px
        elif lo <= px <= hi or (new - old > inc and ilo <= px <= ihi):
            out.append(c)
    return out


def pick(changes: Sequence[LevelChange], bid: BookSide, tb: int, ta: int, lo: int, hi: int, inc: int,
         blo: int = -FAR, bhi: int = FAR, alo: int = -FAR, ahi: int = FAR,
         ilo: int = -FAR, ihi: int = FAR) -> list[LevelChange]:
    """``pick_py``, in C where the accelerator is built and takes the numbers (a list of 4-tuples,
    exact ints within +-2^62, a change's price and sizes within +-2^61)."""
    native = accel.native
    if native is not None:
        got = native.pick_changes(changes, bid, tb, ta, lo, hi, inc, blo, bhi, alo, ahi, ilo, ihi)
        if got is not NotImplemented:
            return got
    return pick_py(changes, bid, tb, ta, lo, hi, inc, blo, bhi, alo, ahi, ilo, ihi)


def pick_at_py(changes: Sequence[LevelChange], bid: BookSide, blo: int, bhi: int, alo: int, ahi: int,
               d1: dict, lo1: int, hi1: int, d2: dict, lo2: int, hi2: int) -> list[LevelChange]:
    """The changes ``(side, px, old, new)`` with ``px`` within the side's window (``blo..bhi`` where
    ``side is bid``, else ``alo..ahi``), or within ``lo1..hi1`` with ``(side, px)`` a key of ``d1``,
    or within ``lo2..hi2`` with ``(side, px)`` a key of ``d2``; in order (the ranges only spare the
    lookups: a caller passes ranges holding every key's price)."""
    out = []
    for c in changes:
        side, px = c[0], c[1]
        if (blo <= px <= bhi if side is bid else alo <= px <= ahi) or (lo1 <= px <= hi1 and (side, px) in d1) \
                or (lo2 <= px <= hi2 and (side, px) in d2):
            out.append(c)
    return out


def pick_at(changes: Sequence[LevelChange], bid: BookSide, blo: int, bhi: int, alo: int, ahi: int,
            d1: dict, lo1: int, hi1: int, d2: dict, lo2: int, hi2: int) -> list[LevelChange]:
    """``pick_at_py``, in C where the accelerator is built and takes the arguments (a list of
    4-tuples, two dicts, exact ints within +-2^62)."""
    native = accel.native
    if native is not None:
        got = native.pick_at(changes, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2)
        if got is not NotImplemented:
            return got
    return pick_at_py(changes, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2)
