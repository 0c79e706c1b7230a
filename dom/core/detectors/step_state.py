"""What a step window (steps.py, ``LargeSteps``) keeps per message, behind one interface: the steps
it kept in the last ``SAME_NS`` (to tell an order that moved from a new one) and each level's
largest recent step (``at``). The rolling sizes and their tail fits stay with ``LargeSteps``.

``StepState`` is the pure-Python implementation; ``dom.core._native.StepStore`` (``_native_steps.c``)
holds the same in C structures (the kept steps as one ring of int64 records in the order kept, ``at``
as an open-addressing table keyed by (side, price) as integers) with the same methods giving the
same results (``tests/core/detectors/test_step_store.py`` holds them against each other call by
call). ``make_state`` picks C where the accelerator is built (not with ``DOM_PURE_PYTHON=1``) and
takes the window's move parameters.

``observe`` is the pass over one depth message's changes for one window, or for two windows of a
symbol at once (``pair``: each with its own floor and band, each holding what it would alone). It
returns the sizes each window takes as new samples (None: none), for ``LargeSteps`` to add. A C
store handed what it does not take (a change not a 4-tuple of a side and exact ints within
+-2^60, a time past +-2^61, a best price that is not None or such an int, a store that is not a
C one) returns ``NotImplemented`` with nothing changed; ``as_twin`` then gives the same state as a
``StepState``, which the window uses from there on (so nothing is lost).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from dom.core import accel
from dom.core.detectors.changes import FAR, pick

_SEC = 1_000_000_000
KEEP_NS = 60 * _SEC
"""A level's largest recent step is remembered this long."""
NEAR_TICKS = 2
"""Steps closer to their side's best than this are neither sampled nor remembered at their level
(``recent``): a queue re-forming at the touch (price ticking back, many orders joining within one
depth interval) shows as one large step that is many orders, so a level there has no step to pass
the test with until one comes where an order shows as itself (docs/history/detectors-walls.md,
"Steps at the touch"). Nor
are steps beyond the band the walls are judged in (``LargeSteps.refresh``'s ``half``): deep in a
real book, levels coming into a top-N view or resting at round prices far away change by hundreds
of times an order near the touch."""
SAME_NS = 10 * _SEC
"""A step about the size of a kept one, near it and within this time of it, is that order moved."""
CLEAN_NS = 10 * _SEC
"""``at`` is rid of its stale entries at most this often (a stale entry reads as none anyway)."""
LIM_V = 1 << 60
"""What the C store takes: prices, sizes, floors, band widths and move reaches within +-2^60."""
LIM_T = 1 << 61
"""... and times within +-2^61."""


def first_move_py(kept: Iterable[list], inc: int, lo: int, hi: int, px: int) -> list | None:
    """The first kept step ``[t, side, px, step, lo, hi]`` that an increase of ``inc`` at ``px``
    may be that order moved: its price within ``lo..hi`` and not ``px``, ``inc`` within its own
    size bounds (None: none). The C accelerator's ``first_move`` where it is built."""
    for x in kept:
        if x[4] <= inc <= x[5] and lo <= x[2] <= hi and x[2] != px:
            return x
    return None


def first_move(kept: Iterable[list], inc: int, lo: int, hi: int, px: int) -> list | None:
    """``first_move_py``, in C where the accelerator is built and takes the numbers."""
    native = accel.native
    if native is not None:
        got = native.first_move(kept, inc, lo, hi, px)
        if got is not NotImplemented:
            return got
    return first_move_py(kept, inc, lo, hi, px)


