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
    """One book side's levels near the best, sampled: per sample its time, the best price and the
    levels within the band as a dict (price -> size), newest last. A sample is one dict made in one
    call from the book's top levels, not an entry per level (the look-back is rare: only when a
    level's traded volume crosses)."""

    __slots__ = ("snaps", "span_ns")

    def __init__(self, span_ns: int) -> None:
        self.snaps: deque[tuple[int, int, dict[int, int]]] = deque()
        self.span_ns = span_ns

    def sample(self, levels, best: int, band: int, now: int) -> None:
        """One sample at ``now`` of ``levels`` ((price, size), best first) within ``band`` ticks of
        the best price ``best``."""
        n = len(levels)
        if n and abs(levels[-1][0] - best) > band:  # (levels past the band: cut where they begin)
            n = next(i for i, (px, _) in enumerate(levels) if abs(px - best) > band)
            levels = levels[:n]
        self.snaps.append((now, best, dict(levels)))

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
        for t, best, lv in reversed(self.snaps):
            if t < lo:
                break
            q = lv.get(px)
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
        return max([lv[px] for t, best, lv in self.snaps
                    if t >= lo and px in lv and (px - best if px > best else best - px) >= 2], default=0)

    def clear(self) -> None:
        self.snaps.clear()
