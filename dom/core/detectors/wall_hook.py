"""The walls' depth hook (symbol_state.delta_hooks): what the engine calls for each applied depth
message in place of ``WallDetector.on_delta`` where the accelerator is built (``WallHook``,
_native_wdh.c), and the gate's numbers it holds."""

from __future__ import annotations

from typing import Any

from dom.core import accel
from dom.core.book import BookSideLevels
from dom.core.detectors.steps import LargeSteps
from dom.core.detectors.wall_ref import under_need_wait
from dom.core.detectors.wall_state import _Wall
from dom.core.detectors.wall_traded import traded_into
from dom.core.types import BookDelta, BookSide

_FAR = 1 << 62
_BID, _ASK = BookSide.BID, BookSide.ASK
_NONE = (_FAR,) * 10


def build_hook(det: Any, cls: type) -> Any:
    """``det.delta_hook()`` for a detector of ``cls`` (WallDetector): ``det.on_delta`` itself, or
    where the accelerator is built ``WallHook``: the step observation and ``on_delta``'s gate in
    C, a fresh empty list for the messages that need nothing, ``_judge`` past the gate,
    ``on_delta`` for anything it does not take. It holds the gate's numbers (``next_stats_ns``,
    ``tmin``), handed over each time they change (``hand_gate``), the standing walls' (``hand_walls``)
    and ``walls`` itself (mutated in place, never rebound). One per detector (``det.hook``)."""
    native = accel.native
    if (native is None or type(det).on_delta is not cls.on_delta or type(det)._judge is not cls._judge
            or (det.steps is not None and type(det.steps) is not LargeSteps)):
        return det.on_delta
    if det.hook is None:
        S = LargeSteps
        det.hook = native.WallHook(det, det.walls, det.steps, BookDelta, BookDelta.ts_exchange_ns, S,
                                   S.synced_ns, S._at, S.start, S.twin, S.st, S.floor, S.half, S.samples,
                                   BookSide.BID, BookSideLevels)
        hand_gate(det)
    return det.hook


def hand_gate(det: Any) -> None:
    """The gate's numbers to the detector's hook, if it has one (after a change of either between
    two stats): ``next_stats_ns`` and ``tmin``, without the bands' entries (a change at no wall
    then matters up to ``tmin`` at any price until the next stats hands them: ``hand_band``)."""
    if det.hook is not None:
        det.hook.set(det.next_stats_ns, det.tmin)


def hand_band(det: Any) -> tuple[int, int]:
    """After each stats (and after a ``_judge`` whose ``_level`` worked a distance's P90 out: the
    entries the stats gave its bucket were the threshold alone): the gate's numbers with the bands'
    entries (``entries``) to the hook, if it has one, worked out in C (``WallHook.band``,
    _native_wjg.c) where it takes the numbers; keeps each side's entries (``det.ents``: what
    ``_judge`` picks up to, ``wall_pick``) and returns each side's lowest (``det.entry``)."""
    hook = det.hook
    for s in (_BID, _ASK):
        det.dist[s].fresh = False  # (every P90 worked out so far is read here)
    if hook is not None:
        thr, half, d = det.threshold, det.half, det.dist
        got = hook.band(det.next_stats_ns, det.tmin, half[_BID], half[_ASK], thr.get(_BID), thr.get(_ASK),
                        det.p.wall_distance_ratio, d[_BID].p90s, d[_ASK].p90s)
        if got is not NotImplemented:
            det.ents = hook.entries()[2:]
            return got
    e = entries(det)
    if hook is not None:
        hook.set(det.next_stats_ns, det.tmin, *e[:4])
    det.ents = e[2], e[3]
    return e[4], e[5]


def entries(det: Any) -> tuple[int, int, tuple[int, ...], tuple[int, ...], int, int]:
    """``(bid half-width, ask half-width, bid entries, ask entries, lowest bid entry, lowest ask
    entry)`` (worked out with each stats: ``hand_band``): what a change that is at no
    wall must reach for ``_judge`` to act on it, per distance bucket from its side's best (within
    the half-width: ``_judge`` picks nothing further out). ``_level`` starts a candidate only at a
    size up to its side's threshold and to ``wall_distance_ratio`` x the bucket's typical size
    plus one (none while the bucket warms up: ``_FAR``). Only a P90 already worked out is read
    (``p90s``: ``DistanceBaseline.p90`` works one out at the first ask after a refresh, a selection
    over the bucket's samples, which most buckets never need); a bucket not yet asked is its
    side's threshold alone until the next stats after ``_level`` asks it."""
    ratio = det.p.wall_distance_ratio
    out = []
    for side in (BookSide.BID, BookSide.ASK):
        thr = det.threshold.get(side)
        if thr is None:
            out.append(_NONE)
            continue
        cap = min(_FAR, thr)
        try:
            out.append(tuple(_FAR if v is None else cap if type(v) is not int else min(_FAR, max(thr, int(ratio * v) + 1))
                             for v in det.dist[side].p90s))
        except (ValueError, OverflowError, TypeError):  # (a ratio that is no number: _level's to say)
            out.append(tuple(_FAR if v is None else cap for v in det.dist[side].p90s))
    return det.half[BookSide.BID], det.half[BookSide.ASK], out[0], out[1], min(out[0]), min(out[1])


def hand_walls(det: Any, now: int) -> None:
    """``hand_walls_py``, in C where the hook is the accelerator's and takes what it reads
    (``WallHook.hand``, _native_wdh_hand.c: the walls of ``_Wall`` itself, their times, prices and
    sizes exact ints, the parameters exact ints or floats; else the twin): the same numbers to the
    hook, without the lists and tuples."""
    hook = det.hook
    native = accel.native
    if native is not None and type(hook) is native.WallHook:
        got = hook.hand(det.walls, now, det.lifetimes.required_ns, det.p, det.threshold, candidate_due, det, _Wall, _ASK)
        if got is not NotImplemented:
            return
    hand_walls_py(det, now)


