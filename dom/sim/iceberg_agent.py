"""The injected iceberg: a shown peak refilled from a hidden reserve, and its detectability oracle.

Labelled as every agent is (``agent.py``); when it becomes detectable is DETECTORS.md section 4 with
the level's churn (docs/SIMULATOR.md, "Icebergs").
"""

from __future__ import annotations

import math
from typing import Any

from dom.sim.agent import SEC, Agent, median_level
from dom.sim.matching import ASK, BID, HIDDEN, SHOWN


class IcebergAgent(Agent):
    kind = "iceberg"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        book = sim.book
        self.side = rng.choice((BID, ASK))
        med = median_level(sim, self.side, 10)
        self.peak = max(1, int(rng.uniform(0.5, 2.0) * med))
        self.total = int(self.peak * rng.uniform(6, 20))
        self.jitter = rng.choice((0.0, 0.1, 0.3))
        draw = sim.draw  # a randomized market's (dom/sim/randomize.py): continuous jitter, drawn refill delays
        self.delay_median_s = 0.08 if draw is None else draw.refill_delay_ms / 1000
        if draw is not None:
            self.jitter = draw.iceberg_jitter
        self.mode = rng.choice(("native", "synthetic", "synthetic", "after_fill"))
        depth = rng.choice((0, 0, 1, 2))
        best = book.best(self.side)
        self.px = best - depth if self.side == BID else best + depth
        self.remaining = self.total
        self.refills: list[int] = []
        self.visible: list[int] = []  # refills L2 can show apart (``_visible``)
        self.pending_refill = 0
        self.away_since = 0
        # A randomized market judges each refill at the next depth push (``on_publish``).
        self.unpublished: list[tuple[int, int]] = []  # refills since the last push: (time, size)
        self.churn: list[int] = []  # what the pushes with no refill of ours showed at the level (``on_publish``)
        self.watch = (self.side, self.px) if draw is not None else None
        if self.watch is not None:
            sim.traded_at.setdefault(self.watch, 0)
            self.pub_level = sim.pub[self.side].get(self.px, 0)
        if self.mode == "native":
            show = min(self.peak, self.total)
            self.oids.append(book.add(self.side, self.px, show, t, owner=self, hidden=self.total - show, peak=self.peak))
            self.remaining = 0
        else:
            self._show(t)
        # Takers lean into the iceberg so it trades (Frey-Sandas: detected icebergs attract flow).
        sim.flow.pressure = -0.25 if self.side == BID else 0.25
        sim.flow.pressure_until = t + 60 * SEC
        self.params = {
            "total": sim.inst.qty_str(self.total), "peak": sim.inst.qty_str(self.peak),
            "peak_jitter": self.jitter, "refill_mode": self.mode, "depth_ticks": depth,
        }

    def _show(self, t: int) -> int:
        size = max(1, int(self.peak * (1 + self.rng.uniform(-self.jitter, self.jitter))))
        size = min(size, self.remaining)
        if size <= 0:
            return 0
        self.remaining -= size
        self.oids = [self.sim.book.add(self.side, self.px, size, t, owner=self)]
        return size

    def on_shown_filled(self, order: list, t: int) -> None:
        if self.mode == "native":
            if order[SHOWN] > 0:  # refilled from the reserve in the same event
                self._refilled(t, order[SHOWN])
            return
        delay = 0 if self.mode == "after_fill" else int(min(max(0.8, 2 * self.delay_median_s), max(0.005, self.rng.lognormvariate(
            math.log(self.delay_median_s), 0.8))) * SEC)
        self.pending_refill = t + max(delay, 1)

    def _refilled(self, t: int, size: int) -> None:
        self.refills.append(t)
        if self.watch is not None:
            self.unpublished.append((t, size))
        elif self._visible(t):
            self._seen(t, t + self.sim.depth_ns)

    def _seen(self, t: int, shown_at: int) -> None:
        self.visible.append(t)
        if len(self.visible) == 2 and self.detectable_from is None:
            self.detectable_from = shown_at

    def _visible(self, t: int) -> bool:
        """The presets: can L2 show this refill as one add of about the peak? Not when the
        order's previous counted refill fell in the same depth interval (the push shows their
        sum)."""
        return not (self.visible and t // self.sim.depth_ns == self.visible[-1] // self.sim.depth_ns)

    def on_publish(self, t: int) -> None:
        """A randomized market (whose touch may hold most of the book): a refill is visible when
        the push that follows it shows at the level about the slice and no more, i.e. what the
        level traded plus its change since the previous push (the add an L2 observer sees) is
        within 30% of the slice, and it was the order's only refill in the interval. Other
        orders joining or leaving the level in the same interval blur it (DETECTORS.md §4: the
        oracle asks what the published stream shows, not what the book held at the instant).
        And the level's own churn must not show the same: the order is detectable once it has
        two visible refills and more of them than the level's pushes without a refill of ours
        that showed an add within 30% of this slice (where the level's joins and cancels put
        that add up as often, no L2 observer can tell which adds were the order's)."""
        if self.watch is None:
            return
        level = self.sim.pub[self.side].get(self.px, 0)
        seen = level - self.pub_level + self.sim.traded_at.get(self.watch, 0)
        self.pub_level = level
        pending, self.unpublished = self.unpublished, []
        if not pending:
            self.churn.append(seen)
            return
        size = pending[0][1]
        if len(pending) == 1 and abs(seen - size) <= 0.3 * size:
            self.visible.append(pending[0][0])
            if len(self.visible) >= 2 and self.detectable_from is None:
                alike = sum(abs(x - size) <= 0.3 * size for x in self.churn)
                if len(self.visible) > alike:
                    self.detectable_from = t

    def step(self, t: int) -> None:
        book = self.sim.book
        if self.pending_refill and t >= self.pending_refill:
            self.pending_refill = 0
            if self.remaining > 0:
                self._refilled(t, self._show(t))
        alive = [o for o in self.oids if o in book.orders]
        if not alive and not self.pending_refill and (self.mode == "native" or self.remaining <= 0):
            self.oids.clear()
            self.finish(t, outcome="filled", refills=len(self.refills))
            return
        best = book.best(self.side)
        away = best is not None and (best - self.px if self.side == BID else self.px - best) > 3
        if away:
            self.away_since = self.away_since or t
            if t - self.away_since > 10 * SEC:
                self.finish(t, outcome="cancelled_price_left", refills=len(self.refills))
        else:
            self.away_since = 0
        if t - self.t_start > 120 * SEC:
            self.finish(t, outcome="cancelled_timeout", refills=len(self.refills))

    def finish(self, t: int, **params: Any) -> None:
        self.sim.flow.pressure_until = 0
        if self.watch is not None and not any(
                getattr(a, "watch", None) == self.watch for a in self.sim.agents if a is not self and not a.done):
            self.sim.traded_at.pop(self.watch, None)
        hidden_left = sum(self.sim.book.orders[o][HIDDEN] for o in self.oids if o in self.sim.book.orders)
        super().finish(t, **params)
        self.params["hidden_executed"] = self.sim.inst.qty_str(max(0, self.executed - self.peak))
        self.params["visible_refills"] = len(self.visible)
        self.params["unexecuted_reserve"] = self.sim.inst.qty_str(self.remaining + hidden_left)
