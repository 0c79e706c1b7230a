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
from typing import Iterable, Iterator

from dom.core.price_index import PriceIndex
from dom.core.types import BookSide, Level


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

    __slots__ = ("side", "levels", "_index", "_sign", "_top", "_top_n", "_top_edge")

    def __init__(self, side: BookSide) -> None:
        self.side = side
        self.levels: dict[int, int] = {}
        self._sign = -1 if side is BookSide.BID else 1
        self._index = PriceIndex()
        # Cached top-N read: valid until a change touches a price at or inside its edge.
        self._top: list[Level] | None = None
        self._top_n = 0
        self._top_edge = 0  # signed key of the worst cached level

    def clear(self) -> None:
        self.levels.clear()
        self._index.clear()
        self._top = None

    def load(self, levels: Iterable[Level]) -> None:
        self.levels = {px: qty for px, qty in levels if qty > 0}
        s = self._sign
        self._index = PriceIndex(s * px for px in self.levels)
        self._top = None

    def set(self, px: int, qty: int) -> int:
        """Set the size at ``px`` (0 deletes); return the previous size (0 if none)."""
        levels = self.levels
        old = levels.get(px, 0)
        if self._top is not None and self._sign * px <= self._top_edge:
            self._top = None
        if qty > 0:
            levels[px] = qty
            if not old:
                self._index.add(self._sign * px)
        elif old:
            del levels[px]
            self._index.remove(self._sign * px)
        return old

    def apply(self, levels: Iterable[Level]) -> None:
        d = self.levels
        add, remove = self._index.add, self._index.remove
        s = self._sign
        edge = self._top_edge if self._top is not None else None
        for px, qty in levels:
            if edge is not None and s * px <= edge:
                self._top = None
                edge = None
            if qty > 0:
                if px not in d:
                    add(s * px)
                d[px] = qty
            elif px in d:
                del d[px]
                remove(s * px)

    def apply_changes(self, levels: Iterable[Level], changes: list) -> None:
        """``apply``, appending ``(side, px, size_before, size_after)`` to ``changes`` for each
        level whose size changed (the engine's ``LevelChange``), in the order given."""
        d = self.levels
        s = self._sign
        side = self.side
        add, remove, push = self._index.add, self._index.remove, changes.append
        edge = self._top_edge if self._top is not None else None
        for px, qty in levels:
            if edge is not None and s * px <= edge:
                self._top = None
                edge = None
            old = d.get(px, 0)
            if qty > 0:
                if old != qty:
                    d[px] = qty
                    if not old:
                        add(s * px)
                    push((side, px, old, qty))
            elif old:
                del d[px]
                remove(s * px)
                push((side, px, old, 0))

    def best(self) -> Level | None:
        px = self.best_px()
        return None if px is None else (px, self.levels[px])

    def best_px(self) -> int | None:
        idx = self._index
        flat = idx.flat
        if flat is not None:
            return self._sign * flat[0] if flat else None
        return self._sign * idx.tree[0] if idx.tree else None  # type: ignore[index]

    def prices(self, n: int | None = None) -> Iterator[int]:
        """Prices from the best outwards (at most ``n``)."""
        s = self._sign
        return (s * k for k in self._index.head(n))

    def top(self, n: int) -> list[Level]:
        """The best ``n`` levels, best first. Cached (the deepest read so far; shallower reads are
        slices of it): a change deeper than the cached edge keeps the cache, so reading the top
        after every message costs little. Do not mutate it."""
        top = self._top
        if top is not None and self._top_n >= n:
            return top if self._top_n == n else top[:n]
        d = self.levels
        s = self._sign
        if s > 0:
            top = [(k, d[k]) for k in self._index.head(n)]
        else:
            top = [(-k, d[-k]) for k in self._index.head(n)]
        self._top, self._top_n = top, n
        # Fewer levels than asked: any new level anywhere belongs in the top.
        self._top_edge = s * top[-1][0] if top and len(top) == n else 1 << 62
        return top

    def nth_px(self, n: int) -> int | None:
        """Price of the ``n``-th best level (1 = the best), or of the last one when fewer stand;
        None for an empty side or ``n`` < 1. One index read, no top-N list."""
        idx = self._index
        m = len(idx)
        if n < 1 or not m:
            return None
        flat = idx.flat
        k = flat[min(n, m) - 1] if flat is not None else idx.tree[min(n, m) - 1]  # type: ignore[index]
        return self._sign * k

    def size_at(self, px: int) -> int:
        return self.levels.get(px, 0)

    def depth_within(self, ticks: int) -> int:
        """Total lots from the best price out to ``ticks`` ticks away (inclusive)."""
        best = self.best_px()
        if best is None:
            return 0
        s = self._sign
        limit = s * best + ticks
        d = self.levels
        total = 0
        for k in self._index.irange(None, limit):
            total += d[s * k]
        return total

    def levels_between(self, lo: int, hi: int) -> Iterator[Level]:
        """Levels with ``lo <= px <= hi``, best first."""
        s = self._sign
        a, b = (s * lo, s * hi) if s > 0 else (s * hi, s * lo)
        d = self.levels
        return ((s * k, d[s * k]) for k in self._index.irange(a, b))

    def between(self, lo: int, hi: int) -> list[Level]:
        """``levels_between`` as a list (cheaper when all of them are wanted)."""
        s = self._sign
        a, b = (s * lo, s * hi) if s > 0 else (s * hi, s * lo)
        d = self.levels
        if s > 0:
            return [(k, d[k]) for k in self._index.irange(a, b)]
        return [(-k, d[-k]) for k in self._index.irange(a, b)]

    def rank(self, px: int) -> int:
        """How many levels are better than ``px`` (0 = at or better than the best)."""
        return self._index.bisect_left(self._sign * px)

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
        self.bids.apply(bids)
        self.asks.apply(asks)

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
        b, a = self.bids.best_px(), self.asks.best_px()
        if b is None or a is None or b < a:
            return None
        return IntegrityError("crossed" if b > a else "locked", b, a)

    def top(self, n: int) -> tuple[list[Level], list[Level]]:
        return self.bids.top(n), self.asks.top(n)

    def copy_levels(self) -> tuple[dict[int, int], dict[int, int]]:
        return dict(self.bids.levels), dict(self.asks.levels)
