"""The state the absorption detector keeps: trades into a level over a window, and an open
episode at a level (its trades, the depth messages awaiting judgement, what it crossed)."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

from dom.core.types import BookSide

_FAR = 1 << 62


def far_max(lv, best: int, band: int) -> int:
    """The largest level of book side ``lv`` 2 to ``band`` ticks from its best price ``best``
    (an organic order resting away from the touch; 0 if none)."""
    return max([q for px, q in lv.top(band + 1) if 2 <= abs(px - best) <= band], default=0)


class _Window:
    """Trades into one level over the last W seconds, with their running total (a trade is added,
    and the window pruned, by ``AbsorptionDetector.on_trade`` itself: its hot path)."""

    __slots__ = ("q", "total")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int]] = deque()
        self.total = 0

    def prune(self, lo: int) -> int:
        q = self.q
        while q and q[0][0] <= lo:
            self.total -= q.popleft()[1]
        return self.total

    def count_since(self, lo: int) -> int:
        n = 0
        for t, _ in reversed(self.q):
            if t <= lo:
                break
            n += 1
        return n

    def volume_since(self, lo: int) -> int:
        """Volume of the trades after ``lo`` (a recent bound: walked from the newest)."""
        v = 0
        for t, x in reversed(self.q):
            if t <= lo:
                break
            v += x
        return v

    def volume_after(self, lo: int) -> int:
        """The same without pruning, for a bound near the window's own: the total less the
        oldest trades (walked from the oldest, which are few)."""
        v = self.total
        for t, x in self.q:
            if t > lo:
                break
            v -= x
        return v


class _Side:
    """What the absorption detector reads on every trade into one side of the book, in one
    object (one lookup a trade instead of one per dict keyed by side)."""

    __slots__ = ("edge", "last_px", "side", "thr", "times", "w", "win")

    def __init__(self, side: BookSide) -> None:
        self.side = side
        self.times: deque[int] = deque()  # the times of the trades into the side (rate samples)
        self.w = _Window()  # all takers into the side, rate window
        self.last_px: int | None = None  # the price of its last trade
        self.win: dict[int, _Window] = {}  # price -> trades into that level over W
        # A price no window stands beyond (bids: at or above every window's price, asks: at or
        # below): a trade there goes through no window.
        self.edge = -_FAR if side is BookSide.BID else _FAR
        self.thr: dict[int, int | None] = {}  # price -> volume threshold until the next sample (see _threshold)


@dataclass
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
