"""The momentum bursts' and sweeps' parameters (``[detectors]``: ``DetectorParams`` in params.py gathers every kind's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlowParams:
    bursts: bool = True
    """Detect momentum bursts: volume and price move far above the symbol's usual, at once (issue #16)."""
    burst_window_s: int = 3
    """The burst window: volume and move over the last this many seconds."""
    burst_baseline_s: int = 600
    """The usual volume per window and the usual move come from this many seconds before."""
    burst_warmup_s: int = 120
    """Nothing is said before this many seconds of history."""
    burst_volume_mult: float = 4.0
    """The window's volume is at least this many times the usual window's ..."""
    burst_move_sigma: float = 4.0
    """... and the mid moved at least this many times the usual window move (root mean square) ..."""
    burst_min_move_bps: float = 50.0
    """... and at least this many basis points."""
    burst_end_mult: float = 1.5
    """The episode ends once the window's volume is under this many times the usual (frozen at the start)."""

    sweeps: bool = True
    """Detect sweeps: one aggressive run taking several price levels within a moment (issue #16)."""
    sweep_window_ms: int = 100
    """A run: trades of one taker side within this long of its first, prices never stepping back ..."""
    sweep_min_levels: int = 3
    """... taking at least this many distinct prices ..."""
    sweep_min_notional: float = 5_000.0
    """... at least this much notional (quote currency) ..."""
    sweep_size_pct: float = 99.9
    """... and a size at or above this percentile of the symbol's runs (all of them, of any size) ..."""
    sweep_baseline_s: int = 600
    """... over the last this many seconds."""
    sweep_warmup_runs: int = 200
    """Nothing is said before this many runs have been seen."""
