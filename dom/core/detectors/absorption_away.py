"""Absorption's look back at a level before the flow: where it stood when it began to show its size
(``absorption_far_before``).

An absorber is a passive order placed at the touch as the flow comes; a large organic order that
the price came to was already resting 2+ ticks from the best, and showed its size there for a
while. An absorber may stand 2+ ticks from the best later (the price moves off it and comes back),
and a price may have held another large order before: what tells them apart is where the level
stood when its latest unbroken run of samples showing that size began, not whether it ever stood
away. Sampled once a second (absorption_sample.py) per book side over the band
(``wall_band_ticks``), kept ``span_ns`` back.
"""

from __future__ import annotations

from collections import deque
from operator import itemgetter


class LevelsAway:
    """One book side's levels near the best, sampled: per sample its time, the best price, the
    band's width and the prices of the ``band + 1`` best levels with their sizes (two lists), newest
    last; a level is in a sample if it is among them within ``band`` ticks of the best. The prices
    are one slice of the book's index and the sizes one read of them, not an entry per level in a
    dict, nor a top-N read (which would make the book keep that many levels' pairs up to date on
    every message): the look-back is rare, only when a level's traded volume crosses."""

    __slots__ = ("snaps", "span_ns")

    def __init__(self, span_ns: int) -> None:
        self.snaps: deque[tuple[int, int, int, list[int], tuple[int, ...] | list[int]]] = deque()
        self.span_ns = span_ns

    def sample(self, lv, best: int, band: int, now: int) -> None:
        """One sample at ``now`` of book side ``lv`` (a ``BookSideLevels``), whose best price is
        ``best``, over ``band`` ticks from it."""
        prices = lv.top_prices(band + 1)
        # (one itemgetter call reads them all: about half the cost of a map over the dict's
        # __getitem__; it returns the one value itself for one price, and takes no price at all)
        sizes = itemgetter(*prices)(lv.levels) if len(prices) > 1 else [lv.levels[px] for px in prices]
        self.snaps.append((now, best, band, prices, sizes))

    def expire(self, now: int) -> None:
        """Samples older than the span dropped."""
        lo = now - self.span_ns
        snaps = self.snaps
        while snaps and snaps[0][0] < lo:
            snaps.popleft()

    def came_to(self, px: int, lo: int, need: int, n: int) -> bool:
        """True if the latest unbroken run of samples of ``px`` showing at least ``need`` lots (back
        from the newest, none before ``lo``; a sample without the level does not break it) began
        while it stood 2+ ticks from the best, and holds at least ``n`` samples taken 2+ ticks from
        it: one order resting away that the price came to. A level that showed less in between, or
        got its size at the touch, is not."""
        far = start = 0
        for t, best, band, prices, sizes in reversed(self.snaps):
            if t < lo:
                break
            q = _size(px, best, band, prices, sizes)
            if q is None:
                continue
            if q < need:
                break
            start = px - best if px > best else best - px
            if start >= 2:
                far += 1
        return start >= 2 and far >= n

    def most_far(self, px: int, lo: int) -> int:
        """The largest size ``px`` showed 2+ ticks from the best in a sample at or after ``lo`` (0: none)."""
        most = 0
        for t, best, band, prices, sizes in self.snaps:
            if t >= lo and (px - best if px > best else best - px) >= 2:
                q = _size(px, best, band, prices, sizes)
                if q is not None and q > most:
                    most = q
        return most

    def clear(self) -> None:
        self.snaps.clear()


def _size(px: int, best: int, band: int, prices: list[int], sizes: list[int]) -> int | None:
    """The size of ``px`` in a sample (None: not among its levels within the band); ``sizes`` is a
    tuple or a list."""
    if (px - best if px > best else best - px) > band:
        return None
    try:
        return sizes[prices.index(px)]
    except ValueError:
        return None
