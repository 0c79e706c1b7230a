"""The band a level is judged in (DETECTORS.md §2.1): the same side within min(1% of mid,
``wall_band_ticks``) of the touch, or the nearest ``wall_band_min_levels`` levels when fewer stand
there (a tick much finer than the spacing of the levels, as on Binance spot BTCUSDT). Shared by
the wall and the pulled-liquidity detectors."""

from __future__ import annotations

from dom.core.book import BookSideLevels
from dom.core.detectors.params import DetectorParams


def band_half(lv: BookSideLevels, best: int, mid2: int, p: DetectorParams) -> int:
    """Half-width of the band in ticks, for the book side ``lv`` whose best price is ``best``."""
    half = min(p.wall_band_ticks, max(1, mid2 // 200))  # 1% of mid (mid2 is twice the mid), in ticks
    near = lv.top(p.wall_band_min_levels)
    if near and abs(near[-1][0] - best) > half:
        half = abs(near[-1][0] - best)
    return half