def hand_walls_py(det: Any, now: int) -> None:
    """The standing walls' gate to the hook (after each ``_judge`` that leaves walls, at ``now``):
    until ``due`` none of them changes with time alone, and a change can matter only at a wall's
    price on its side (each side's prices and their range; or up to an entry in the band: ``entries``);
    at a candidate dipping under its entry, only a change back up to it (its quiet size) or one
    outside its side's band (where ``_level`` lets it fall back: within it, a change under its
    entry leaves it as it is). ``due``: the earliest of a pending update's turn (``wall_update_ms``
    after the last line), a dip's end (``wall_dip_ms``), a candidate's next turn (``candidate_due``);
    now for a wall gone from its level (its move is looked for in every message).

    A candidate standing at its entry, not dipping (``wall_traded_fraction`` off, its side with a
    threshold), is *steady* until ``due``: a change at its price up to its entry (its hold size)
    within its side's band is all ``_level`` does for it (its size, peak and distance), and the
    rest of ``_judge`` does nothing for it before ``due`` (``candidate_due``: inside its wait it
    reads neither size nor step; past it, with ``wall_ref_step_ratio`` off, it reads its step,
    which only an increase at its price can raise: there only a change not over the level's old
    size holds, its rise flag 0). The hook does that work itself for a message whose every change
    that may matter is such a one (``WallHook.walls``' hold sizes and rise flags)."""
    p = det.p
    due = _FAR
    blo = alo = _FAR
    bhi = ahi = -_FAR
    bid = BookSide.BID
    bpx, apx, bq, aq, bh, ah, br, ar = [], [], [], [], [], [], [], []
    persist = det.lifetimes.required_ns
    steady = p.wall_traded_fraction <= 0
    ref_off = p.wall_ref_step_ratio <= 0
    thr = det.threshold
    for w in det.walls.values():
        px = w.px
        q = -_FAR  # (its quiet size)
        h, r = _FAR, 0  # (its hold size, its rise flag)
        if w.announced:
            if w.gone_ns:
                due = -_FAR
            elif w.moves != w.sent_moves or abs(w.size - w.sent_size) > p.wall_update_change * w.sent_size:
                t = w.updated_ns + p.wall_update_ms * 1_000_000
                if t < due:
                    due = t
        elif w.dip_ns:
            q = w.enter
            t = w.dip_ns + p.wall_dip_ms * 1_000_000
            if t < due:
                due = t
        elif steady and now - w.first_ns < persist:  # (inside its wait: candidate_due's first answer)
            t = w.first_ns + persist
            if t < due:
                due = t
            if w.side in thr:
                h, r = w.enter, 1
        else:
            t = candidate_due(det, w, now)
            if t < due:
                due = t
            if steady and ref_off and w.side in thr:
                h = w.enter
        if w.side is bid:
            bpx.append(px)
            bq.append(q)
            bh.append(h)
            br.append(r)
            if px < blo:
                blo = px
            if px > bhi:
                bhi = px
        else:
            apx.append(px)
            aq.append(q)
            ah.append(h)
            ar.append(r)
            if px < alo:
                alo = px
            if px > ahi:
                ahi = px
    det.hook.walls(due, blo, bhi, alo, ahi, tuple(bpx), tuple(apx), tuple(bq), tuple(aq), tuple(bh), tuple(ah),
                   tuple(br), tuple(ar))


def candidate_due(det: Any, w: Any, now: int) -> int:
    """When ``_judge``'s loop may next do something for candidate ``w`` (standing, no dip) with no
    change at its price and no stats in between (``_FAR``: not before one of those), as of
    ``_judge`` at ``now``. Its loop ``continue``s before its wait (the persistence, the floor where
    traded into); past it, it read the level's largest recent step (``w.step`` now holds it),
    which can only shrink with time (a larger one comes with a change at its price), and every
    need and wait it compares with is set by the stats. So: its wait's end; past it, never while
    the step is short of the weak need (or of the need where traded into), the graded wait's end
    where between, now where it was up to the need (``_announce`` tried); with
    ``wall_ref_step_ratio`` on, the earlier of that and its end of ``ref_wait`` (its size, the
    other side of that test, moves only with a change at its price). With
    ``wall_traded_fraction`` on, a trade into a candidate not yet traded into may make it so before
    the next message (its peak, the other side of the test, moves only with a change at its
    price): the earlier of its turn either way."""
    tf = det.p.wall_traded_fraction
    eaten = tf > 0 and traded_into(w, tf)
    due = _turn(det, w, now, eaten)
    if tf > 0 and not eaten:
        t = _turn(det, w, now, True)
        if t < due:
            due = t
    return due


def _turn(det: Any, w: Any, now: int, eaten: bool) -> int:
    """``candidate_due`` for ``w`` traded into (``eaten``) or not."""
    p = det.p
    persist = det.lifetimes.required_ns
    base = det.floor_ns if eaten else persist
    if now - w.first_ns < base:
        return w.first_ns + base
    need = det.step_weak if eaten else det.step_need
    if w.step >= need:
        return now
    st = det.steps
    weak = det.step_weak
    if w.book:
        need = st.bounded(need, w.book, p.wall_step_ratio)
        weak = st.bounded(weak, w.book, p.wall_step_ratio)
    if w.step >= need:
        return now
    if eaten:
        return _FAR
    wait = under_need_wait(det, w, weak, need, persist)
    return _FAR if wait >= _FAR else w.first_ns + wait
