"""A randomized market's organic quoting (issue #20): own-side joins and the re-quote delay.

The presets' organic adds all land at ``i`` ticks from the *opposite* best (``flow.py``), so a
level that a print cleared is re-formed at once, usually in the same depth interval: nearly every
add at a traded level comes with the depletion before it. Real books (Binance BTCUSDT) show the
opposite: most adds at traded levels join a standing queue in a message that traded little there.
A ``MarketDraw`` therefore sets two more things, and only for randomized markets:

* ``join_share``: this share of organic adds joins the own side's best queue instead (real
  BTCUSDT: of the depth-message adds at the best level or 1-2 ticks behind it, 0.84 are to the
  best level as it stood; joins placed by the distance law from the own best went mostly deeper,
  where they rarely trade, and left the busy books' timing as it was);
* ``requote_ms``: after a trade empties a price level (the spread opens), organic adds on either
  side stay out of the emptied prices until a delay has passed: lognormal around this median
  (sigma ``SIGMA``, clipped to ``CLIP`` x the median), drawn per emptied level; levels emptied
  while a gap is open (a sweep, a run) widen it to span them all and keep the later end. As market
  makers re-quote after the book moved. An add that would have gone into the gap joins the own
  side's best queue instead.

Deterministic: the delays come from the symbol's flow generator.
"""

from __future__ import annotations

import math
import random

BID, ASK = 0, 1
SIGMA = 0.8  # lognormal sigma of one re-quote delay around the drawn median
CLIP = 10.0  # no delay beyond this x the median


class Quoting:
    """One symbol's re-quote state; ``cleared`` is ``MatchingBook.on_cleared``."""

    __slots__ = ("join_share", "median_ns", "rng", "gap_lo", "gap_hi", "gap_until")

    def __init__(self, join_share: float, requote_ms: float, rng: random.Random) -> None:
        self.join_share = join_share
        self.median_ns = requote_ms * 1e6
        self.rng = rng
        # Per side, the prices trades emptied (lo..hi) and until when organic adds stay out (ns).
        self.gap_lo = [0, 0]
        self.gap_hi = [0, 0]
        self.gap_until = [0, 0]

    def cleared(self, side: int, px: int, ts: int) -> None:
        """A trade emptied the level ``px`` of ``side`` at ``ts``."""
        until = ts + int(min(CLIP, math.exp(self.rng.gauss(0.0, SIGMA))) * self.median_ns)
        if ts < self.gap_until[side]:  # a gap still open (a sweep, a run): it grows to span both
            self.gap_lo[side] = min(px, self.gap_lo[side])
            self.gap_hi[side] = max(px, self.gap_hi[side])
            self.gap_until[side] = max(until, self.gap_until[side])
        else:
            self.gap_lo[side] = self.gap_hi[side] = px
            self.gap_until[side] = until

    def in_gap(self, px: int, ts: int) -> bool:
        """Whether an add at ``px`` (either side) at ``ts`` would re-form a price that trades
        emptied (on either side) less than their re-quote delay ago."""
        for side in (BID, ASK):
            if ts < self.gap_until[side] and self.gap_lo[side] <= px <= self.gap_hi[side]:
                return True
        return False
