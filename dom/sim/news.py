"""News bursts and sweeps in the built-in market, labelled (issue #16).

* :class:`NewsBurstAgent` (label kind ``burst``): news lands on one symbol. Its fair value jumps
  by 30-50 % of a 0.8-3 % move at once and drifts the rest over the next seconds, and takers on
  the news side trade 6-15x their usual rate, fading over 20-120 s. The arbitrage traders chase
  the new fair value through the book, so the price really moves. Detectable from its start.
* :class:`SweepAgent`: one market order sized to take 3-8 levels of the opposite side at once.
  It writes no label itself: :class:`SweepLabeller` labels every sweep the matching engine made,
  this agent's or the background's.
* :class:`SweepLabeller` (label kind ``sweep``): from the true fills, before they are aggregated
  and published, every run of one taker side within 100 ms whose prices never step back, taking
  at least 3 distinct prices and 5,000 of notional, outsized (a size at or above the 99.9th
  percentile of the symbol's runs over the last 10 minutes, after 200 runs): the sweep of issue
  #16 with the detector's default parameters, applied to what happened rather than to what the
  wire shows. Which makes the sweep scores a test of the path (aggregation, delays, stream skew,
  resyncs), not of the definition.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, insort
from collections import deque
from typing import TYPE_CHECKING, Any

from dom.sim.agent import SEC, SIDE_NAME, Agent
from dom.sim.matching import ASK, BID

if TYPE_CHECKING:
    from dom.sim.market import SymbolSim

SWEEP_WINDOW_NS = 100_000_000
SWEEP_LEVELS = 3
SWEEP_NOTIONAL = 5_000.0
SWEEP_SIZE_PCT = 99.9
SWEEP_BASELINE_NS = 600 * SEC
SWEEP_WARMUP_RUNS = 200


class NewsBurstAgent(Agent):
    kind = "burst"

    def __init__(self, sim: "SymbolSim", rng: random.Random, t: int, aid: str) -> None:
        super().__init__(sim, rng, t, aid)
        up = rng.random() < 0.5
        self.side = ASK if up else BID  # the side being taken
        mid = sim.mid() or sim.flow.fair
        self.px = int(mid)
        move = rng.uniform(0.8, 3.0) / 100 * (1 if up else -1)
        self.jump_share = rng.uniform(0.3, 0.5)
        self.total = mid * move  # in ticks
        self.drift_s = rng.uniform(5, 20)
        self.life = int(rng.uniform(20, 120) * SEC)
        self.mult0 = rng.uniform(6, 15)
        f = sim.flow
        f.fair += self.total * self.jump_share
        f.burst_side = BID if up else ASK  # taker buys (BID) on good news
        f.burst_mult = self.mult0
        f.burst_until = t + self.life
        # News takers answer the news, not each other: their orders do not excite the background's
        # self-exciting flow (which, excited by 6-15x the usual rate for minutes, ran prices 5-8 %
        # past the news in either direction).
        f.burst_excites = False
        self.last_t = t
        self.params: dict[str, Any] = {"direction": "up" if up else "down", "move_pct": round(move * 100, 3),
                                       "jump_share": round(self.jump_share, 3), "drift_seconds": round(self.drift_s, 2),
                                       "seconds": round(self.life / SEC, 2), "volume_multiple": round(self.mult0, 2)}
        self.detectable_from = t

    def step(self, t: int) -> None:
        f = self.sim.flow
        age = (t - self.t_start) / SEC
        dt = (t - self.last_t) / SEC
        self.last_t = t
        if age <= self.drift_s:
            f.fair += self.total * (1 - self.jump_share) * dt / self.drift_s
        # The takers' rate fades: half-life a third of the episode. They chase the news, not any
        # price: once the mid is past the new fair value by a quarter of the move, they pause.
        mult = max(1.0, self.mult0 * math.exp(-age * math.log(2) / (self.life / SEC / 3)))
        mid = self.sim.mid()
        if mid is not None and (mid - f.fair) * (1 if self.total > 0 else -1) > abs(self.total) * 0.25:
            mult = 0.0
        f.burst_mult = mult
        if t - self.t_start >= self.life:
            self.finish(t, outcome="faded")

    def finish(self, t: int, **params: Any) -> None:
        self.sim.flow.burst_until = 0
        self.sim.flow.burst_excites = True
        super().finish(t, **params)


class SweepAgent(Agent):
    """One market order through 3-8 levels of the opposite side (labelled by the labeller)."""

    kind = "sweep_order"
    labelled = False

    def __init__(self, sim: "SymbolSim", rng: random.Random, t: int, aid: str) -> None:
        super().__init__(sim, rng, t, aid)
        self.taker = BID if rng.random() < 0.5 else ASK
        levels = rng.randint(3, 8)
        take = sim.book.top(1 - self.taker, levels)
        qty = sum(q for _, q in take[:-1]) + max(1, int(take[-1][1] * rng.uniform(0.2, 1.0))) if take else 0
        if qty > 0:
            sim.book.market(self.taker, qty, t)
        self.finish(t, outcome="sent")


class SweepLabeller:
    """Sweeps in the true fills of one symbol (see the module's docstring)."""

    def __init__(self, sim: "SymbolSim") -> None:
        self.sim = sim
        inst = sim.inst
        self.lot = float(inst.contract_size) * inst.qty.to_float(1)
        self.tick = inst.price.to_float(1)
        self.runs: dict[int, list] = {}  # taker side -> [t0, t_last, px0, px_last, levels, qty, notional, t_detect]
        self.labels: list[dict] = []
        self.n = 0
        self.recent: deque[tuple[int, int]] = deque()  # (t0, size) of closed runs
        self.sizes: list[int] = []  # their sizes, sorted

    def _outsized(self, qty: int) -> bool:
        s = self.sizes
        return len(s) >= SWEEP_WARMUP_RUNS and qty >= s[min(len(s) - 1, int(SWEEP_SIZE_PCT / 100 * len(s)))]

    def fill(self, ts: int, px: int, qty: int, taker: int) -> None:
        run = self.runs.get(taker)
        if run is not None:
            onward = px >= run[3] if taker == BID else px <= run[3]
            if onward and ts - run[0] <= SWEEP_WINDOW_NS and ts >= run[1]:
                if px != run[3]:
                    run[4] += 1
                    run[3] = px
                run[1] = ts
                run[5] += qty
                run[6] += px * self.tick * qty * self.lot
                if run[7] is None and run[4] >= SWEEP_LEVELS and run[6] >= SWEEP_NOTIONAL and self._outsized(run[5]):
                    run[7] = ts
                return
            self._close(taker)
        run = [ts, ts, px, px, 1, qty, px * self.tick * qty * self.lot, None]
        self.runs[taker] = run

    def expire(self, now: int) -> None:
        for taker in [k for k, r in self.runs.items() if now - r[0] > SWEEP_WINDOW_NS]:
            self._close(taker)

    def close_all(self) -> None:
        for taker in list(self.runs):
            self._close(taker)

    def _close(self, taker: int) -> None:
        t0, t1, px0, px1, levels, qty, notional, t_detect = self.runs.pop(taker)
        self.recent.append((t0, qty))
        insort(self.sizes, qty)
        while self.recent and self.recent[0][0] < t0 - SWEEP_BASELINE_NS:
            del self.sizes[bisect_left(self.sizes, self.recent.popleft()[1])]
        if t_detect is None:
            return
        inst = self.sim.inst
        self.n += 1
        self.labels.append({
            "id": f"{self.sim.spec.symbol}-sweep-{self.n}", "kind": "sweep", "symbol": self.sim.spec.symbol,
            "side": SIDE_NAME[1 - taker], "price": inst.px_str(px1), "t_start_ns": t0, "t_end_ns": t1,
            "params": {"levels": levels, "first_price": inst.px_str(px0), "size": inst.qty_str(qty),
                       "notional": round(notional, 2)},
            "detectable_from_ns": t_detect,
        })
