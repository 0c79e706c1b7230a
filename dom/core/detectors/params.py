"""Detector parameters: every threshold in one documented, frozen place (``[detectors]``).

Each kind's fields, with their documentation, are in its own module (wall_params.py,
iceberg_params.py, absorption_params.py, spoof_params.py, flow_params.py: bursts and sweeps);
``DetectorParams`` gathers them, in that order, with the two that every kind's timing shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from dom.core.detectors.absorption_params import AbsorptionParams
from dom.core.detectors.flow_params import FlowParams
from dom.core.detectors.iceberg_params import IcebergParams
from dom.core.detectors.spoof_params import SpoofParams
from dom.core.detectors.wall_params import WallParams
from dom.core.settings import from_table


@dataclass(frozen=True)
class DetectorParams(FlowParams, SpoofParams, AbsorptionParams, IcebergParams, WallParams):
    # (bases listed last kind first: a dataclass takes its bases' fields from the last base on,
    # so the fields run walls, icebergs, absorption, pulled liquidity, bursts and sweeps)
    REMOVED: ClassVar[dict[str, str]] = {
        "absorption_max_trade_share": "a block print is judged against the volume threshold since "
                                      "2026-12-04 (V_W without its largest print must reach it)",
    }
    """Keys that were parameters once: a config that still sets one is told why it went."""

    align_slack_ms: int = 300
    """Depth changes are judged this long (exchange time) after they happen, so trades from the
    other stream can arrive first (DETECTORS.md §2.0; >= the p99 trade-vs-depth skew)."""
    merge_hold_ms: int = 250
    """The detectors read a symbol's depth and trades merged in exchange-time order, holding each
    event this long (exchange time) for the other stream (dom/core/merge.py): alerts come this
    much later than the book shows the change, and no longer depend on how the streams
    interleaved on arrival. 0: no merge, arrival order."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any] | None) -> "DetectorParams":
        return from_table(cls(), table, "detectors")
