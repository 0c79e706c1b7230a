"""Where organic adds go near the touch, and how soon an emptied price is quoted again (issue #20).

Two statistics of ``BookStats`` (dom/calibration.py) that the randomized market's organic quoting
(``join_share`` and ``requote_ms``, dom/sim/quoting.py) is checked against:

* joins: per depth message and level, an add is R = V - (Q_prev - Q) > 0 (V: the volume traded
  there since the previous message; the volume balance of DETECTORS.md §2). Of the adds at
  d = 0, 1 or 2 ticks behind the side's best after the message, the share made at the best
  (d = 0) to a level that showed size before the message: joins to a standing best queue, not new
  best levels nor levels behind the best;
* re-shown: after a message whose trades emptied a level (V >= Q_prev > 0, Q 0), the time until
  a later message shows a level at that price on the same side again (seconds: p10 / p50 / p90 of
  the cases re-shown, and how many never were within the data).

Pure: no I/O, no clock. Fed by ``BookStats.depth``.
"""

from __future__ import annotations

from typing import Any, Callable

SEC = 1_000_000_000
BID, ASK = 0, 1
NEAR_TICKS = 2  # adds at the best level or up to this many ticks behind it


class QuotingStats:
    __slots__ = ("adds_near", "joins", "emptied", "reshown_ns")

    def __init__(self) -> None:
        self.adds_near = 0
        self.joins = 0
        self.emptied: dict[tuple[int, int], int] = {}  # (side, px) -> time a trade emptied it
        self.reshown_ns: list[int] = []

    def message(self, t: int, book: tuple[dict[int, int], dict[int, int]],
                shown: dict[tuple[int, int], int], pending: dict[tuple[int, int], int]) -> None:
        """One depth message, already applied to ``book``; ``shown``: its levels and what each
        showed before it; ``pending``: the volume traded per level since the previous message."""
        best_after = (max(book[BID]) if book[BID] else None, min(book[ASK]) if book[ASK] else None)
        emptied = self.emptied
        for key, q0 in shown.items():
            side, px = key
            q = book[side].get(px, 0)
            v = pending.get(key, 0)
            if q > 0:
                since = emptied.pop(key, None)
                if since is not None:
                    self.reshown_ns.append(t - since)
            elif v > 0 and q0 > 0 and v >= q0:
                emptied[key] = t
            if v - (q0 - q) <= 0:
                continue
            best = best_after[side]
            if best is None:
                continue
            d = best - px if side == BID else px - best
            if 0 <= d <= NEAR_TICKS:
                self.adds_near += 1
                if d == 0 and q0 > 0:
                    self.joins += 1

    def result(self, qs: Callable[[list[float]], dict[str, float | None]]) -> dict[str, Any]:
        """``qs``: the calibration's quantiles of a list (``dom.calibration._qs``: p10, p50, p90)."""
        return {"adds_near_touch": self.adds_near,
                "join_best_share": round(self.joins / self.adds_near, 3) if self.adds_near else None,
                "reshown_s": {**qs([x / SEC for x in self.reshown_ns]), "n": len(self.reshown_ns),
                              "never": len(self.emptied)}}
