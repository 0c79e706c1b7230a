"""Decoys: behaviour that looks like a wall, an iceberg or a spoof on L2 but is not one.

They are labelled too (``kind`` "decoy", ``params.decoy`` says which), so an evaluation can count
an alert on a decoy as the false alarm it is (DETECTORS.md §3.3, negative labels):

* ``round_number_refill``: many participants keep re-adding at a round price near the touch
  (organic replenishment, refills that look iceberg-like);
* ``mm_ladder``: a market maker's equal-size quotes on several adjacent levels, re-quoted when the
  price moves (many equal "walls");
* ``hidden_fills``: RPI-like hidden liquidity: trades at the touch that never show in depth;
* ``risk_off_pull``: a large order pulled when short-term volatility spikes, not because price
  approached it.
"""

from __future__ import annotations

import math
from collections import deque

from dom.sim.agent import SEC, Agent, median_level
from dom.sim.matching import ASK, BID


class Decoy(Agent):
    kind = "decoy"
    decoy = ""

    def label(self) -> dict:
        lab = super().label()
        lab["params"]["decoy"] = self.decoy
        lab["detectable_from_ns"] = None
        return lab


class RoundNumberRefill(Decoy):
    decoy = "round_number_refill"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        self.side = rng.choice((BID, ASK))
        best = sim.book.best(self.side)
        step = 10 if best < 20_000 else 100
        self.px = (best // step) * step if self.side == BID else -((-best) // step) * step
        self.target = int(median_level(sim, self.side) * rng.uniform(1.0, 3.0))
        self.until = t + int(rng.uniform(30, 90) * SEC)
        self.next_add = 0
        self.params = {"target": sim.inst.qty_str(self.target)}

    def step(self, t: int) -> None:
        book = self.sim.book
        if t >= self.until:
            self.finish(t, outcome="ended")
            return
        level = book.level(self.side, self.px)
        if level < 0.3 * self.target and not self.next_add:
            self.next_add = t + int(self.rng.uniform(0.1, 1.0) * SEC)
        if self.next_add and t >= self.next_add:
            self.next_add = 0
            for _ in range(self.rng.randint(2, 5)):  # several participants, several sizes
                size = max(1, int(self.target * self.rng.uniform(0.1, 0.4)))
                self.oids.append(book.add(self.side, self.px, size, t, owner=self))
            self.oids = [o for o in self.oids if o in book.orders]


class MarketMakerLadder(Decoy):
    decoy = "mm_ladder"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        self.size = int(median_level(sim, BID) * rng.uniform(3, 6))
        self.dist = rng.randint(3, 7)
        self.until = t + int(rng.uniform(20, 60) * SEC)
        self.mid = None
        self.params = {"size": sim.inst.qty_str(self.size), "distance_ticks": self.dist, "levels": 5}
        self._quote(t)

    def _quote(self, t: int) -> None:
        book = self.sim.book
        for o in self.oids:
            book.cancel(o)
        self.oids = []
        b, a = book.best(BID), book.best(ASK)
        if b is None or a is None:
            return
        self.mid = (a + b) // 2
        self.px = b - self.dist
        for j in range(5):
            self.oids.append(book.add(BID, b - self.dist - j, self.size, t, owner=self))
            self.oids.append(book.add(ASK, a + self.dist + j, self.size, t, owner=self))

    def step(self, t: int) -> None:
        if t >= self.until:
            self.finish(t, outcome="ended")
            return
        b, a = self.sim.book.best(BID), self.sim.book.best(ASK)
        if b is not None and a is not None and abs((a + b) // 2 - (self.mid or 0)) >= 2:
            self._quote(t)


class HiddenFills(Decoy):
    decoy = "hidden_fills"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        self.side = rng.choice((BID, ASK))  # the hidden liquidity's side
        self.px = sim.book.best(self.side)
        self.until = t + int(rng.uniform(10, 40) * SEC)
        self.rate = rng.uniform(0.5, 2.0)  # hidden fills per second
        self.params = {"rate_per_s": round(self.rate, 2)}

    def step(self, t: int) -> None:
        if t >= self.until:
            self.finish(t, outcome="ended")
            return
        sim = self.sim
        if self.rng.random() < self.rate * 0.05:
            px = sim.book.best(self.side)
            if px is None:
                return
            self.px = px
            qty = max(1, int(sim.spec.market_median * math.exp(self.rng.gauss(0, 0.8))))
            taker = ASK if self.side == BID else BID
            # A fill against liquidity the depth stream never showed: the book does not change.
            sim.book.fills.append((t, px, qty, taker, self, qty))


class RiskOffPull(Decoy):
    decoy = "risk_off_pull"

    def __init__(self, sim, rng, t, aid) -> None:
        super().__init__(sim, rng, t, aid)
        self.side = rng.choice((BID, ASK))
        best = sim.book.best(self.side)
        d = rng.randint(4, 10)
        self.px = best - d if self.side == BID else best + d
        size = int(median_level(sim, self.side) * rng.uniform(8, 20))
        self.oids.append(sim.book.add(self.side, self.px, size, t, owner=self))
        self.mids: deque[float] = deque(maxlen=20)
        self.until = t + int(rng.uniform(20, 60) * SEC)
        self.params = {"size": sim.inst.qty_str(size), "distance_ticks": d}

    def step(self, t: int) -> None:
        mid = self.sim.mid()
        if mid is not None:
            self.mids.append(mid)
        recent = self.mids  # the last second (20 steps of 50 ms)
        # A spike: 3 ticks or more, and above this symbol's 95th percentile (volatility.py)
        if len(recent) == 20 and self.sim.ranges.spike(recent):
            self.finish(t, outcome="pulled_on_volatility", range_ticks=max(recent) - min(recent))
            return
        if t >= self.until or (self.oids and self.oids[0] not in self.sim.book.orders):
            self.finish(t, outcome="ended")


DECOYS = {
    "round_number_refill": RoundNumberRefill,
    "mm_ladder": MarketMakerLadder,
    "hidden_fills": HiddenFills,
    "risk_off_pull": RiskOffPull,
}
