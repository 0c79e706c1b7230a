"""The band a level is judged in (DETECTORS.md §2.1): the same side within min(1% of mid,
``wall_band_ticks``) of the touch, or the nearest ``wall_band_min_levels`` levels when fewer stand
there (a tick much finer than the spacing of the levels, as on Binance spot BTCUSDT). Shared by
the wall and the pulled-liquidity detectors, which read it at the same depth messages: ``Bands``
reads it once per message for both."""

from __future__ import annotations

from collections.abc import Sequence

from dom.core import accel
from dom.core.book import BookSideLevels
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.spoof_stats import band_sizes
from dom.core.engine import SymbolState
from dom.core.types import BookSide, Level

_UNREAD = object()


def band_half(lv: BookSideLevels, best: int, mid2: int, p: DetectorParams) -> int:
    """Half-width of the band in ticks, for the book side ``lv`` whose best price is ``best``."""
    half = min(p.wall_band_ticks, max(1, mid2 // 200))  # 1% of mid (mid2 is twice the mid), in ticks
    far = lv.nth_px(p.wall_band_min_levels)  # the deepest of the nearest N levels
    if far is not None and abs(far - best) > half:
        half = abs(far - best)
    return half


def median(xs: list[int]) -> float | int:
    """``statistics.median``, without its generality: the middle value, or the mean of the two."""
    return median_sorted(sorted(xs))


def median_sorted(s: list[int]) -> float | int:
    """``median`` of a list already sorted (None-free, not empty)."""
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


class Bands:
    """Each side's band as of the depth message being handled: ``(best, half, levels best
    first)``, or None while a side is empty. Read once per applied message (the engine's
    ``applied`` count tells them apart) however many detectors ask; do not mutate the list.
    ``sizes(side)``: the band's level sizes sorted, likewise once per message (the walls and the
    pulled-liquidity detector both take the band median and largest level once a second, on the
    same message)."""

    __slots__ = ("_ask", "_ask_sizes", "_at", "_bid", "_bid_sizes", "p", "sym")

    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.sym, self.p = sym, p
        self._at = -1
        self._bid: object = _UNREAD
        self._ask: object = _UNREAD
        self._bid_sizes: list[int] | None = None
        self._ask_sizes: list[int] | None = None

    def get(self, side: BookSide) -> tuple[int, int, list[Level]] | None:
        at = self.sym.stats.applied
        if at != self._at:
            self._at, self._bid, self._ask = at, _UNREAD, _UNREAD
            self._bid_sizes = self._ask_sizes = None
        bid = side is BookSide.BID
        got = self._bid if bid else self._ask
        if got is _UNREAD:
            got = self._read(side)
            if bid:
                self._bid = got
            else:
                self._ask = got
        return got  # type: ignore[return-value]

    def sizes(self, side: BookSide, unsorted: Sequence[int] | None = None) -> list[int]:
        """The sizes of ``get(side)``'s levels, sorted ascending (empty while the side is empty);
        do not mutate it. Its median is ``median_sorted``, its largest the last. A caller that
        already took those sizes out of the band may pass them as ``unsorted`` (not copied again)."""
        band = self.get(side)  # (first: it starts a new message's reads)
        bid = side is BookSide.BID
        got = self._bid_sizes if bid else self._ask_sizes
        if got is None:
            if unsorted is not None:
                got = sorted(unsorted)
            else:
                got = sorted(band_sizes(band[2])) if band is not None else []
            if bid:
                self._bid_sizes = got
            else:
                self._ask_sizes = got
        return got

    def _read(self, side: BookSide) -> tuple[int, int, list[Level]] | None:
        """``_read_py``, in C where the accelerator is built and takes the book (both sides'
        indexes flat lists of exact ints within +-2^61): one call for the band's best, half-width
        and levels (``test_band_native.py`` holds the two against each other)."""
        native = accel.native
        if native is not None:
            book = self.sym.book
            p = self.p
            if side is BookSide.BID:
                got = native.band_read(book.bids, book.asks, p.wall_band_ticks, p.wall_band_min_levels)
            else:
                got = native.band_read(book.asks, book.bids, p.wall_band_ticks, p.wall_band_min_levels)
            if got is not NotImplemented:
                return got
        return self._read_py(side)

    def _read_py(self, side: BookSide) -> tuple[int, int, list[Level]] | None:
        book = self.sym.book
        mid2 = book.mid2()
        if mid2 is None:
            return None
        lv = book.side(side)
        best = lv.best_px()
        half = band_half(lv, best, mid2, self.p)
        return best, half, lv.out_to(best - half if side is BookSide.BID else best + half)
