"""The near/far null control of the iceberg-like detector (DETECTORS.md §2.0, "The near/far null
control").

After each depletion (a depth message in which a level traded at least half what it showed), does
the level gain size within the refill window (near), and in the same-length window 1 s later
(far)? Organic adds are as likely in both; ``1 - far/near`` estimates how many refills are not
organic: a health metric for a venue without ground truth (`dom replay --json`).
"""

from __future__ import annotations

from dom.core.types import BookSide

_MS = 1_000_000
_SEC = 1_000_000_000


class NullControl:
    __slots__ = ("counts", "watch", "window_ns")

    def __init__(self, window_ms: int) -> None:
        self.counts = {"depletions": 0, "near_hits": 0, "far_hits": 0}
        self.watch: dict[tuple[BookSide, int], list[int]] = {}  # key -> [near_end, far_start, far_end, state]
        self.window_ns = window_ms * _MS

    def on_judged(self, key: tuple[BookSide, int], t: int, before: int, after: int, v: int) -> None:
        """One depth message at a level (``v`` traded there); a no-op unless the level is watched or
        the message is a depletion (the caller may skip it then)."""
        c = self.counts
        w = self.watch.get(key)
        gain = after - before + v > 0
        if w is not None:
            near_end, far_start, far_end, state = w
            if t > far_end:
                del self.watch[key]
                w = None
            elif gain:
                if t <= near_end and not state & 1:
                    c["near_hits"] += 1
                    w[3] |= 1
                elif far_start <= t and not state & 2:
                    c["far_hits"] += 1
                    w[3] |= 2
        if w is None and v and before > 0 and v >= 0.5 * before:
            c["depletions"] += 1
            win = self.window_ns
            state = 0
            if gain:
                c["near_hits"] += 1
                state = 1
            self.watch[key] = [t + win, t + _SEC, t + _SEC + win, state]

    def summary(self) -> dict:
        return summary(self.counts)


def summary(c: dict) -> dict:
    """The counts with the near and far rates and the share of refills that are not organic."""
    n = c["depletions"]
    near = c["near_hits"] / n if n else None
    far = c["far_hits"] / n if n else None
    est = 1 - far / near if near else None
    return dict(c, near_rate=None if near is None else round(near, 4),
                far_rate=None if far is None else round(far, 4),
                precision_est=None if est is None else round(est, 3))
