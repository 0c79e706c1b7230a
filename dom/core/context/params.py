"""Trading-context settings: the ``[context]`` table, every default in one documented place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dom.core.settings import from_table
from dom.errors import ConfigError


@dataclass(frozen=True)
class ContextParams:
    reference: str = "BTCUSDT"
    """Symbol the others are correlated against, and whose weakness is warned about."""
    weakness_window_s: int = 900
    """Window of the reference-weakness warning ("BTC -2.1% in 15 m")."""
    weakness_drop_pct: float = 2.0
    """The warning fires when the reference fell at least this much over the window."""
    oi_window_s: int = 900
    """Open-interest change is shown over this window (or what has been seen, if less)."""

    equity: float = 5000.0
    """Account equity in quote currency (USDT) for the sizing panel."""
    risk_pct: float = 1.0
    """Risk per trade in % of equity: the stop loses this much."""
    leverage: float = 10.0
    """Leverage for margin and the liquidation estimate."""
    maintenance_rate: float = 0.005
    """Maintenance margin rate for the liquidation estimate."""

    tp1_share: float = 0.5
    """Share of the position taken at TP1; the rest at TP2."""
    tp_min_r: float = 0.5
    """Targets nearer than this many R (risk distances) from the entry are skipped."""
    wall_offset_ticks: int = 1
    """A target at a wall sits this many ticks in front of it (so it fills before the wall)."""

    min_volume_24h: float = 5_000_000.0
    """Below this 24 h quote volume (USDT) a symbol is flagged as low-volume."""
    min_open_interest: float = 2_000_000.0
    """Below this open interest (notional, USDT) a symbol is flagged."""
    depth_band_bps: float = 50.0
    """Visible depth is summed within this distance of the mid (basis points)."""
    min_depth: float = 10_000.0
    """Less visible depth than this (notional per side, within the band) is thin."""
    max_spread_bps: float = 10.0
    """A wider spread than this is flagged."""
    max_slippage_bps: float = 5.0
    """A size whose walk through the book slips more than this is flagged."""
    max_share_of_depth: float = 0.2
    """A size taking more than this share of the visible depth (within the band) is flagged."""

    poll_open_interest_s: float = 10.0
    """REST openInterest poll interval per symbol (Binance weight 1)."""
    poll_ticker_s: float = 30.0
    """REST ticker/24hr poll interval per symbol (weight 1)."""
    poll_premium_s: float = 60.0
    """REST premiumIndex poll interval (the markPrice stream carries funding in between)."""
    poll_backoff_max_s: float = 120.0
    """Longest wait after repeated errors (429/418 wait at least as long as Retry-After)."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any] | None) -> ContextParams:
        p = from_table(cls(), table, "context")
        if not 0 < p.tp1_share <= 1:
            raise ConfigError("context.tp1_share: must be in (0, 1]")
        if p.equity <= 0 or p.risk_pct <= 0 or p.leverage <= 0:
            raise ConfigError("context.equity, risk_pct and leverage must be positive")
        if min(p.poll_open_interest_s, p.poll_ticker_s, p.poll_premium_s) < 1:
            raise ConfigError("context.poll_*_s: at least 1 s (be polite to the venue)")
        return p
