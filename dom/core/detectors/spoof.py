"""Pulled liquidity: a large displayed order cancelled as price approaches (DETECTORS.md §2.4).

A candidate is a level at least ``spoof_ratio`` x the median level size of its band (as walls:
same side, within min(1% of mid, ``wall_band_ticks``)) and the notional floor, first seen at
least ``spoof_min_d0_ticks`` from its side's best. A *pull* is a drop of at least
``spoof_drop_fraction`` of the level's *excess over the queue beside it* (the median of the
levels within ``spoof_queue_ticks``: an order resting inside an organic queue never takes the
whole level with it) within ``spoof_drop_window_ms``, where that excess is at least what a
candidate stands above the band median, and of at least ``spoof_level_drop_fraction`` of the
whole level less what that queue holds above the band median (a lone level must lose most of
itself, as before the queue rule; a lone placed order that organic orders joined may be held to
``spoof_level_drop_big`` or ``spoof_level_drop_order`` instead, spoof_rules.level_waived); judged ``align_slack_ms`` later (exchange time; more if the
trade stream runs further behind, up to ``spoof_max_wait_ms``) so trades from the other stream
count, and it is reported only when all of these hold:

* trades at the level's price explain at most ``spoof_max_traded_fraction`` of the drop
  (otherwise it was consumed, not pulled; trades beyond it came after it had gone);
* price was approaching: the distance at the pull is at most max(``spoof_near_ticks``,
  half the first distance) and at least ``spoof_min_approach_ticks`` smaller than the largest
  distance of the last ``spoof_approach_s`` seconds, and still closing in over the last second;
  the distance is the book's before the pull's push, or where that push's trades on the level's
  side got to when nearer (``spoof_trade_approach``: a push may hold the last of the approach
  and the pull);
* takers pushed price toward it: those hitting its side (sellers into bids, buyers into asks)
  made at least ``spoof_min_flow_share`` of the taker volume over the last ``spoof_flow_s``
  seconds, counted from when the candidate was first seen if that leaves ``spoof_flow_min_s``
  (a risk-off pull after a mid that only jumped there is not an approach), unless its step is at
  least ``spoof_flow_step`` x what the step test asks (one placed order, told from the queue);
* it lived at least ``spoof_min_life_ms`` (or ``spoof_short_life_ms`` when its step is at least
  ``spoof_short_life_step`` x what the step test asks) and at most ``spoof_max_life_s``;
* the size did not reappear nearby on the same side (a moved order or a re-quoted ladder is not
  a pull), and the level was not the deepest one known (a level leaving a top-N window);
* the mid was not unusually volatile: a mid range over the last second above its rolling
  ``spoof_vol_pct`` percentile (and ``spoof_vol_min_ticks``) makes it a risk-off pull, not an
  approach-driven one; before that percentile has its samples no pull counts (unless its step is
  ``spoof_warm_step`` x beyond, seen after the first book: the floor is then its limit);
* nothing of a like size (``spoof_two_sided_fraction`` of its drop) was pulled on the other
  side at the same time (a market maker withdrawing both quotes is not leaning on one side; with
  ``spoof_two_sided_requote``, a pull there whose size came back nearby is a re-quote, not one);
* the level arrived as one order beyond the organic ones (steps.py, ``spoof_steps``; off with
  ``spoof_step_rank`` 0); one ``spoof_waive_step`` x beyond is held to looser distance, approach,
  traded and volatility rules (a lone placed order, params.py).

Levels of one side pulled within ``spoof_layer_ms`` of each other are one episode (layering),
reported at the largest, once depth ``spoof_layer_ms`` and the trades' wait past the first pull
have arrived. The alert is a point event: ``new`` then ``end`` at the same time. Wording is
"pulled liquidity", never a claim of intent.
"""

from __future__ import annotations

from collections import deque
from typing import Sequence

