"""Absorption's eaten-down test: a resting order the flow consumes is not a level holding.

An absorber keeps showing size as it is hit (it is large against the flow, or it refills); an
ordinary resting order that a burst runs into shows less and less. When an episode would be
announced, its level must still show more than ``absorption_eaten`` of the most it showed since it
was followed (``_Episode.max_q``), unless refills while it traded (``refill_lb``, the positive
per-message volume balance) explain at least ``absorption_eaten_refill`` of the volume traded into
it. On at 0.35 (0: off); measured in docs/history/detectors-absorption.md, "the eaten-down level".
"""

from __future__ import annotations

from dom.core.detectors.absorption_state import _Episode
from dom.core.detectors.params import DetectorParams


def eaten_down(p: DetectorParams, ep: _Episode, shown: int) -> bool:
    """True if the level at ``ep`` showing ``shown`` now is an order being eaten down."""
    f = p.absorption_eaten
    if not f or shown > f * ep.max_q:
        return False
    return ep.refill_lb < p.absorption_eaten_refill * ep.traded
