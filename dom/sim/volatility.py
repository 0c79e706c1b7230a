"""The true mid's short-term range over time: what a "volatility spike" is for one symbol.

The risk-off-pull decoy (``decoys.RiskOffPull``) pulls its order when volatility spikes
(DETECTORS.md §3.3: "large orders pulled on volatility spikes (risk-off, not approach-driven)").
A spike is a property of the symbol: on the mixed preset a 3-tick second happens in 5-14% of
the seconds on the small caps and in a fifth to a third on BTCUSDT, so a decoy resting 20-60 s
that pulled at 3 ticks met one almost every time it lived and pulled on ordinary price moves
(half of them toward it, which is what an approach-driven pull looks like). So the range over
the last second is compared with its own 95th percentile over the last 30 minutes, sampled once
a second.
"""

from __future__ import annotations

from collections import deque
from typing import Collection

from sortedcontainers import SortedList

WINDOW_S = 1800  # samples kept: 30 minutes at one a second
MIN_SAMPLES = 60  # before a minute of samples there is no percentile (``p95`` stays 0)
SPIKE_PCT = 0.95
SPIKE_TICKS = 3  # a spike is at least this range, whatever the percentile


class RangeHistory:
    """The mid's range (ticks) over the last second, sampled once a second (``sample``), the last
    30 minutes, and its 95th percentile."""

    __slots__ = ("samples", "order", "p95")

    def __init__(self) -> None:
        self.samples: deque[float] = deque()
        self.order: SortedList = SortedList()
        self.p95 = 0.0

    def sample(self, mids: Collection[float]) -> None:
        """``mids``: the mid at each step of the last second (a step without a mid left out)."""
        if not mids:
            return
        r = max(mids) - min(mids)
        self.samples.append(r)
        self.order.add(r)
        if len(self.samples) > WINDOW_S:
            self.order.remove(self.samples.popleft())
        n = len(self.order)
        self.p95 = self.order[int(SPIKE_PCT * (n - 1))] if n >= MIN_SAMPLES else 0.0

    def spike(self, mids: Collection[float]) -> bool:
        """Is the mid's range over ``mids`` (the last second) a spike: 3 ticks or more and above the
        95th percentile (3 ticks alone before a minute of samples)?"""
        if not mids:
            return False
        r = max(mids) - min(mids)
        return r >= SPIKE_TICKS and r > self.p95
