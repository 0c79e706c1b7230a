"""Walls: large resting orders (DETECTORS.md §2.1), relative to the symbol's own book.

A level is a wall when its size is at least ``wall_ratio`` x the median level size of its band
(same side, within min(1% of mid, ``wall_band_ticks``)), at least the band's rolling P95 and the
notional floor, is the largest level within ``wall_neighbourhood_ticks``, and has stood for
``wall_persist_ms`` (a dip under the threshold shorter than ``wall_dip_ms`` does not restart
that time). Once announced, a wall stays while its size is at least ``wall_end_fraction`` of its
peak and of the threshold (hysteresis), and a dip under that which recovers, or moves, within
``wall_dip_ms`` is the same episode. It ends when the level stays below it: *consumed*
(trades at the level >= 50% of the drop), *pulled* (trades <= 10%), else *reduced*. Updates
(size changes, moves) go out at most once per ``wall_update_ms``, coalesced.
Across a resync an open wall ends as *unknown*: the book that showed it can no longer be trusted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from dom.core.detectors.band import Bands
from dom.core.detectors.changes import pick
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.persistence import LevelLifetimes
from dom.core.detectors.rolling import RollingSamples, grid_after
from dom.core.detectors.steps import LargeSteps, wall_steps
from dom.core.detectors.wall_alert import wall_alert
from dom.core.detectors.wall_hook import build_hook, hand_band, hand_gate, hand_walls
from dom.core.detectors.wall_moves import moved_candidate, track_moves
from dom.core.detectors.wall_pick import wall_pick
from dom.core.detectors.wall_ref import under_need_wait
from dom.core.detectors.wall_shape import stands_out
from dom.core.detectors.wall_side import organic_top, side_stats
from dom.core.detectors.wall_state import DistanceBaseline, _Wall
from dom.core.detectors.wall_trade_hook import make_trade_hook
from dom.core.detectors.wall_traded import traded_into
from dom.core.detectors.wall_weak import WeakWait
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import AlertState, BookDelta, BookSide, Output, TakerSide, Trade

_BID, _ASK, _BUY = BookSide.BID, BookSide.ASK, TakerSide.BUY
_SEC = 1_000_000_000
_FAR = 1 << 62
_NONE = (_FAR,) * 10  # (a side's entries before any stats: none)


class WallDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams, bands: Bands | None = None,
                 steps: LargeSteps | None = None) -> None:
        self.p = p
        self.bands = bands or Bands(sym, p)
        # The step test (off with wall_step_rank 0): a wall arrived as one order beyond the
        # organic ones (steps.py); what its largest step must reach, as of the last stats.
        self.steps = steps or wall_steps(sym, p)
        self.step_need = 0
        self.step_weak = 0  # what a step needs without the exceedance (walls that stood wall_weak_persist_ms)
        self.inst = sym.instrument
        self.contract = float(sym.instrument.contract_size)
        self.walls: dict[tuple[BookSide, int], _Wall] = {}  # (mutated in place, never rebound: the hook holds it)
        self.walls_lo, self.walls_hi = _FAR, -_FAR  # every wall's price lies within (a filter)
        self.median: dict[BookSide, float] = {}
        self.threshold: dict[BookSide, int] = {}
        self.tmin = _FAR  # the lower of the thresholds (_FAR: none)
        self.samples = {BookSide.BID: RollingSamples(), BookSide.ASK: RollingSamples()}  # sampled band sizes
        self.p95: dict[BookSide, int] = {BookSide.BID: 0, BookSide.ASK: 0}
        self.next_stats_ns = -1  # -1: set on the grid at the first delta (see grid_after)
        self.next_p95_ns = 0
        self.rng = random.Random(0)  # deterministic sampling
        ms = 1_000_000
        self.weak_ns = p.wall_weak_persist_ms * ms
        # The weak path's wait from the symbol's own large levels (off with wall_weak_least_ms 0; wall_weak.py).
        self.weak = (WeakWait(p.wall_persist_ms * ms, p.wall_weak_least_ms * ms, self.weak_ns, p.wall_weak_margin,
                              p.wall_weak_episodes, p.wall_lifetime_window_s * _SEC) if p.wall_weak_least_ms else None)
        # ... and the bound on the weak path's graded wait from them (off with wall_weak_bound_ms 0; wall_weak.py).
        self.bound = (WeakWait(p.wall_persist_ms * ms, p.wall_weak_bound_ms * ms, self.weak_ns, p.wall_weak_bound_margin,
                               0, p.wall_lifetime_window_s * _SEC) if p.wall_weak_bound_ms else None)
        self.floor_ns = p.wall_persist_ms * ms
        self.lifetimes = LevelLifetimes(p.wall_persist_ms * ms, p.wall_persist_max_ms * ms, p.wall_false_per_h,
                                        p.wall_lifetime_window_s * _SEC, p.wall_lifetime_min)
        self.half: dict[BookSide, int] = {BookSide.BID: 0, BookSide.ASK: 0}  # band half-width, ticks
        # What usually rests at each distance from the touch (recent samples per side and distance
        # bucket, and their P90): books are humped and touch queues grow in quiet spells, so a
        # level is compared with the large end of what is normal where it stands.
        self.dist = {s: DistanceBaseline(p.wall_distance_samples, p.wall_distance_warmup) for s in BookSide}
        self.band_max: dict[BookSide, int] = {BookSide.BID: 0, BookSide.ASK: 0}  # largest band level, last stats
        self.book_top = 0  # the largest level that may be organic in the last stats' bands (``wall_step_book_ratio``)
        self.hook: Any = None  # the engine's depth hook once built (delta_hook): it holds the gate's numbers
        # The least a change at no wall must reach to start a candidate, each side's (the bids', the
        # asks': the lowest of its distance buckets' entries, wall_hook.entries; as of the last stats)
        self.entry: tuple[int, int] = (_FAR, _FAR)
        # ... and each side's entries, one per distance bucket (the bids', the asks'; wall_pick)
        self.ents: tuple[tuple[int, ...], tuple[int, ...]] = (_NONE, _NONE)

    # ---------------------------------------------------------------------------- statistics
    def _stats(self, sym: SymbolState, now: int) -> list[tuple[BookSide, Sequence[tuple[int, int]]]]:
        """Once a second: band medians, P95 samples, thresholds; returns each side's levels to check
        (those up to its threshold, or at a wall's key: ``band_hits``)."""
        out = []
        refresh_p95 = now >= self.next_p95_ns
        book = self.steps is not None and self.steps.wants_book()
        self.book_top = 0
        for side in (_BID, _ASK):
            got = self.bands.get(side)  # (best, half-width, levels best first), None: an empty side
            if got is not None:
                self.half[side] = got[1]
            band = got[2] if got is not None else ()
            if len(band) < 5:
                self.threshold.pop(side, None)
                continue
            walls = self.walls
            # The baselines leave out the large levels they are meant to find (the announced walls
            # on this side: a wall is keyed by its own side and price).
            out_px = [w.px for w in walls.values() if w.announced and w.side is side] if walls else None
            # (the distance buckets, the median and largest size, the P95, the threshold and the
            # levels to check against it: wall_side.py)
            dist, p = self.dist[side], self.p
            med, self.band_max[side], self.p95[side], self.threshold[side], hits = side_stats(
                self.bands, side, band, dist, out_px, self.rng, self.samples[side], now,
                now - p.wall_p95_window_s * _SEC, refresh_p95, self.p95[side], p.wall_ratio, walls)
            if refresh_p95:
                dist.refresh()
            self.median[side] = med
            if book:  # the largest level that may be organic orders only: no announced wall, not at the touch
                self.book_top = max(self.book_top, organic_top(band, out_px))
            out.append((side, hits))
        if refresh_p95:
            self.next_p95_ns = grid_after(now, 10 * _SEC)
        self.tmin = min(self.threshold.values(), default=_FAR)
        if self.steps is not None:
            self.steps.refresh(now, max(self.half.values()))
            self.step_need = self.steps.need(self.p.wall_step_ratio)
            self.step_weak = self.steps.need_ratio(self.p.wall_step_ratio) if self.p.wall_weak_persist_ms else self.step_need
        self.lifetimes.update(now)
        if self.weak is not None:
            self.weak_ns = self.weak.update(now)
        if self.bound is not None:
            self.bound.update(now)
        self.next_stats_ns = grid_after(now, _SEC)
        self.entry = hand_band(self)  # (and the gate's numbers to the hook, with the entries)
        return out

    # ------------------------------------------------------------------------------- hooks
    def delta_hook(self) -> Any:
        """What the engine calls for each applied depth message (symbol_state.delta_hooks):
        ``on_delta``, or ``WallHook`` where the accelerator is built (wall_hook.py)."""
        return build_hook(self, WallDetector)

    def _gate(self) -> None:
        """The gate's numbers to the hook, if there is one (after each change of either)."""
        hand_gate(self)

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        now = delta.ts_exchange_ns
        if self.steps is not None:
            self.steps.observe(changes, now)
        tmin = self.tmin
        if now < self.next_stats_ns and not self.walls and not pick(changes, _BID, tmin, tmin, _FAR, -_FAR, _FAR):
            return []  # most messages: no stats due, no wall, and no level up to a threshold
        return self._judge(sym, now, changes)

    def _judge(self, sym: SymbolState, now: int, changes: Sequence[LevelChange]) -> list[Output]:
        """``on_delta`` past its gate (the steps observed; stats due, a wall, or a level up to a threshold)."""
        out: list[Output] = []
        if now >= self.next_stats_ns:
            if self.next_stats_ns < 0:
                self.next_stats_ns = grid_after(now, _SEC)
                self._gate()
            else:
                # _level returns at once for a level under the threshold that is no wall (a wall it
                # meets is at its own price: none joins ahead of the loop, nor one of the other side).
                for side, hits in self._stats(sym, now):
                    least = self.entry[0] if side is _BID else self.entry[1]  # (under it: no wall can start)
                    walls = self.walls
                    for px, q in hits:
                        if q >= least or (side, px) in walls:
                            self._level(sym, side, px, q, now, out)
                if self.book_top:  # (after the new candidates took the book as it was before them)
                    self.steps.see_book(self.book_top)  # type: ignore[union-attr]
        thr = self.threshold
        if thr and changes:
            # What _level would return at once for: no threshold on that side, or a level below
            # it that is no wall (most changes). The threshold does not move during the loop.
            walls = self.walls
            tb, ta = thr.get(_BID), thr.get(_ASK)
            lo, hi = self.walls_lo, self.walls_hi
            # Only the changes in their side's band up to their distance's entry (``entries``: under
            # it, or outside the band, _level does nothing for a level that is no wall), or at a
            # wall's price, or at the price of a change kept earlier for its entry (a candidate may
            # start there within the message) can matter (``wall_pick``). The walls' price range
            # widens in the loop only to the price of a change kept for its entry (a new wall).
            book = sym.book
            bb, ba = book.bids.best_px(), book.asks.best_px()
            eb, ea = self.entry
            look = wall_pick(changes, _BID, _ASK, self.ents[0], self.ents[1], bb, ba, self.half[_BID],
                             self.half[_ASK], lo, hi, walls)
            for side, px, _old, new in look:
                t = tb if side is _BID else ta
                if t is None or (new < (eb if side is _BID else ea) and (not lo <= px <= hi or (side, px) not in walls)):
                    continue  # (no threshold; or no wall there, and under every entry: ``_level`` does nothing)
                self._level(sym, side, px, new, now, out)
                lo, hi = self.walls_lo, self.walls_hi
        if self.dist[_BID].fresh or self.dist[_ASK].fresh:  # (a P90 worked out: its bucket's entry to the gate)
            self.entry = hand_band(self)
        if not self.walls:
            return out
        gone = [w for w in self.walls.values() if w.gone_ns]
        if gone:
            track_moves(self, sym, gone, changes, now, out)
        lo, hi = _FAR, -_FAR
        p = self.p
        persist = self.lifetimes.required_ns
        tf = p.wall_traded_fraction
        standing = list(self.walls.values())
        for w in standing:
            if w.px < lo:
                lo = w.px
            if w.px > hi:
                hi = w.px
            if w.announced:
                if not w.gone_ns and now - w.updated_ns >= p.wall_update_ms * 1_000_000:
                    self._maybe_update(sym, w, now, out)
            elif w.dip_ns:
                if now - w.dip_ns >= p.wall_dip_ms * 1_000_000:
                    del self.walls[(w.side, w.px)]  # it did not come back: no wall
                    if not self._no_flicker(w):
                        self._fell_back(now, w.dip_ns - w.first_ns)
            else:
                # Traded into while it stands: the floor's time and the ratio's need (wall_traded.py).
                eaten = tf > 0 and traded_into(w, tf)
                if now - w.first_ns < (self.floor_ns if eaten else persist):
                    continue
                need = self.step_weak if eaten else self.step_need
                if w.step < need:  # (the step test: has a larger step come since?)
                    st = self.steps
                    t, step = st.recent(w.side, w.px, now)  # type: ignore[union-attr]
                    if step > w.step:
                        w.step, w.step_t = step, t
                    weak = self.step_weak
                    if w.book:  # a young window: at most what the book showed before it came
                        need = st.bounded(need, w.book, p.wall_step_ratio)  # type: ignore[union-attr]
                        weak = st.bounded(weak, w.book, p.wall_step_ratio)  # type: ignore[union-attr]
                    if w.step < need:
                        if eaten or now - w.first_ns < under_need_wait(self, w, weak, need, persist):
                            continue
                self._announce(sym, w, now, out)
        if len(self.walls) < len(standing):  # (some went in the loop: the range of those left)
            lo, hi = min((w.px for w in self.walls.values()), default=_FAR), max((w.px for w in self.walls.values()), default=-_FAR)
        self.walls_lo, self.walls_hi = lo, hi
        if self.hook is not None and self.walls:
            hand_walls(self, now)  # (what the hook may skip until the next _judge)
        return out

    def _maybe_update(self, sym: SymbolState, w: _Wall, now: int, out: list[Output]) -> None:
        """Tell what changed since the last line (a move, or the size by ``wall_update_change``),
        at most once per ``wall_update_ms``: later changes wait and go out together."""
        if now - w.updated_ns < self.p.wall_update_ms * 1_000_000:
            return
        if w.moves != w.sent_moves or abs(w.size - w.sent_size) > self.p.wall_update_change * w.sent_size:
            w.sent_size, w.sent_moves = w.size, w.moves
            out.append(wall_alert(self, sym, w, AlertState.UPDATE, now, w.size))

    def _admit(self, px: int) -> None:
        """Widen the price range every wall stands in (a filter for on_delta) to ``px``."""
        if px < self.walls_lo:
            self.walls_lo = px
        if px > self.walls_hi:
            self.walls_hi = px

    def _end(self, sym: SymbolState, w: _Wall, now: int, out: list[Output]) -> None:
        if not self._no_flicker(w):
            self.lifetimes.ended_after(now, (w.gone_ns or now) - w.first_ns)
        drop = max(1, w.peak - w.end_q)
        how = "consumed" if w.traded >= 0.5 * drop else "pulled" if w.traded <= 0.1 * drop else "reduced"
        out.append(wall_alert(self, sym, w, AlertState.END, now, w.end_q, end=how))
        del self.walls[(w.side, w.px)]

    def _fell_back(self, now: int, life_ns: int) -> None:
        """A candidate fell back unannounced after standing ``life_ns``."""
        self.lifetimes.ended_after(now, life_ns)
        if self.weak is not None:
            self.weak.fell_back(now, life_ns)
        if self.bound is not None:
            self.bound.fell_back(now, life_ns)

    def _no_flicker(self, w: _Wall) -> bool:
        """Takers traded into it: its end tells nothing of how long organic levels stand."""
        p = self.p
        return p.wall_traded_lifetimes and traded_into(w, p.wall_traded_fraction)

    def on_trade(self, sym: SymbolState, trade: Trade) -> list[Output]:
        if not self.walls:
            return []
        w = self.walls.get((_ASK if trade.taker is _BUY else _BID, trade.px_ticks))
        if w is not None:
            w.traded += trade.qty_lots
        return []

    def trade_hook(self) -> Any:
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade``, or where the
        accelerator is built the same work in C without its frame (wall_trade_hook.py)."""
        return make_trade_hook(self, WallDetector, _BID, _ASK, _BUY)

    def on_synced(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        if self.steps is not None:
            self.steps.resync()  # (``ts_ns`` is the receive time: the detectors keep to exchange time)
        return []

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = []
        for w in self.walls.values():
            if w.announced:
                out.append(wall_alert(self, sym, w, AlertState.END, ts_ns, w.size, end="unknown_resync"))
        self.walls.clear()
        self.next_stats_ns = -1
        self._gate()
        return out

    # ------------------------------------------------------------------------------ episodes
    def _typical(self, side: BookSide, dist: int) -> int | None:
        """P90 of the level sizes seen at this distance from the touch (None while warming up)."""
        return self.dist[side].typical(dist)

    def _level(self, sym: SymbolState, side: BookSide, px: int, q: int, now: int, out: list[Output]) -> None:  # noqa: E501
        thr = self.threshold.get(side)
        if thr is None:
            return
        key = (side, px)
        w = self.walls.get(key)
        if w is None and q < thr:
            return  # below the band threshold (the distance rule only raises it): not a wall
        p = self.p
        best = sym.book.side(side).best_px()
        if best is not None and w is None:
            typ = self._typical(side, abs(best - px))
            if typ is None:
                return  # no baseline at this distance yet
            thr = max(thr, int(p.wall_distance_ratio * typ) + 1)
        if best is None or abs(best - px) > self.half[side]:  # outside the band: no new walls here
            if w is not None and not w.announced:
                del self.walls[key]
                self._fell_back(now, now - w.first_ns)
            if w is None or not w.announced:
                return  # (an announced wall is followed wherever price goes)
        if w is None:
            if q >= thr and self._notional(px, q) >= p.wall_min_notional:
                lv = sym.book.side(side)
                if len(lv) - lv.rank(px) <= p.wall_edge_levels:
                    return  # at the edge of the known book (a top-N feed): it may only be scrolling in
                first = moved_candidate(self, side, px, q, now)
                w = self.walls[key] = _Wall(side, px, first, q, q, dist=abs(best - px), enter=thr)
                if self.steps is not None:
                    w.step_t, w.step = self.steps.step_at(side, px, q, now)
                    if self.steps.wants_book():
                        w.book = self.steps.book
                self._admit(px)
            return
        # Hysteresis. A candidate must hold what it had to reach until it is announced, but a dip
        # under it shorter than wall_dip_ms does not restart its time (letting it sit lower, at
        # the walls' exit threshold, announced ordinary levels that touched the threshold once:
        # 0 -> 12 false alarms in 30 injection-free minutes, seeds 4-6). An announced wall stays
        # while it holds its exit threshold, a fraction of its peak and of the band threshold.
        if not w.announced:
            if q >= w.enter:
                w.size, w.peak, w.dip_ns = q, max(w.peak, q), 0
                w.dist = abs(best - px) if best is not None else w.dist
            elif not w.dip_ns:
                w.dip_ns = now  # a short dip does not end it (judged in on_delta)
            return
        exit_q = p.wall_end_fraction * max(w.enter, w.peak)
        if w.gone_ns:
            if q >= exit_q and q >= p.wall_end_fraction * thr:
                w.gone_ns, w.size = 0, q  # back at its level within wall_dip_ms: the same episode
                w.peak = max(w.peak, q)
            return
        if q >= exit_q and q >= p.wall_end_fraction * thr:
            w.size = q
            w.peak = max(w.peak, q)
            if best is not None:
                w.dist = abs(best - px)
            self._maybe_update(sym, w, now, out)
            return
        if w.traded >= 0.5 * max(1, w.peak - q):  # being eaten: it cannot have moved
            if q >= p.wall_consumed_fraction * w.peak:
                w.size = q  # still standing while it is taken: say how much is left
                self._maybe_update(sym, w, now, out)
                return
            w.end_q = q
            self._end(sym, w, now, out)
        else:
            w.gone_ns, w.gone_size, w.end_q = now, w.size - q, q

    def _notional(self, px: int, q: int) -> float:
        return self.inst.price.to_float(px) * self.inst.qty.to_float(q) * self.contract

    def _announce(self, sym: SymbolState, w: _Wall, now: int, out: list[Output]) -> None:
        lv = sym.book.side(w.side)
        best = lv.best_px()
        if best is None or abs(best - w.px) > self.half[w.side] or lv.size_at(w.px) != w.size:
            del self.walls[(w.side, w.px)]  # price moved away while it waited: not a wall here
            self._fell_back(now, now - w.first_ns)
            return
        if not stands_out(lv, w.px, w.size, self.p):
            return  # a larger level nearby, a ladder, a thick stretch of book (wall_shape.py)
        w.announced = True
        if self.steps is not None and w.step:
            self.steps.forget(w.step_t, w.step)  # a large order: not one of the organic ones
        w.sent_size = w.size
        w.id = f"{sym.symbol}:wall:{w.side.value}:{w.px}:{w.first_ns}"
        out.append(wall_alert(self, sym, w, AlertState.NEW, now, w.size))
