"""The sorted price index of one book side: distinct integer keys, read from the largest down.

The book stores each side's keys so that the best price is the *largest* key (bids by their
price, asks by their negated price): the levels that change most, near the touch, sit at the end
of the list, where inserting or deleting moves few entries. With the best first, as before, each
insert near the touch moved the whole side (about 1.9 us a change at 5,000 levels, against 0.4 us
at the end).

A flat Python list while the side holds up to ``FLAT_MAX`` levels: ``bisect`` and the list's own
insert/delete run in C, about three times faster than ``SortedList`` at the few thousand levels
a Binance book holds (``benchmarks/book.py``). Past that, inserting into one long list moves too
much memory, and the index becomes a ``SortedList`` (and flat again below half the limit).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sortedcontainers import SortedList

FLAT_MAX = 8192


def _tree(keys: Iterable[int]) -> SortedList:
    """A ``SortedList`` of ``keys`` (sortedcontainers is imported the first time a side passes
    ``FLAT_MAX``: a replay or a live book of a few thousand levels never loads it)."""
    from sortedcontainers import SortedList

    return SortedList(keys)


class PriceIndex:
    """Distinct keys, stored ascending; every read goes from the largest (the best) down."""

    __slots__ = ("flat", "tree")

    def __init__(self, keys: Iterable[int] = ()) -> None:
        ks = sorted(keys)
        self.flat: list[int] | None = ks if len(ks) <= FLAT_MAX else None
        self.tree: SortedList | None = None if self.flat is not None else _tree(ks)

    def add(self, k: int) -> None:
        flat = self.flat
        if flat is not None:
            insort(flat, k)
            if len(flat) > FLAT_MAX:
                self.tree, self.flat = _tree(flat), None
        else:
            self.tree.add(k)  # type: ignore[union-attr]

    def remove(self, k: int) -> None:
        """Remove ``k``, which must be present (ValueError otherwise)."""
        flat = self.flat
        if flat is not None:
            i = bisect_left(flat, k)
            if i == len(flat) or flat[i] != k:
                raise ValueError(f"{k} not in index")
            del flat[i]
            return
        tree = self.tree
        tree.remove(k)  # type: ignore[union-attr]
        if len(tree) < FLAT_MAX // 2:  # type: ignore[arg-type]
            self.flat, self.tree = list(tree), None  # type: ignore[arg-type]

    def rebalance(self) -> None:
        """After inserting into ``flat`` directly (the book's bulk apply): a tree past the limit."""
        if self.flat is not None and len(self.flat) > FLAT_MAX:
            self.tree, self.flat = _tree(self.flat), None

    def clear(self) -> None:
        self.flat, self.tree = [], None

    def first(self) -> int:
        """The largest key (IndexError when empty)."""
        return self.flat[-1] if self.flat is not None else self.tree[-1]  # type: ignore[index]

    def nth(self, n: int) -> int:
        """The ``n``-th largest key (1 = the largest); ``1 <= n <= len`` (IndexError otherwise)."""
        if n < 1:
            raise IndexError(n)
        return self.flat[-n] if self.flat is not None else self.tree[-n]  # type: ignore[index]

    def head(self, n: int | None) -> list[int] | Iterator[int]:
        """The ``n`` largest keys, largest first (all if None)."""
        flat = self.flat
        if flat is not None:
            if n is None:
                return reversed(flat)
            return flat[:-n - 1:-1] if n > 0 else []
        tree = self.tree
        m = len(tree)  # type: ignore[arg-type]
        if n is None or n >= m:
            return reversed(tree)  # type: ignore[arg-type]
        return tree.islice(m - n, m, reverse=True) if n > 0 else iter(())  # type: ignore[union-attr]

    def irange(self, lo: int | None, hi: int | None) -> list[int] | Iterator[int]:
        """Keys with ``lo <= k <= hi`` (None: unbounded), largest first."""
        flat = self.flat
        if flat is not None:
            i = bisect_left(flat, lo) if lo is not None else 0
            j = bisect_right(flat, hi) if hi is not None else len(flat)
            if j <= i:
                return []
            return flat[j - 1:i - 1:-1] if i else flat[j - 1::-1]
        return self.tree.irange(lo, hi, reverse=True)  # type: ignore[union-attr]

    def largest_in(self, lo: int, hi: int) -> int | None:
        """The largest key with ``lo <= k <= hi``, or None: ``next(iter(irange(lo, hi)), None)``
        without building the range."""
        flat = self.flat
        if flat is not None:
            j = bisect_right(flat, hi)
            return flat[j - 1] if j and flat[j - 1] >= lo else None
        return next(iter(self.tree.irange(lo, hi, reverse=True)), None)  # type: ignore[union-attr]

    def count_above(self, k: int) -> int:
        """How many keys are larger than ``k``."""
        if self.flat is not None:
            return len(self.flat) - bisect_right(self.flat, k)
        return len(self.tree) - self.tree.bisect_right(k)  # type: ignore[union-attr, arg-type]

    def __len__(self) -> int:
        return len(self.flat) if self.flat is not None else len(self.tree)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[int]:
        """Largest first."""
        return reversed(self.flat) if self.flat is not None else reversed(self.tree)  # type: ignore[arg-type]
