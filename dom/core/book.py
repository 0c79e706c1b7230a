"""The L2 order book: two sides keyed by integer ticks, sizes in lots.

Each side is a ``dict`` (price -> size) plus a sorted index of its prices that is touched only
when a level appears or disappears; a size change at an existing level is one dict store. The
index keeps the best price first (bids are indexed by their negated price), so reading the top N
walks N entries and never copies the side. The index is a ``PriceIndex`` (a flat list in C
``bisect`` up to a few thousand levels, a ``SortedList`` past that). See ``benchmarks/book.py``
for the measurement behind this choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from bisect import bisect_left, insort
from operator import neg
from typing import Iterable, Iterator

from dom.core import accel, price_index
from dom.core.price_index import PriceIndex
from dom.core.types import BookSide, Level


_NO_EDGE = float("-inf")  # a cached top's edge when it holds the whole side


@dataclass(frozen=True, slots=True)
class IntegrityError:
    """A book that cannot be right: crossed (best bid > best ask) or locked (equal)."""

    kind: str  # "crossed" | "locked"
    best_bid: int
    best_ask: int

    def __str__(self) -> str:
        return f"book {self.kind}: best bid {self.best_bid} >= best ask {self.best_ask} (ticks)"


class BookSideLevels:
    """One side of the book."""

    __slots__ = ("side", "levels", "_index", "_r", "_top", "_top_n", "_top_edge", "_live", "_live_n")

    def __init__(self, side: BookSide) -> None:
        self.side = side
        self.levels: dict[int, int] = {}
        # The index holds r * px, so that the best price is its largest key (see price_index).
        self._r = 1 if side is BookSide.BID else -1
        self._index = PriceIndex()
        # Cached top-N read: valid until a change touches a price at or inside its edge.
        self._top: list[Level] | None = None
        self._top_n = 0
        self._top_edge = 0  # index key (r * px) of the worst cached level
        # With the C accelerator: the best ``_live_n`` levels, kept up to date level by level by
        # its apply (None: not kept; every other way of changing the side drops it).
        self._live: list[Level] | None = None
        self._live_n = 0

    def clear(self) -> None:
        self.levels.clear()
        self._index.clear()
        self._top = self._live = None

    def load(self, levels: Iterable[Level]) -> None:
        self.levels = {px: qty for px, qty in levels if qty > 0}
        r = self._r
        self._index = PriceIndex(r * px for px in self.levels)
        self._top = self._live = None

    def set(self, px: int, qty: int) -> int:
        """Set the size at ``px`` (0 deletes); return the previous size (0 if none)."""
        levels = self.levels
        old = levels.get(px, 0)
        self._live = None
        if self._top is not None and self._r * px >= self._top_edge:
            self._top = None
        if qty > 0:
            levels[px] = qty
            if not old:
                self._index.add(self._r * px)
        elif old:
            del levels[px]
            self._index.remove(self._r * px)
        return old

    def _apply_native(self, levels: Iterable[Level], changes: list | None) -> bool:
        """The C loop of ``apply`` / ``apply_changes`` (dom/core/_native.c), same result; False
        when it cannot take the batch (not built, the tree index, or a level that is not an exact
        ``(int, int)`` tuple), and the Python loop must."""
        native, flat = accel.native, self._index.flat
        if native is None or flat is None or type(levels) is not tuple:
            return False
        best = native.apply(self.levels, flat, self._r, levels, changes, self.side, self._live, self._live_n)
        if best is NotImplemented:
            return False
        if best is not None and self._top is not None and best >= self._top_edge:  # the best key touched
            self._top = None
        self._index.rebalance()
        return True

    def apply(self, levels: Iterable[Level]) -> None:
        if type(levels) is not tuple and type(levels) is not list:
            levels = tuple(levels)
        if self._apply_native(levels, None):
            return
        r = self._r
        self._live = None
        if self._top is not None and levels:  # is the batch's best-placed price inside the cached top?
            if (max(levels)[0] if r > 0 else -min(levels)[0]) >= self._top_edge:  # type: ignore[type-var]
                self._top = None
        d = self.levels
        idx = self._index
        flat = idx.flat
        if flat is None:
            add, remove = idx.add, idx.remove
            for px, qty in levels:
                if qty > 0:
                    if px not in d:
                        add(r * px)
                    d[px] = qty
                elif px in d:
                    del d[px]
                    remove(r * px)
            return
        # The flat index, inline (the dict and the index agree: a price in one is in the other).
        for px, qty in levels:
            if qty > 0:
                if px not in d:
                    insort(flat, r * px)
                d[px] = qty
            elif px in d:
                del d[px]
                del flat[bisect_left(flat, r * px)]
        idx.rebalance()

    def apply_changes(self, levels: Iterable[Level], changes: list) -> None:
        """``apply``, appending ``(side, px, size_before, size_after)`` to ``changes`` for each
        level whose size changed (the engine's ``LevelChange``), in the order given."""
        if type(levels) is not tuple and type(levels) is not list:
            levels = tuple(levels)
        if self._apply_native(levels, changes):
            return
        r = self._r
        self._live = None
        if self._top is not None and levels:
            if (max(levels)[0] if r > 0 else -min(levels)[0]) >= self._top_edge:  # type: ignore[type-var]
                self._top = None
        d = self.levels
        side = self.side
        push = changes.append
        get = d.get
        idx = self._index
        flat = idx.flat
        if flat is None:
            add, remove = idx.add, idx.remove
            for px, qty in levels:
                old = get(px, 0)
                if qty > 0:
                    if old != qty:
                        d[px] = qty
                        if not old:
                            add(r * px)
                        push((side, px, old, qty))
                elif old:
                    del d[px]
                    remove(r * px)
                    push((side, px, old, 0))
            return
        for px, qty in levels:
            old = get(px, 0)
            if qty > 0:
                if old != qty:
                    d[px] = qty
                    if not old:
                        insort(flat, r * px)
                    push((side, px, old, qty))
            elif old:
                del d[px]
                del flat[bisect_left(flat, r * px)]
                push((side, px, old, 0))
        idx.rebalance()

    def best(self) -> Level | None:
        px = self.best_px()
        return None if px is None else (px, self.levels[px])

    def best_px(self) -> int | None:
        idx = self._index
        flat = idx.flat
        if flat is not None:
            return self._r * flat[-1] if flat else None
        return self._r * idx.tree[-1] if idx.tree else None  # type: ignore[index]

    def prices(self, n: int | None = None) -> Iterator[int]:
        """Prices from the best outwards (at most ``n``)."""
        r = self._r
        return (r * k for k in self._index.head(n))

    def top(self, n: int) -> list[Level]:
        """The best ``n`` levels, best first. Cached (the deepest read so far; shallower reads are
        slices of it): a change deeper than the cached edge keeps the cache, so reading the top
        after every message costs little. Do not mutate it."""
        live = self._live
        if live is not None and self._live_n >= n:  # kept by the C apply: a copy of its head
            return live[:n]
        top = self._top
        if top is not None and self._top_n >= n:
            return top if self._top_n == n else top[:n]
        d = self.levels
        r = self._r
        flat = self._index.flat
        native = accel.native
        if native is not None and flat is not None:
            live = self._live
            if live is None or self._live_n < n:  # (kept by the C apply from now on)
                live = self._live = native.top(flat, d, r, n)
                self._live_n = n
            top = live[:n]
        else:
            keys = (flat[:-n - 1:-1] if n > 0 else []) if flat is not None else self._index.head(n)
            if r > 0:
                top = [(k, d[k]) for k in keys]
            else:
                top = [(-k, d[-k]) for k in keys]
        self._top, self._top_n = top, n
        # Fewer levels than asked: any new level anywhere belongs in the top (-inf: below every
        # key, a price past 2^62 ticks included).
        self._top_edge = r * top[-1][0] if top and len(top) == n else _NO_EDGE
        return top

    def top_prices(self, n: int) -> list[int]:
        """The prices of the best ``n`` levels, best first, as a new list made in C (one slice of
        the flat index; no ``(px, size)`` pairs): for a reader that takes prices and sizes apart
        (the checksum string, sizes by ``map(side.levels.__getitem__, ...)``)."""
        if n <= 0:
            return []
        flat = self._index.flat
        if flat is None:
            return list(self.prices(n))
        keys = flat[:-n - 1:-1]
        return keys if self._r > 0 else list(map(neg, keys))

    def nth_px(self, n: int) -> int | None:
        """Price of the ``n``-th best level (1 = the best), or of the last one when fewer stand;
        None for an empty side or ``n`` < 1. One index read, no top-N list."""
        idx = self._index
        m = len(idx)
        if n < 1 or not m:
            return None
        return self._r * idx.nth(min(n, m))

    def size_at(self, px: int) -> int:
        return self.levels.get(px, 0)

    def depth_within(self, ticks: int) -> int:
        """Total lots from the best price out to ``ticks`` ticks away (inclusive)."""
        best = self.best_px()
        if best is None:
            return 0
        r = self._r
        d = self.levels
        total = 0
        for k in self._index.irange(r * best - ticks, None):
            total += d[r * k]
        return total

    def _keys_between(self, lo: int, hi: int) -> list[int] | Iterator[int]:
        return self._index.irange(lo, hi) if self._r > 0 else self._index.irange(-hi, -lo)

    def levels_between(self, lo: int, hi: int) -> Iterator[Level]:
        """Levels with ``lo <= px <= hi``, best first."""
        r = self._r
        d = self.levels
        return ((r * k, d[r * k]) for k in self._keys_between(lo, hi))

    def first_between(self, lo: int, hi: int) -> Level | None:
        """The best level with ``lo <= px <= hi`` (the first of ``levels_between``), or None; one
        bisect, where ``levels_between`` would first copy the range (the whole side, for a spoof
        candidate asking whether anything stands behind it)."""
        r = self._r
        k = self._index.largest_in(lo, hi) if r > 0 else self._index.largest_in(-hi, -lo)
        return None if k is None else (r * k, self.levels[r * k])

    def between(self, lo: int, hi: int) -> list[Level]:
        """``levels_between`` as a list (cheaper when all of them are wanted)."""
        d = self.levels
        if self._r > 0:
            return [(k, d[k]) for k in self._index.irange(lo, hi)]
        return [(-k, d[-k]) for k in self._index.irange(-hi, -lo)]

    def out_to(self, px: int) -> list[Level]:
        """The levels from the best price out to ``px`` (inclusive), best first: ``between(px,
        best)`` for bids, ``between(best, px)`` for asks (a band read from the touch). In C where
        the accelerator is built (its ``top``, of the levels counted by one bisect: no cache is
        touched), else ``between``."""
        flat = self._index.flat
        native = accel.native
        if native is None or flat is None:
            best = self.best_px()
            if best is None:
                return []
            return self.between(px, best) if self._r > 0 else self.between(best, px)
        r = self._r
        return native.top(flat, self.levels, r, len(flat) - bisect_left(flat, r * px))

    def rank(self, px: int) -> int:
        """How many levels are better than ``px`` (0 = at or better than the best)."""
        return self._index.count_above(self._r * px)

    def __len__(self) -> int:
        return len(self.levels)


class OrderBook:
    """An L2 book. Pure and synchronous; sequencing lives in ``dom.core.sequencer``."""

    __slots__ = ("bids", "asks")

    def __init__(self) -> None:
        self.bids = BookSideLevels(BookSide.BID)
        self.asks = BookSideLevels(BookSide.ASK)

    def side(self, side: BookSide) -> BookSideLevels:
        return self.bids if side is BookSide.BID else self.asks

    def clear(self) -> None:
        self.bids.clear()
        self.asks.clear()

    def apply_snapshot(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        self.bids.load(bids)
        self.asks.load(asks)

    def apply_delta(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        native = accel.native
        b, a = self.bids, self.asks
        bf, af = b._index.flat, a._index.flat
        if native is None or bf is None or af is None or type(bids) is not tuple or type(asks) is not tuple:
            b.apply(bids)
            a.apply(asks)
            return
        # Both sides' apply with the C accelerator in one call (BookSideLevels.apply's C branch).
        m = native.apply_book(b, a, bids, asks)
        if m is None:  # a level that is not an exact (int, int) tuple: the Python way
            b.apply(bids)
            a.apply(asks)
        elif m > price_index.FLAT_MAX:
            b._index.rebalance()
            a._index.rebalance()

    def apply_checked(self, bids: Iterable[Level], asks: Iterable[Level],
                      changes: list | None = None) -> IntegrityError | None:
        """``apply_delta`` (``changes`` None) or both sides' ``apply_changes`` (bids, then asks,
        into ``changes``), then ``check()``: what the engine does with each delta, in one C call
        where the accelerator takes it (the levels exact ``(int, int)`` tuples in tuples, both
        indexes flat)."""
        native = accel.native
        if native is not None:
            done = native.book_apply(self.bids, self.asks, bids, asks, changes, price_index.FLAT_MAX)
            if done is True:  # applied; no index past FLAT_MAX; neither crossed nor locked
                return None
            if done is False:  # applied: an index to rebalance, or the book to check
                self.bids._index.rebalance()
                self.asks._index.rebalance()
                return self.check()
        b, a = self.bids, self.asks
        if changes is None:  # (apply_delta's way without the accelerator's one call)
            b.apply(bids)
            a.apply(asks)
        else:
            b.apply_changes(bids, changes)
            a.apply_changes(asks, changes)
        bf, af = b._index.flat, a._index.flat
        if bf and af and bf[-1] < -af[-1]:  # (check()'s first test, without its call)
            return None
        return self.check()

    def best_bid(self) -> Level | None:
        return self.bids.best()

    def best_ask(self) -> Level | None:
        return self.asks.best()

    def mid2(self) -> int | None:
        """Twice the mid price in ticks (an integer even when the spread is odd)."""
        b, a = self.bids.best_px(), self.asks.best_px()
        if b is None or a is None:
            return None
        return a + b

    def spread(self) -> int | None:
        b, a = self.bids.best_px(), self.asks.best_px()
        if b is None or a is None:
            return None
        return a - b

    def check(self) -> IntegrityError | None:
        bf, af = self.bids._index.flat, self.asks._index.flat
        if bf and af and bf[-1] < -af[-1]:  # both flat, neither empty, best bid < best ask
            return None
        b, a = self.bids.best_px(), self.asks.best_px()
        if b is None or a is None or b < a:
            return None
        return IntegrityError("crossed" if b > a else "locked", b, a)

    def top(self, n: int) -> tuple[list[Level], list[Level]]:
        b, a = self.bids, self.asks
        bl, al = b._live, a._live
        if bl is not None and al is not None and b._live_n >= n and a._live_n >= n:
            return bl[:n], al[:n]  # (BookSideLevels.top's first branch, for both sides)
        return b.top(n), a.top(n)

    def copy_levels(self) -> tuple[dict[int, int], dict[int, int]]:
        return dict(self.bids.levels), dict(self.asks.levels)
