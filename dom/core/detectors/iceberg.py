"""Iceberg-like levels: a level that refills after trades eat its visible size (DETECTORS.md §2.2).

The shared primitive is the volume balance per level and depth message,
``R_k = V_k - (Q_before - Q_after)``: a lower bound on the size added while trades hit the level.
Trades and depth come on different streams, so decisions wait for a watermark: a depth change
at exchange time ``T`` is judged once depth has moved ``align_slack_ms`` past it (more when the
trade stream runs further behind: ``slack.AdaptiveSlack``), with the trades
stamped at or before ``T`` at that price (a trade that arrived late is still counted). A message
with ``V_k >= 0.5 Q_before`` and ``R_k >= 0.3 Q_ref`` is a refill. Three refills, traded volume
at least twice the largest shown size and a hidden lower bound over half of it flag the level;
the alert says "at least X hidden", never a total. Ten seconds without trades end the episode;
a resync ends it as unknown.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Sequence

from sortedcontainers import SortedList

from dom.core.detectors.params import DetectorParams
from dom.core.detectors.slack import AdaptiveSlack
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import Alert, AlertKind, AlertState, BookDelta, BookSide, Output, Trade

_MS = 1_000_000


@dataclass
class _Level:
    side: BookSide
    px: int
    first_ns: int
    last_trade_ns: int = 0
    traded: int = 0
    max_q: int = 0
    hidden_lb: int = 0
    refills: int = 0
    q_ref: int = 0
    refill_sizes: list[int] = field(default_factory=list)
    announced: bool = False
    id: str = ""
    last_q: int = 0
    traded_since: int = 0  # traded at the level since its last refill
    organic: float = 0.0  # refills expected from ordinary adds over the same chances


class IcebergDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.p = p
        self.inst = sym.instrument
        self.pending: deque[tuple[int, BookSide, int, int, int]] = deque()  # (T, side, px, before, after)
        self.trades: dict[tuple[BookSide, int], deque[tuple[int, int]]] = {}  # (T, qty) not yet attributed
        self.levels: dict[tuple[BookSide, int], _Level] = {}
        self.depth_t = 0
        self.slack = AdaptiveSlack(p.align_slack_ms)
        # The organic-add baseline (DETECTORS.md §2.0): what levels near the touch gain in a
        # depth message with no trades at them (0 when nothing was added), recent messages only.
        self.quiet: deque[int] = deque()
        self.quiet_adds = SortedList()  # the non-zero gains in ``quiet``, for counting by size
        # The near/far null control (DETECTORS.md §2.0): after each depletion, does the level
        # gain size within the refill window (near), and in the same-length window 1 s later
        # (far)? Organic adds are as likely in both; 1 - far/near estimates how many refills
        # are not organic: a health metric for a venue without ground truth.
        self.control = {"depletions": 0, "near_hits": 0, "far_hits": 0}
        self._watch: dict[tuple[BookSide, int], list[int]] = {}  # key -> [near_end, far_start, far_end, state]

    def on_trade(self, sym: SymbolState, t: Trade) -> list[Output]:
        key = (t.taker.maker_side, t.px_ticks)
        q = self.trades.get(key)
        if q is None:
            q = self.trades[key] = deque()
        q.append((t.ts_exchange_ns, t.qty_lots))
        self.slack.on_trade(self.depth_t, t.ts_exchange_ns)
        return []

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        t = delta.ts_exchange_ns
        self.depth_t = max(self.depth_t, t)
        bb, ba = sym.book.bids.best_px(), sym.book.asks.best_px()
        for side, px, before, after in changes:
            best = bb if side is BookSide.BID else ba
            near = best is not None and abs(best - px) <= 5  # where trades can happen
            if near or (side, px) in self.trades or (side, px) in self.levels:
                self.pending.append((t, side, px, before, after))
        return self._drain(sym)

    def _drain(self, sym: SymbolState) -> list[Output]:
        out: list[Output] = []
        slack = self.slack.ns
        mark = self.depth_t - slack
        pend = self.pending
        while pend and pend[0][0] <= mark:
            t, side, px, before, after = pend.popleft()
            v = self._take_trades(side, px, t)
            self._judge(sym, side, px, t, before, after, v, out)
        # Trades at a level the depth never showed changing (a refill to the same size, or
        # liquidity that never shows): judged at the watermark with the level unchanged.
        for key in list(self.trades):
            q = self.trades[key]
            late = mark - slack
            if q and q[0][0] <= late:
                side, px = key
                v = self._take_trades(side, px, late)
                shown = sym.book.side(side).size_at(px)
                self._judge(sym, side, px, mark, shown, shown, v, out)
            if not q:
                del self.trades[key]
        for key, lv in list(self.levels.items()):
            if lv.last_trade_ns and self.depth_t - lv.last_trade_ns > self.p.iceberg_end_s * 1_000_000_000:
                if lv.announced:
                    out.append(self._alert(sym, lv, AlertState.END, self.depth_t, end="no_trades"))
                del self.levels[key]
        return out

    def _take_trades(self, side: BookSide, px: int, t: int) -> int:
        q = self.trades.get((side, px))
        v = 0
        while q and q[0][0] <= t:
            v += q.popleft()[1]
        return v

    def _judge(self, sym: SymbolState, side: BookSide, px: int, t: int, before: int, after: int, v: int,
               out: list[Output]) -> None:
        """One depth message at a level, with the trades attributed to it.

        ``r = v - (before - after)`` is a lower bound on the size added during the message. It is
        a *refill* when it is a good part of the level's usual refill (``q_ref``: the median
        refill so far, at first the size shown when trades started), comes while trades hit the
        level (same message, or within ``iceberg_refill_window_ms`` of the last trade), and
        trades took at least half of it since the previous refill: size put back as fast as it
        is taken. A level's own queue is shared with other orders, so the level rarely empties;
        what repeats is the add, not the depletion.
        """
        key = (side, px)
        lv = self.levels.get(key)
        if v == 0 and (lv is None or t - lv.last_trade_ns > self.p.iceberg_refill_window_ms * _MS):
            gain = max(0, after - before)
            self.quiet.append(gain)
            if gain:
                self.quiet_adds.add(gain)
            if len(self.quiet) > self.p.iceberg_baseline_messages:
                old = self.quiet.popleft()
                if old:
                    self.quiet_adds.remove(old)
        if lv is None:
            if v == 0:
                return
            lv = self.levels[key] = _Level(side, px, t, q_ref=max(before, 1))
        p = self.p
        self._control(key, t, before, after, v)
        if v:
            lv.traded += v
            lv.traded_since += v
            lv.last_trade_ns = t
        lv.max_q = max(lv.max_q, before, after)
        lv.last_q = after
        r = v - (before - after)
        recent = v > 0 or t - lv.last_trade_ns < p.iceberg_refill_window_ms * _MS
        if recent:  # a chance to refill: how often would ordinary adds have done it?
            lv.organic += self._p_add(0.3 * lv.q_ref)
        if r > 0 and recent and r >= 0.3 * lv.q_ref and lv.traded_since >= 0.5 * r:
            lv.refills += 1
            lv.hidden_lb += r
            lv.traded_since = 0
            lv.refill_sizes.append(r)
            s = sorted(lv.refill_sizes)
            lv.q_ref = max(1, s[len(s) // 2])
            if lv.announced:
                out.append(self._alert(sym, lv, AlertState.UPDATE, t))
        if (not lv.announced and lv.refills >= p.iceberg_min_refills and lv.max_q
                and lv.traded >= p.iceberg_min_rho * lv.max_q and lv.hidden_lb - after > 0.5 * lv.max_q
                and len(self._consistent(lv)) >= p.iceberg_min_refills
                and lv.refills - lv.organic >= p.iceberg_min_excess_refills
                and lv.refills >= p.iceberg_min_organic_ratio * lv.organic):
            lv.announced = True
            lv.id = f"{sym.symbol}:iceberg:{side.value}:{px}:{lv.first_ns}"
            out.append(self._alert(sym, lv, AlertState.NEW, t))

    def _control(self, key: tuple[BookSide, int], t: int, before: int, after: int, v: int) -> None:
        c = self.control
        w = self._watch.get(key)
        gain = after - before + v > 0
        if w is not None:
            near_end, far_start, far_end, state = w
            if t > far_end:
                del self._watch[key]
                w = None
            elif gain:
                if t <= near_end and not state & 1:
                    c["near_hits"] += 1
                    w[3] |= 1
                elif far_start <= t and not state & 2:
                    c["far_hits"] += 1
                    w[3] |= 2
        if w is None and v and before > 0 and v >= 0.5 * before:
            c["depletions"] += 1
            win = self.p.iceberg_refill_window_ms * _MS
            state = 0
            if gain:
                c["near_hits"] += 1
                state = 1
            self._watch[key] = [t + win, t + 1_000_000_000, t + 1_000_000_000 + win, state]

    def null_control(self) -> dict:
        c = self.control
        n = c["depletions"]
        near = c["near_hits"] / n if n else None
        far = c["far_hits"] / n if n else None
        est = 1 - far / near if near else None
        return dict(c, near_rate=None if near is None else round(near, 4),
                    far_rate=None if far is None else round(far, 4),
                    precision_est=None if est is None else round(est, 3))

    def _p_add(self, size: float) -> float:
        """Share of quiet messages in which a level near the touch gained at least ``size``."""
        n = len(self.quiet)
        if n < 100:
            return 1.0  # no baseline yet: assume anything could be organic
        adds = self.quiet_adds
        return (len(adds) - adds.bisect_left(size)) / n

    def _hidden(self, lv: _Level) -> int:
        """"At least X hidden": the consistent refills but the last (which may be unfilled), each
        counted at the smallest of them; never more than what traded beyond the largest shown
        size. Organic joins are left out, so this stays a lower bound."""
        cons = self._consistent(lv)
        if not cons:
            return 0
        return max(0, min((len(cons) - 1) * cons[0], lv.traded - lv.max_q))

    def _consistent(self, lv: _Level) -> list[int]:
        """Refills within ``iceberg_refill_tolerance`` of their median, smallest first: a
        refilling order puts back about its peak each time; organic adds are all sizes."""
        s = sorted(lv.refill_sizes)
        if not s:
            return []
        med = s[len(s) // 2]
        tol = self.p.iceberg_refill_tolerance
        return [x for x in s if abs(x - med) <= tol * med]

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = [self._alert(sym, lv, AlertState.END, ts_ns, end="unknown_resync")
                             for lv in self.levels.values() if lv.announced]
        self.levels.clear()
        self.pending.clear()
        self.trades.clear()
        return out

    def _alert(self, sym: SymbolState, lv: _Level, state: AlertState, t: int, end: str = "") -> Alert:
        inst = self.inst
        rho = lv.traded / max(1, lv.max_q)
        # Size added while trades hit the level, less what is shown now: what traded that the
        # book never displayed. A lower bound: "at least X hidden", never a total.
        hidden = self._hidden(lv)
        score = min(1.0, 0.4 + 0.1 * lv.refills + 0.1 * min(3.0, rho - self.p.iceberg_min_rho))
        ev = {
            "refills": lv.refills,
            "organic_refills_expected": round(lv.organic, 2),
            "consistent_refills": len(self._consistent(lv)),
            "median_refill_lots": sorted(lv.refill_sizes)[len(lv.refill_sizes) // 2] if lv.refill_sizes else 0,
            "traded_lots": lv.traded,
            "max_shown_lots": lv.max_q,
            "shown_now_lots": lv.last_q,
            "added_lb_lots": lv.hidden_lb,
            "hidden_lb_lots": hidden,
            "traded_to_shown": round(rho, 2),
            "time_at_level_ms": (t - lv.first_ns) // _MS,
        }
        if end:
            ev["end"] = end
        side = lv.side.value
        msg = (f"Iceberg-like {side} {inst.px_str(lv.px)}: {lv.refills} refills, traded "
               f"{inst.qty_str(lv.traded)} vs max shown {inst.qty_str(lv.max_q)}, at least "
               f"{inst.qty_str(hidden)} hidden")
        if end:
            msg = f"Iceberg-like level ended ({end}): {msg}"
        return Alert(lv.id, t, sym.symbol, AlertKind.ICEBERG, state, lv.side, lv.px, lv.max_q, round(score, 3), msg, ev)
