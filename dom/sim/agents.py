"""Injected, labelled behaviour: walls, icebergs, spoofs and absorption episodes.

Each agent places orders in the matching book under its own owner id, reacts to its fills, and
when it ends writes a ground-truth label (DESIGN.md "Simulator ground truth"):
``{"id", "kind", "symbol", "side", "price", "t_start_ns", "t_end_ns", "params", "detectable_from_ns"}``.
Every parameter is randomised per injection, so no detector can key on a fixed signature.

``detectable_from_ns`` follows DETECTORS.md §4 (the detectability oracle): an iceberg once two visible
tranches were executed and published; a spoof once its wall was visible for a push and pulled
while price approached; absorption once the volume into the level over 10 s (V_W) crossed the
threshold; a wall
once it had been shown for its persistence time. ``None`` means the feed could never show it.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import deque
from typing import TYPE_CHECKING, Any

from dom.core.detectors.params import DetectorParams
from dom.sim.matching import ASK, BID, HIDDEN, SHOWN
from dom.sim.randomize import large_floor

if TYPE_CHECKING:
    from dom.sim.market import SymbolSim

SEC = 1_000_000_000
MS = 1_000_000
SIDE_NAME = ("bid", "ask")


def median_level(sim: "SymbolSim", side: int, n: int = 30) -> int:
    sizes = [q for _, q in sim.book.top(side, n)]
    return int(statistics.median(sizes)) if sizes else sim.spec.limit_median


class Agent:
    kind = ""
    labelled = True  # writes a label when it ends

    def __init__(self, sim: "SymbolSim", rng: random.Random, t: int, aid: str) -> None:
        self.sim, self.rng, self.t_start, self.id = sim, rng, t, aid
        self.done = False
        self.t_end = 0
        self.side = BID
        self.px = 0
        self.params: dict[str, Any] = {}
        self.detectable_from: int | None = None
        self.executed = 0
        self.oids: list[int] = []

    def on_fill(self, qty: int, t: int, order: list) -> None:
        self.executed += qty

    def on_shown_filled(self, order: list, t: int) -> None:
        """The shown part of one of our orders was filled (it may have refilled natively)."""

    def step(self, t: int) -> None: ...

    def on_publish(self, t: int) -> None:
        """A depth push went out (only while some agent watches a price: ``SymbolSim.traded_at``)."""

    def finish(self, t: int, **params: Any) -> None:
        for oid in self.oids:
            self.sim.book.cancel(oid)
        self.oids.clear()
        self.done = True
        self.t_end = t
        self.params.update(params)

    def label(self) -> dict:
        inst = self.sim.inst
        return {
            "id": self.id,
            "kind": self.kind,
            "symbol": self.sim.spec.symbol,
            "side": SIDE_NAME[self.side],
            "price": inst.px_str(self.px),
            "t_start_ns": self.t_start,
            "t_end_ns": self.t_end,
            "params": dict(self.params, executed=inst.qty_str(self.executed)),
            "detectable_from_ns": self.detectable_from,
        }


class WallAgent(Agent):
    kind = "wall"
    PERSIST_NS = 3 * SEC  # DETECTORS.md §2.1's persistence: no observer may call a wall sooner

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        book = sim.book
        self.side = rng.choice((BID, ASK))
        best = book.best(self.side)
        d = rng.randint(2, 40)
        self.px = best - d if self.side == BID else best + d
        mult = rng.uniform(6, 30)
        self.size = max(1, int(mult * median_level(sim, self.side)), large_floor(sim, self.side, rng))
        self.life = int(min(300, max(8, rng.lognormvariate(math.log(60), 0.6))) * SEC)
        self.oids.append(book.add(self.side, self.px, self.size, t, owner=self))
        self.moving = rng.random() < 0.3  # trails the touch at its distance
        self.distance = d
        self.moves = 0
        self.params = {"size": sim.inst.qty_str(self.size), "multiple": round(mult, 2), "distance_ticks": d,
                       "moving": self.moving, "first_price": sim.inst.px_str(self.px)}
        self.detectable_from = t + self.PERSIST_NS  # shown from the next push on, for its persistence time

    def _trail(self, t: int) -> None:
        book = self.sim.book
        best = book.best(self.side)
        if best is None:
            return
        want = best - self.distance if self.side == BID else best + self.distance
        if abs(want - self.px) >= 2 and self.oids and self.oids[0] in book.orders:
            book.cancel(self.oids[0])
            self.size = max(1, int(self.size * self.rng.uniform(0.95, 1.05)))
            self.px = want
            self.oids = [book.add(self.side, want, self.size, t, owner=self)]
            self.moves += 1
            self.params["moves"] = self.moves
            self.params["last_price"] = self.sim.inst.px_str(want)
            self.params.setdefault("prices", [self.params["first_price"]]).append(self.params["last_price"])

    def finish(self, t: int, **params: Any) -> None:
        super().finish(t, **params)
        # Matching asks an alert to cover 30% of the wall's life (DETECTORS.md §4, IoU >= 0.3),
        # and an alert comes at the earliest a persistence time and a push in: a wall gone
        # sooner than (that) / 0.7 can match no alert, so it is not there to see
        # (docs/SIMULATOR.md).
        if (t - self.t_start) * 7 < (self.PERSIST_NS + self.sim.depth_ns) * 10:
            self.detectable_from = None

    def step(self, t: int) -> None:
        if self.moving:
            self._trail(t)
        if self.oids and self.oids[0] not in self.sim.book.orders:
            self.oids.clear()
            self.finish(t, outcome="consumed")
        elif t - self.t_start >= self.life:
            self.finish(t, outcome="pulled_at_end_of_life")


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


class SpoofAgent(Agent):
    kind = "spoof"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        book = sim.book
        self.side = rng.choice((BID, ASK))
        self.d0 = rng.randint(3, 12)
        self.k = rng.randint(1, 3)
        best = book.best(self.side)
        self.px = best - self.d0 if self.side == BID else best + self.d0
        size = max(1, int(rng.uniform(8, 25) * median_level(sim, self.side)), large_floor(sim, self.side, rng))
        layers = rng.choice((1, 1, 1, 3))
        for j in range(layers):
            p = self.px - j if self.side == BID else self.px + j
            self.oids.append(book.add(self.side, p, size if j == 0 else size // 2, t, owner=self))
        self.timeout = t + rng.randint(20, 60) * SEC
        # Price drifts toward the wall (takers on the wall's side's opposite).
        sim.flow.pressure = -0.3 if self.side == BID else 0.3
        sim.flow.pressure_until = self.timeout
        self.params = {"size": sim.inst.qty_str(size), "d0_ticks": self.d0, "pull_within_ticks": self.k, "layers": layers}

    def step(self, t: int) -> None:
        book = self.sim.book
        if any(o not in book.orders for o in self.oids):
            self.finish(t, outcome="hit")  # traded into: not a pull
            return
        best = book.best(self.side)
        dist = (best - self.px) if self.side == BID else (self.px - best)
        if dist <= self.k:
            visible = t - self.t_start >= self.sim.depth_ns
            # Pulled while the mid spikes (the risk-off-pull decoy's trigger, volatility.py): the
            # same picture as that decoy's pull when its spike went toward it, so no rule can tell
            # the two apart (the detectors stand aside in a spike).
            spike = self.sim.ranges.spike(self.sim.mids)
            self.finish(t, outcome="pulled_on_approach", distance_at_pull_ticks=dist, in_spike=spike)
            # Placed d0 ticks out and pulled within k: with d0 - k = 1 (d0 4, k 3) price came one
            # tick nearer, which the touch's own flicker does; an approach is two ticks or more.
            if visible and self.d0 - dist >= 2 and not spike:
                self.detectable_from = t
        elif t >= self.timeout:
            self.finish(t, outcome="pulled_timeout", distance_at_pull_ticks=dist)

    def finish(self, t: int, **params: Any) -> None:
        self.sim.flow.pressure_until = 0
        super().finish(t, **params)


class AbsorptionAgent(Agent):
    kind = "absorption"
    W_NS = 10 * SEC  # the window of V_W (the detector's default absorption_window_s)
    SLACK_NS = DetectorParams.align_slack_ms * MS  # the detectors' default alignment slack

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        book = sim.book
        self.side = rng.choice((BID, ASK))
        self.px = book.best(self.side)
        med = median_level(sim, self.side, 10)
        self.threshold = 5 * med
        if sim.draw is not None:
            # A randomized book may hold most of its size at the touch: the absorbing order is
            # sized against the touch queue too, not only the ten best levels; and the volume that
            # makes it detectable is DETECTORS.md §2.3's, 5x the median touch size (the true
            # book's, once a second over the last 30 minutes: touch.py), not 5x the touch of the
            # instant the agent arrived.
            top = sim.book.top(self.side, 1)
            touch = top[0][1] if top else 0
            med = max(med, touch)
            self.threshold = 5 * sim.touches.median(self.side, default=touch or med)
        self.size = int(med * rng.uniform(15, 40))
        self.fills: deque[tuple[int, int]] = deque()  # (time, size) of the fills within W_NS
        self.v_w = 0
        # A randomized market asks the level to be seen holding after the crossing (``step``):
        # for a depth push and the detectors' alignment slack (DETECTORS.md §2.3: stream skew
        # fakes a hold shorter than the slack). The presets call it detectable at the crossing.
        self.hold_ns = 0 if sim.draw is None else sim.depth_ns + self.SLACK_NS
        self.crossed_at: int | None = None
        iceberg = rng.random() < 0.4
        if iceberg:
            peak = max(1, self.size // 6)
            self.oids.append(book.add(self.side, self.px, peak, t, owner=self, hidden=self.size - peak, peak=peak))
        else:
            self.oids.append(book.add(self.side, self.px, self.size, t, owner=self))
        dur = rng.uniform(5, 30)
        self.burst_end = t + int(dur * SEC)
        f = sim.flow
        f.burst_side = ASK if self.side == BID else BID  # takers hit the passive side
        f.burst_mult = rng.uniform(5, 20)
        f.burst_until = self.burst_end
        self.params = {"passive_size": sim.inst.qty_str(self.size), "iceberg": iceberg,
                       "burst_seconds": round(dur, 2), "burst_multiple": round(f.burst_mult, 2)}

    def on_fill(self, qty: int, t: int, order: list) -> None:
        """Detectable once the volume into the level over the last ``W_NS`` (V_W) crossed the
        threshold (DETECTORS.md §4), not its whole executed size: a slow burst that takes the
        threshold's volume over 20 s never shows V_W that large."""
        super().on_fill(qty, t, order)
        fills = self.fills
        fills.append((t, qty))
        self.v_w += qty
        while fills[0][0] <= t - self.W_NS:
            self.v_w -= fills.popleft()[1]
        if self.crossed_at is None and self.v_w >= self.threshold:
            self.crossed_at = t
            if not self.hold_ns:
                self.detectable_from = t

    def step(self, t: int) -> None:
        book = self.sim.book
        alive = self.oids[0] in book.orders
        if alive and self.detectable_from is None and self.crossed_at is not None \
                and t - self.crossed_at >= self.hold_ns:
            self.detectable_from = self.crossed_at  # it held: detectable since the crossing
        if not alive:
            self.sim.flow.burst_until = 0
            self.finish(t, outcome="broken")
        elif t >= self.burst_end:
            self.finish(t, outcome="held")


KINDS = {"wall": WallAgent, "iceberg": IcebergAgent, "spoof": SpoofAgent, "absorption": AbsorptionAgent}
