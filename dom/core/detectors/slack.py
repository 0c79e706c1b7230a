"""How long a depth change waits for the trades that explain it (DETECTORS.md §2.0).

Trades and depth come on different streams with different delays; a detector that judges a depth
change against "its" trades must wait until the trade stream has caught up.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

_MS = 1_000_000
_WINDOW = 1000  # trades whose lags the P99 is taken over


class AdaptiveSlack:
    """How long depth changes wait for their trades: ``align_slack_ms``, or more when the trade
    stream runs further behind the depth stream (DETECTORS.md §2.0: max(slack, p99 skew)).

    The lag of a trade is how far depth (exchange time) had already moved past it when it
    arrived; its rolling P99 (last 1,000 trades, refreshed every 100) plus 50 ms is the slack.
    Deterministic: exchange times and arrival order only. Most lags are 0 (a trade usually
    arrives before depth has moved past it), so only the window's positive lags are kept: in
    arrival order with their trade's number (to drop them when they leave the window) and sorted
    (``pos``). The sorted window is its zeros followed by ``pos``: the P99 is 0 or an index into
    ``pos``, with no sort of the whole window, and a trade with no lag costs a count.
    """

    __slots__ = ("floor", "lag", "last", "n", "ns", "pos", "recent")

    def __init__(self, floor_ms: int) -> None:
        self.floor = floor_ms * _MS
        self.recent: deque[tuple[int, int]] = deque()  # (trade number, lag > 0) of the window, in order
        self.pos: list[int] = []  # the window's positive lags, sorted
        self.n = 0  # trades seen
        self.ns = self.floor
        self.lag = 0  # the P99 lag itself
        self.last = -1  # the engine's count of the last trade seen (``on_trade_once``)

    def on_trade_once(self, n: int, depth_t: int, trade_t: int) -> None:
        """The engine's ``n``-th trade of the symbol, once however many of the detectors sharing
        this slack report it (the ones after the first return at once). A trade's lag is how far
        ``depth_t`` (the depth stream's exchange time when it arrived) had moved past ``trade_t``."""
        if n == self.last:
            return
        self.last = n
        k = self.n = self.n + 1
        recent, pos = self.recent, self.pos
        if recent and recent[0][0] <= k - _WINDOW:  # the lag this one pushes out of the window
            del pos[bisect_left(pos, recent.popleft()[1])]
        lag = depth_t - trade_t
        if lag > 0:
            recent.append((k, lag))
            insort(pos, lag)
        if k % 100 == 0:
            size = min(k, _WINDOW)
            i = int(0.99 * (size - 1))
            zeros = size - len(pos)
            self.lag = 0 if i < zeros else pos[i - zeros]
            self.ns = max(self.floor, self.lag + 50 * _MS)

    def on_trade(self, depth_t: int, trade_t: int) -> None:
        """A trade, for a slack fed by one caller that does not count trades: each call is a new
        one. (The detectors call ``on_trade_once`` with the engine's count: one call a trade.)"""
        self.on_trade_once(self.last + 1, depth_t, trade_t)
