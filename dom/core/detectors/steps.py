"""Large single increases of a symbol's levels: how large the organic flow's largest orders are,
and the largest recent increase at each level.

An order shows on L2 as the step by which its level grew in one depth message. Organic limit
orders have a largest size (no participant of the ordinary flow rests more at once); a wall or a
spoof is one order beyond it. ``LargeSteps`` keeps the steps of a rolling window that may be
among its ``rank`` largest, so that the ``rank``-th largest step of the window (``ref``) estimates
the top of the organic order sizes however heavy their tail: up to ``rank - 1`` large orders in
the window (the walls themselves) do not move it. An order that moves (re-placed within
``move_ticks`` at about its size, ``move_tolerance``, within ``SAME_NS`` of its last step: a wall
trailing the touch) is one sample, not one per move: otherwise a single trailing order fills the
top ranks. The walls take the steps of the orders they announce back out (``forget``). One per
symbol (``make_observers``); ``observe`` counts a message once however many detectors call it.

Pulled liquidity has a window of its own (``spoof_steps``): its alerts must not depend on whether
the walls are on, nor move with the walls' tuning, and it forgets nothing (a candidate is not
known to be one large order until its pull is judged). Either window gives a level in the book as
first seen (``step_at`` within ``SNAPSHOT_NS`` of the sync) its size for a step. With both on, one
pass over each message's changes feeds the two (``pair``); each keeps its own floor, band, kept
steps and samples, so each holds exactly what it would alone.

What a window keeps per message (the steps kept in the last ``SAME_NS``, each level's largest recent
step) and the pass over a message's changes are step_state.py's (``st``: C structures where the
accelerator is built, else the pure-Python twin, which the window moves to when C declines what it
is handed); the rolling sizes, the rank, the floor and the tail fits are here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dom.core import accel
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.rolling import RollingSamples
from dom.core.detectors.step_state import (  # noqa: F401 (KEEP_NS, SAME_NS, first_move(_py): given here as before
    KEEP_NS,
    NEAR_TICKS,
    SAME_NS,
    StepState,
    as_twin,
    first_move,
    first_move_py,
    make_state,
)
from dom.core.engine import LevelChange, SymbolState
from dom.core.types import BookSide

_SEC = 1_000_000_000
_BID, _ASK = BookSide.BID, BookSide.ASK
SNAPSHOT_NS = 2 * _SEC
"""A level first seen this soon after the sync stood in the book already: its arrival unseen."""


def wall_steps(sym: SymbolState, p: DetectorParams) -> LargeSteps | None:
    """The step window the walls' parameters ask for (None: ``wall_step_rank`` 0, the test off)."""
    if not p.wall_step_rank:
        return None
    return LargeSteps(sym, p.wall_step_rank, p.wall_step_window_s, p.wall_move_ticks, p.wall_move_size_tolerance,
                      p.wall_step_horizon_s, p.wall_step_exceed, p.wall_step_book_ratio)


def spoof_steps(sym: SymbolState, p: DetectorParams) -> LargeSteps | None:
    """Pulled liquidity's own step window (None: ``spoof_step_rank`` 0, the test off)."""
    if not p.spoof_step_rank:
        return None
    return LargeSteps(sym, p.spoof_step_rank, p.wall_step_window_s, p.wall_move_ticks, p.wall_move_size_tolerance)


def pair(a: LargeSteps | None, b: LargeSteps | None) -> None:
    """Feed a symbol's two windows (the walls', pulled liquidity's) from one pass over each
    message's changes, whichever observes it first. Each keeps its own floor, band, kept steps
    and samples, so each holds what it would alone."""
    if a is not None and b is not None:
        a.twin, b.twin = b, a


_LOG_MAX_TAIL = math.log(1e6)
"""The extrapolation is at most a million-fold (a requirement no order meets; a bound, so that a
hostile horizon or a window of one huge step among tiny ones cannot overflow a float)."""


