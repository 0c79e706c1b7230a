"""Volume profile: point of control and the 70% value area from traded volume per price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Profile:
    poc: int  # price (ticks) with the most volume
    vah: int  # value area high
    val: int  # value area low
    total: int


def value_area(volume: Mapping[int, Sequence[int] | int], share: float = 0.70, group: int = 1) -> Profile | None:
    """``volume``: price -> lots (or [bought, sold]). Grouped into ``group``-tick buckets; the
    value area grows from the POC towards the larger neighbour until it holds ``share``."""
    buckets: dict[int, int] = {}
    for px, v in volume.items():
        q = v if isinstance(v, int) else sum(v)
        b = px // group * group
        buckets[b] = buckets.get(b, 0) + q
    total = sum(buckets.values())
    if total <= 0:
        return None
    poc = max(sorted(buckets), key=lambda p: buckets[p])  # lowest price wins a tie: deterministic
    lo = hi = poc
    acc = buckets[poc]
    prices = sorted(buckets)
    i = j = prices.index(poc)
    while acc < share * total and (i > 0 or j < len(prices) - 1):
        down = buckets[prices[i - 1]] if i > 0 else -1
        up = buckets[prices[j + 1]] if j < len(prices) - 1 else -1
        if up >= down:
            j += 1
            acc += up
            hi = prices[j]
        else:
            i -= 1
            acc += down
            lo = prices[i]
    return Profile(poc, hi, lo, total)
