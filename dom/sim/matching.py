"""The built-in market's order-level matching engine: price-time FIFO, integer ticks and lots.

Orders are small lists ``[oid, side, px, shown, hidden, peak, owner]`` (lists, not objects: the
engine runs hundreds of thousands of operations per wall second). ``shown`` is the displayed size,
``hidden`` the iceberg reserve; an order with ``peak > 0`` and a reserve refills natively (in the
same engine event, losing its time priority) when its shown part is filled.

Every operation that changes the book takes the next update id and marks the levels it touched;
the publisher turns marked levels into depth diffs. Fills are recorded for the tape.
"""

from __future__ import annotations

from collections import deque
from typing import Callable

from sortedcontainers import SortedList

BID, ASK = 0, 1
OID, SIDE, PX, SHOWN, HIDDEN, PEAK, OWNER = range(7)

Fill = tuple  # (ts_ns, px, qty, taker_side, maker_owner, shown_before_fill)


class MatchingBook:
    __slots__ = (
        "queues",
        "totals",
        "prices",
        "orders",
        "update_id",
        "dirty",
        "first_dirty",
        "fills",
        "next_oid",
        "on_filled",
        "on_cleared",
    )

    def __init__(self, first_update_id: int = 1_000_000) -> None:
        self.queues: tuple[dict[int, deque], dict[int, deque]] = ({}, {})
        self.totals: tuple[dict[int, int], dict[int, int]] = ({}, {})
        # Bids indexed by negated price so index 0 is the best on both sides.
        self.prices: tuple[SortedList, SortedList] = (SortedList(), SortedList())
        self.orders: dict[int, list] = {}
        self.update_id = first_update_id
        self.dirty: tuple[set[int], set[int]] = (set(), set())
        self.first_dirty = 0
        self.fills: list[Fill] = []
        self.next_oid = 1
        # Called when an order is fully filled or its shown part is (owner, order).
        self.on_filled: Callable[[list], None] | None = None
        # Called when a trade empties a price level (maker side, price, time); None: not watched.
        self.on_cleared: Callable[[int, int, int], None] | None = None

    # ------------------------------------------------------------------------------ reads
    def best(self, side: int) -> int | None:
        p = self.prices[side]
        if not p:
            return None
        return -p[0] if side == BID else p[0]

    def level(self, side: int, px: int) -> int:
        return self.totals[side].get(px, 0)

    def top(self, side: int, n: int) -> list[tuple[int, int]]:
        t = self.totals[side]
        sgn = -1 if side == BID else 1
        return [(sgn * k, t[sgn * k]) for k in self.prices[side].islice(0, n)]

    def depth_levels(self, side: int) -> int:
        return len(self.prices[side])

    # ---------------------------------------------------------------------------- changes
    def _tick(self) -> None:
        self.update_id += 1
        if not self.first_dirty:
            self.first_dirty = self.update_id

    def _touch(self, side: int, px: int) -> None:
        self.dirty[side].add(px)

    def _add_to_level(self, side: int, px: int, o: list, front: bool = False) -> None:
        q = self.queues[side].get(px)
        if q is None:
            q = self.queues[side][px] = deque()
            self.prices[side].add(-px if side == BID else px)
            self.totals[side][px] = 0
        if front:
            q.appendleft(o)
        else:
            q.append(o)
        self.totals[side][px] += o[SHOWN]
        self._touch(side, px)

    def _drop_level_if_empty(self, side: int, px: int) -> None:
        q = self.queues[side].get(px)
        if q is not None and not q:
            del self.queues[side][px]
            del self.totals[side][px]
            self.prices[side].remove(-px if side == BID else px)

    def add(self, side: int, px: int, qty: int, ts: int, owner=None, hidden: int = 0, peak: int = 0) -> int:
        """A limit order. Marketable quantity executes first (as a taker); the rest rests. A price
        under one tick is rejected, as a venue's price filter does: the id is never in ``orders``."""
        if px < 1:
            self.next_oid += 1
            return self.next_oid - 1
        self._tick()
        opp = 1 - side
        best = self.best(opp)
        if best is not None and (px >= best if side == BID else px <= best):
            qty = self._take(side, qty, ts, limit=px)
        oid = self.next_oid
        self.next_oid += 1
        if qty <= 0 and hidden <= 0:
            return oid
        if qty <= 0:
            qty, hidden = min(peak or hidden, hidden), hidden - min(peak or hidden, hidden)
        o = [oid, side, px, qty, hidden, peak, owner]
        self.orders[oid] = o
        self._add_to_level(side, px, o)
        return oid

    def cancel(self, oid: int, qty: int | None = None) -> int:
        """Cancel an order (or reduce it by ``qty``). Returns the shown size removed."""
        o = self.orders.get(oid)
        if o is None:
            return 0
        self._tick()
        side, px = o[SIDE], o[PX]
        if qty is None or qty >= o[SHOWN]:
            removed = o[SHOWN]
            del self.orders[oid]
            q = self.queues[side][px]
            q.remove(o)
            self.totals[side][px] -= removed
            self._drop_level_if_empty(side, px)
        else:
            removed = qty
            o[SHOWN] -= qty
            self.totals[side][px] -= qty
        self._touch(side, px)
        return removed

    def market(self, side: int, qty: int, ts: int) -> int:
        """A market order from taker ``side``; returns the unfilled rest (book exhausted)."""
        self._tick()
        return self._take(side, qty, ts, limit=None)

    def ioc(self, side: int, px: int, qty: int, ts: int) -> int:
        """An immediate-or-cancel limit order: takes up to ``px``, never rests; returns the rest."""
        self._tick()
        return self._take(side, qty, ts, limit=px)

    def _take(self, side: int, qty: int, ts: int, limit: int | None) -> int:
        opp = 1 - side
        queues, totals, prices = self.queues[opp], self.totals[opp], self.prices[opp]
        while qty > 0 and prices:
            k = prices[0]
            px = -k if opp == BID else k
            if limit is not None and (px > limit if side == BID else px < limit):
                break
            q = queues[px]
            while qty > 0 and q:
                o = q[0]
                shown = o[SHOWN]
                f = shown if shown <= qty else qty
                o[SHOWN] = shown - f
                totals[px] -= f
                qty -= f
                self.fills.append((ts, px, f, side, o[OWNER], shown))
                if o[SHOWN] == 0:
                    q.popleft()
                    if o[HIDDEN] > 0 and o[PEAK] > 0:
                        r = min(o[PEAK], o[HIDDEN])
                        o[HIDDEN] -= r
                        o[SHOWN] = r
                        q.append(o)  # native refill: same event, back of the queue
                        totals[px] += r
                    else:
                        del self.orders[o[OID]]
                    if self.on_filled is not None and o[OWNER] is not None:
                        self.on_filled(o)
            self._touch(opp, px)
            if not q:
                self._drop_level_if_empty(opp, px)
                if self.on_cleared is not None:
                    self.on_cleared(opp, px, ts)
        return qty

    # --------------------------------------------------------------------------- publishing
    def take_dirty(self) -> tuple[int, int, list[tuple[int, int]], list[tuple[int, int]]] | None:
        """Levels changed since the last call: ``(U, u, bids, asks)`` with absolute sizes."""
        if not self.first_dirty:
            return None
        db, da = self.dirty
        tb, ta = self.totals
        bids = [(px, tb.get(px, 0)) for px in sorted(db, reverse=True)]
        asks = [(px, ta.get(px, 0)) for px in sorted(da)]
        out = (self.first_dirty, self.update_id, bids, asks)
        db.clear()
        da.clear()
        self.first_dirty = 0
        return out

    def take_fills(self) -> list[Fill]:
        f, self.fills = self.fills, []
        return f

    def snapshot(self, limit: int) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
        return self.update_id, self.top(BID, limit), self.top(ASK, limit)

    def check_totals(self) -> bool:
        """Self-check: level totals equal the sum of shown sizes, the book is not crossed."""
        for side in (BID, ASK):
            for px, q in self.queues[side].items():
                if sum(o[SHOWN] for o in q) != self.totals[side][px] or not q:
                    return False
        b, a = self.best(BID), self.best(ASK)
        return b is None or a is None or b < a