def _hill(s: Sequence[int], k: int, drop: int = 0) -> float:
    """``_hill_py``, in C where the accelerator is built and takes the samples (``tail_hill``,
    _native_wdh_tail.c: the same float, bit for bit, for exact ints within +-2^53)."""
    native = accel.native
    if native is not None:
        got = native.tail_hill(s, k, drop)
        if got is not NotImplemented:
            return got
    return _hill_py(s, k, drop)


def _hill_py(s: Sequence[int], k: int, drop: int = 0) -> float:
    """1 / alpha, alpha the Hill estimate of the tail index of sorted ``s`` from its largest ``2k``
    samples (fewer if fewer are kept) against the next one (0: too few, or all equal).

    With ``drop``, the trimmed Hill estimate: the ``drop`` largest are taken as only known to be
    at least the next one (censored there), and ``2k`` more below them are used. Large orders
    among the largest samples (what the tests look for) then cannot make the flow look heavy;
    on a pure Pareto flow the estimate is the same as without the trim."""
    n = len(s)
    m = min(2 * k + drop, n - 1)
    if m - drop < 1 or s[n - m - 1] <= 0:
        return 0.0
    base = s[n - m - 1]
    top = n - drop  # s[top:] are the trimmed
    total = sum(math.log(s[i] / base) for i in range(n - m, top))
    if drop:
        total += drop * math.log(s[top - 1] / base)
    return total / (m - drop)


def _grow(h: float, more: float) -> float:
    """``more ** h``, bounded (``_LOG_MAX_TAIL``); 1 when there is nothing more or no tail."""
    return math.exp(min(h * math.log(more), _LOG_MAX_TAIL)) if h > 0 and more > 1 else 1.0


def _tail(s: list[int], k: int, more: float) -> float:
    """How much larger the ``k``-th largest of sorted ``s`` grows when ``more`` times as many
    samples come from the same flow: ``more ** (1 / alpha)`` (``_hill``). A heavy tail (alpha near
    1) grows almost in proportion; a flow whose largest orders sit under a cap (alpha large)
    hardly grows."""
    return _grow(_hill(s, k), more)


