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
from collections import deque
from typing import Any

from dom.core.detectors.params import DetectorParams
from dom.sim.agent import MS, SEC, Agent, median_level
from dom.sim.iceberg_agent import IcebergAgent
from dom.sim.matching import ASK, BID
from dom.sim.randomize import large_floor


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
            spike = self.sim.ranges.spike(self._last_second())
            self.finish(t, outcome="pulled_on_approach", distance_at_pull_ticks=dist, in_spike=spike)
            # Placed d0 ticks out and pulled within k: with d0 - k = 1 (d0 4, k 3) price came one
            # tick nearer, which the touch's own flicker does; an approach is two ticks or more.
            if visible and self.d0 - dist >= 2 and not spike:
                self.detectable_from = t
        elif t >= self.timeout:
            self.finish(t, outcome="pulled_timeout", distance_at_pull_ticks=dist)

    def _last_second(self) -> list[float]:
        """The mid over the last second up to now: the market records this step's mid after its
        agents step (``Market.step``), and this step's move may be what brought price to the order;
        the risk-off decoy reads its spike with the current mid in, so this does too."""
        last = self.sim.mids
        mids = list(last)[1:] if len(last) == last.maxlen else list(last)  # (a second: the oldest leaves)
        mid = self.sim.mid()
        if mid is not None:
            mids.append(mid)
        return mids

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
