"""Trend bias on bars: the playbook's 20-period EMA for direction and 14-period RSI for
overbought / oversold, on the 1 m and 5 m bars the market context keeps (``Series``: one price
per bar, the mean of the book's mid over the bar).

Pure arithmetic on a list of bar prices:

* ``ema``: seeded with the simple mean of the first ``n`` bars, then ``k = 2 / (n + 1)``;
* ``rsi``: Wilder's: the first average gain and loss are simple means over ``n`` changes, then
  each is smoothed as ``(prev * (n - 1) + x) / n``; 100 when nothing was lost, 50 when flat.

``bias`` needs ``ema_n`` bars for the EMA and ``rsi_n + 1`` for the RSI; with fewer it says how
many it has, so a screen can show the warm-up rather than a number made of too little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def ema(values: Sequence[float], n: int) -> float | None:
    if n < 1 or len(values) < n:
        return None
    e = sum(values[:n]) / n
    k = 2 / (n + 1)
    for v in values[n:]:
        e += k * (v - e)
    return e


def rsi(values: Sequence[float], n: int = 14) -> float | None:
    if n < 1 or len(values) < n + 1:
        return None
    ch = [b - a for a, b in zip(values, values[1:])]
    gain = sum(c for c in ch[:n] if c > 0) / n
    loss = sum(-c for c in ch[:n] if c < 0) / n
    for c in ch[n:]:
        gain = (gain * (n - 1) + max(c, 0.0)) / n
        loss = (loss * (n - 1) + max(-c, 0.0)) / n
    if loss == 0:
        return 50.0 if gain == 0 else 100.0
    return 100 - 100 / (1 + gain / loss)


@dataclass(frozen=True)
class Bias:
    bars: int  # bars available
    need: int  # bars the EMA needs
    price: float | None = None  # the last bar's price
    ema: float | None = None
    rsi: float | None = None

    @property
    def ready(self) -> bool:
        return self.ema is not None

    @property
    def direction(self) -> str:
        """"up" (last bar above its EMA), "down", "flat", or "" before the EMA exists."""
        if self.ema is None or self.price is None:
            return ""
        if self.price > self.ema:
            return "up"
        return "down" if self.price < self.ema else "flat"

    def band(self, overbought: float = 70.0, oversold: float = 30.0) -> str:
        if self.rsi is None:
            return ""
        return "overbought" if self.rsi >= overbought else "oversold" if self.rsi <= oversold else "neutral"


def bias(values: Sequence[float], ema_n: int = 20, rsi_n: int = 14) -> Bias:
    v = list(values)
    return Bias(len(v), ema_n, v[-1] if v else None, ema(v, ema_n), rsi(v, rsi_n))
