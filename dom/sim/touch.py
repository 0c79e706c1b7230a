"""The true book's touch size over time: what DETECTORS.md §2.3's "median touch size" is.

A randomized market's absorption oracle (``agents.AbsorptionAgent``) calls an absorption
detectable once the volume into its level over 10 s crossed 5x the median touch size. That median
is a statistic of the market over time (the best level's size, sampled once a second over the
last 30 minutes), not the size of the touch at the instant the agent arrived: in a randomized book
the touch swings by several times within a minute, so the instant's size made labels detectable
(or not) by the luck of when they began.
"""

from __future__ import annotations

from collections import deque

from dom.sim.matching import ASK, BID, MatchingBook

WINDOW_S = 1800  # samples kept: 30 minutes at one a second


class TouchHistory:
    """The best level's size per side, one sample a second (``sample``), the last 30 minutes."""

    __slots__ = ("sizes",)

    def __init__(self) -> None:
        self.sizes: tuple[deque[int], deque[int]] = (deque(maxlen=WINDOW_S), deque(maxlen=WINDOW_S))

    def sample(self, book: MatchingBook) -> None:
        for side in (BID, ASK):
            top = book.top(side, 1)
            if top:
                self.sizes[side].append(top[0][1])

    def median(self, side: int, default: int) -> int:
        """The median of the samples (the upper one of an even count), ``default`` before the first."""
        s = sorted(self.sizes[side])
        return s[len(s) // 2] if s else default
