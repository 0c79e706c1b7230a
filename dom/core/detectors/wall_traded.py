"""Walls: a candidate that takers trade into while it stands (``wall_traded_fraction``).

An organic large level that flickers (placed, then cancelled before price comes) is what the
adaptive persistence and the step test guard against, and both take time or a window's history.
A level that trades at its price while it keeps standing has been tested by the market: takers
hit it and it held (or refilled). Where takers are busiest, walls are eaten within seconds of
being placed, and they end before the adaptive persistence (up to ``wall_persist_max_ms``) or the
weak path's wait (up to ``wall_weak_persist_ms``) is over.

The volume traded at a candidate's price while it stood (``_Wall.traded``, counted by the walls'
``on_trade`` for candidates as for announced walls: no more per-trade work) is the evidence. A
candidate whose traded volume reaches ``wall_traded_fraction`` of its peak, and which still holds
its entry threshold, waits only the persistence floor (``wall_persist_ms``), and its step need is
the ratio one (the weak path's, without the exceedance), not the extrapolated one.
Pure and deterministic.
"""

from __future__ import annotations

from dom.core.detectors.wall_state import _Wall


def traded_into(w: _Wall, fraction: float) -> bool:
    """Takers traded at least ``fraction`` of the candidate's peak at its price while it stood
    (``fraction`` 0: the rule is off)."""
    return fraction > 0 and w.traded >= fraction * w.peak