def ranges(bb: int | None, ba: int | None, half: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where steps are sampled around best prices ``bb``, ``ba`` for a band of ``half``
    ticks: ``((bid_lo, bid_hi), (ask_lo, ask_hi))`` (an empty side: an empty range)."""
    return ((0, -1) if bb is None else (bb - half, bb - NEAR_TICKS),
            (0, -1) if ba is None else (ba + NEAR_TICKS, ba + half))


class StepState:
    """One window's kept steps and levels' largest recent steps (the pure-Python store)."""

    __slots__ = ("_clean_ns", "ask", "at", "bid", "last", "last_side", "move_ticks", "move_tol")

    def __init__(self, bid: Any, ask: Any, move_ticks: int, move_tol: float) -> None:
        self.bid, self.ask = bid, ask
        self.move_ticks, self.move_tol = move_ticks, move_tol
        self.last: deque[list] = deque()  # [t, side, px, step, lo, hi] of the steps kept in the last SAME_NS
        # (lo..hi: the sizes within move_tol of the step), in the order kept; and the same lists by
        # side, each in that order (``_moved`` looks at one side's only)
        self.last_side: dict[Any, deque[list]] = {bid: deque(), ask: deque()}
        self.at: dict[tuple[Any, int], tuple[int, int]] = {}  # (side, px) -> (t, largest recent step)
        self._clean_ns = 0  # when ``at`` is next rid of its stale entries

    def observe(self, other: StepState | None, changes: Sequence, sym: Any, now: int,
                fa: int, ha: int, fb: int, hb: int) -> tuple[list[int] | None, list[int] | None] | None:
        """One message's changes for this window (floor ``fa``, band ``ha`` ticks a side) and, with
        ``other``, for that one too (``fb``, ``hb``), in one pass: the increases over a window's
        floor within its band (``ranges`` around the best prices of ``sym.book``, read at the first
        increase over the lower floor) are taken (``_take``). Returns the sizes each took as new
        samples, in order (``(mine, other's)``, a list or None each), or None when neither took one."""
        fl = fa if other is None or fa < fb else fb
        bid = self.bid
        mine = theirs = None
        got_a: list[int] = []
        got_b: list[int] = []
        for side, px, old, new in pick(changes, bid, FAR, FAR, FAR, -FAR, fl):  # (the steps over the floor)
            inc = new - old
            if inc > fl:
                if mine is None:
                    book = sym.book
                    bb, ba = book.bids.best_px(), book.asks.best_px()
                    mine = ranges(bb, ba, ha)
                    if other is not None:
                        theirs = ranges(bb, ba, hb)
                i = 0 if side is bid else 1
                lo, hi = mine[i]
                if inc > fa and lo <= px <= hi:
                    self._take(side, px, inc, now, got_a)
                if other is not None:
                    lo, hi = theirs[i]  # type: ignore[index]
                    if inc > fb and lo <= px <= hi:
                        other._take(side, px, inc, now, got_b)
        if got_a or got_b:
            return got_a or None, got_b or None
        return None

    def _take(self, side: Any, px: int, inc: int, now: int, got: list[int]) -> None:
        """A step the window lets through: a sample (into ``got``) unless a kept order moved; its
        level's largest."""
        if not self._moved(side, px, inc, now):
            got.append(inc)
            r = math.floor(self.move_tol * inc)  # |a - inc| <= tol x inc for an integer a
            x = [now, side, px, inc, inc - r, inc + r]
            self.last.append(x)
            self.last_side[side].append(x)
        key = (side, px)
        prev = self.at.get(key)
        if prev is None or prev[1] <= inc or now - prev[0] > KEEP_NS:
            self.at[key] = (now, inc)

    def _moved(self, side: Any, px: int, inc: int, now: int) -> bool:
        """Is this step a kept order moved here? (It then stands for that order from now on.)
        The first kept step, in the order kept, of the same side, about the size, within
        ``move_ticks`` (a kept step leaves once it and every step kept before it are older than
        ``SAME_NS``)."""
        last = self.last
        if last and now - last[0][0] > SAME_NS:
            sides = self.last_side
            while last and now - last[0][0] > SAME_NS:
                sides[last.popleft()[1]].popleft()  # (the oldest of its side too)
        x = first_move(self.last_side[side], inc, px - self.move_ticks, px + self.move_ticks, px)
        if x is not None:
            x[0], x[2] = now, px
            return True
        return False

    def recent(self, side: Any, px: int, now: int) -> tuple[int, int]:
        """``(t, step)``: the largest step at the level in the last ``KEEP_NS`` ((0, 0): none)."""
        v = self.at.get((side, px))
        return v if v is not None and now - v[0] <= KEEP_NS else (0, 0)

    def clean(self, now: int) -> None:
        """Once ``CLEAN_NS`` has passed since the last cleaning (and there is something to clean):
        the levels whose step is older than ``KEEP_NS`` forgotten."""
        if self.at and now >= self._clean_ns:
            self._clean_ns = now + CLEAN_NS
            old = now - KEEP_NS
            self.at = {key: v for key, v in self.at.items() if v[0] >= old}

    def state(self) -> tuple[list[tuple], dict[tuple[Any, int], tuple[int, int]], int]:
        """``(kept steps as tuples in the order kept, at, next cleaning)``: what the store holds."""
        return [tuple(x) for x in self.last], dict(self.at), self._clean_ns


def as_twin(st: Any, bid: Any, ask: Any, move_ticks: int, move_tol: float) -> StepState:
    """A ``StepState`` holding what store ``st`` (C or Python) holds."""
    kept, at, clean_ns = st.state()
    t = StepState(bid, ask, move_ticks, move_tol)
    for rec in kept:
        x = list(rec)
        t.last.append(x)
        t.last_side[x[1]].append(x)
    t.at.update(at)
    t._clean_ns = clean_ns
    return t


def make_state(bid: Any, ask: Any, move_ticks: int, move_tol: float) -> Any:
    """The C store when the accelerator is there and takes these parameters (a reach within
    0..2^60 ticks, a tolerance a float within -1..1: C computes ``tol x step`` in floats, as Python
    does for a float), else ``StepState``."""
    native = accel.native
    if (native is not None and type(move_ticks) is int and 0 <= move_ticks <= LIM_V
            and type(move_tol) is float and -1.0 <= move_tol <= 1.0):
        return native.StepStore(bid, ask, move_ticks, move_tol)
    return StepState(bid, ask, move_ticks, move_tol)
