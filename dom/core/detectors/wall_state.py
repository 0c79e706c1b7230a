"""What the wall detector keeps: a candidate or announced wall, and the distance buckets its
baselines are sampled in."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from dom.core import accel
from dom.core.types import BookSide, Level


@dataclass
class _Wall:
    side: BookSide
    px: int
    first_ns: int
    size: int
    peak: int
    traded: int = 0
    announced: bool = False
    sent_size: int = 0
    id: str = ""
    gone_ns: int = 0  # when its level fell away (it may reappear nearby: a moving wall)
    gone_size: int = 0  # how much left the level
    end_q: int = 0
    moves: int = 0
    dist: int = 0  # ticks from the touch when last seen standing
    updated_ns: int = 0  # when its last alert went out
    enter: int = 0  # the threshold it had to reach (its exit is ``wall_end_fraction`` of it)
    dip_ns: int = 0  # a candidate: since when it stands below its exit threshold
    sent_moves: int = 0  # moves already told
    step: int = 0  # the largest single increase at its level (one message) as it came
    step_t: int = 0  # when
    book: int = 0  # the largest organic level seen before it came (``LargeSteps.bounded``)


def _bucket(d: int) -> int:
    """Distance buckets: one per tick near the touch, wider further out."""
    if d < 6:
        return d
    if d < 10:
        return 6
    if d < 15:
        return 7
    if d < 25:
        return 8
    return 9


_NBUCKETS = 10
_BUCKET_FAR = 25  # from here on, the last bucket (named apart: it once rebound _FAR, the price-range
# sentinel above, so the walls' price range started at 25 and filtered nothing below the highest wall)
# Where each bucket ends (1, 2, 3, 4, 5, 6, 10, 15, 25, and no end for the last): the distances of a
# band's levels rise from the touch, so each bucket's levels are one run of them, cut at these edges.
_EDGES = tuple(d for d in range(1, _BUCKET_FAR + 1) if _bucket(d) != _bucket(d - 1)) + (1 << 62,)


def nth_smallest_py(xs: list[int], n: int, i: int) -> int:
    """``sorted(xs[:n])[i]``."""
    return sorted(xs[:n])[i]


def nth_smallest(xs: list[int], n: int, i: int) -> int:
    """``nth_smallest_py``, in C where the accelerator is built and takes the list (exact ints
    within +-2^62, ``0 <= i < n <= len(xs)``): a selection on a copy, no sort (the same value)."""
    native = accel.native
    if native is not None:
        got = native.nth_smallest(xs, n, i)
        if got is not NotImplemented:
            return got
    return nth_smallest_py(xs, n, i)


class DistanceBaseline:
    """What usually rests at each distance from the touch on one side: the last ``n`` level sizes
    seen per distance bucket and, as of the last ``refresh``, their P90 (``typical``; None while a
    bucket has fewer than ``warm`` samples).

    A bucket's samples are a list that only grows at the end between refreshes; a refresh trims it
    to the last ``n`` and notes ``(list, length)`` as its P90, sorted and read at the first ask
    (most buckets are not asked before the next refresh: none is copied or sorted unasked)."""

    __slots__ = ("n", "warm", "samples", "p90s", "fresh")

    def __init__(self, n: int, warm: int) -> None:
        self.n, self.warm = n, warm
        self.samples: list[list[int] | None] = [None] * _NBUCKETS  # a bucket's list from its first sample
        self.p90s: list[int | tuple[list[int], int] | None] = [None] * _NBUCKETS
        self.fresh = False  # a P90 worked out since its owner last read them all (the walls' entries)

    def add(self, dists: Sequence[int], sizes: Sequence[int]) -> None:
        """Each level's size to its bucket; ``dists`` (ticks from the touch) rise, as a band's do
        best first, so each bucket's levels are one run of them (one slice)."""
        n = len(dists)
        ds = self.samples
        cap = 4 * self.n
        i = 0
        for b, edge in enumerate(_EDGES):
            if i == n:
                return
            j = bisect_left(dists, edge, i)
            if j > i:
                d = ds[b]
                if d is None:
                    d = ds[b] = []
                d += sizes[i:j]
                if len(d) > cap:  # (no refresh for long: only when a side's band keeps under 5 levels)
                    self._cap(b)
                i = j

    def _cap(self, b: int) -> None:
        """Bucket ``b`` outgrew its cap: its pending P90 first, then its oldest samples go."""
        self.p90(b)
        del self.samples[b][:-self.n]  # type: ignore[index]

    def add_band_py(self, band: list[Level], bid: bool,
                    out: list[int] | None) -> tuple[Sequence[int], Sequence[int]]:
        """A side's band (``(px, size)`` best first; ``bid``: the bid side) sampled: each level's
        size to its distance bucket (``add``), leaving out the levels priced in ``out`` (None: none;
        the announced walls). Returns ``(sizes, organic)``: every level's size, and those of the
        levels not left out (``sizes`` itself when none is)."""
        prices, sizes = zip(*band)
        organic = sizes
        if out:
            kept = [(px, q) for px, q in band if px not in out]
            if len(kept) != len(band):
                prices, organic = zip(*kept) if kept else ((), ())
        if prices:
            best = band[0][0]
            self.add([best - px for px in prices] if bid else [px - best for px in prices], organic)
        return sizes, organic

    def add_band(self, band: list[Level], bid: bool, out: list[int] | None) -> tuple[Sequence[int], Sequence[int]]:
        """``add_band_py``, in C where the accelerator is built and takes the band (a list of
        ``(px, size)`` tuples, prices exact ints within +-2^61, rising distances): the same
        ``sizes`` and ``organic`` (lists there, tuples here) and the same buckets."""
        native = accel.native
        if native is not None and band:
            got = native.band_buckets(band, band[0][0], bid, out, self.samples, 4 * self.n)
            if got is not NotImplemented:
                sizes, organic, over = got
                for b in over or ():  # the buckets that outgrew their cap
                    self._cap(b)
                return sizes, organic
        return self.add_band_py(band, bid, out)

    def refresh(self) -> None:
        n, warm, p90s = self.n, self.warm, self.p90s
        for b, d in enumerate(self.samples):
            if d is not None:
                if len(d) > n:
                    del d[:-n]  # the last n samples
                if len(d) >= warm:
                    p90s[b] = (d, len(d))

    def p90(self, b: int) -> int | None:
        """Bucket ``b``'s P90 as of the last refresh."""
        v = self.p90s[b]
        if type(v) is tuple:
            v = self.p90s[b] = nth_smallest(v[0], v[1], int(0.9 * (v[1] - 1)))
            self.fresh = True
        return v  # type: ignore[return-value]

    def typical(self, dist: int) -> int | None:
        return self.p90(_bucket(dist))
