"""The sorted price index of one book side: distinct integer keys, best first.

A flat Python list while the side holds up to ``FLAT_MAX`` levels: ``bisect`` and the list's own
insert/delete run in C, about three times faster than ``SortedList`` at the few thousand levels
a Binance book holds (``benchmarks/book.py``). Past that, inserting into one long list moves too
much memory, and the index becomes a ``SortedList`` (and flat again below half the limit).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator

from sortedcontainers import SortedList

FLAT_MAX = 8192


class PriceIndex:
    __slots__ = ("flat", "tree")

    def __init__(self, keys: Iterable[int] = ()) -> None:
        ks = sorted(keys)
        self.flat: list[int] | None = ks if len(ks) <= FLAT_MAX else None
        self.tree: SortedList | None = None if self.flat is not None else SortedList(ks)

    def add(self, k: int) -> None:
        flat = self.flat
        if flat is not None:
            insort(flat, k)
            if len(flat) > FLAT_MAX:
                self.tree, self.flat = SortedList(flat), None
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

    def clear(self) -> None:
        self.flat, self.tree = [], None

    def first(self) -> int:
        return self.flat[0] if self.flat is not None else self.tree[0]  # type: ignore[index]

    def head(self, n: int | None) -> list[int] | Iterator[int]:
        """The first ``n`` keys (all if None)."""
        if self.flat is not None:
            return self.flat[:n] if n is not None else iter(self.flat)
        return self.tree.islice(0, n)  # type: ignore[union-attr]

    def irange(self, lo: int | None, hi: int | None) -> list[int] | Iterator[int]:
        """Keys with ``lo <= k <= hi`` (None: unbounded), in order."""
        flat = self.flat
        if flat is not None:
            i = bisect_left(flat, lo) if lo is not None else 0
            j = bisect_right(flat, hi) if hi is not None else len(flat)
            return flat[i:j]
        return self.tree.irange(lo, hi)  # type: ignore[union-attr]

    def bisect_left(self, k: int) -> int:
        return bisect_left(self.flat, k) if self.flat is not None else self.tree.bisect_left(k)  # type: ignore[union-attr]

    def __len__(self) -> int:
        return len(self.flat) if self.flat is not None else len(self.tree)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[int]:
        return iter(self.flat) if self.flat is not None else iter(self.tree)  # type: ignore[arg-type]