class LargeSteps:
    """``observe`` every depth message's level changes, ``refresh`` once a second; then ``ref``
    (the window's ``rank``-th largest step, None while fewer were seen) and ``recent(side, px,
    now)`` (the largest step at that level in the last ``KEEP_NS``)."""

    __slots__ = ("_at", "_h", "_hc", "_refreshed", "_top", "book", "book_ratio", "exceed", "floor", "grow", "half",
                 "horizon_ns", "move_ticks", "move_tol", "rank", "ref", "samples", "st", "start", "sym", "synced_ns",
                 "tail", "twin", "window_ns", "young")

    def __init__(self, sym: SymbolState, rank: int, window_s: int, move_ticks: int = 10,
                 move_tolerance: float = 0.15, horizon_s: int = 0, exceed: float = 0.0,
                 book_ratio: float = 0.0) -> None:
        self.sym = sym
        self.move_ticks, self.move_tol = move_ticks, move_tolerance
        self.half = 0  # the band's half-width in ticks (the wider side's), as of the last refresh
        # The steps kept in the last SAME_NS (an order moving is one sample) and each level's largest
        # recent step: C structures where the accelerator is built, else the twin (step_state.py)
        self.st: Any = make_state(_BID, _ASK, move_ticks, move_tolerance)
        self.twin: LargeSteps | None = None  # the symbol's other window, fed by the same pass (``pair``)
        self.rank = rank
        self.window_ns = window_s * _SEC
        self.samples = RollingSamples()
        self.floor = 0  # steps up to this are not kept (far under the rank-th largest)
        self.ref: int | None = None
        self.horizon_ns = horizon_s * _SEC
        self.start = -1  # the first message observed (the window's age)
        self.synced_ns = -1  # exchange time of the first message since the last sync (-1: the next)
        self.tail = 1.0  # ref's extrapolation to the horizon while the window is younger (1: none)
        self.exceed = exceed  # how many organic steps the window may hold beyond need()'s (0: no rule)
        self.grow = 1.0  # ref's extrapolation to that count (rank / exceed more rare), along the tail
        self.book_ratio = book_ratio  # a young window's need is at most this x ``book`` (0: no bound)
        self.book = 0  # the largest level seen in the band since the window started (``see_book``)
        self.young = False  # younger than the horizon, as of the last refresh
        self._at = -1  # the engine's count of the last message observed
        self._refreshed = -1
        self._top: list[int] | None = None  # the 3 x rank largest the tail indices were computed from
        self._h = 0.0  # the young window's tail index (1 / alpha), as of _top
        self._hc = 0.0  # the exceedance's (the rank - 1 largest censored), as of _top

    def observe(self, changes: Sequence[LevelChange], now: int) -> None:
        """A depth message's changes (once however many detectors call it; with a ``twin`` that has
        not seen it, for both windows in one pass): the steps over the floor within the band are
        taken, each a new sample unless a kept order moved (``StepState.observe``)."""
        if self.synced_ns < 0:
            self.synced_ns = now
        if not changes:
            return
        n = self.sym.stats.applied
        if n == self._at:
            return
        self._at = n
        if self.start < 0:
            self.start = now
        o = self.twin
        if o is not None and o._at != n:  # (it has not seen this message: both from one pass)
            o._at = n
            if o.start < 0:
                o.start = now
            got = self.st.observe(o.st, changes, self.sym, now, self.floor, self.half, o.floor, o.half)
            if got is NotImplemented:  # (what C does not take: both windows on the twin from here)
                self._to_twin()
                got = self.st.observe(o.st, changes, self.sym, now, self.floor, self.half, o.floor, o.half)
            if got is not None:
                if got[0]:
                    self.samples.add_many(now, got[0])
                if got[1]:
                    o.samples.add_many(now, got[1])
            return
        got = self.st.observe(None, changes, self.sym, now, self.floor, self.half, 0, 0)
        if got is NotImplemented:
            self._to_twin()
            got = self.st.observe(None, changes, self.sym, now, self.floor, self.half, 0, 0)
        if got is not None:
            self.samples.add_many(now, got[0])

    def _to_twin(self) -> None:
        """The window's per-message state moved to the pure-Python store (what C declined: nothing
        lost), and its pair's (the paired pass runs on two stores of one kind)."""
        for w in (self, self.twin):
            if w is not None and not isinstance(w.st, StepState):
                w.st = as_twin(w.st, _BID, _ASK, w.move_ticks, w.move_tol)

    # Views of the per-message state (tests; each call builds them from ``st.state()``)
    @property
    def at(self) -> dict[tuple[BookSide, int], tuple[int, int]]:
        """(side, px) -> (t, the level's largest recent step)."""
        return self.st.state()[1]

    @property
    def last(self) -> list[list]:
        """``[t, side, px, step, lo, hi]`` of the steps kept in the last ``SAME_NS``, in the order kept."""
        return [list(x) for x in self.st.state()[0]]

    @property
    def last_side(self) -> dict[BookSide, list[list]]:
        """``last`` by side, each in the order kept."""
        kept = self.last
        return {s: [x for x in kept if x[1] is s] for s in BookSide}

    def refresh(self, now: int, half: int) -> None:
        """The window's rank-th largest, and the floor: half of it once twice ``rank`` steps are
        kept (when the largest leave the window, the next are known); 0 before. ``half``: the
        band's half-width in ticks (steps further out are not sampled)."""
        if now == self._refreshed:
            return
        self._refreshed = now
        self.half = half
        smp = self.samples
        smp.expire(now - self.window_ns)
        k, n = self.rank, len(smp)
        self.ref = smp.at(-k) if n >= k else None
        age = now - self.start
        young = self.young = age < self.horizon_ns
        # (The tail index only where an extrapolation asks for it, and again only when the window's
        # 3 x rank largest, all it reads, changed: not once a second for nothing. ``same_top``
        # compares them with the last ones in place; the slice is taken only when they changed.)
        has = self.ref is not None
        if (not smp.same_top(3 * k, self._top)) if has else self._top is not None:
            s = smp.sorted
            self._top = s[-3 * k:] if has else None
            self._h = _hill(s, k) if young and has else 0.0  # (young only ever turns false)
            # The exceedance's tail leaves out the rank - 1 largest, as the rank does: where large
            # orders are common (unannounced walls, spoofs) they would lift it over the walls.
            self._hc = _hill(s, k, k - 1) if self.exceed > 0 and has else 0.0
            # (all grow reads changes only here: has turning either way runs this too)
            self.grow = _grow(self._hc, k / self.exceed) if self.exceed > 0 and has else 1.0
        self.tail = _grow(self._h, self.horizon_ns / max(age, _SEC)) if young and has else 1.0
        self.floor = self.ref // 2 if n >= 2 * k else 0  # (ref: the k-th largest)
        if self.st.clean(now) is NotImplemented:  # (every 10 s: a stale entry reads as none anyway)
            self._to_twin()
            self.st.clean(now)

    def recent(self, side: BookSide, px: int, now: int) -> tuple[int, int]:
        """``(t, step)``: the largest step at the level in the last ``KEEP_NS`` ((0, 0): none)."""
        v = self.st.recent(side, px, now)
        if v is NotImplemented:
            self._to_twin()
            v = self.st.recent(side, px, now)
        return v

    def step_at(self, side: BookSide, px: int, q: int, now: int) -> tuple[int, int]:
        """``recent``, except that a level with no step seen within ``SNAPSHOT_NS`` of the sync
        stood in the book as first seen: its size ``q`` stands in for its step."""
        t, step = self.recent(side, px, now)
        if not step and 0 <= self.synced_ns and now - self.synced_ns <= SNAPSHOT_NS:
            return t, q
        return t, step

    def wants_book(self) -> bool:
        """Does the need read ``book`` now (a bound set, the window young or not yet refreshed)?"""
        return self.book_ratio > 0 and (self.young or self._refreshed < 0)

    def see_book(self, q: int) -> None:
        """The largest level of the band just seen that may hold organic orders only (2+ ticks from
        the touch, no announced wall): a level holds at least its largest order, so the book
        bounds the organic orders it shows. Kept as the largest since the window started."""
        if q > self.book:
            self.book = q

    def bounded(self, n: int, book: int, ratio: float) -> int:
        """``n`` (a need) for a candidate that came when ``book`` was the largest organic level
        seen: while the window is young at most ``book_ratio`` x ``book``, but never under
        ``ratio`` x ``ref`` (what an old window asks at the least); else ``n``."""
        if self.young and self.book_ratio > 0 and book and self.ref is not None:
            return min(n, max(int(ratio * self.ref), int(self.book_ratio * book)))
        return n

    def need_ratio(self, ratio: float) -> int:
        """``need`` without the exceedance: ``ratio`` x ``ref`` x ``tail`` (0: no test yet)."""
        return 0 if self.ref is None else int(ratio * self.ref * self.tail)

    def need(self, ratio: float) -> int:
        """What a large order's step must reach: ``ratio`` x ``ref`` x ``tail``, and at least
        ``ref`` x ``tail`` extrapolated along the tail to the size the window's organic flow
        exceeds only ``exceed`` times (``grow``; 0: fewer steps than the rank seen yet, no test).
        A young window may bound it by the book (``bounded``)."""
        return self.need_ratio(max(ratio, self.grow))

    def resync(self) -> None:
        """The feed synced again: the next message is the first of a new snapshot."""
        self.synced_ns = -1

    def forget(self, t: int, step: int) -> None:
        """Take a step found to be a large order (an announced wall) out of the window: the
        window estimates the organic orders, and large ones would otherwise crowd its top ranks
        wherever they are common."""
        self.samples.remove(t, step)
