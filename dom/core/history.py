"""What the screen needs beyond the book, kept per symbol by engine observers (exchange time only,
so a live run, a replay and the seeded test feed agree):

- :class:`TradeFlow`: the tape, traded volume at price for the session and a "recent" volume that
  a key resets, both split by aggressor.
- :class:`LevelChanges`: the displayed size change per level over a short rolling window
  (pulling / stacking).
- :class:`HeatRing`: a bounded ring of book columns (the top levels of each side, one column per
  time slot) and the trades of each slot: the heatmap's history.
"""

from __future__ import annotations

from array import array
from collections import deque
from itertools import chain
from typing import Sequence

from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import BookDelta, BookSide, TakerSide, Trade

NS = 1_000_000_000


class TradeFlow(ObserverBase):
    """The tape and traded volume per price: ``[bought, sold]`` lots (buy / sell aggressor)."""

    def __init__(self, tape_len: int = 400) -> None:
        self.tape: deque[Trade] = deque(maxlen=tape_len)
        self.session: dict[int, list[int]] = {}
        self.recent: dict[int, list[int]] = {}
        self.recent_since_ns = 0
        self.trades = 0  # a counter: the profile is recomputed only when it moves

    def on_trade(self, sym: SymbolState, trade: Trade) -> list:
        self.tape.append(trade)
        self.trades += 1
        i = 0 if trade.taker is TakerSide.BUY else 1
        for book in (self.session, self.recent):
            v = book.get(trade.px_ticks)
            if v is None:
                v = book[trade.px_ticks] = [0, 0]
            v[i] += trade.qty_lots
        return []

    def reset_recent(self, now_ns: int) -> None:
        self.recent = {}
        self.recent_since_ns = now_ns


class LevelChanges(ObserverBase):
    """Net displayed size change per price over the last ``window_s`` seconds of exchange time,
    in one-second buckets: positive = stacking, negative = pulling (or traded away)."""

    def __init__(self, window_s: int = 5) -> None:
        self.window_s = window_s
        self.buckets: deque[tuple[int, dict[int, int], dict[int, int]]] = deque()
        self.now_s = 0

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list:
        sec = delta.ts_exchange_ns // NS
        b = self.buckets
        if not b or b[-1][0] != sec:
            b.append((sec, {}, {}))
            while b and b[0][0] <= sec - self.window_s:
                b.popleft()
        self.now_s = max(self.now_s, sec)
        _, bids, asks = b[-1]
        for side, px, before, after in changes:
            d = bids if side is BookSide.BID else asks
            d[px] = d.get(px, 0) + after - before
        return []

    def on_synced(self, sym: SymbolState, ts_ns: int) -> list:
        self.buckets.clear()  # a snapshot jump is not a change anyone made
        return []

    def window(self) -> tuple[dict[int, int], dict[int, int]]:
        """Summed changes per price over the window: (bids, asks)."""
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        lo = self.now_s - self.window_s
        for sec, b, a in self.buckets:
            if sec <= lo:
                continue
            for out, src in ((bids, b), (asks, a)):
                for px, v in src.items():
                    out[px] = out.get(px, 0) + v
        return bids, asks


Column = tuple  # (slot, bids, asks): bytes of int64 ``px, qty, px, qty...``; None, None: a sync gap
"""One heatmap time slot: the top levels of each side as the bytes of flat int64 arrays. A tuple
of bytes is not tracked by the garbage collector, so a ring of thousands of them costs the
collector nothing (a long GC pause is a dropped frame)."""


def column_buckets(col: Column, group: int) -> dict[int, int]:
    """Resting size per price bucket of ``group`` ticks, both sides of a column."""
    out: dict[int, int] = {}
    for flat in (col[1], col[2]):
        if flat is None:
            continue
        it = iter(memoryview(flat).cast("q"))
        for px, q in zip(it, it):
            b = px // group
            out[b] = out.get(b, 0) + q
    return out


class HeatRing(ObserverBase):
    """Book columns at most one per ``slot_ms`` of exchange time, the newest last (bounded), and
    the trades of each slot still in the ring: ``slot -> [(px, qty, buyer is the aggressor)]``."""

    def __init__(self, slot_ms: int = 250, levels: int = 80, slots: int = 480) -> None:
        self.slot_ns = slot_ms * 1_000_000
        self.levels = levels
        self.cols: deque[Column] = deque(maxlen=slots)
        self.trades: dict[int, list[tuple[int, int, bool]]] = {}
        self._src: tuple[object, object, bytes, bytes] | None = None
        self.last_slot = 0

    def _sample(self, sym: SymbolState, slot: int) -> None:
        b, a = sym.book.bids.top(self.levels), sym.book.asks.top(self.levels)
        src = self._src
        if src is not None and src[0] is b and src[1] is a:
            fb, fa = src[2], src[3]  # the top did not change: share the arrays
        else:
            fb = array("q", chain.from_iterable(b)).tobytes()
            fa = array("q", chain.from_iterable(a)).tobytes()
            self._src = (b, a, fb, fa)
        self._append((slot, fb, fa))

    def _append(self, col: Column) -> None:
        cols = self.cols
        if len(cols) == cols.maxlen:
            oldest = cols[0][0]
            for s in [s for s in self.trades if s <= oldest]:
                del self.trades[s]
        cols.append(col)
        self.last_slot = col[0]

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list:
        slot = delta.ts_exchange_ns // self.slot_ns
        if not self.cols or slot > self.cols[-1][0]:
            self._sample(sym, slot)
        return []

    def on_trade(self, sym: SymbolState, trade: Trade) -> list:
        if not sym.synced:
            return []
        slot = max(trade.ts_exchange_ns // self.slot_ns, self.last_slot)
        cols = self.cols
        if not cols or cols[-1][1] is None or slot > cols[-1][0]:
            self._sample(sym, slot)
        t = self.trades.get(slot)
        if t is None:
            t = self.trades[slot] = []
        t.append((trade.px_ticks, trade.qty_lots, trade.taker is TakerSide.BUY))
        return []

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list:
        slot = max(sym.stats.last_exchange_ns // self.slot_ns, self.last_slot + 1)
        self._append((slot, None, None))
        self._src = None
        return []
