"""Detectors: engine observers that turn book changes and trades into alerts.

``make_observers(params)`` returns the factory the engine calls for each symbol. Each detector
is pure and deterministic (exchange time only, seeded sampling), and says nothing while its book
is not synced. Implemented: walls, iceberg-like levels, absorption, pulled liquidity (spoof), momentum
bursts and sweeps.
"""

from __future__ import annotations

from typing import Any, Mapping

from dom.core.detectors.absorption import AbsorptionDetector
from dom.core.detectors.band import Bands
from dom.core.detectors.burst import BurstDetector
from dom.core.detectors.iceberg import IcebergDetector
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.slack import make_slack
from dom.core.detectors.spoof import SpoofDetector
from dom.core.detectors.steps import pair, spoof_steps, wall_steps
from dom.core.detectors.sweep import SweepDetector
from dom.core.detectors.walls import WallDetector
from dom.core.engine import Observer, ObserverFactory, SymbolState

__all__ = ["DetectorParams", "make_observers"]


def make_observers(params: DetectorParams | Mapping[str, Any] | None = None) -> ObserverFactory:
    p = params if isinstance(params, DetectorParams) else DetectorParams.from_mapping(params)

    def factory(sym: SymbolState) -> list[Observer]:
        out: list[Observer] = []
        bands = Bands(sym, p)  # walls and pulled liquidity read the same band: once per message
        slack = make_slack(p.align_slack_ms)  # absorption and pulled liquidity see the same trades
        steps = wall_steps(sym, p) if p.walls else None
        own = spoof_steps(sym, p) if p.spoofs else None  # pulled liquidity's own window
        pair(steps, own)  # both fed by one pass over each message's changes
        if p.walls:
            out.append(WallDetector(sym, p, bands, steps))
        if p.icebergs:
            out.append(IcebergDetector(sym, p))
        if p.absorptions:
            out.append(AbsorptionDetector(sym, p, slack))
        if p.spoofs:
            out.append(SpoofDetector(sym, p, bands, slack, own))
        if p.bursts:
            out.append(BurstDetector(sym, p))
        if p.sweeps:
            out.append(SweepDetector(sym, p))
        return out

    return factory
