"""Recent trades into one side of the book, with their running volume.

The pulled-liquidity detector asks, at every candidate drop, how much taker volume hit each side
over the last seconds. Summing the whole window each time cost a scan of hundreds of trades per
question on a busy symbol; so did walking the trades at the front that are already outside the
asked span (on the real BTCUSDT recording, ~450 of the ~600 trades kept, at each of 5,416
questions). The trades' times and running totals are kept in two lists beside them, brought up to
date at a question (in C: a trade costs nothing more when nobody asks): the first trade after the
span's start is one ``bisect``, the volume a difference of two totals, the same integer as the scan.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from itertools import accumulate, islice
from operator import itemgetter

_COMPACT = 1024
"""The two lists drop their expired front once it is this long and at least half of them."""
_T, _QTY = itemgetter(0), itemgetter(2)


class TakerTape:
    """``(T, px, qty)`` in arrival order and whether they are in ``T`` order
    (a trade stream is; if one ever arrives out of order the sums scan until it has left).

    ``ts`` and ``cum``: the ``T`` of the trades from the ``base``-th (counted from the first trade
    ever) on, as far as the last question, and the running total of their ``qty`` from there (each
    up to and including its trade); trades before ``popped`` have expired."""

    __slots__ = ("base", "cum", "last_desc", "popped", "q", "ts")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int, int]] = deque()
        self.popped = 0  # trades dropped from the front so far
        self.last_desc = -1  # position (counted from the first trade ever) of the last one out of T order
        self.ts: list[int] = []
        self.cum: list[int] = []
        self.base = 0

    def append(self, T: int, px: int, qty: int) -> None:
        q = self.q
        if q and T < q[-1][0]:
            self.last_desc = self.popped + len(q)
        q.append((T, px, qty))

    def expire(self, horizon: int) -> None:
        """Drop the trades at the front with ``T < horizon``."""
        q = self.q
        while q and q[0][0] < horizon:
            q.popleft()
            self.popped += 1

    @property
    def total(self) -> int:
        """The ``qty`` of the trades kept (a sum: only read outside the hot path)."""
        return sum(x for _, _, x in self.q)

    def volume_after(self, lo: int) -> int:
        """Total ``qty`` of the trades with ``T > lo``."""
        q = self.q
        if self.last_desc > self.popped:  # out of T order somewhere: the plain sum
            return sum(x for T, _, x in q if T > lo)
        ts, cum = self.ts, self.cum
        h = self.popped - self.base  # the first kept trade's place in the lists
        if h > len(ts):  # every trade the lists hold has expired, and some never listed: start anew
            ts.clear()
            cum.clear()
            self.base, h = self.popped, 0
        elif h >= _COMPACT and 2 * h >= len(ts):
            del ts[:h - 1]  # (the last expired one stays: its total is the base of the sums)
            del cum[:h - 1]
            self.base += h - 1
            h = 1
        new = self.popped + len(q) - self.base - len(ts)  # trades since the last question
        if new:
            fresh = list(islice(reversed(q), new))
            fresh.reverse()
            ts += map(_T, fresh)
            cum += islice(accumulate(map(_QTY, fresh), initial=cum[-1] if cum else 0), 1, None)
        i = bisect_right(ts, lo, h)  # (T order from h on: the first trade with T > lo)
        if i == len(cum):
            return 0
        return cum[-1] - cum[i - 1] if i else cum[-1]

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self.q)

    def __len__(self) -> int:
        return len(self.q)
