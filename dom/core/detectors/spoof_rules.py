"""The rules a pull is judged by once its trades are in (split from spoof.py; the list is its docstring),
and the two measures taken at the pull: the queue beside the level and the taker flow toward it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from dom.core import accel
from dom.core.detectors.band import median
from dom.core.detectors.spoof_state import _Pull
from dom.core.detectors.tape import TakerTape
from dom.core.engine import SymbolState
from dom.core.types import BookSide

if TYPE_CHECKING:
    from dom.core.detectors.params import DetectorParams
    from dom.core.detectors.spoof import SpoofDetector

_MS = 1_000_000
_SEC = 1_000_000_000


def move_reach(p: "DetectorParams") -> int | None:
    """How far from the candidates' price range a size increase is kept (``adds``: ``is_pull``
    reads them as a pulled order moved, within ``spoof_move_ticks`` of the pulled level, from
    ``spoof_drop_window_ms`` before the pull): ``spoof_move_ticks``. A pull judged on an increase
    was a candidate for at least ``spoof_min_life_ms`` before it, longer than the drop window, so
    it was within the range (``SpoofDetector.cands_lo..cands_hi`` as a message's loop begins) when
    the increase came, and stays in it, pending, until judged. None (every price) when the life is
    no longer than the window: an increase before a candidate was seen could then count (the
    shorter life of a large step, ``spoof_short_life_ms``, when it is on)."""
    life = min(p.spoof_min_life_ms, p.spoof_short_life_ms or p.spoof_min_life_ms)
    return p.spoof_move_ticks if life > p.spoof_drop_window_ms else None


def queue_beside(det: "SpoofDetector", sym: SymbolState, side: BookSide, at: int) -> int:
    """The organic queue beside a candidate at ``at``: the median size of the levels within
    ``spoof_queue_ticks`` on either side of it (itself left out), at least the band median.
    A median of the neighbours, so one other large order beside it does not lift it."""
    r = det.p.spoof_queue_ticks
    lv = sym.book.side(side)
    if r <= 8:  # a few prices: each looked up (a level in the book has a size over 0), no range read
        levels = lv.levels
        near = [q for px in range(at - r, at + r + 1) if px != at and (q := levels.get(px))]
    else:
        near = [q for px, q in lv.between(at - r, at + r) if px != at]
    med = det.median.get(side, 0)
    return max(med, int(median(near))) if near else med


def toward(det: "SpoofDetector", side: BookSide, now: int, first_ns: int = 0) -> float:
    """Share of taker volume over the last ``spoof_flow_s`` seconds that hit ``side`` (sellers
    into bids, buyers into asks): the flow pushing price toward an order there."""
    lo = now - det.p.spoof_flow_s * _SEC
    if det.p.spoof_flow_min_s:  # over the candidate's life, at least spoof_flow_min_s
        lo = max(lo, min(first_ns, now - det.p.spoof_flow_min_s * _SEC))
    mine = det.trades[side].volume_after(lo)
    other = det.trades[side.opposite].volume_after(lo)
    return mine / (mine + other) if mine + other else 0.5


def traded_py(trades: Iterable[tuple[int, int, int]], lo: int, hi: int, at_px: int, sign: int) -> tuple[int, int]:
    """Of ``trades`` (T, px, qty) with ``lo < T <= hi``: the qty at ``at_px``, and beyond it
    (``(at_px - px) * sign > 0``)."""
    at = beyond = 0
    for T, px, q in trades:
        if lo < T <= hi:
            if px == at_px:
                at += q
            elif (at_px - px) * sign > 0:
                beyond += q
    return at, beyond


def near_py(trades: Iterable[tuple[int, int, int]], lo: int, hi: int, at_px: int, sign: int) -> int | None:
    """Of ``trades`` (T, px, qty) with ``lo < T <= hi``: the least ``(px - at_px) * sign`` of at least
    0 (None: none)."""
    near = None
    for T, px, _ in trades:
        if lo < T <= hi:
            d = (px - at_px) * sign
            if d >= 0 and (near is None or d < near):
                near = d
    return near


def _tape_read(det: "SpoofDetector", x: _Pull, lo: int, name: str, py: Callable) -> Any:
    """``py(det.trades[x.side], lo, x.t, x.px, sign)``: in C (``_native_pjd_tape.c``'s ``name``) on the
    deque of a ``TakerTape`` where built and it takes the values, from its end back to ``lo`` while
    its trades are in time order (nothing before holds a later trade)."""
    sign = 1 if x.side is BookSide.BID else -1  # beyond a bid is below it, beyond an ask above
    tape = det.trades[x.side]
    native = accel.native
    if native is not None and type(tape) is TakerTape:
        q = tape.q
        got = getattr(native, name)(q, lo, x.t, x.px, sign, type(q) is deque and tape.last_desc <= tape.popped)
        if got is not NotImplemented:
            return got
    return py(tape, lo, x.t, x.px, sign)


def traded(det: "SpoofDetector", x: _Pull) -> tuple[int, int]:
    """Taker volume over the pulled level's drop window at its price, and beyond it (a sweep)."""
    return _tape_read(det, x, x.t - det.p.spoof_drop_window_ms * _MS - 100 * _MS, "tape_traded", traded_py)


def trade_dist(det: "SpoofDetector", x: _Pull) -> int | None:
    """How near the trades hitting the pulled level's side came to it within the depth push that
    showed the pull (None: none traded there). A push may hold both the last of the approach and
    the pull; the trades, timed on their own, show where price got to."""
    return _tape_read(det, x, x.since, "tape_near", near_py)


def approach(det: "SpoofDetector", x: _Pull) -> tuple[int, int, int | None]:
    """The distance at the pull, the ticks of approach over the last second, and how near the
    pull's push's trades came (None: not asked, ``spoof_trade_approach`` off, or none traded): the
    book's distance, or the trades' when nearer."""
    t = trade_dist(det, x) if det.p.spoof_trade_approach else None
    if t is not None and t < x.dist:
        return t, x.jump + x.dist - t, t
    return x.dist, x.jump, t


def step_beyond(x: _Pull, k: float) -> bool:
    """Did the pulled level arrive as one order at least ``k`` x what the step test asks (``k`` 0:
    never; never before the step window has its rank)?"""
    return bool(k and x.need and x.step >= k * x.need)


def level_waived(det: "SpoofDetector", side: BookSide, px: int, ref: int, after: int, above: int, step: int,
                 now: int) -> bool:
    """Does a drop the whole-level rule turns down pass it all the same, its level having arrived as
    one order at least ``spoof_waive_step`` x what the step test asks: the drop at least
    ``spoof_level_drop_big`` of the level less ``above`` (what the queue beside it holds over the
    band median), or at least ``spoof_level_drop_order`` x its largest one-message increase (the
    order as placed: organic orders that joined its price after it stay)? False when both are off."""
    p = det.p
    st = det.steps
    if not (p.spoof_level_drop_big or p.spoof_level_drop_order) or st is None or not p.spoof_waive_step:
        return False
    s = max(step, st.step_at(side, px, ref, now)[1])
    need = st.need(p.spoof_step_ratio)
    if not (need and s >= p.spoof_waive_step * need):
        return False
    drop = ref - after
    return bool((p.spoof_level_drop_big and drop >= p.spoof_level_drop_big * (ref - above))
                or (p.spoof_level_drop_order and drop >= p.spoof_level_drop_order * s))


def requoted(det: "SpoofDetector", x: _Pull) -> bool:
    """Was at least half of ``x``'s drop re-added on its side within ``spoof_move_ticks`` (not at its
    price) from ``spoof_drop_window_ms`` before it to the trades' wait after it: the quote moved."""
    p = det.p
    lo = x.t - p.spoof_drop_window_ms * _MS
    return det.st.moved(x.side, lo, x.t + det._wait(), x.px, p.spoof_move_ticks) >= 0.5 * (x.before - x.after)


def withdrawn(det: "SpoofDetector", group: list[_Pull]) -> int:
    """The largest drop of a judged group that may make a pull on the other side two-sided: of its
    pulls whose size did not come back nearby (``spoof_two_sided_requote``; 0: every one did)."""
    return max((x.before - x.after for x in group if not requoted(det, x)), default=0)


def is_pull(det: "SpoofDetector", x: _Pull) -> bool:
    """Does a pull pass the rules of spoof.py's docstring (those judged once its trades are in)?"""
    p = det.p
    drop = x.before - x.after
    if x.edge:
        return False  # the deepest known level vanished: it left the window
    limit = x.range_limit
    if limit is None:  # no volatility baseline yet (warm-up): only a large step seen after the first book
        if not (p.spoof_warm_step and x.fresh and step_beyond(x, p.spoof_warm_step)):
            return False
        limit = int(2 * p.spoof_vol_min_ticks)
    life = x.t - x.first_ns
    if life > p.spoof_max_life_s * _SEC:
        return False
    if life < p.spoof_min_life_ms * _MS and not (
            p.spoof_short_life_ms and life >= p.spoof_short_life_ms * _MS
            and step_beyond(x, p.spoof_short_life_step)):
        return False  # shown too briefly (unless its step stands far beyond the organic ones)
    big = step_beyond(x, p.spoof_waive_step)  # a lone placed order: four rules looser (params.py)
    at, beyond = traded(det, x)
    traded_max = p.spoof_waive_traded_fraction if big else p.spoof_max_traded_fraction
    if at + (beyond if p.spoof_traded_through else 0) > traded_max * drop:
        return False  # consumed, not pulled
    dist, jump, _ = approach(det, x)
    near = max(p.spoof_waive_near_ticks if big else p.spoof_near_ticks, x.d0 // 2)
    if dist > near or (x.max_recent_dist - dist < p.spoof_min_approach_ticks
                       and not (big and p.spoof_waive_approach)):
        return False  # price was not approaching
    if jump < 1:
        return False  # price approached earlier but stalled: the pull is not a reaction to it
    # No taker flow pushing price toward it: a move of the mid, not an approach (unless its level
    # arrived as one order far beyond the organic ones: the step then says what the flow would,
    # that this was one placed order, not the queue).
    if x.toward < p.spoof_min_flow_share and not step_beyond(x, p.spoof_flow_step):
        return False
    r = p.spoof_move_ticks
    moved = det.st.moved(x.side, x.t - p.spoof_drop_window_ms * _MS, x.t + det._wait(), x.px, r)
    if moved >= 0.5 * drop:
        return False  # the size went elsewhere nearby: moved, not pulled
    if x.mid_range > limit and not (
            big and x.mid_range <= limit * p.spoof_waive_range
            and x.range_before <= limit * p.spoof_waive_range_before):
        return False  # a volatility spike: risk-off pulls are normal then (unless one push made it)
    # (the step test: need 0 when off or before the window has its rank; spoof_step_pass of it)
    return x.step >= (x.need if p.spoof_step_pass == 1 else p.spoof_step_pass * x.need)
