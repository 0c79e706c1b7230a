"""Pulled liquidity's work at each depth message once the step windows have seen it (split from
spoof.py): the mids of the last second, the once-a-second statistics, the level changes that can
matter, the expiry of the taker tapes and size increases, and the pass over the candidates.

``message`` is the C accelerator's ``pulls_delta`` (``_native_pulls.c``) where it is built and takes
the detector's state, else ``delta_py``: the same steps in the same order, calling the same Python
for what is rare (a new candidate, ``_level``; a drop, ``_maybe_pull``; the statistics, ``tick_py``)
so that both leave the detector in the same state. C works on the detector's store itself when it
is the C type (``_native.PullStore``, spoof_store.py), and declines (NotImplemented, nothing done)
the Python twin; past its first steps it hands what it does not take to these functions:
``rest_py`` before its loop, ``loop_py`` from a change on, ``end_py`` for the expiry and the pass.

The changes acted on are those ``changes.pick`` keeps with the arguments ``loop_py`` gives it (an
increase of at least ``big`` where it may count as a candidate's order moved, one up to its side's
threshold where a new candidate may stand, one inside the candidates' price range); ``loop_py``
tests the same condition change by change (its own range ``plo..phi`` widened as ``pick``'s is)
and acts on those kept exactly as the loop over ``pick``'s list did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dom.core import accel
from dom.core.detectors.rolling import grid_after
from dom.core.detectors.spoof_state import _Pull
from dom.core.detectors.steps import SNAPSHOT_NS
from dom.core.detectors.tape import TakerTape
from dom.core.book import BookSideLevels
from dom.core.engine import LevelChange, SymbolState
from dom.core.types import BookDelta, BookSide

if TYPE_CHECKING:
    from dom.core.detectors.spoof import SpoofDetector

_BID = BookSide.BID
_MS = 1_000_000
_SEC = 1_000_000_000
_FAR = 1 << 62

FILTER = True
"""False: every change goes through ``loop_py``'s loop, and C is not used (the tests: the filter
leaves out no change the loop acts on)."""


def tick_py(det: SpoofDetector, sym: SymbolState, now: int) -> None:
    """At a message on or past ``next_stats_ns``: the statistics, or the grid's first point."""
    lim = det.lim
    if lim[0] < 0:  # (next_stats_ns)
        lim[0] = grid_after(now, _SEC)
    else:
        det._stats(sym, now)


def loop_py(det: SpoofDetector, sym: SymbolState, changes: Sequence[LevelChange], i: int, now: int,
            bb: int | None, ba: int | None, lo: int, hi: int, plo: int, phi: int, ilo: int, ihi: int) -> None:
    """The changes from the ``i``-th on: those ``pick`` keeps (its range so far ``plo..phi``) acted
    on, the candidates' range so far ``lo..hi``; increases kept for ``adds`` within ``ilo..ihi``."""
    p = det.p
    thr = det.threshold
    st = det.st
    lim = det.lim
    big, tb, ta = lim[3], lim[4], lim[5]  # (big, tb, ta: no hook below changes a threshold)
    hb, ha = det.half[_BID], det.half[BookSide.ASK]
    d0 = p.spoof_min_d0_ticks
    # pick's arguments
    ptb = _FAR if tb is None or bb is None else tb
    pta = _FAR if ta is None or ba is None else ta
    inc = big - 1 if big else _FAR
    blo, bhi = (0, 0) if bb is None else (bb - hb, bb - d0)
    alo, ahi = (0, 0) if ba is None else (ba + d0, ba + ha)
    for side, px, before, after in changes[i:]:  # (as they were: a hook may change the list)
        if side is _BID:  # kept by pick?
            up = after >= ptb and blo <= px <= bhi
        else:
            up = after >= pta and alo <= px <= ahi
        if up:
            if px < plo:
                plo = px
            if px > phi:
                phi = px
        elif FILTER and not (plo <= px <= phi or (after - before > inc and ilo <= px <= ihi)):
            continue
        if after < big:
            # Most changes: under half the lower threshold, so no increase of ``big`` (for
            # ``adds``) and no new candidate (a threshold is at least ``big``): only a
            # candidate's own level matters (what _level does to one, then perhaps a pull).
            if lo <= px <= hi and st.seen(side, px, now, after) and after < before:
                det._maybe_pull(sym, side, px, after, now)
            continue
        if big and after - before >= big and ilo <= px <= ihi:
            st.add(side, now, px, after - before)
        if len(st) or (thr and after >= big):  # cheap filter before the lookups
            t = tb if side is _BID else ta
            known = lo <= px <= hi and st.has(side, px)
            if known or (t is not None and after >= t):
                if not known:  # what _level asks of a new candidate's distance, asked here
                    b = bb if side is _BID else ba
                    if b is None:
                        continue
                    d = b - px if side is _BID else px - b
                    if d < d0 or d > (hb if side is _BID else ha):
                        continue
                det._level(sym, side, px, after, now)
                lo, hi = lim[1], lim[2]  # (cands_lo, cands_hi)
                if after < before and st.has(side, px):
                    det._maybe_pull(sym, side, px, after, now)


