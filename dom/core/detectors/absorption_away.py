"""Absorption's look back at a level before the flow: where it stood when it began to show its size
(``absorption_far_before``).

An absorber is a passive order placed at the touch as the flow comes; a large organic order that
the price came to was already resting 2+ ticks from the best, and showed its size there for a
while. An absorber may stand 2+ ticks from the best later (the price moves off it and comes back),
and a price may have held another large order before: what tells them apart is where the level
stood when its latest unbroken run of samples showing that size began, not whether it ever stood
away. Sampled once a second (the detector's ``_sample``) per book side over the band
(``wall_band_ticks``), kept ``span_ns`` back.
"""

from __future__ import annotations

from collections import deque


class LevelsAway:
    """Per price, one book side's samples of the level there: (time, ticks from the best, size)."""

    __slots__ = ("hist", "span_ns")

    def __init__(self, span_ns: int) -> None:
        self.hist: dict[int, deque[tuple[int, int, int]]] = {}
        self.span_ns = span_ns

    def sample(self, levels, best: int, band: int, now: int) -> None:
        """One sample at ``now`` of ``levels`` ((price, size), best first) within ``band`` ticks of
        the best price ``best``."""
        hist = self.hist
        for px, q in levels:
            d = px - best if px > best else best - px
            if d > band:
                break
            h = hist.get(px)
            if h is None:
                h = hist[px] = deque()
            h.append((now, d, q))

    def expire(self, now: int) -> None:
        """Samples older than the span dropped (prices left with none forgotten)."""
        lo = now - self.span_ns
        hist = self.hist
        for px in list(hist):
            h = hist[px]
            while h and h[0][0] < lo:
                h.popleft()
            if not h:
                del hist[px]

    def came_to(self, px: int, lo: int, need: int, n: int) -> bool:
        """True if the latest unbroken run of samples of ``px`` showing at least ``need`` lots (back
        from the newest, none before ``lo``) began while it stood 2+ ticks from the best, and holds
        at least ``n`` samples taken 2+ ticks from it: one order resting away that the price came
        to. A level that showed less in between, or got its size at the touch, is not."""
        far = start = 0
        for t, d, q in reversed(self.hist.get(px, ())):
            if t < lo or q < need:
                break
            start = d
            if d >= 2:
                far += 1
        return start >= 2 and far >= n

    def most_far(self, px: int, lo: int) -> int:
        """The largest size ``px`` showed 2+ ticks from the best in a sample at or after ``lo`` (0: none)."""
        return max([q for t, d, q in self.hist.get(px, ()) if t >= lo and d >= 2], default=0)

    def clear(self) -> None:
        self.hist.clear()