from dom.core import accel
from dom.core.detectors.band import Bands, median_sorted
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.rolling import RollingSamples, grid_after
from dom.core.detectors.slack import AdaptiveSlack, make_slack
from dom.core.detectors.spoof_alert import pull_alerts
from dom.core.detectors.spoof_delta import held, message, native_kit
from dom.core.detectors.spoof_rules import (is_pull, level_waived, move_reach, queue_beside, requoted, toward,
                                            withdrawn)
from dom.core.detectors.spoof_state import _Pull
from dom.core.detectors.spoof_stats import band_median_top
from dom.core.detectors.spoof_store import pull_state
from dom.core.detectors.steps import SNAPSHOT_NS, LargeSteps, spoof_steps
from dom.core.detectors.tape import TakerTape
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import BookDelta, BookSide, FeedState, Output, TakerSide, Trade

_BID, _ASK, _BUY = BookSide.BID, BookSide.ASK, TakerSide.BUY
_SIDES = (_BID, _ASK)
LIM_NEXT, LIM_LO, LIM_HI, LIM_BIG, LIM_TB, LIM_TA, LIM_DEPTH, LIM_PREV = range(8)  # SpoofDetector.lim's places


def _lim(i: int, doc: str) -> property:
    """``SpoofDetector.lim[i]`` as an attribute."""

    def get(self: SpoofDetector):
        return self.lim[i]

    def put(self: SpoofDetector, v) -> None:
        self.lim[i] = v

    return property(get, put, doc=doc)
_SYNCED = FeedState.SYNCED
_MS = 1_000_000
_SEC = 1_000_000_000
_FAR = 1 << 62


def _median_top(bands: Bands, side: BookSide, band: list) -> tuple[int, int, int | None]:
    """Of ``band``'s sizes (``bands.get(side)``'s): how many, ``int`` of their median and the largest
    ((0, 0, None): none), from the sorted sizes shared with the walls, or in C by selection."""
    got = band_median_top(band)
    if got is None:
        sizes = bands.sizes(side)
        got = (len(sizes), int(median_sorted(sizes)), sizes[-1]) if sizes else (0, 0, None)
    return got


class SpoofDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams, bands: Bands | None = None,
                 slack: AdaptiveSlack | None = None, steps: LargeSteps | None = None) -> None:
        self.p = p
        self.bands = bands or Bands(sym, p)
        self.inst = sym.instrument
        self.lot_notional = float(sym.instrument.contract_size) * sym.instrument.qty.to_float(1)
        # The candidates (with their size and distance histories), the mids of the last second and
        # the size increases, (t, px, added), kept near the candidates (spoof_store.py).
        self.st = pull_state(BookSide.BID, BookSide.ASK)
        # What each depth message reads of the statistics and the candidates, in one list (``LIM``
        # names its places; the properties below read and set them): the next statistics' time (-1:
        # set on the grid at the first delta, see grid_after); the range every candidate's price lies
        # within (a filter); as of the last statistics (only they change a threshold), half the lower
        # threshold (0 without any) and each side's threshold (None without one); the last depth
        # message's exchange time and the one before (0: none yet). Changed in place, never replaced
        # (the accelerator holds it: spoof_delta.held; the trade hook reads the depth time there).
        self.lim: list = [-1, _FAR, -_FAR, 0, None, None, 0, 0]
        self.median: dict[BookSide, int] = {}
        self.threshold: dict[BookSide, int] = {}
        self.keep_ns = max(5, p.spoof_flow_s) * _SEC  # how long trades and size increases are kept
        self.half: dict[BookSide, int] = {BookSide.BID: 0, BookSide.ASK: 0}  # band half-width, ticks
        self.trades = {BookSide.BID: TakerTape(), BookSide.ASK: TakerTape()}  # (T, px, qty), last few s
        self.reach = move_reach(p)  # ... kept this near the candidates' range (None: everywhere)
        self.no_range = (-_FAR, _FAR) if self.reach is None else (_FAR, -_FAR)  # (their window without it)
        self.pulls: list[_Pull] = []
        # Shared with the other detector that feeds it the same trades (see make_observers).
        self.slack = slack or make_slack(p.align_slack_ms)
        self.ranges = RollingSamples()  # (t, mid range over a second), sampled
        self.range_pct: int | None = None  # rolling percentile of those ranges (half ticks)
        self.next_range_ns = 0
        self.judged: deque[tuple[int, BookSide, int]] = deque()  # recent pulls (t, side, drop), for the two-sided check
        self.n = 0
        self.steps = steps or spoof_steps(sym, p)  # the step test (None: off)
        # What the per-message work in C reads of it (spoof_delta.held; the rest of _maybe_pull and
        # _level in C only where both are SpoofDetector's own).
        own = type(self)._maybe_pull is SpoofDetector._maybe_pull and type(self)._level is SpoofDetector._level
        self.held = held(self, own)

    next_stats_ns = _lim(LIM_NEXT, "When the statistics are next due (-1: at the first delta's grid point).")
    cands_lo = _lim(LIM_LO, "The lowest candidate's price (1 << 62 without any).")
    cands_hi = _lim(LIM_HI, "The highest candidate's price (-(1 << 62) without any).")
    big = _lim(LIM_BIG, "Half the lower threshold as of the last statistics (0 without any).")
    tb = _lim(LIM_TB, "The bid side's threshold as of the last statistics (None without one).")
    ta = _lim(LIM_TA, "The ask side's threshold as of the last statistics (None without one).")
    depth_t = _lim(LIM_DEPTH, "The last depth message's exchange time (0: none yet).")
    prev_depth_t = _lim(LIM_PREV, "The depth message's before it (a pull's push began there).")

    # ---------------------------------------------------------------------------- statistics
    def _stats(self, sym: SymbolState, now: int) -> None:
        lim = self.lim
        lim[LIM_NEXT] = grid_after(now, _SEC)
        book = sym.book
        if book.bids.best_px() is None or book.asks.best_px() is None:
            return  # (no mid)
        bands, st, p = self.bands, self.st, self.p
        thr, half_d = self.threshold, self.half
        unit = self.inst.price
        ratio, notional, lot = p.spoof_ratio, p.spoof_min_notional, self.lot_notional
        for side in _SIDES:
            best, half, band = bands.get(side)  # type: ignore[misc]  # (a two-sided book)
            half_d[side] = half
            n, med, top = _median_top(bands, side, band)
            if n < 5:
                thr.pop(side, None)
                continue
            self.median[side] = med
            floor = notional / max(1e-12, unit.to_float(best) * lot)  # (the level's notional floor, in lots)
            t = thr[side] = int(max(ratio * med, floor)) + 1
            if top >= t:  # a level up to the threshold: a new candidate, perhaps
                for px, q in st.hits(band, t, side):  # (q >= t, or a candidate's level)
                    self._level(sym, side, px, q, now)
            elif len(st):  # only the candidates' own levels: what _level does to a known one
                lo, hi = (best - half, best) if side is _BID else (best, best + half)
                st.seen_band(side, lo, hi, book.side(side).levels, now)
        hb, ha = half_d[_BID], half_d[_ASK]
        if self.steps is not None:
            self.steps.refresh(now, max(hb, ha))
        lim[LIM_TB], lim[LIM_TA] = thr.get(_BID), thr.get(_ASK)
        lim[LIM_BIG] = min(thr.values(), default=0) // 2
        # The mid's range over the last second, sampled; its rolling percentile (30 min).
        rs = self.ranges
        rs.add(now, st.mid_range(_FAR))
        rs.expire(now - 1800 * _SEC)
        n = len(rs)
        if now >= self.next_range_ns and n >= 30:
            self.next_range_ns = grid_after(now, 10 * _SEC)
            floor = int(2 * p.spoof_vol_min_ticks)
            v = rs.at(int(p.spoof_vol_pct / 100 * (n - 1)))  # (the sorted window's, read in place)
            self.range_pct = v if v > floor else floor

    def _dist(self, sym: SymbolState, side: BookSide, px: int) -> int | None:
        best = sym.book.side(side).best_px()
        if best is None:
            return None
        return best - px if side is BookSide.BID else px - best

    def _level(self, sym: SymbolState, side: BookSide, px: int, q: int, now: int) -> None:
        if self.st.seen(side, px, now, q):
            return  # (a known candidate)
        thr = self.threshold.get(side)
        if thr is None or q < thr:
            return
        d = self._dist(sym, side, px)
        if d is None or d < self.p.spoof_min_d0_ticks or d > self.half[side]:
            return
        step = self.steps.step_at(side, px, q, now)[1] if self.steps is not None else 0
        self.st.new(side, px, now, d, q, step)
        lim = self.lim
        if px < lim[LIM_LO]:
            lim[LIM_LO] = px
        if px > lim[LIM_HI]:
            lim[LIM_HI] = px

    # ------------------------------------------------------------------------------- hooks
    def on_trade(self, sym: SymbolState, t: Trade) -> list[Output]:
        if sym.state is _SYNCED:
            T = t.ts_exchange_ns
            tape = self.trades[_ASK if t.taker is _BUY else _BID]
            q = tape.q  # (TakerTape.append, written out: a trade's hot path)
            if q and T < q[-1][0]:
                tape.last_desc = tape.popped + len(q)
            q.append((T, t.px_ticks, t.qty_lots))
            depth_t = self.lim[LIM_DEPTH]
            if depth_t:
                self.slack.on_trade_once(sym.stats.trades, depth_t, T)
        return []

    def trade_hook(self):
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade`` itself, or
        where the accelerator is built the same work in C without its frame (``SpoofHook``,
        _native_trd_hook.c, which calls ``on_trade`` for anything it does not take)."""
        native = accel.native
        if native is None or type(self).on_trade is not SpoofDetector.on_trade:
            return self.on_trade
        return native.SpoofHook(self, self.slack, _BID, _ASK, _BUY, Trade, _SYNCED, TakerTape, deque,
                                Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.qty_lots)

    def delta_hook(self):
        """What the engine calls for each applied depth message (symbol_state.delta_hooks): ``on_delta``
        itself, or where the accelerator is built and holds the store the same work in C without its
        frame (``PullsHook``, _native_pdh.c: it calls ``_judge`` only while a pull waits)."""
        kit = native_kit(self)
        if kit is None or type(self).on_delta is not _ON_DELTA:
            return self.on_delta
        return accel.native.PullsHook(*kit)

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        now = delta.ts_exchange_ns
        lim = self.lim
        if now > lim[LIM_DEPTH]:
            lim[LIM_PREV] = lim[LIM_DEPTH]
            lim[LIM_DEPTH] = now
        if self.steps is not None:
            self.steps.observe(changes, now)
        book = sym.book
        message(self, sym, changes, now, book.bids.best_px(), book.asks.best_px())  # (no hook changes the book)
        return self._judge(sym) if self.pulls else []

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        # A pull is a point event: nothing is open. What was seen before the gap is forgotten.
        self.st.clear()
        self.pulls.clear()
        self.trades.update({BookSide.BID: TakerTape(), BookSide.ASK: TakerTape()})  # (in place: ``held``)
        self.judged.clear()
        self.lim[LIM_NEXT] = -1
        if self.steps is not None:
            self.steps.resync()
        return []

    # ------------------------------------------------------------------------------ pulls
    def _maybe_pull(self, sym: SymbolState, side: BookSide, px: int, after: int, now: int) -> None:
        f = self.st.facts(side, px, now)
        if f is None or f[0]:
            return  # (no candidate there, or one already pulled)
        _, ref, last, ago, far, d0, first_ns, step = f
        med = self.median.get(side, 0)
        p = self.p
        if ref < p.spoof_ratio * med or ref - after < p.spoof_drop_fraction * (ref - max(med, after)):
            return  # (a cheap bound first: the queue is at least the band median ...)
        queue = queue_beside(self, sym, side, px)
        excess = ref - queue  # what stood above the organic queue: the order that may be pulled
        if excess < (p.spoof_ratio - 1) * med or ref - after < p.spoof_drop_fraction * excess:
            return
        if ref - after < p.spoof_level_drop_fraction * (ref - (queue - med)) and not level_waived(
                self, side, px, ref, after, queue - med, step, now):
            return  # the level keeps more than an organic queue beside it explains: not the order gone
        d = self._dist(sym, side, px)
        if d is None:
            return
        d = min(d, last) if d >= 0 else last  # as it stood before this message
        d = max(0, d)
        # (ago: the distance a second ago; the history holds what changed since)
        lv = sym.book.side(side)
        deeper = (lv.first_between(px - 10**9, px - 1) if side is BookSide.BID
                  else lv.first_between(px + 1, px + 10**9))
        self.st.mark(side, px)
        pull = _Pull(side, px, now, ref, after, med, d0, d, far,
                     first_ns, after == 0 and deeper is None, self.threshold.get(side, 0),
                     self.st.mid_range(_FAR), self.range_pct, ago - d,
                     toward(self, side, now, first_ns), queue, since=self.prev_depth_t,
                     range_before=self.st.mid_range(now))
        st = self.steps
        if st is not None:  # its largest step as a candidate or since, and what it must reach now
            pull.step = max(step, st.step_at(side, px, ref, now)[1])
            pull.need, pull.step_ref = st.need(self.p.spoof_step_ratio), st.ref
            pull.fresh = 0 <= st.synced_ns < first_ns - SNAPSHOT_NS
        self.pulls.append(pull)

    def _judge(self, sym: SymbolState) -> list[Output]:
        p = self.p
        mark = self.depth_t - self._wait()
        out: list[Output] = []
        layer = p.spoof_layer_ms * _MS
        while self.pulls and self.pulls[0].t + layer <= mark:
            first = self.pulls[0]
            side, last = first.side, first.t + layer
            group = [x for x in self.pulls if x.side is side and x.t <= last]
            # (in place: the depth hook holds it) The others: a pull equal to one of the group has
            # its side and time, so is one of it; ``not in group`` compared them field by field.
            self.pulls[:] = [x for x in self.pulls if x.side is not side or x.t > last]
            for x in group:
                self.st.remove(x.side, x.px)
            other = first.side.opposite
            # The other side's pulls at the same time that are a like size (a market maker
            # withdrawing both quotes), not any candidate's: in a busy book the other side loses a
            # level a few times its median every second or so.
            # (spoof_two_sided_requote: an other side's pull whose size came back nearby moved.)
            drop = max(x.before - x.after for x in group)
            big = p.spoof_two_sided_fraction * drop
            rq = p.spoof_two_sided_requote
            both = any(x.side is other and abs(x.t - first.t) <= layer and x.before - x.after >= big
                       and not (rq and requoted(self, x)) for x in self.pulls) or any(
                sd is other and abs(t - first.t) <= layer and d >= big for t, sd, d in self.judged)
            self.judged.append((first.t, first.side, withdrawn(self, group) if rq else drop))
            while self.judged and self.judged[0][0] < first.t - 10 * layer:
                self.judged.popleft()
            if both:
                continue  # both sides pulled together: quotes withdrawn, not one side leaned on
            ok = [x for x in group if is_pull(self, x)]
            if ok:
                out += pull_alerts(self, sym, ok)
        return out

    def _wait(self) -> int:
        """How long a pull waits for the trades that might explain it: the adaptive slack, but no
        more than ``spoof_max_wait_ms`` (a pull alert is worth little once price is there)."""
        return min(self.slack.ns, max(self.p.align_slack_ms, self.p.spoof_max_wait_ms) * _MS)


_ON_DELTA = SpoofDetector.on_delta  # (the depth hook does its work: not a subclass's or a patched one)
