"""Relative strength against the reference (BTC): a symbol's return net of what its beta to the
reference explains. Pure.

    rs = return_pct(symbol) - beta * return_pct(reference)       over the same window

A small cap up 3% while BTC is up 2% with a beta of 1.5 has a relative strength of 0: its move
is BTC's, leveraged. Up 3% with BTC flat is +3: its own.
"""

from __future__ import annotations

from collections import deque

from dom.core.context.correlation import Series
from dom.core.context.market import move_pct as window_return  # (% return, seconds covered) over a window


def relative_strength(ret_pct: float | None, ref_pct: float | None, beta: float | None) -> float | None:
    """``ret_pct - beta * ref_pct`` (beta 1 when not known yet); None when a return is missing."""
    if ret_pct is None or ref_pct is None:
        return None
    return ret_pct - (1.0 if beta is None else beta) * ref_pct


def same_window(s: Series, ref: Series, window_s: int) -> tuple[float, float, int] | None:
    """The symbol's and the reference's % returns over the same span: the shorter of what the
    two have of ``window_s`` (so a symbol that joined later is compared over its own span)."""
    a, b = window_return(s, window_s), window_return(ref, window_s)
    if a is None or b is None:
        return None
    span = min(a[1], b[1])
    a, b = window_return(s, span), window_return(ref, span)
    if a is None or b is None:
        return None
    return a[0], b[0], span


def sector_ranks(members: dict[str, list[float | None]]) -> list[tuple[str, float | None, int]]:
    """Sectors ranked by the median of their symbols' values (relative strength), highest first:
    ``(sector, median, rank)``; a sector with no value yet ranks last (median None)."""
    def median(xs: list[float]) -> float:
        xs = sorted(xs)
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

    meds = [(name, median([v for v in vs if v is not None]) if any(v is not None for v in vs) else None)
            for name, vs in members.items()]
    meds.sort(key=lambda m: (m[1] is None, -(m[1] or 0.0), m[0]))
    return [(name, med, i) for i, (name, med) in enumerate(meds, 1)]


class RankHistory:
    """The sectors' ranks over time (market time), to say which gained most over the window:
    ``change(sector)`` is its rank then minus its rank now (positive: it climbed), "then" being
    the ranks as they stood ``window_ns`` ago (or the oldest there are)."""

    def __init__(self, window_ns: int = 3600 * 1_000_000_000) -> None:
        self.window_ns = window_ns
        self.points: deque[tuple[int, dict[str, int]]] = deque()

    def add(self, ts_ns: int, ranks: dict[str, int]) -> None:
        if self.points and ts_ns <= self.points[-1][0]:
            return
        self.points.append((ts_ns, dict(ranks)))
        while len(self.points) > 2 and ts_ns - self.points[1][0] >= self.window_ns:
            self.points.popleft()

    def change(self, sector: str) -> int | None:
        if len(self.points) < 2:
            return None
        then, now = self.points[0][1].get(sector), self.points[-1][1].get(sector)
        return None if then is None or now is None else then - now

    def span_ns(self) -> int:
        return self.points[-1][0] - self.points[0][0] if self.points else 0
