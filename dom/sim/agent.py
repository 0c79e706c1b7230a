"""The base of every injected, labelled behaviour (``agents.py``, ``iceberg_agent.py``, the decoys).

An agent places orders in the matching book under its own owner id, reacts to its fills, and when
it ends writes its ground-truth label (DESIGN.md "Simulator ground truth").
"""

from __future__ import annotations

import random
import statistics
from typing import TYPE_CHECKING, Any

from dom.sim.matching import BID

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
