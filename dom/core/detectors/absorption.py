"""Absorption: heavy aggression into a level that holds (DETECTORS.md §2.3).

Three things must hold at once, each relative to the symbol's own recent behaviour:

* volume: taker volume into the level over the last ``absorption_window_s`` (``V_W``) reaches
  ``absorption_touch_mult`` x the median touch size (the best level's size, sampled once a
  second, rolling; DETECTORS.md §2.3),
  ``absorption_baseline_mult`` x a percentile of ``V_W`` sampled at the touch once a second, and
  a notional floor;
* intensity: the number of aggressive trades into the level over the last
  ``absorption_rate_ms`` is at least ``absorption_rate_mult`` x a percentile of the number of
  trades into the whole side over the same span (and ``absorption_min_trades``), or the volume
  into it over that span ``absorption_rate_vol_mult`` x the same percentile of the side's (a
  venue that merges fills caps the count); and ``V_W`` without its largest print still reaches
  the volume threshold: one print is a block, not a flow. A level large against the book's own
  large levels (``absorption_large_mult`` x a percentile of the ten best levels' sizes; with
  ``absorption_large_far``, off by default, also of the largest band level away from the touch) needs
  only ``absorption_large_pace`` of either bar and ``absorption_large_block`` of the threshold
  without its largest print: the level's size against the flow it takes (with
  ``absorption_deep_mult``, off by default, a ``V_W`` many times the touch's usual needs no bar);
* the level holds: no trade beyond it since the episode began, it is still the best and still
  shown ``absorption_confirm_ms`` later (exchange time; with ``absorption_confirm_slack``, off by
  default, at least the alignment slack), so a sweep's late trade-through is seen first, and then shows more than ``absorption_min_shown`` x the median level size (a level the
  flow has nearly emptied is about to break), and more than ``absorption_eaten`` of the most it showed
  unless refills explain the flow (absorption_eaten.py: an order eaten down is followed, not announced).

Depth changes at the level are judged ``align_slack_ms`` (more if the trade stream runs further
behind: ``slack.AdaptiveSlack``) after they happen against the trades of their interval (the per-message volume balance ``R = traded - (shown_before - shown_after)``):
positive ``R`` is size added while trades hit the level (the refill lower bound); a drop of most
of the shown size that trades do not explain is the passive side leaving. Ends: *held* (the
aggression faded, or the passive side withdrew) or *broken* (a trade beyond the level, or the
level emptied by trades). Across a resync an open episode ends as *unknown_resync*.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from dom.core.detectors.absorption_alert import absorption_alert
from dom.core.detectors.absorption_away import LevelsAway
from dom.core.detectors.absorption_eaten import eaten_down
from dom.core.detectors.absorption_hook import make_hook, make_trade_hook
from dom.core.detectors.absorption_prints import few_large_prints
from dom.core.detectors.absorption_side import as_twin, make_side
from dom.core.detectors.absorption_sample import sample
from dom.core.detectors.absorption_state import _Episode
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.rolling import RollingSamples, grid_after
from dom.core.detectors.slack import AdaptiveSlack, make_slack
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import AlertState, BookDelta, BookSide, FeedState, Output, TakerSide, Trade

_BID, _ASK, _BUY = BookSide.BID, BookSide.ASK, TakerSide.BUY
_SYNCED = FeedState.SYNCED
_MS = 1_000_000
_SEC = 1_000_000_000
_UNSET = object()


class AbsorptionDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams, slack: AdaptiveSlack | None = None) -> None:
        self.p = p
        self.inst = sym.instrument
        self.lot_notional = float(sym.instrument.contract_size) * sym.instrument.qty.to_float(1)
        self.w_ns = p.absorption_window_s * _SEC
        self.rate_ns = p.absorption_rate_ms * _MS
        # Per side: its trades (times, rate window), its levels' volume windows, their thresholds
        # (absorption_side.py: in C when the accelerator is built).
        self.bid = make_side(BookSide.BID, self.rate_ns, self.w_ns, p.absorption_track_fraction)
        self.ask = make_side(BookSide.ASK, self.rate_ns, self.w_ns, p.absorption_track_fraction)
        # (No more attributes: at 30 an instance's attributes leave the shared-key layout and
        # every read of one slows; the side of a ``BookSide`` is ``self.bid if side is _BID else self.ask``.)
        self.eps: dict[tuple[BookSide, int], _Episode] = {}
        sides = (BookSide.BID, BookSide.ASK)
        self.samples = {s: RollingSamples() for s in sides}  # (t, V_W at the touch)
        self.rates = {s: RollingSamples() for s in sides}  # (t, trades into the side)
        self.vols = {s: RollingSamples() for s in sides}  # (t, taker volume into the side)
        self.levels = {s: RollingSamples() for s in sides}  # (t, median of ten best)
        self.touches = {s: RollingSamples() for s in sides}  # (t, size of the best level)
        self.sizes = {s: RollingSamples() for s in sides}  # (t, size) of each of the ten best levels
        self.big_level = {s: 0 for s in sides}  # a percentile of those sizes
        self.fars = {s: RollingSamples() for s in sides}  # (t, largest band level 2+ ticks from the touch)
        self.far_level = {s: 0 for s in sides}  # a percentile of those
        self.base_w = {s: 0 for s in sides}
        self.base_rate = {s: 0 for s in sides}
        self.base_vol = {s: 0 for s in sides}
        self.med_level = {s: 0 for s in sides}
        self.med_touch = {s: 0 for s in sides}
        self.min_shown = {s: 0.0 for s in sides}  # what a holding level must still show
        self.thr_inputs: dict[BookSide, tuple] = {s: () for s in sides}  # what the side's thresholds were cached for
        self.recent: dict[tuple[BookSide, int], tuple[str, int]] = {}  # held episodes: (id, end time)
        # Shared with the other detector that feeds it the same trades (see make_observers).
        self.slack = slack or make_slack(p.align_slack_ms)
        self.depth_t = 0
        self.next_sample_ns = -1  # -1: set on the grid at the first delta (see grid_after)
        self.next_stats_ns = 0
        if p.absorption_far_before:
            # Each side's levels by price, 2+ ticks from the best or not (absorption_away.py), kept
            # in this dict of the band away from the touch: a 31st attribute would take the
            # instance past CPython's 30 shared keys and slow every attribute read of it.
            for s in sides:
                self.fars["away", s] = LevelsAway((p.absorption_far_before_s + 10) * _SEC)

    # ---------------------------------------------------------------------------- baseline
    def _threshold(self, side: BookSide, px: int) -> int | None:
        """The volume threshold at ``px`` (None while warming up); it changes only when
        the once-a-second sample runs (absorption_sample.py), so it is kept per price until then."""
        S = self.bid if side is _BID else self.ask
        thr = S.thr_get(px, _UNSET)
        if thr is _UNSET:
            thr = self._compute_threshold(side, px)
            S.thr_set(px, thr)
        return thr  # type: ignore[return-value]

    def _compute_threshold(self, side: BookSide, px: int) -> int | None:
        if len(self.samples[side].q) < self.p.absorption_warmup_s:
            return None
        p = self.p
        floor = p.absorption_min_notional / max(1e-12, self.inst.price.to_float(px) * self.lot_notional)
        return int(max(p.absorption_baseline_mult * self.base_w[side], p.absorption_touch_mult * self.med_touch[side],
                       p.absorption_level_mult * self.med_level[side], floor)) + 1

    # ------------------------------------------------------------------------------- hooks
    def on_trade(self, sym: SymbolState, t: Trade) -> list[Output]:
        if sym.state is not _SYNCED:
            return []
        S = self.ask if t.taker is _BUY else self.bid  # (the maker side, without the property call)
        side = S.side
        px, T, q = t.px_ticks, t.ts_exchange_ns, t.qty_lots
        out: list[Output] = []
        if self.depth_t:
            self.slack.on_trade_once(sym.stats.trades, self.depth_t, T)
        eps = self.eps
        ep = None
        if eps:
            key = (side, px)
            ep = eps.get(key)
            if ep is not None and not ep.announced and T - ep.last_trade_ns > self.w_ns:
                del eps[key]
                ep = None
            if px != S.last_px:
                self._trade_through(sym, side, px, T, out)
        vw = S.trade(px, T, q, ep is None)
        if vw is NotImplemented:  # (a value the C side does not take: the Python side from here on)
            S = self._to_twin(S)
            vw = S.trade(px, T, q, ep is None)
        if vw < 0:
            if vw == -1:
                return out  # only levels already taking a good part of the threshold are followed closely
            vw = -2 - vw
            thr = self._threshold(side, px)
            if thr is None or vw < self.p.absorption_track_fraction * thr:
                return out
        if ep is None:
            shown = sym.book.side(side).size_at(px)
            ep = eps[(side, px)] = _Episode(side, px, S.first_time(px), self.depth_t, shown, T, shown, self.depth_t,
                                            max_q=shown, traded=vw - q)
        ep.traded += q
        if T > ep.last_trade_ns:
            ep.last_trade_ns = T
        ep.add_trade(T, q)
        if vw > ep.peak_w:
            ep.peak_w = vw
        if not ep.announced and not ep.cross_ns:
            thr = S.thr_get(px, _UNSET)
            if thr is _UNSET or (thr is not None and vw >= thr):  # (else _check_cross returns at once)
                self._check_cross(sym, side, px, T, vw, ep)
        elif ep.announced and ep.traded - ep.sent_traded >= 0.5 * max(1, ep.sent_traded):
            out.append(absorption_alert(self, sym, ep, AlertState.UPDATE, max(T, self.depth_t)))
        return out

    def trade_hook(self):
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade``, or the same
        work in C on the trades it only counts (absorption_hook.py)."""
        return make_trade_hook(self, AbsorptionDetector)

    def _check_cross(self, sym: SymbolState, side: BookSide, px: int, T: int, vw: int, ep: _Episode) -> None:
        p = self.p
        S = self.bid if side is _BID else self.ask
        thr = self._threshold(side, px)
        if thr is None or vw < thr:
            return
        rate_thr = max(p.absorption_min_trades, int(p.absorption_rate_mult * self.base_rate[side] + 0.999))
        lo = T - self.rate_ns
        rate = S.count_since(px, lo)
        vol = -1
        vol_thr = 0
        if p.absorption_rate_vol_mult:
            vol_thr = int(p.absorption_rate_vol_mult * max(1, self.base_vol[side]) + 0.999)
        if p.absorption_rate_young_ms:
            span = T - ep.times[0]  # since the level was followed (its V_W at the track fraction)
            if span < self.rate_ns:
                # A flow younger than the rate window, judged over its own span (the quiet before
                # it is not its pace).
                f = max(span, p.absorption_rate_young_ms * _MS) / self.rate_ns
                rate_thr = max(p.absorption_min_trades, int(f * rate_thr + 0.999))
                vol_thr = int(f * vol_thr + 0.999)
        paced = rate >= rate_thr
        if not paced and vol_thr and rate >= p.absorption_min_trades:
            # the count can saturate (merged prints): the volume may stand in
            vol = S.volume_since(px, lo)
            paced = vol >= vol_thr
        block = S.largest(px)  # (the window holds this trade: not None)
        rest = vw - block if paced else -1  # less one block print: a flow, not a block
        deep = rest < thr and p.absorption_deep_mult and p.absorption_deep_mult * max(thr, self.base_w[side])
        if deep and vw >= deep and vw - block >= deep:
            # A flow many times the threshold, and the touch's usual V_W, into one level that still
            # holds: the volume stands in for the pace (a steady flow has no busy second;
            # absorption_deep_mult).
            ep.deep = True
        elif rest < thr:
            # A level large against the book's own large levels takes the flow: less pace will do.
            big = p.absorption_large_mult * self.big_level[side]
            if not big or sym.book.side(side).size_at(px) < max(big, p.absorption_large_far * self.far_level[side]):
                return
            if rest < 0:
                rest = vw - block
            if rest < p.absorption_large_block * thr:
                return
            pace = p.absorption_large_pace
            if rate < pace * rate_thr:
                if vol < 0:
                    vol = S.volume_since(px, lo)
                if not vol_thr or vol < pace * vol_thr:
                    return
            ep.large = True
        mine = S.side_prune(T - self.rate_ns)
        other = (self.ask if side is _BID else self.bid).side_prune(T - self.rate_ns)
        if mine < p.absorption_one_sided * (mine + other):
            return  # aggression on both sides: a busy market, not one side leaning on a level
        if p.absorption_far_before:
            # A level that has shown most of its size since it stood 2+ ticks from the best is an
            # organic order the price came to, not an absorber placed against the flow.
            away, lo = self.fars["away", side], T - p.absorption_far_before_s * _SEC
            need = max(1, int(p.absorption_far_before * sym.book.side(side).size_at(px)))
            if away.came_to(px, lo, need, p.absorption_far_before_n):
                return
            ep.far_before = away.most_far(px, lo)
        ep.cross_ns = T
        ep.threshold = thr
        ep.rate = rate
        ep.rate_threshold = rate_thr
        ep.rate_vol = vol if vol >= 0 else S.volume_since(px, lo)
        ep.rate_vol_threshold = vol_thr
        ep.one_sided = mine / max(1, mine + other)

    def delta_hook(self):
        """What the engine calls for each applied depth message (symbol_state.delta_hooks):
        ``on_delta``, or the same work in C on the messages that need no decision (absorption_hook.py)."""
        return make_hook(self, AbsorptionDetector)

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        now = delta.ts_exchange_ns
        if now > self.depth_t:
            self.depth_t = now
        if now >= self.next_sample_ns:
            self._tick(sym, now)
        if not self.eps:
            return []
        out: list[Output] = []
        p = self.p
        mark = now - self.slack.ns
        bids, asks = sym.book.bids, sym.book.asks
        for key, ep in list(self.eps.items()):
            lv = bids if ep.side is _BID else asks
            shown = lv.levels.get(ep.px, 0)
            msgs = ep.msgs
            prev = ep.last_d
            msgs.append((prev, now, ep.last_q, shown))
            ep.last_d, ep.last_q = now, shown
            if shown > ep.max_q:
                ep.max_q = shown
            if msgs[0][1] <= mark and self._judge(sym, ep, mark, out):  # (else nothing to judge yet)
                del self.eps[key]
                continue
            if not ep.announced:
                if ep.cross_ns and now - ep.cross_ns >= self._confirm_ns():
                    if shown <= self.min_shown[ep.side] or (lv.best_px() != ep.px and not self._moved_off(ep, prev)):
                        del self.eps[key]  # it did not hold
                    elif not eaten_down(p, ep, shown):  # (an order eaten down: followed, not announced)
                        self._announce(sym, ep, now, out)
                elif not ep.cross_ns and now - ep.last_trade_ns > self.w_ns:
                    del self.eps[key]  # a followed level that stopped trading (its pending messages only fed refill_lb)
                continue
            if ep.faded(now - p.absorption_fade_ms * _MS, p.absorption_fade_fraction):
                out.append(absorption_alert(self, sym, ep, AlertState.END, now, "held", "aggression_faded"))
                del self.eps[key]
                continue
            if not ep.confirmed and now - ep.cross_ns >= p.absorption_hold_ms * _MS:
                ep.confirmed = True
                out.append(absorption_alert(self, sym, ep, AlertState.UPDATE, now))
        return out

    def _tick(self, sym: SymbolState, now: int) -> None:
        """At the first depth message on or after a second of the grid: the next second set, and the
        once-a-second sample taken (absorption_sample.py; not at the first message, which sets the grid)."""
        first = self.next_sample_ns < 0
        self.next_sample_ns = grid_after(now, _SEC)
        if not first:
            sample(self, sym, now)

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = [absorption_alert(self, sym, ep, AlertState.END, ts_ns, "unknown_resync", "resync")
                             for ep in self.eps.values() if ep.announced]
        self.eps.clear()
        self.bid.reset()
        self.ask.reset()
        self.recent.clear()
        if self.p.absorption_far_before:
            for side in (BookSide.BID, BookSide.ASK):
                self.fars["away", side].clear()
        return out

    # ------------------------------------------------------------------------------ episodes
    def _trade_through(self, sym: SymbolState, side: BookSide, px: int, T: int, out: list[Output]) -> None:
        """A trade at a new price ``px`` went through every level of ``side`` better than it: open
        episodes there are broken (their volume windows restart: the side's ``trade`` drops them)."""
        bid = side is BookSide.BID
        hit = None  # (mostly none is: no list then)
        for key, ep in self.eps.items():
            if ep.side is side and T >= ep.first_ns and (px < ep.px if bid else px > ep.px):
                if hit is None:
                    hit = []
                hit.append(key)
        if hit is None:
            return
        for key in hit:
            ep = self.eps.pop(key)
            if ep.announced:
                out.append(absorption_alert(self, sym, ep, AlertState.END, max(T, self.depth_t), "broken",
                                            "traded_through"))

    def _to_twin(self, S):
        """Side ``S`` moved to its pure-Python twin, the same state (it declined a value)."""
        bid = S.side is BookSide.BID
        twin = as_twin(S, bid, self.rate_ns, self.w_ns, self.p.absorption_track_fraction)
        if bid:
            self.bid = twin
        else:
            self.ask = twin
        return twin

    def _judge(self, sym: SymbolState, ep: _Episode, mark: int, out: list[Output]) -> bool:
        """Judge the depth messages at the level up to the watermark; True if the episode ended."""
        msgs = ep.msgs
        while msgs and msgs[0][1] <= mark:
            d0, d1, before, after = msgs.popleft()
            if d0 < ep.t0:
                continue
            r = ep.traded_between(d0, d1) - (before - after)
            if r > 0:
                ep.refill_lb += r
            if not ep.announced:
                continue
            withdrawn = before > 0 and -r >= self.p.absorption_withdraw_fraction * before
            if after == 0 or withdrawn:
                state, how = ("held", "withdrawn") if withdrawn else ("broken", "exhausted")
                out.append(absorption_alert(self, sym, ep, AlertState.END, self.depth_t, state, how))
                return True
        return False

    def _moved_off(self, ep: _Episode, prev: int) -> bool:
        """A level no longer the best at its confirmation, still showing its size (better levels in
        front, nothing traded through it), held: the price moved off it (``absorption_moved_off``;
        with ``absorption_moved_off_first``, only at the first depth message after the crossing,
        ``prev`` the one before this)."""
        p = self.p
        return p.absorption_moved_off and not (p.absorption_moved_off_first and prev > ep.cross_ns)

    def _confirm_ns(self) -> int:
        """How long after the crossing a level must still hold to be announced."""
        wait = self.p.absorption_confirm_ms * _MS
        return max(wait, self.slack.ns) if self.p.absorption_confirm_slack else wait

    def _announce(self, sym: SymbolState, ep: _Episode, now: int, out: list[Output]) -> None:
        if self.p.absorption_mean_print and few_large_prints(self.p, ep, ep.last_q):
            return  # a few large prints into an ordinary level: followed, not announced (absorption_prints.py)
        ep.announced = True
        ep.peak_fade = len(ep.times) - bisect_right(ep.times, now - self.p.absorption_fade_ms * _MS)
        key = (ep.side, ep.px)
        prev = self.recent.pop(key, None)
        if prev is not None and now - prev[1] <= self.p.absorption_resume_s * _SEC:
            ep.id = prev[0]  # the same level absorbing again soon after it held: one episode
            out.append(absorption_alert(self, sym, ep, AlertState.UPDATE, now))
            return
        ep.id = f"{sym.symbol}:absorption:{ep.side.value}:{ep.px}:{ep.first_ns}"
        out.append(absorption_alert(self, sym, ep, AlertState.NEW, now))
