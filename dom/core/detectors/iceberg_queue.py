"""Did the level trade its queue between a chain's links? (issue #20)

A refill joins the back of its price's queue: an exchange's native iceberg puts its new slice
behind the orders already resting there, and an order refilled by hand is a new order. So the
order's next slice can only be due once the queue that was in front of the last one traded away
(or cancelled): between two refills the level trades about what it showed right after the earlier
one. A crowded touch's regular per-push adds (sums of many joins, concentrated in size) come
whatever the queue does: between two links of such a chain the level trades a small share of what
it shows.

``queue_turn`` is, over a chain's gaps, the median of the volume the level traded between two
links over what it showed right after the earlier link (the depth message that carried the add).
Both are volumes at one price of one symbol, so the ratio does not depend on the size law, on
trade aggregation or on how long the episode is. Cancels in front of a slice let it trade
sooner: a true chain can sit under 1, and the bar (``iceberg_min_queue_turn``) is a share.
"""

from __future__ import annotations

from typing import Sequence

from dom.core.detectors.band import median


def link_indices(adds: Sequence[tuple[int, int, int]], chain: Sequence[int], need: float) -> list[int]:
    """The indices in ``adds`` of the chain's links: the chain scan (iceberg_chain.py
    ``chain_scan_py``) over the band ``min(chain)..max(chain)``, which gives the same chain as its
    own band (every link lies inside both; an opportunity inside either is a link)."""
    if not chain:
        return []
    lo, hi = min(chain), max(chain)
    idx: list[int] = []
    since = last = 0
    for i, (size, traded, _) in enumerate(adds):
        if not lo <= size <= hi:
            continue
        if idx and traded - since < need * last:
            continue  # no refill due yet: an idle add, no link
        idx.append(i)
        if len(idx) == len(chain):
            break  # (adds after the chain was judged may extend it here: not the chain tested)
        since, last = traded, size
    return idx


def queue_turn(adds: Sequence[tuple[int, int, int]], shown: Sequence[int], chain: Sequence[int],
               need: float) -> float:
    """The median over the chain's gaps of (traded between two links) / (shown right after the
    earlier one); ``shown[i]``: the level's size after the message of ``adds[i]``. Inf without a gap."""
    idx = link_indices(adds, chain, need)
    ratios = [(adds[j][1] - adds[i][1]) / max(1, shown[i]) for i, j in zip(idx, idx[1:])]
    return median(ratios) if ratios else float("inf")


def turns_queue(adds: Sequence[tuple[int, int, int]], shown: Sequence[int], chain: Sequence[int], need: float,
                bar: float) -> bool:
    """Did the level trade at least ``bar`` x its queue between the chain's links (median)? 0: off."""
    return bar <= 0 or queue_turn(adds, shown, chain, need) >= bar
