"""Book and tape statistics that a market model must reproduce (issue #20, ``dom eval --calibration``).

``BookStats`` is fed one symbol's events in exchange-time order (a snapshot, then depth diffs with
absolute level sizes and trades; prices in ticks, sizes in lots) and measures:

* dispersion: once a second, per side, the non-empty levels within the band of DETECTORS.md §2.1
  (+/- min(1% of mid, 50 ticks) of mid): P90 / median and max / median of their sizes;
* the wall baseline: per distance d from the side's best, 3 x P90 of the sizes seen at d over
  the whole run, over the median band median (the "3x-P90-at-distance rule" of the issue);
* touch / far: median size at 0-4 ticks from the best over the median at 20-49 ticks;
* refills after trades: a *depletion* is a depth message whose trades at a level took at least
  half of what it showed (V >= 0.5 Q_prev, Q_prev > 0). Per message and level the adds are at
  least R = V - (Q_prev - Q) (DETECTORS.md §2 volume balance). In the 2 s after a depletion:
  messages with R > 0 per second, and the size added (sum of R > 0) per second, in band medians;
* the near/far null control of DETECTORS.md §2: the share of depletions with R > 0 over the
  250 ms after them (near) and over the same length 1 s later (far; R over a window is the sum of
  its messages' R; a window no message falls in, at 250/500 ms pushes, takes the first message
  after its start); ``precision_est = 1 - far / near``;
* prints: per second, and their sizes in band medians. Fed raw fills (``raw_fills``), it also
  forms aggTrade-like prints: one per taker order and price (same time, price and side), and
  Binance's 100 ms merge of one price and taker side;
* depth messages per second and levels per message;
* the refill's timing (the iceberg detector's ``iceberg_min_depletion`` measure): a *possible
  refill* is, per depth message and level, R = V - (Q_prev - Q) of at least ``MIN_ADD`` (0.2) of
  the side's usual level size (a slow average of the median of its 10 best levels, as the
  detector's ``_usual``) while the level trades (V > 0, or its last trade within 250 ms); the
  share of them whose message also traded at least ``TIMED`` (0.3) of what the level showed
  before it (Q_prev 0 passes: the message before it traded the level away); the same share
  again on busy books only (``BUSY_PER_S`` possible refills a second or more);
* where adds go near the touch and how soon an emptied price shows a level again
  (dom/calibration_quoting.py).

Pure: no I/O, no clock. One instance per symbol.
"""

from __future__ import annotations

import heapq
import statistics
from typing import Any, Iterable

from dom.calibration_quoting import QuotingStats

SEC = 1_000_000_000
NEAR_NS = 250_000_000  # the null control's window (as the iceberg detector's, docs/DETECTORS.md)
MIN_ADD = 0.2  # a possible refill from this share of the usual level size (iceberg_min_add)
TIMED = 0.3  # timed with a depletion: its message traded this share of the level before it
BUSY_PER_S = 5.0  # a busy book: at least this many possible refills a second
BID, ASK = 0, 1


