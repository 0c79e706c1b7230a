"""How long a depth change waits for the trades that explain it (DETECTORS.md §2.0).

Trades and depth come on different streams with different delays; a detector that judges a depth
change against "its" trades must wait until the trade stream has caught up.
"""

from __future__ import annotations

from collections import deque

_MS = 1_000_000


class AdaptiveSlack:
    """How long depth changes wait for their trades: ``align_slack_ms``, or more when the trade
    stream runs further behind the depth stream (DETECTORS.md §2.0: max(slack, p99 skew)).

    The lag of a trade is how far depth (exchange time) had already moved past it when it
    arrived; its rolling P99 (last 1,000 trades, refreshed every 100) plus 50 ms is the slack.
    Deterministic: exchange times and arrival order only.
    """

    __slots__ = ("floor", "lags", "n", "ns", "lag", "last")

    def __init__(self, floor_ms: int) -> None:
        self.floor = floor_ms * _MS
        self.lags: deque[int] = deque(maxlen=1000)
        self.n = 0
        self.ns = self.floor
        self.lag = 0  # the P99 lag itself
        self.last = -1  # the engine's count of the last trade seen (``on_trade_once``)

    def on_trade_once(self, n: int, depth_t: int, trade_t: int) -> None:
        """``on_trade`` for the engine's ``n``-th trade of the symbol, once however many of the
        detectors sharing this slack report it."""
        if n != self.last:
            self.last = n
            self.on_trade(depth_t, trade_t)

    def on_trade(self, depth_t: int, trade_t: int) -> None:
        self.lags.append(max(0, depth_t - trade_t))
        self.n += 1
        if self.n % 100 == 0:
            s = sorted(self.lags)
            self.lag = s[int(0.99 * (len(s) - 1))]
            self.ns = max(self.floor, self.lag + 50 * _MS)
