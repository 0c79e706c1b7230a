"""Liquidity warnings: low 24 h volume, low open interest, thin visible depth, wide spread, and
a planned size that slips too much or takes too much of the visible book.

Every check takes what is known and skips what is not (``None``): a symbol whose ticker has not
been polled yet is not called low-volume. Limits are :class:`~dom.core.context.params.ContextParams`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from dom.core.book import OrderBook
from dom.core.context.params import ContextParams
from dom.core.context.sizing import Walk


def human(x: float | Decimal) -> str:
    """12_345_678 -> "12.3M"; for money and sizes in one-line warnings."""
    v = float(x)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div * 0.9995:  # 999_999 is "1.0M", not "1000.0k"
            return f"{v / div:.1f}{suffix}"
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.2f}"


@dataclass(frozen=True)
class Depth:
    """Visible depth near the mid, per side, in lots and in quote money, and the spread."""

    bid_lots: int
    ask_lots: int
    bid_quote: Decimal
    ask_quote: Decimal
    spread_ticks: int
    spread_bps: float


def visible_depth(book: OrderBook, band_bps: float, tick_value: Decimal) -> Depth | None:
    """Depth within ``band_bps`` of the mid on each side. ``tick_value`` converts ticks x lots to
    money (tick size x lot size x contract size). None for an empty or one-sided book."""
    bb, ba, m2 = book.best_bid(), book.best_ask(), book.mid2()
    if bb is None or ba is None or m2 is None or m2 <= 0:
        return None
    band = int(m2 * band_bps / 20_000)  # ticks: mid (= m2 / 2) x band_bps / 10_000
    lo, hi = (m2 // 2) - band, (m2 + 1) // 2 + band
    bids = list(book.bids.levels_between(lo, hi))
    asks = list(book.asks.levels_between(lo, hi))
    spread = ba[0] - bb[0]
    return Depth(
        sum(q for _, q in bids), sum(q for _, q in asks),
        Decimal(sum(p * q for p, q in bids)) * tick_value, Decimal(sum(p * q for p, q in asks)) * tick_value,
        spread, spread * 20_000 / m2,
    )


def market_warnings(p: ContextParams, volume_quote_24h: Decimal | None, oi_quote: Decimal | None,
                    depth: Depth | None, quote: str = "USDT") -> list[str]:
    out = []
    if volume_quote_24h is not None and volume_quote_24h < Decimal(str(p.min_volume_24h)):
        out.append(f"low 24h volume {human(volume_quote_24h)} < {human(p.min_volume_24h)} {quote}")
    if oi_quote is not None and oi_quote < Decimal(str(p.min_open_interest)):
        out.append(f"low open interest {human(oi_quote)} < {human(p.min_open_interest)} {quote}")
    if depth is not None:
        thin = min(depth.bid_quote, depth.ask_quote)
        if thin < Decimal(str(p.min_depth)):
            which = "bid" if depth.bid_quote <= depth.ask_quote else "ask"
            out.append(f"thin {which}s: {human(thin)} {quote} within {p.depth_band_bps:g} bps (< {human(p.min_depth)})")
        if depth.spread_bps > p.max_spread_bps:
            out.append(f"wide spread {depth.spread_bps:.1f} bps (> {p.max_spread_bps:g})")
    return out


def slippage_bps(w: Walk, best_px: int) -> float:
    return float(w.slippage_ticks / best_px * 10_000) if best_px > 0 else 0.0


def walk_warnings(p: ContextParams, w: Walk, best_px: int, lots: int, depth_lots: int | None) -> list[str]:
    """Warnings for a planned size of ``lots`` walked through the side it takes (``w``);
    ``depth_lots``: the visible depth of that side within the band."""
    out = []
    if lots <= 0:
        return out
    if not w.complete:
        out.append(f"book shows {w.filled_lots} of {lots} lots: cannot fill")
    bps = slippage_bps(w, best_px)
    if bps > p.max_slippage_bps:
        out.append(f"slippage {bps:.1f} bps, {w.levels} levels (> {p.max_slippage_bps:g})")
    if depth_lots is not None:
        share = Fraction(lots, depth_lots) if depth_lots > 0 else Fraction(1)
        if share > Fraction(str(p.max_share_of_depth)):
            out.append(f"size {float(share) * 100:.0f}% of depth within {p.depth_band_bps:g} bps "
                       f"(> {p.max_share_of_depth * 100:g}%)")
    return out
