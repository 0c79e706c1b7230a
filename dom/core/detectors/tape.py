"""Recent trades into one side of the book, with their running volume.

The pulled-liquidity detector asks, at every candidate drop, how much taker volume hit each side
over the last seconds. Summing the whole window each time cost a scan of hundreds of trades per
question on a busy symbol; so did walking the trades at the front that are already outside the
asked span (on the real BTCUSDT recording, ~450 of the ~600 trades kept, at each of 5,416
questions). The trades' times and running totals are kept in two lists beside them: the
first trade after the span's start is one ``bisect``, the volume a difference of two totals, the
same integer as the scan.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterator

_COMPACT = 1024
"""The two lists drop their expired front once it is this long and at least half of them."""


class TakerTape:
    """``(T, px, qty)`` in arrival order, and whether they are in ``T`` order (a trade stream is;
    if one ever arrives out of order the sums scan until it has left). ``ts`` and ``cum`` hold
    each trade's ``T`` and the running total of ``qty`` up to and including it, from ``head`` on
    (the entries before ``head`` have expired; ``cum[head - 1]``, when there is one, is the total
    the kept trades' sums start from)."""

    __slots__ = ("cum", "head", "last_desc", "popped", "q", "ts")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int, int]] = deque()
        self.ts: list[int] = []
        self.cum: list[int] = []
        self.head = 0
        self.popped = 0  # trades dropped from the front so far
        self.last_desc = -1  # position (counted from the first trade ever) of the last one out of T order

    def append(self, T: int, px: int, qty: int) -> None:
        q = self.q
        if q and T < q[-1][0]:
            self.last_desc = self.popped + len(q)
        q.append((T, px, qty))
        cum = self.cum
        cum.append(cum[-1] + qty if cum else qty)
        self.ts.append(T)

    def expire(self, horizon: int) -> None:
        """Drop the trades at the front with ``T < horizon``."""
        q = self.q
        n = 0
        while q and q[0][0] < horizon:
            q.popleft()
            n += 1
        if n:
            self.popped += n
            h = self.head = self.head + n
            if h >= _COMPACT and 2 * h >= len(self.ts):
                del self.ts[:h - 1]  # (the last expired one stays: its total is the base of the sums)
                del self.cum[:h - 1]
                self.head = 1

    @property
    def total(self) -> int:
        """Total ``qty`` of the trades kept."""
        h, cum = self.head, self.cum
        return (cum[-1] - (cum[h - 1] if h else 0)) if h < len(cum) else 0

    def volume_after(self, lo: int) -> int:
        """Total ``qty`` of the trades with ``T > lo``."""
        if self.last_desc > self.popped:  # out of T order somewhere: the plain sum
            return sum(x for T, _, x in self.q if T > lo)
        cum = self.cum
        i = bisect_right(self.ts, lo, self.head)  # (T order from head on: the first with T > lo)
        if i == len(cum):
            return 0
        return cum[-1] - cum[i - 1] if i else cum[-1]

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self.q)

    def __len__(self) -> int:
        return len(self.q)
