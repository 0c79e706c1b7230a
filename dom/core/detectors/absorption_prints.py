"""Absorption's few-large-prints test: a level a handful of large market orders ran into, showing
less than they took, is an ordinary resting order under a cluster, not an absorber.

An absorber takes a burst: many prints, each small against the volume threshold, into a level that
keeps showing its size or refills. An organic level hit by a cluster of large market orders passes
the volume test with a few prints (the block rule removes only the largest), and shows less than
they took. When an episode would be announced, a level showing less than the volume traded into
it (``_Episode.traded``), whose traded volume per print followed (``traded`` over the prints since
it was followed closely, ``len(times)``) is at least ``absorption_mean_print`` of the volume
threshold, is not announced; it stays followed and is announced later only if the flow into it
becomes one of many prints or it shows its size again. 0: off; measured in
docs/history/detectors-absorption.md, "a few large prints".
"""

from __future__ import annotations

from dom.core.detectors.absorption_state import _Episode
from dom.core.detectors.params import DetectorParams


def few_large_prints(p: DetectorParams, ep: _Episode, shown: int) -> bool:
    """True if the level at ``ep`` showing ``shown`` now took its volume in a few large prints."""
    f = p.absorption_mean_print
    if not f or shown >= ep.traded:
        return False
    return ep.traded >= f * ep.threshold * max(1, len(ep.times))