def end_py(det: SpoofDetector, sym: SymbolState, now: int, bb: int | None, ba: int | None) -> None:
    """After the changes: the taker tapes and size increases older than ``keep_ns`` dropped, and
    the candidates brought up to the message (the store's ``sweep``), the dead ones removed."""
    horizon = now - det.keep_ns
    for tape in det.trades.values():
        if tape.q and tape.q[0][0] < horizon:
            tape.expire(horizon)
    st = det.st
    st.expire(horizon)
    if not len(st):
        return
    p = det.p
    book = sym.book
    lim = det.lim  # (cands_lo, cands_hi from the pass; tb, ta)
    lim[1], lim[2] = st.sweep(bb, ba, lim[4], lim[5], det.half[_BID], det.half[BookSide.ASK],
                              book.bids.levels, book.asks.levels, now,
                              now - p.spoof_approach_s * _SEC, now - p.spoof_drop_window_ms * _MS)


def rest_py(det: SpoofDetector, sym: SymbolState, changes: Sequence[LevelChange], now: int,
            bb: int | None, ba: int | None) -> None:
    """The changes acted on, then ``end_py``."""
    lo, hi = det.lim[1], det.lim[2]  # (cands_lo, cands_hi)
    r = det.reach
    if r is not None and lo <= hi:
        ilo = lo - r
        ihi = hi + r
    else:
        ilo, ihi = det.no_range
    loop_py(det, sym, changes, 0, now, bb, ba, lo, hi, lo, hi, ilo, ihi)
    end_py(det, sym, now, bb, ba)


def delta_py(det: SpoofDetector, sym: SymbolState, changes: Sequence[LevelChange], now: int,
             bb: int | None, ba: int | None) -> None:
    """A depth message at ``now`` (best prices ``bb``, ``ba``: the book's after it)."""
    det.st.mid(now, None if bb is None or ba is None else bb + ba)  # (twice the mid: book.mid2())
    if now >= det.lim[0]:  # (next_stats_ns)
        tick_py(det, sym, now)
    rest_py(det, sym, changes, now, bb, ba)


def held(det: SpoofDetector, own_pull: bool = False) -> tuple:
    """What ``pulls_delta`` reads of ``det`` at each message, in the order of ``_native_pulls.c``'s
    ``H_`` names: objects the detector never replaces (``on_sync_lost`` empties them in place; ``st``
    its store, which C takes when it is the C type), then constants of its parameters (times in ns), then
    what the first checks of ``_maybe_pull`` read (_native_pgate.c): its band medians (a dict it fills in
    place) and parameters; then ``pull_kit`` (None unless ``own_pull``: the detector's ``_maybe_pull`` and
    ``_level`` are SpoofDetector's, which C then does: _native_pjd.c, _native_plevel.c); last ``lim`` (the next statistics' time, the candidates' range, ``big`` and the
    thresholds: changed in place)."""
    p = det.p
    return (det.st, det.trades, det.threshold, det.half, p.spoof_min_d0_ticks,
            p.spoof_approach_s * _SEC, p.spoof_drop_window_ms * _MS, det.keep_ns, det.reach, det.no_range,
            det.median, p.spoof_ratio, p.spoof_drop_fraction, p.spoof_level_drop_fraction, p.spoof_queue_ticks,
            p.spoof_level_drop_big, p.spoof_level_drop_order, pull_kit(det) if own_pull else None, det.lim)


_KW = ("since", "range_before")
_KW_STEPS = _KW + ("step", "need", "step_ref", "fresh")


def pull_kit(det: SpoofDetector) -> tuple:
    """What the rest of ``_maybe_pull`` reads in C (_native_pjd.c, once its first checks have passed
    for certain) in the order of its ``PK_`` names: the detector's pulls (emptied in place, never
    replaced), the pull's class, the step window (None: off), ``spoof_step_ratio``, the flow windows
    ``spoof_flow_s`` and ``spoof_flow_min_s`` in ns, the step window's ``SNAPSHOT_NS``, the names of the
    pull's fields given by keyword and the tapes' class (a tape of another kind: the method)."""
    p = det.p
    return (det.pulls, _Pull, det.steps, p.spoof_step_ratio, p.spoof_flow_s * _SEC, p.spoof_flow_min_s * _SEC,
            SNAPSHOT_NS, _KW if det.steps is None else _KW_STEPS, TakerTape)


KIT = (_BID, BookSide.ASK, TakerTape, tick_py, rest_py, loop_py, end_py)
"""What ``pulls_delta`` is handed: the sides, the tapes' class it works on in place, the Python it calls."""


def native_kit(det: SpoofDetector) -> tuple | None:
    """``PullsHook``'s arguments for ``det`` (the depth hook, _native_pdh.c: ``on_delta`` with ``message``
    in C), or None where C would not take its messages: no accelerator, ``FILTER`` off, or the store
    the Python twin."""
    native = accel.native
    h = det.held
    if native is None or not FILTER or type(h) is not tuple or len(h) != 19 or type(h[0]) is not native.PullStore:
        return None
    return (det, KIT, h, delta_py, BookDelta, BookDelta.ts_exchange_ns, BookSideLevels)


def message(det: SpoofDetector, sym: SymbolState, changes: Sequence[LevelChange], now: int,
          bb: int | None, ba: int | None) -> None:
    """``delta_py``, in C where the accelerator is built (it hands on to the Python steps above
    what it does not take)."""
    native = accel.native
    if native is not None and FILTER and native.pulls_delta(det, sym, changes, now, bb, ba, KIT) is not NotImplemented:
        return
    delta_py(det, sym, changes, now, bb, ba)
