"""Recent trades into one side of the book, with their running volume.

The pulled-liquidity detector asks, at every candidate drop, how much taker volume hit each side
over the last seconds. Summing the whole window each time cost a scan of hundreds of trades per
question on a busy symbol; a running total less the few trades at the front that are already
outside the asked span gives the same integer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator


class TakerTape:
    """``(T, px, qty)`` in arrival order, their total ``qty``, and whether they are in ``T`` order
    (a trade stream is; if one ever arrives out of order the sums scan until it has left)."""

    __slots__ = ("last_desc", "popped", "q", "total")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int, int]] = deque()
        self.total = 0
        self.popped = 0  # trades dropped from the front so far
        self.last_desc = -1  # position (counted from the first trade ever) of the last one out of T order

    def append(self, T: int, px: int, qty: int) -> None:
        q = self.q
        if q and T < q[-1][0]:
            self.last_desc = self.popped + len(q)
        q.append((T, px, qty))
        self.total += qty

    def expire(self, horizon: int) -> None:
        """Drop the trades at the front with ``T < horizon``."""
        q = self.q
        while q and q[0][0] < horizon:
            self.total -= q.popleft()[2]
            self.popped += 1

    def volume_after(self, lo: int) -> int:
        """Total ``qty`` of the trades with ``T > lo``."""
        q = self.q
        if self.last_desc > self.popped:  # out of T order somewhere: the plain sum
            return sum(x for T, _, x in q if T > lo)
        total = self.total
        for T, _, x in q:
            if T > lo:
                break
            total -= x
        return total

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self.q)

    def __len__(self) -> int:
        return len(self.q)
