"""Iceberg-like levels: a level that keeps putting back about the same size as it is traded
(DETECTORS.md §2.2).

The shared primitive is the volume balance per level and depth message,
``R_k = V_k - (Q_before - Q_after)``: a lower bound on the size added while trades hit the level.
Trades and depth come on different streams, so decisions wait for a watermark: a depth change
at exchange time ``T`` is judged once depth has moved ``align_slack_ms`` past it (more when the
trade stream runs further behind: ``slack.AdaptiveSlack``), with the trades stamped at or before
``T`` at that price (a trade that arrived late is still counted).

An add (``R_k`` of at least ``iceberg_min_add`` of the usual level size, while the level trades)
is a possible refill. Adds at busy levels are common, so one add says nothing; what a refilling
order shows is the *same size* again and again, each time after the level traded what it put up.
For each new add the detector builds such a chain of same-size adds in three bands (exact, 10%,
30%, the widest also around the chain's median, for sizes that vary continuously; at round
prices only exact). Each add that comes once the level traded what the last link put up is an
*opportunity* for the next link: a hit when it falls in the band. Over the last
``iceberg_window`` opportunities it asks how likely ordinary adds would be to hit as often: a
binomial tail with the per-add chance taken from the symbol's own recent adds at traded levels
(this episode's own left out). Adds that come before the level traded the last link's size are
no opportunity, so the test does not weaken as a busy level's adds pile up, and its window does
not lengthen with the episode. A level is flagged when that chance falls below
``iceberg_max_chance``, and only once it traded more than it ever showed and held its price
(iceberg_hold.py: not a run of levels the flow refills as price walks). The alert says "at least X hidden",
never a total. Ten seconds without trades end the episode; a resync ends it as unknown.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from dataclasses import dataclass, field, fields
from operator import attrgetter, itemgetter
from typing import Any, Sequence

from sortedcontainers import SortedList

from dom.core import accel
from dom.core.book import BookSideLevels, OrderBook
from dom.core.price_index import PriceIndex
from dom.core.detectors.iceberg_chain import _median, judge_chain
from dom.core.detectors.iceberg_control import summary
from dom.core.detectors.iceberg_hold import Overrun, Through, chain_volumes, flaggable
from dom.core.detectors.iceberg_queue import turns_queue
from dom.core.detectors import iceberg_share
from dom.core.detectors.iceberg_wait import ADD, NEW, OVERRUN, PUSH, as_twin, make_wait
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.slack import make_slack
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import (
    Alert,
    AlertKind,
    AlertState,
    BookDelta,
    BookSide,
    Output,
    TakerSide,
    Trade,
)

_BID, _ASK, _BUY = BookSide.BID, BookSide.ASK, TakerSide.BUY
_MS = 1_000_000
_THROUGH_PRICES = 4096  # prices a side's traded-volume table holds before it forgets the unused ones
_SECOND = itemgetter(1)  # (px, qty) -> its size; a (side, px) key -> its price
# the book's slots the depth hook reads (IdhHook, _native_idh.c)
_BOOK_FIELDS = (OrderBook, OrderBook.bids, OrderBook.asks, BookSideLevels, BookSideLevels._index, BookSideLevels._live,
                BookSideLevels._live_n, PriceIndex, PriceIndex.flat)


@dataclass(slots=True)
class _Level:
    side: BookSide
    px: int
    first_ns: int
    # possible refills: (size, traded so far, traded so far through the level: iceberg_hold.py)
    adds: list[tuple[int, int, int]] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)  # the level's size after each add's message (queue rule on)
    chain: list[int] = field(default_factory=list)  # the best same-size chain so far (sizes)
    band: float = 0.0  # its tolerance
    chance: float = 1.0  # the probability that ordinary adds give it
    expected: float = 0.0  # hits ordinary adds would give over the window's opportunities
    opportunities: int = 0  # adds in the window that could have been the next refill
    hits: int = 0  # ... and were
    start: tuple[int, int] = (0, 0)  # (traded, traded through) at the chain's first link
    announced: bool = False
    reported: int = 0  # chain length at the last alert
    size: int = 0  # the announced chain's median refill
    traded0: int = 0  # ``traded`` when this episode began (another order took over the level)
    id: str = ""
    overrun: Overrun | None = None  # pushes that traded all the level showed (iceberg_hold.py)
    # The level's numbers, kept by ``IcebergDetector.wait`` (iceberg_wait.py): volume traded, last
    # trade time (0: none), the largest and the last size it showed (read below as attributes)
    rec: Any = None

    last_trade_ns = property(attrgetter("rec.last"))
    traded = property(attrgetter("rec.traded"))
    max_q = property(attrgetter("rec.max_q"))
    last_q = property(attrgetter("rec.last_q"))


# the class and its slots in field order, for the depth hook to make a new level as ``_judge`` does
# (IdhHook, _native_idh_level.c: the slots set from a level made here, fresh empty lists for the lists)
_LEVEL_FIELDS = (_Level, *(getattr(_Level, f.name) for f in fields(_Level)))


class IcebergDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.p = p
        self.inst = sym.instrument
        # The changes waiting for their trades and the trades not yet attributed, the numbers of
        # the ``levels`` (the same keys), the near/far null control (iceberg_control.py)
        # (iceberg_wait.py: in C where the accelerator is built)
        self.wait = make_wait(_BID, _ASK, p.iceberg_refill_window_ms * _MS, p.iceberg_overrun_chance > 0)
        self.levels: dict[tuple[BookSide, int], _Level] = {}
        self.depth_t = 0
        self.slack = make_slack(p.align_slack_ms)
        # The organic-add baseline (DETECTORS.md §2.0): the sizes of recent possible refills at
        # traded levels, all levels of the symbol, for the chance that ordinary adds repeat a size.
        self.recent_adds: deque[int] = deque()
        # (sorted; in C where the accelerator is built: _native_idh_sizes.c, a SortedList its twin)
        self.add_sizes = accel.native.IdhSizes() if accel.native is not None else SortedList()
        self.usual = {BookSide.BID: 0.0, BookSide.ASK: 0.0}  # slow average of the median top-10 level size
        # (last trade, n, key, level), a heap holding for each followed level an entry at or before
        # its last trade (pushed when the level starts, when its last trade moves earlier, and again
        # when an entry comes up whose level traded since): the least entry is at or before the
        # earliest last trade of any level (levels end 10 s after theirs); n: a count, so that no
        # two entries tie.
        self._ends: list[tuple[int, int, tuple[BookSide, int], _Level]] = []
        self._n_ends = 0
        self.through = Through()  # volume traded per side and price: does a level hold price?

    def on_trade(self, sym: SymbolState, t: Trade) -> list[Output]:
        px, T, qty = t.px_ticks, t.ts_exchange_ns, t.qty_lots
        if t.taker is _BUY:  # (maker side, price)
            side, tv = _ASK, self.through.ask  # (Through.add, written out: a trade's hot path)
        else:
            side, tv = _BID, self.through.bid
        if self.wait.trade(side, px, T, qty) is NotImplemented:
            self._to_twin().trade(side, px, T, qty)
        tv[px] = tv.get(px, 0) + qty
        self.slack.on_trade(self.depth_t, T)  # (its own slack: each call a new trade)
        return []

    def trade_hook(self) -> Any:
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade`` itself, or
        where the accelerator is built the same work in C without its frame (``IceHook``,
        _native_trd_hook.c, which calls ``on_trade`` for anything it does not take)."""
        native = accel.native
        if native is None or type(self).on_trade is not IcebergDetector.on_trade:
            return self.on_trade
        return native.IceHook(self, self.through.bid, self.through.ask, self.slack, _BID, _ASK, _BUY, Trade,
                              Trade.taker, Trade.px_ticks, Trade.ts_exchange_ns, Trade.qty_lots)

    def delta_hook(self) -> Any:
        """What the engine calls for each applied depth message (symbol_state.delta_hooks):
        ``on_delta`` itself, or where the accelerator is built the same work in C (``IdhHook``,
        _native_idh.c): the changes into ``wait`` and those due judged without a Python frame, a
        new level made and pushed in C as ``_judge`` makes it (``_LEVEL_FIELDS``, _native_idh_level.c),
        ``_judge`` called for what a rule may need (not an add below ``iceberg_min_add``),
        ``_tail`` when late trades or quiet levels are due, ``on_delta`` for anything it does not take."""
        native = accel.native
        cls = type(self)
        end_ns, min_add = self.p.iceberg_end_s * 1_000_000_000, self.p.iceberg_min_add
        if native is None or type(self.slack) is not native.Slack or any(
                getattr(cls, m) is not getattr(IcebergDetector, m) for m in ("on_delta", "_drain", "_judge", "_tail",
                                                                             "_usual")) \
                or type(end_ns) is not int or not -(1 << 62) < end_ns < 1 << 62 \
                or not (type(min_add) is float or type(min_add) is int and -(1 << 53) <= min_add <= 1 << 53):
            return self.on_delta
        return native.IdhHook(self, self._ends, self.usual, self.slack, _BID, _ASK, BookDelta,
                              BookDelta.ts_exchange_ns, end_ns, float(min_add), _BOOK_FIELDS, self.levels, heappop,
                              heappush, (_Level(_BID, 0, 0), *_LEVEL_FIELDS))

    def _to_twin(self):
        """The waiting state moved to its pure-Python twin, the same state (the C form declined a value)."""
        self.wait = as_twin(self.wait)
        return self.wait

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        t = delta.ts_exchange_ns
        if t > self.depth_t:
            self.depth_t = t
        # The changes near the touch (within iceberg_wait.NEAR ticks of the side's best, where trades
        # can happen), or at a level with trades waiting or followed, wait for their trades.
        book = sym.book
        bb, ba = book.bids.best_px(), book.asks.best_px()
        if self.wait.delta(t, changes, bb, ba) is NotImplemented:
            self._to_twin().delta(t, changes, bb, ba)
        return self._drain(sym)

    def _drain(self, sym: SymbolState) -> list[Output]:
        out: list[Output] = []
        mark = self.depth_t - self.slack.ns
        wait, judge = self.wait, self._judge
        # The changes up to the watermark, with the trades attributed to them: the wait judges those
        # that need no rule and hands over the others, in order.
        while (got := wait.step(mark)) is not None:
            if got is NotImplemented:
                wait = self._to_twin()
                continue
            judge(sym, *got, out)
        self._tail(sym, mark, out)
        return out

    def _tail(self, sym: SymbolState, mark: int, out: list[Output]) -> None:
        """The end of a depth message's work, once its changes up to the watermark ``mark`` were
        judged: the late trades, the levels gone quiet (``IdhHook`` calls it when either is due)."""
        slack = self.slack.ns
        # Trades at a level the depth never showed changing (a refill to the same size, or
        # liquidity that never shows): judged at the watermark with the level unchanged.
        lates = self.wait.late(mark - slack)
        if lates is NotImplemented:
            lates = self._to_twin().late(mark - slack)
        if lates is not None:
            judge = self._judge
            for side, px, v in lates:
                shown = sym.book.side(side).size_at(px)
                got = self.wait.judge(side, px, mark, shown, shown, v)
                if got is NotImplemented:
                    got = self._to_twin().judge(side, px, mark, shown, shown, v)
                if got is not None:
                    judge(sym, *got, out)
        ends = self._ends
        if ends and self.depth_t - ends[0][0] > self.p.iceberg_end_s * 1_000_000_000:
            self._end_quiet(sym, out)  # some level may have gone quiet

    def _end_quiet(self, sym: SymbolState, out: list[Output]) -> None:
        """End the levels whose last trade is more than ``iceberg_end_s`` before the depth clock (in
        the order ``levels`` holds them); ``wait`` no longer follows them."""
        end_ns = self.p.iceberg_end_s * 1_000_000_000
        ends, levels = self._ends, self.levels
        gone: set[tuple[BookSide, int]] = set()  # (a level's last trade may have been pushed more than once)
        while ends and self.depth_t - ends[0][0] > end_ns:
            last, _, key, lv = heappop(ends)
            if levels.get(key) is not lv or not lv.last_trade_ns:  # (ended or replaced; no trade time: never)
                continue
            if lv.last_trade_ns == last:
                gone.add(key)
            else:  # it traded since: its entry moves to its last trade (and may come up again at once)
                self._n_ends += 1
                heappush(ends, (lv.last_trade_ns, self._n_ends, key, lv))
        if not gone:
            return
        for key in list(filter(gone.__contains__, levels)) if len(gone) > 1 else gone:  # (in the order of ``levels``)
            lv = levels[key]
            if lv.announced:
                out.append(self._alert(sym, lv, AlertState.END, self.depth_t, end="no_trades"))
            del levels[key]
        keys = list(gone)
        if self.wait.unfollow(keys) is NotImplemented:
            self._to_twin().unfollow(keys)
        self.through.prune(levels, self.p.iceberg_hold_ticks, _THROUGH_PRICES)

    def _judge(self, sym: SymbolState, side: BookSide, px: int, t: int, before: int, after: int, v: int,
               flags: int, rec: Any, out: list[Output], usual: float | None = None) -> None:
        """What the rules do with one depth message at a level, with the trades attributed to it,
        once ``wait`` judged it (the null control, the level's numbers) and left ``flags``: NEW a
        level to follow (``rec``: its numbers), PUSH its last trade moved earlier or is its first,
        OVERRUN the trades to count for the overrun rule, ADD a possible refill (the size put back
        is positive, while the level trades). ``usual``: the side's usual level size when already
        taken for this judgement (``IdhHook`` takes it in C: ``_usual`` moves it once a judgement)."""
        key = (side, px)
        if flags & NEW:
            lv = self.levels[key] = _Level(side, px, t, rec=rec)
        else:
            lv = self.levels[key]
        p = self.p
        if flags & PUSH:  # a new level, or its last trade moves earlier
            self._n_ends += 1
            heappush(self._ends, (t, self._n_ends, key, lv))
        if flags & OVERRUN:
            through = self.through.beyond(side, px, p.iceberg_hold_ticks)
            if lv.overrun is None:
                lv.overrun = Overrun(through)
            lv.overrun.on_traded(before, after, v, through)
        if not flags & ADD:
            return
        r = v - (before - after)
        if r < p.iceberg_min_add * (self._usual(sym, side) if usual is None else usual):
            return
        if p.iceberg_min_depletion > 0 and v < p.iceberg_min_depletion * before:
            return  # (the message did not deplete the level: not timed as a refill)
        lv.adds.append((r, lv.traded, self.through.beyond(side, px, p.iceberg_hold_ticks)))
        if p.iceberg_min_queue_turn > 0 or p.iceberg_min_chain_share > 0:  # (read only by those rules)
            lv.shown.append(after)
        if len(self.add_sizes) >= max(1, p.iceberg_baseline_min):
            was = (lv.chain, lv.band, lv.chance, lv.expected, lv.opportunities, lv.hits, lv.start)
            judge_chain(lv, r, self.add_sizes, p)
            if lv.announced and lv.chain is not was[0] and \
                    abs(_median(lv.chain) - lv.size) > p.iceberg_loose_tolerance * lv.size:
                lv = self._another_order(sym, lv, was, t, out)
        self.recent_adds.append(r)
        sizes = self.add_sizes
        if sizes.add(r) is NotImplemented:  # (the C form declines the size: its twin from here on)
            sizes = self.add_sizes = SortedList(sizes)
            sizes.add(r)
        if len(self.recent_adds) > p.iceberg_baseline_adds:
            sizes.remove(self.recent_adds.popleft())
        if lv.announced:
            if len(lv.chain) > lv.reported:  # another refill in the chain
                lv.reported = len(lv.chain)
                lv.size = _median(lv.chain)
                out.append(self._alert(sym, lv, AlertState.UPDATE, t))
        elif len(lv.chain) >= p.iceberg_min_refills and (lv.chance < p.iceberg_max_chance or (
                lv.chance < p.iceberg_overrun_chance and lv.overrun is not None
                and lv.overrun.pushes >= p.iceberg_min_overruns)) and flaggable(lv, self.through, p) and \
                turns_queue(lv.adds, lv.shown, lv.chain, p.iceberg_chain_traded, p.iceberg_min_queue_turn) and \
                iceberg_share.holds_share(lv.adds, lv.shown, lv.chain, p.iceberg_chain_traded, p.iceberg_min_chain_share):
            lv.announced = True
            lv.reported = len(lv.chain)
            lv.size = _median(lv.chain)
            lv.id = f"{sym.symbol}:iceberg:{side.value}:{lv.px}:{lv.first_ns}"
            out.append(self._alert(sym, lv, AlertState.NEW, t))

    def _another_order(self, sym: SymbolState, lv: _Level, was: tuple, t: int, out: list[Output]) -> _Level:
        """The level now refills with another size: another order. The first order's episode
        ends with its own chain; the new one's begins here with its chain (announced at once if
        it already passes), so each alert's numbers belong to one order."""
        now = (lv.chain, lv.band, lv.chance, lv.expected, lv.opportunities, lv.hits, lv.start)
        lv.chain, lv.band, lv.chance, lv.expected, lv.opportunities, lv.hits, lv.start = was
        out.append(self._alert(sym, lv, AlertState.END, t, end="another_order"))
        chain, band, chance, expected, opportunities, hits, start = now
        nl = _Level(lv.side, lv.px, t, adds=lv.adds, shown=lv.shown, chain=chain, band=band, chance=chance,
                    expected=expected, opportunities=opportunities, hits=hits, traded0=lv.traded, start=start,
                    overrun=lv.overrun, rec=lv.rec)
        nl.rec.max_q = nl.rec.last_q  # (the level's traded volume, last trade and size go on)
        self.levels[(lv.side, lv.px)] = nl
        self._n_ends += 1
        heappush(self._ends, (nl.last_trade_ns, self._n_ends, (lv.side, lv.px), nl))
        return nl

    def _usual(self, sym: SymbolState, side: BookSide) -> float:
        top = sym.book.side(side).top(10)
        med = sorted(map(_SECOND, top))[len(top) // 2] if top else 0
        u = self.usual[side]
        u = float(med) if u == 0.0 else u + (med - u) * 0.001
        self.usual[side] = u
        return u

    @property
    def control(self) -> dict:
        """The null control's counts (iceberg_control.py; a copy)."""
        return self.wait.counts()

    @control.setter
    def control(self, counts: dict) -> None:
        if self.wait.set_counts(counts) is NotImplemented:
            self._to_twin().set_counts(counts)

    def null_control(self) -> dict:
        return summary(self.wait.counts())

    def _hidden(self, lv: _Level) -> int:
        """"At least X hidden": the chained refills but the first (which may be the order's
        first display), each counted at the smallest of them, less what the level shows now (the
        last slice may not be taken yet); never more than what traded beyond the largest shown
        size. Organic joins are left out, so this stays a lower bound."""
        if not lv.chain:
            return 0
        return max(0, min((len(lv.chain) - 1) * min(lv.chain) - lv.last_q, lv.traded - lv.traded0 - lv.max_q))

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = [self._alert(sym, lv, AlertState.END, ts_ns, end="unknown_resync")
                             for lv in self.levels.values() if lv.announced]
        self.levels.clear()
        self._ends.clear()
        self.wait.clear()
        return out

    def _alert(self, sym: SymbolState, lv: _Level, state: AlertState, t: int, end: str = "") -> Alert:
        inst = self.inst
        hidden = self._hidden(lv)
        # -log10 of the chance: 5 (the default flag) -> 0.5, 10 or more -> 1.0
        score = min(1.0, -math.log10(max(lv.chance, 1e-300)) / 10)
        ev = {
            "refills": len(lv.chain),
            "refill_lots": _median(lv.chain),
            "refill_band": lv.band,
            "organic_refills_expected": round(lv.expected, 3),
            "opportunities": lv.opportunities,
            "refills_in_window": lv.hits,
            "organic_chance": float(f"{lv.chance:.3g}"),
            "adds_at_level": len(lv.adds),
            "traded_lots": lv.traded - lv.traded0,
            "max_shown_lots": lv.max_q,
            "shown_now_lots": lv.last_q,
            "hidden_lb_lots": hidden,
            "traded_to_shown": round((lv.traded - lv.traded0) / max(1, lv.max_q), 2),
            "time_at_level_ms": (t - lv.first_ns) // _MS,
        }
        ev["chain_traded_lots"], ev["chain_through_lots"] = chain_volumes(lv, self.through, self.p.iceberg_hold_ticks)
        if lv.overrun is not None:  # (the looser bar's evidence: pushes that traded all the level showed)
            ev["overrun_pushes"], ev["overrun_lots"] = lv.overrun.pushes, lv.overrun.lots
        if end:
            ev["end"] = end
        side = lv.side.value
        msg = (f"Iceberg-like {side} {inst.px_str(lv.px)}: {len(lv.chain)} refills of ~"
               f"{inst.qty_str(ev['refill_lots'])}, traded {inst.qty_str(ev['traded_lots'])} vs max shown "
               f"{inst.qty_str(lv.max_q)}, at least {inst.qty_str(hidden)} hidden")
        if end:
            msg = f"Iceberg-like level ended ({end}): {msg}"
        return Alert(lv.id, t, sym.symbol, AlertKind.ICEBERG, state, lv.side, lv.px, lv.max_q, round(score, 3), msg, ev)
