"""The state the absorption detector keeps of an open episode at a level (its trades, the depth
messages awaiting judgement, what it crossed); the trades into each side and its levels are in
absorption_side.py."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

from dom.core.types import BookSide


def far_max(lv, best: int, band: int) -> int:
    """The largest level of book side ``lv`` 2 to ``band`` ticks from its best price ``best``
    (an organic order resting away from the touch; 0 if none)."""
    return max([q for px, q in lv.top(band + 1) if 2 <= abs(px - best) <= band], default=0)


@dataclass(slots=True)  # (slots: absorption's depth hook reads and writes them in C, _native_adh.c)
class _Episode:
    side: BookSide
    px: int
    first_ns: int  # exchange time of the first trade in its window
    t0: int  # depth time when it opened: the volume balance starts here
    q0: int  # shown size at t0
    last_trade_ns: int
    last_q: int
    last_d: int  # depth time of the last message queued for judging
    traded: int = 0
    max_q: int = 0
    refill_lb: int = 0  # sum of positive per-message balances: size added while traded
    times: list[int] = field(default_factory=list)  # trade exchange times, sorted
    cum: list[int] = field(default_factory=list)  # cumulative traded volume at those times
    msgs: deque = field(default_factory=deque)  # (d_prev, d, before, after) awaiting judgement
    cross_ns: int = 0  # when the thresholds were first met (0: not yet)
    threshold: int = 0
    rate: int = 0  # trades into the level over the rate window at the crossing
    rate_threshold: int = 0
    rate_vol: int = 0  # taker volume into the level over the rate window at the crossing
    rate_vol_threshold: int = 0  # (0: the volume intensity is off)
    one_sided: float = 0.0
    large: bool = False  # crossed as a large level against its flow (absorption_large_mult)
    deep: bool = False  # crossed on a volume many times the threshold, without the pace (absorption_deep_mult)
    far_before: int = 0  # the most it showed 2+ ticks from the best before (absorption_far_before)
    peak_w: int = 0
    peak_fade: int = 0
    announced: bool = False
    confirmed: bool = False
    sent_traded: int = 0
    id: str = ""

    def add_trade(self, t: int, q: int) -> None:
        times, cum = self.times, self.cum
        if times and t < times[-1]:  # out of order (rare): insert and shift the tail
            i = bisect_right(times, t)
            times.insert(i, t)
            cum.insert(i, (cum[i - 1] if i else 0) + q)
            for j in range(i + 1, len(cum)):
                cum[j] += q
            return
        times.append(t)
        cum.append((cum[-1] if cum else 0) + q)

    def faded(self, lo: int, fraction: float) -> bool:
        """Aggressive trades into the level since ``lo`` (the last fade window) are at most
        ``fraction`` of their peak count over such a window."""
        n = len(self.times) - bisect_right(self.times, lo)
        self.peak_fade = max(self.peak_fade, n)
        return n <= fraction * self.peak_fade

    def traded_between(self, lo: int, hi: int) -> int:
        """Volume of this episode's trades with ``lo < T <= hi``."""
        times, cum = self.times, self.cum
        i, j = bisect_right(times, lo), bisect_right(times, hi)
        return (cum[j - 1] if j else 0) - (cum[i - 1] if i else 0)
