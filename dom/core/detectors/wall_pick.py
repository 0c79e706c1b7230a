"""The level changes of a depth message that the walls' judgement (``WallDetector._judge``) acts on,
picked out before its loop.

``pick`` (changes.py) kept every change within the walls' price range (``lo..hi``), and every
change in its side's band up to the side's lowest entry. On a real book a bid candidate and an ask
candidate put the whole touch between them, and the lowest entry (a bucket near the touch) is far
under the entries of the deeper buckets, where a real book's large levels are: most of a message's
~68 changes came to the loop, and most of those it handed to ``_level`` did nothing there.
``wall_pick`` keeps a change:

- in its side's band (``half`` ticks of its side's best price) up to its distance bucket's entry
  (``entries``, wall_hook.py: what ``_level`` asks of a level at no wall to start a candidate there;
  under it, or outside the band, ``_level`` does nothing for one);
- within the range, at a wall's key ``(side, px)`` in ``walls`` as the message comes;
- within the range, at the key of a change kept earlier in the message for its entry (a candidate
  may start there within the message: ``walls`` grows only so); the range widens to the price of
  each change kept for its entry, as ``pick``'s did.

Every change the loop acts on to any effect is kept, in order; the loop tests each as before.
Where the accelerator is built and takes the arguments, C (``wall_pick``, _native_wpk.c) gives the
same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dom.core import accel
from dom.core.detectors.wall_state import _bucket
from dom.core.engine import LevelChange
from dom.core.types import BookSide


def wall_pick_py(changes: Sequence[LevelChange], bid: BookSide, ask: BookSide, eb: Sequence[int], ea: Sequence[int],
                 bb: int | None, ba: int | None, hb: int, ha: int, lo: int, hi: int,
                 walls: dict[Any, Any]) -> list[LevelChange]:
    """The changes ``(side, px, old, new)``, in order, with (where ``side is bid`` the bids' ``eb``,
    ``bb``, ``hb``, else the asks' ``ea``, ``ba``, ``ha``) a best price, ``d = abs(best - px)`` at
    most ``half`` and ``new`` at least ``entries[_bucket(d)]`` (``lo..hi`` then widens to ``px``);
    or ``px`` within ``lo..hi`` and ``(side, px)`` a key of ``walls`` or the side and price of an
    earlier change kept for its entry. ``ask`` is not read here (C declines a side that is neither)."""
    out = []
    ups: set[tuple[bool, int]] = set()
    for c in changes:
        side, px, _old, new = c
        b = side is bid
        best, half, ent = (bb, hb, eb) if b else (ba, ha, ea)
        if best is not None and abs(best - px) <= half and new >= ent[_bucket(abs(best - px))]:
            out.append(c)
            ups.add((b, px))
            if px < lo:
                lo = px
            if px > hi:
                hi = px
        elif lo <= px <= hi and ((side, px) in walls or (b, px) in ups):
            out.append(c)
    return out


def wall_pick(changes: Sequence[LevelChange], bid: BookSide, ask: BookSide, eb: Sequence[int], ea: Sequence[int],
              bb: int | None, ba: int | None, hb: int, ha: int, lo: int, hi: int,
              walls: dict[Any, Any]) -> list[LevelChange]:
    """``wall_pick_py``, in C where the accelerator is built and takes the arguments (a list of
    4-tuples whose side is ``bid`` or ``ask`` and whose price and sizes are exact ints within
    +-2^61, the entries two tuples of ten exact ints within +-2^62, best prices None or exact ints
    within +-2^61, the rest exact ints within +-2^62, ``walls`` a dict keyed by ``(side, px)``
    2-tuples of such a side and such an int)."""
    native = accel.native
    if native is not None:
        got = native.wall_pick(changes, bid, ask, eb, ea, bb, ba, hb, ha, lo, hi, walls)
        if got is not NotImplemented:
            return got
    return wall_pick_py(changes, bid, ask, eb, ea, bb, ba, hb, ha, lo, hi, walls)
