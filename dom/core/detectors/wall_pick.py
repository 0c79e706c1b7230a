"""The level changes of a depth message that the walls' judgement (``WallDetector._judge``) acts on,
picked out before its loop.

``pick`` (changes.py) keeps every change within the walls' price range (``lo..hi``). On a real
book a bid candidate and an ask candidate put the whole touch between them: most of a message's
~68 changes then came to the loop, which passed over nearly all of them (no wall at their price,
under every entry). ``wall_pick`` keeps, of those in the range, only the ones the loop can act on:

- up to their side's entry (``rb``, ``ra``: ``_FAR`` where the side has no threshold), where
  ``_level`` reads the distance baseline;
- at a wall's key ``(side, px)`` in ``walls`` as the message comes;
- at the key of a change kept earlier in the message up to its entry (a candidate may start there
  within the message; ``walls`` grows only so, ``_level`` starting a candidate only at a change up
  to its side's threshold and its distance's entry, at least the side's lowest entry).

Each change the loop would act on is kept, and only changes ``pick`` keeps are, in order: the loop
tests each as before, so ``_judge`` does what it did. Where the accelerator is built and takes the
arguments, C (``wall_pick``, _native_wpk.c) gives the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dom.core import accel
from dom.core.engine import LevelChange
from dom.core.types import BookSide


def wall_pick_py(changes: Sequence[LevelChange], bid: BookSide, ask: BookSide, tb: int, ta: int, lo: int, hi: int,
                 blo: int, bhi: int, alo: int, ahi: int, rb: int, ra: int, walls: dict[Any, Any]) -> list[LevelChange]:
    """The changes ``(side, px, old, new)`` that ``pick(changes, bid, tb, ta, lo, hi, FAR, blo,
    bhi, alo, ahi)`` keeps, less those it keeps for the range alone (``lo <= px <= hi``, widened
    as ``pick`` widens it) with ``new`` under the side's ``rb`` (where ``side is bid``, else
    ``ra``), no key ``(side, px)`` in ``walls``, and no earlier change at the same side and price
    kept at or over its side's ``rb``/``ra`` or for the threshold. ``ask`` is not read here (C
    declines a side that is neither)."""
    out = []
    ups: set[tuple[bool, int]] = set()
    for c in changes:
        side, px, _old, new = c
        b = side is bid
        if (new >= tb and blo <= px <= bhi) if b else (new >= ta and alo <= px <= ahi):
            out.append(c)
            ups.add((b, px))
            if px < lo:
                lo = px
            if px > hi:
                hi = px
        elif lo <= px <= hi:
            if new >= (rb if b else ra):
                out.append(c)
                ups.add((b, px))
            elif (side, px) in walls or (b, px) in ups:
                out.append(c)
    return out


def wall_pick(changes: Sequence[LevelChange], bid: BookSide, ask: BookSide, tb: int, ta: int, lo: int, hi: int,
              blo: int, bhi: int, alo: int, ahi: int, rb: int, ra: int, walls: dict[Any, Any]) -> list[LevelChange]:
    """``wall_pick_py``, in C where the accelerator is built and takes the arguments (a list of
    4-tuples whose side is ``bid`` or ``ask``, numbers exact ints within +-2^62, a change's price
    and sizes within +-2^61, ``walls`` a dict keyed by such ``(side, px)`` 2-tuples)."""
    native = accel.native
    if native is not None:
        got = native.wall_pick(changes, bid, ask, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, walls)
        if got is not NotImplemented:
            return got
    return wall_pick_py(changes, bid, ask, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, walls)