def quantile(xs: list[float], q: float) -> float | None:
    """The ``q`` quantile by the nearest-rank rule on sorted data (None when empty)."""
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def _qs(xs: list[float], qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> dict[str, float | None]:
    return {f"p{int(q * 100)}": _r(quantile(xs, q)) for q in qs}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


class _Tracker:
    __slots__ = ("side", "px", "t0", "near", "far", "near_seen", "far_seen", "far_open", "msgs", "added")

    def __init__(self, side: int, px: int, t0: int) -> None:
        self.side, self.px, self.t0 = side, px, t0
        self.near = self.far = 0
        self.near_seen = self.far_seen = False
        self.far_open = True
        self.msgs = 0
        self.added = 0


class BookStats:
    def __init__(self, raw_fills: bool = False, band_ticks: int = 50, sample_ns: int = SEC,
                 refill_window_ns: int = 2 * SEC) -> None:
        self.raw_fills = raw_fills
        self.band_ticks = band_ticks
        self.sample_ns = sample_ns
        self.window_ns = refill_window_ns
        self.book: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self.t_first = self.t_last = None
        self.next_sample = None
        self.p90_over_med: list[float] = []
        self.max_over_med: list[float] = []
        self.band_medians: list[float] = []
        self.at_distance: dict[int, list[int]] = {}
        self.pending: dict[tuple[int, int], int] = {}  # (book side, px) -> traded lots since the last diff
        self.open: dict[tuple[int, int], _Tracker] = {}
        self.done: list[_Tracker] = []
        self.depth_msgs = 0
        self.levels_per_msg: list[int] = []
        self.prints: list[int] = []  # sizes, lots, as given (aggTrade) or per taker order (raw fills)
        self.prints_100ms: list[int] = []
        self._order: list | None = None  # [t, px, buy, qty]: the taker order being formed
        self._merge: list | None = None  # [t_first, px, buy, qty]: the 100 ms print being formed
        self.last_median = 0.0
        self.last_trade: dict[tuple[int, int], int] = {}  # (book side, px) -> time of its last trade
        self.usual = [0.0, 0.0]  # per side, the slow average of the median of its 10 best levels
        self.possible_refills = 0
        self.timed_refills = 0
        self.quoting = QuotingStats()

    # ------------------------------------------------------------------------------ input
    def snapshot(self, t: int, bids: Iterable[tuple[int, int]], asks: Iterable[tuple[int, int]]) -> None:
        self.book = ({p: q for p, q in bids if q > 0}, {p: q for p, q in asks if q > 0})
        self._clock(t)

    def trade(self, t: int, px: int, qty: int, buy: bool) -> None:
        """One print (or one fill with ``raw_fills``); ``buy``: the taker bought (lifted the asks)."""
        self._clock(t)
        key = (ASK if buy else BID, px)
        self.pending[key] = self.pending.get(key, 0) + qty
        if not self.raw_fills:
            self.prints.append(qty)
            return
        o = self._order
        if o is not None and o[0] == t and o[1] == px and o[2] == buy:
            o[3] += qty
        else:
            if o is not None:
                self.prints.append(o[3])
            self._order = [t, px, buy, qty]
        m = self._merge
        if m is not None and m[1] == px and m[2] == buy and t - m[0] < 100_000_000:
            m[3] += qty
        else:
            if m is not None:
                self.prints_100ms.append(m[3])
            self._merge = [t, px, buy, qty]

    def depth(self, t: int, bids: Iterable[tuple[int, int]], asks: Iterable[tuple[int, int]]) -> None:
        """One depth message: absolute sizes (0 deletes the level)."""
        self._clock(t)
        self.depth_msgs += 1
        book = self.book
        watch = set(self.pending) | set(self.open)
        before = {k: book[k[0]].get(k[1], 0) for k in watch}
        n = 0
        shown: dict[tuple[int, int], int] = {}  # the message's levels: what each showed before it
        for side, levels in ((BID, bids), (ASK, asks)):
            lv = book[side]
            for p, q in levels:
                n += 1
                shown.setdefault((side, p), lv.get(p, 0))
                if q > 0:
                    lv[p] = q
                else:
                    lv.pop(p, None)
        self.levels_per_msg.append(n)
        pending, self.pending = self.pending, {}
        self._refill_timing(t, shown, pending)
        self.quoting.message(t, book, shown, pending)
        for key, tr in list(self.open.items()):
            if t - tr.t0 > self.window_ns:
                self.done.append(self.open.pop(key))
                continue
            r = pending.get(key, 0) - (before[key] - book[key[0]].get(key[1], 0))
            dt = t - tr.t0
            # A window with no message in it (slow pushes) takes the first message after its start.
            if dt <= NEAR_NS or (not tr.near_seen and dt <= SEC):
                tr.near += r
                tr.near_seen = True
            elif SEC < dt <= SEC + NEAR_NS or (SEC < dt and not tr.far_seen and tr.far_open):
                tr.far += r
                tr.far_seen = True
            if tr.far_seen and dt > SEC + NEAR_NS:
                tr.far_open = False
            if r > 0:
                tr.msgs += 1
                tr.added += r
        for key, v in pending.items():
            q0 = before[key]
            if key not in self.open and q0 > 0 and v >= 0.5 * q0:
                self.open[key] = _Tracker(key[0], key[1], t)
        if self.next_sample is not None and t >= self.next_sample:
            self._sample()
            self.next_sample = t - t % self.sample_ns + self.sample_ns

    def _refill_timing(self, t: int, shown: dict[tuple[int, int], int], pending: dict[tuple[int, int], int]) -> None:
        """A depth message's possible refills (``shown``: its levels and what each showed before
        it; ``pending``: the volume traded per level since the last message), and which of them
        came with a depletion."""
        book, last = self.book, self.last_trade
        for key, q0 in shown.items():
            v = pending.get(key, 0)
            if v:
                last[key] = t
            elif t - last.get(key, -NEAR_NS) >= NEAR_NS:
                continue  # (the level does not trade: no possible refill)
            r = v - (q0 - book[key[0]].get(key[1], 0))
            if r <= 0 or r < MIN_ADD * self._usual(key[0]):  # (the usual size moves on adds only)
                continue
            self.possible_refills += 1
            if v >= TIMED * q0:
                self.timed_refills += 1

    def _usual(self, side: int) -> float:
        lv = self.book[side]
        top = heapq.nlargest(10, lv) if side == BID else heapq.nsmallest(10, lv)
        med = sorted(lv[p] for p in top)[len(top) // 2] if top else 0
        u = self.usual[side]
        u = float(med) if u == 0.0 else u + (med - u) * 0.001
        self.usual[side] = u
        return u

    def _clock(self, t: int) -> None:
        if self.t_first is None:
            self.t_first = t
            self.next_sample = t
        self.t_last = t

    def _sample(self) -> None:
        bids, asks = self.book
        if not bids or not asks:
            return
        bb, ba = max(bids), min(asks)
        mid = (bb + ba) / 2
        band = min(self.band_ticks, max(1, int(0.01 * mid)))
        meds = []
        for side, lv, best in ((BID, bids, bb), (ASK, asks, ba)):
            sizes = []
            for p, q in lv.items():
                if abs(p - mid) <= band:
                    sizes.append(q)
                    d = (best - p) if side == BID else (p - best)
                    self.at_distance.setdefault(d, []).append(q)
            if len(sizes) < 3:
                continue
            med = statistics.median(sizes)
            meds.append(med)
            self.band_medians.append(med)
            self.p90_over_med.append(quantile(sizes, 0.9) / med)
            self.max_over_med.append(max(sizes) / med)
        if meds:
            self.last_median = statistics.median(meds)

    # ----------------------------------------------------------------------------- output
    def _timing_result(self, secs: float) -> dict[str, Any]:
        n = self.possible_refills
        per_s = n / secs if secs else None
        share = _r(self.timed_refills / n) if n else None
        return {"possible_refills": n, "timed": self.timed_refills, "per_s": _r(per_s), "timed_share": share,
                # the same share on a busy book only (as the real BTCUSDT's 9 a second)
                "timed_share_busy": share if per_s is not None and per_s >= BUSY_PER_S else None}

    def result(self) -> dict[str, Any]:
        if self.raw_fills and self._order is not None:
            self.prints.append(self._order[3])
            self._order = None
        if self.raw_fills and self._merge is not None:
            self.prints_100ms.append(self._merge[3])
            self._merge = None
        trackers = self.done + list(self.open.values())
        self.done, self.open = trackers, {}
        secs = (self.t_last - self.t_first) / SEC if self.t_first is not None else 0.0
        med = statistics.median(self.band_medians) if self.band_medians else None
        ratios = []
        for d, sizes in sorted(self.at_distance.items()):
            if 1 <= d < self.band_ticks and len(sizes) >= 10 and med:
                ratios.append(3 * quantile(sizes, 0.9) / med)
        near = [x for x in self.at_distance.items() if x[0] <= 4]
        far = [x for x in self.at_distance.items() if 20 <= x[0] < 50]
        near_sizes = [q for _, s in near for q in s]
        far_sizes = [q for _, s in far for q in s]
        touch_far = (statistics.median(near_sizes) / statistics.median(far_sizes)) if near_sizes and far_sizes else None
        nb = [t for t in trackers if t.near_seen]
        fb = [t for t in trackers if t.far_seen]
        near_rate = sum(t.near > 0 for t in nb) / len(nb) if nb else None
        far_rate = sum(t.far > 0 for t in fb) / len(fb) if fb else None
        w = self.window_ns / SEC
        out: dict[str, Any] = {
            "seconds": round(secs, 1),
            "depth_msgs_per_s": _r(self.depth_msgs / secs) if secs else None,
            "levels_per_depth_msg_p50": quantile(self.levels_per_msg, 0.5),
            "band_p90_over_median": _qs(self.p90_over_med),
            "band_max_over_median": _qs(self.max_over_med),
            "wall_baseline_3p90_over_median": {"min": _r(min(ratios)) if ratios else None,
                                               "p50": _r(quantile(ratios, 0.5)),
                                               "max": _r(max(ratios)) if ratios else None},
            "touch_over_far_median": _r(touch_far),
            "depletions": len(trackers),
            "refill_msgs_per_s_after_depletion": _r(statistics.mean(t.msgs for t in trackers) / w) if trackers else None,
            "added_per_s_after_depletion_band_medians": (
                _r(statistics.mean(t.added for t in trackers) / w / med) if trackers and med else None),
            "null_control": {"near_rate": _r(near_rate), "far_rate": _r(far_rate),
                             "precision_est": _r(1 - far_rate / near_rate) if near_rate and far_rate is not None
                             else None},
            "refill_timing": self._timing_result(secs),
            "prints_per_s": _r(len(self.prints) / secs) if secs else None,
            "print_size_band_medians": _qs([q / med for q in self.prints] if med else [], (0.5, 0.9, 0.99)),
            "quoting": self.quoting.result(_qs),
        }
        if self.raw_fills:
            out["prints_100ms_per_s"] = _r(len(self.prints_100ms) / secs) if secs else None
            out["print_100ms_size_band_medians"] = _qs([q / med for q in self.prints_100ms] if med else [],
                                                       (0.5, 0.9, 0.99))
        return out
