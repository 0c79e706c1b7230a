"""Is the chain a real part of what its level shows? (issue #20)

A refilling order's slice is what the level shows right after it is put back, or a good part of
it: the slice joins a queue the takers are eating. A crowded touch whose per-push adds (sums of
many joins) happen to repeat a size shows many times that size: there the chain is a small part
of the level, and the level's adds say more about its crowd than about one order.

``chain_share`` is, over a chain's links, the median of (the link's size) / (what the level
showed right after the depth message that carried it). A gate like the turnover and hold tests:
with ``iceberg_min_chain_share`` > 0 a level is flagged only when that median is at least the bar.
"""

from __future__ import annotations

from typing import Sequence

from dom.core.detectors.band import median
from dom.core.detectors.iceberg_queue import link_indices


def chain_share(adds: Sequence[tuple[int, int, int]], shown: Sequence[int], chain: Sequence[int],
                need: float) -> float:
    """The median over the chain's links of (link size) / (the level's size after its message);
    ``shown[i]``: the level's size after the message of ``adds[i]``. Inf without a link."""
    idx = link_indices(adds, chain, need)
    shares = [adds[i][0] / max(1, shown[i]) for i in idx]
    return median(shares) if shares else float("inf")


def holds_share(adds: Sequence[tuple[int, int, int]], shown: Sequence[int], chain: Sequence[int], need: float,
                bar: float) -> bool:
    """Is the chain's median share of what its level showed at least ``bar``? 0: off."""
    return bar <= 0 or chain_share(adds, shown, chain, need) >= bar
