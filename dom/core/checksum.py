"""The book checksum OKX and Bitget send: a signed CRC32 of the top 25 levels, interleaved.

The string is ``bid1px:bid1sz:ask1px:ask1sz:bid2px:...`` over the best 25 levels of each side
(when one side is shorter, the other side's remaining levels follow alone), built from the
venue's own decimal strings, and the checksum is the CRC32 of it as a signed 32-bit integer.

Inside dom a level is two integers, so the strings have to be rebuilt from them, and the
venue's spelling matters: ``"0.1"`` and ``"0.10"`` are the same price and different checksums.
The recordings settle how each venue spells its numbers (checked on every level of
cryptofeed's OKX and Bitget samples):

* OKX writes the shortest form: no trailing zeros, no trailing dot (``"30316"``, ``"5.16"``,
  ``"0.0002"``). That is a function of the value alone: :func:`shortest`.
* Bitget writes a fixed number of decimals per symbol and per side of the pair (``"113.370"``,
  ``"6.40"``, ``"130000000.0000"``; deletions are a bare ``"0"``, which never reaches a checksum).
  That is a function of the value and two small integers per symbol: :func:`fixed`. The Bitget
  codec learns the two from the strings of each snapshot (see ``dom.venues.bitget.codec``).

So no original string needs to be kept per level: the book stays integers, and what the codec
keeps is bounded by the number of symbols.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from dom.core.book import OrderBook
from dom.core.units import Step

DEPTH = 25
Formatter = Callable[[int], str]


def signed32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def shortest(step: Step, n: int) -> str:
    """``n`` steps as the shortest decimal string (``"30316"``, ``"5.16"``)."""
    v = n * step.mant
    sc = step.scale
    if sc == 0:
        return str(v)
    whole, frac = divmod(v, 10**sc)
    if not frac:
        return str(whole)
    return f"{whole}.{str(frac).rjust(sc, '0').rstrip('0')}"


def fixed(step: Step, n: int, places: int) -> str:
    """``n`` steps with exactly ``places`` decimals (``places`` >= the step's own decimals;
    otherwise only if the value has no more decimals than ``places``)."""
    v = n * step.mant
    sc = step.scale
    if places >= sc:
        v *= 10 ** (places - sc)
    else:
        v, r = divmod(v, 10 ** (sc - places))
        if r:
            raise ValueError(f"{n} steps of {step.text} need more than {places} decimals")
    if places == 0:
        return str(v)
    whole, frac = divmod(v, 10**places)
    return f"{whole}.{str(frac).rjust(places, '0')}"


_CACHE_MAX = 65_536
_formatters: dict[tuple[int, int, int], Formatter] = {}


class _Spellings(dict):
    """``n -> string`` for one grid (step and places), writing a value on its first lookup
    (``__missing__``), bounded. Its ``__getitem__`` is the formatter :func:`cached` hands out,
    so a whole list of prices or sizes is written with one ``map`` in C."""

    __slots__ = ("step", "places")

    def __init__(self, step: Step, places: int | None) -> None:
        super().__init__()
        self.step, self.places = step, places

    def __missing__(self, n: int) -> str:
        s = shortest(self.step, n) if self.places is None else fixed(self.step, n, self.places)
        if len(self) >= _CACHE_MAX:
            self.clear()
        self[n] = s
        return s


def cached(step: Step, places: int | None) -> Formatter:
    """A formatter for ``step`` (shortest form if ``places`` is None, else fixed decimals) that
    remembers what it wrote: the top 25 levels change little between updates. One bounded
    table per grid (step and places), shared by the instruments on that grid (the same
    formatter object each time).

    A grid of whole units (step 1, no decimals written: OKX's swaps sized in contracts) is
    spelled by ``str`` itself: the same strings, with no table to grow and read (a table of
    every size seen was tens of thousands of entries, read at random, mostly out of the CPU's
    caches in a live client that sleeps between frames)."""
    if step.mant == 1 and step.scale == 0 and not places:
        return str
    key = (step.mant, step.scale, -1 if places is None else places)
    f = _formatters.get(key)
    if f is None:
        if len(_formatters) >= 1024:
            _formatters.clear()
        f = _formatters[key] = _Spellings(step, places).__getitem__
    return f


def book_string(book: OrderBook, px: Formatter, qty: Formatter, depth: int = DEPTH) -> str:
    """``bid px:bid qty:ask px:ask qty:...`` over the top ``depth`` levels, then the longer side
    alone. Built without a Python loop: each side's prices come as one list
    (``BookSideLevels.top_prices``), sizes and spellings by ``map`` (with :func:`cached`
    formatters a dict lookup per number, keyed by the integer), and the four streams are
    interleaved by slice assignment into one list for one join."""
    bids, asks = book.bids, book.asks
    bp, ap = bids.top_prices(depth), asks.top_prices(depth)
    nb, na = len(bp), len(ap)
    n = nb if nb < na else na
    parts = [""] * (2 * (nb + na))
    if n:
        m = 4 * n
        if nb > n:
            bp, rest, rest_levels = bp[:n], bp[n:], bids.levels
        elif na > n:
            ap, rest, rest_levels = ap[:n], ap[n:], asks.levels
        else:
            rest = None
        parts[0:m:4] = map(px, bp)  # bid, ask, bid, ask ...
        parts[1:m:4] = map(qty, map(bids.levels.__getitem__, bp))
        parts[2:m:4] = map(px, ap)
        parts[3:m:4] = map(qty, map(asks.levels.__getitem__, ap))
        if rest is None:
            return ":".join(parts)
    else:  # one side only (or none)
        m, rest, rest_levels = 0, bp or ap, bids.levels if bp else asks.levels
    parts[m::2] = map(px, rest)  # then the longer side alone
    parts[m + 1::2] = map(qty, map(rest_levels.__getitem__, rest))
    return ":".join(parts)


def crc32_signed(text: str) -> int:
    return signed32(zlib.crc32(text.encode("ascii")))


def book_crc(book: OrderBook, px: Formatter, qty: Formatter, depth: int = DEPTH) -> int:
    return crc32_signed(book_string(book, px, qty, depth))


def _places(text: str) -> int:
    i = text.find(".")
    return 0 if i < 0 else len(text) - i - 1


class WireDecimals:
    """Per symbol, how many decimals a venue writes its prices and sizes with (Bitget, Kraken:
    fixed per symbol), learned from the level strings of each snapshot. Two small integers per
    symbol; a snapshot relearns them; a later string written otherwise is counted in
    ``changes`` (the next checksum then tells whether it mattered)."""

    __slots__ = ("changes", "places")

    def __init__(self) -> None:
        self.places: dict[str, tuple[int, int]] = {}
        self.changes = 0

    def get(self, symbol: str, default: tuple[int, int]) -> tuple[int, int]:
        return self.places.get(symbol) or default

    def learn(self, symbol: str, sides: list[list], snapshot: bool) -> None:
        """``sides``: lists of already validated ``[price, size, ...]`` rows of plain strings.
        Zero sizes are skipped (Bitget writes a deletion as a bare "0")."""
        pp = qp = -1
        for rows in sides:
            for row in rows:
                p, q = row[0], row[1]
                n = _places(p)
                if pp < 0:
                    pp = n
                elif n != pp:
                    self.changes += 1
                if q.strip("0.") == "":
                    continue
                n = _places(q)
                if qp < 0:
                    qp = n
                elif n != qp:
                    self.changes += 1
        known = self.places.get(symbol)
        if known is None or snapshot:
            if pp >= 0 or qp >= 0:
                old = known or (0, 0)
                self.places[symbol] = (pp if pp >= 0 else old[0], qp if qp >= 0 else old[1])
        elif (pp >= 0 and pp != known[0]) or (qp >= 0 and qp != known[1]):
            self.changes += 1
