"""Rolling correlation and beta of each symbol against a reference (BTC by default), and the
reference-weakness warning ("BTC -2.1% in 15 m"). Pure: fed (exchange time, mid) samples."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Series:
    """One price per bar of ``bar_s`` seconds, ``maxlen`` bars kept.

    The bar's price is the mean of the samples in it (a time-weighted price when samples come at
    a steady rate), not the last one: a single print through a thin book or a momentary wide
    spread at the bar's end would otherwise dominate a correlation over a few dozen bars.
    """

    bar_s: int
    maxlen: int = 240
    closes: deque = field(default_factory=deque)
    bar: int = -1
    _sum: float = 0.0
    _n: int = 0

    def add(self, ts_ns: int, px: float) -> None:
        b = ts_ns // (self.bar_s * 1_000_000_000)
        if b == self.bar and self.closes:
            self._sum += px
            self._n += 1
            self.closes[-1] = self._sum / self._n
        else:
            self._sum, self._n = px, 1
            if self.bar >= 0:
                for _ in range(min(self.maxlen, int(b - self.bar - 1))):  # carry over empty bars
                    self.closes.append(self.closes[-1])
            self.closes.append(px)
            self.bar = b
        while len(self.closes) > self.maxlen:
            self.closes.popleft()

    def backfill(self, bars: list[tuple[int, float]]) -> int:
        """History from the venue (klines): ``(bar index, price)`` pairs, oldest first, for the bars
        before the first one this series holds (those it holds are its own); gaps carry the last
        price over. Returns how many bars were added."""
        first = self.bar - len(self.closes) + 1 if self.closes else None
        old: list[float] = []
        prev = None
        for b, px in bars:
            if (first is not None and b >= first) or px <= 0 or (prev is not None and b <= prev):
                continue
            if prev is not None:
                old.extend([old[-1]] * min(self.maxlen, b - prev - 1))
            old.append(px)
            prev = b
        if not old:
            return 0
        if first is not None:
            old.extend([old[-1]] * min(self.maxlen, first - prev - 1))  # up to the first bar held
            self.closes.extendleft(reversed(old))
        else:
            self.closes.extend(old)
            self.bar = prev
            self._sum, self._n = 0.0, 0  # (the last bar is the venue's: a sample now replaces it)
        while len(self.closes) > self.maxlen:
            self.closes.popleft()
        return len(old)

    def returns(self) -> list[float]:
        c = list(self.closes)
        return [math.log(b / a) for a, b in zip(c, c[1:]) if a > 0 and b > 0]


def corr_beta(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """Correlation and beta of ``ys`` on ``xs`` (the reference), over their common tail."""
    n = min(len(xs), len(ys))
    if n < 5:
        return None
    xs, ys = xs[-n:], ys[-n:]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy), sxy / sxx


def weakness(ref: Series, window_s: int, drop_pct: float, name: str = "BTC") -> str | None:
    """A warning when the reference fell more than ``drop_pct`` % over the last ``window_s``."""
    bars = max(1, window_s // ref.bar_s)
    c = list(ref.closes)
    if len(c) <= bars:
        return None
    move = (c[-1] / c[-1 - bars] - 1) * 100
    if move <= -abs(drop_pct):
        return f"{name} {move:+.1f}% in {window_s // 60} m"
    return None
