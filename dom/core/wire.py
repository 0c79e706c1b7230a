"""What the venue codecs share (``dom/venues/<venue>/codec.py``): strict field readers that
turn an untrusted, parsed frame into core values or raise :class:`DecodeError`, never anything
else. Pure: the codecs pass their JSON parser in; nothing here knows a venue's field names.

Every reader checks the type and the range of what it reads: decimal strings must be plain
(digits, at most one dot, no sign, no exponent, bounded length), so they are finite and
non-negative by construction and cannot make the exact parser work on a huge exponent; integers
must be real ``int`` (not ``bool``) within bounds; strings are bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dom.core.types import Level
from dom.core.units import MAX_DIGITS, Instrument, Step
from dom.errors import FeedError, UnitsError

MS = 1_000_000
MAX_NUM_LEN = MAX_DIGITS  # no venue sends a longer number
MAX_TEXT_LEN = 64  # symbols, trade ids, sides, channel names
MAX_LEVELS = 10_000  # rows in one book message (the deepest venue book served is 1000 a side)
MAX_FRAME = 16 << 20
I63 = 1 << 63
RATE = Step("0.00000001")  # funding rates as integers in 1e-8


class DecodeError(FeedError):
    """A frame that is not what the venue sends (bad JSON, wrong types, negative size...)."""


class KnownSymbols:
    """For a decoder with ``instruments`` (by the venue's symbol) and ``unknown_symbols``: the
    instrument of ``sym``, or None, counting the symbols nobody asked for (at most 1,000 kept)."""

    instruments: dict[str, Instrument]
    unknown_symbols: dict[str, int]

    def _inst(self, sym: str) -> Instrument | None:
        inst = self.instruments.get(sym)
        if inst is None and len(self.unknown_symbols) < 1000:
            self.unknown_symbols[sym] = self.unknown_symbols.get(sym, 0) + 1
        return inst


def loads(raw: bytes | str, parse: Callable[[Any], Any]) -> Any:
    """``parse(raw)`` (a JSON parser: orjson.loads, json.loads) with its errors as DecodeError."""
    if not isinstance(raw, (bytes, bytearray, memoryview, str)):
        raise DecodeError(f"a frame is text or bytes, not {type(raw).__name__}")
    if len(raw) > MAX_FRAME:
        raise DecodeError(f"frame of {len(raw)} bytes is too large")
    try:
        return parse(raw)
    except ValueError as e:  # orjson's and json's decode errors are ValueErrors
        raise DecodeError(f"invalid JSON: {e}") from None


def is_plain(text: Any) -> bool:
    """A plain non-negative decimal string: ``"0"``, ``"12.50"``, ``".5"`` is refused."""
    if type(text) is not str or not 0 < len(text) <= MAX_NUM_LEN or not text.isascii():
        return False
    whole, dot, frac = text.partition(".")
    return whole.isdigit() and (not dot or frac.isdigit())


def num(step: Step, text: Any, what: str) -> int:
    """A plain decimal string -> exact number of steps (cache first: cached strings were valid)."""
    hit = step._cache.get(text) if type(text) is str else None
    if hit is not None:
        return hit
    if not is_plain(text):
        raise DecodeError(f"{what}: not a plain non-negative decimal string: {_show(text)}")
    try:
        return step.to_int(text)
    except UnitsError as e:
        raise DecodeError(f"{what}: {e}") from None


def positive(step: Step, text: Any, what: str) -> int:
    """``num`` for a value that cannot be zero (a trade's price): 0 steps is a DecodeError."""
    v = num(step, text, what)
    if v <= 0:
        raise DecodeError(f"{what}: not positive: {_show(text)}")
    return v


def levels(inst: Instrument, rows: Any, width: int = 2) -> tuple[Level, ...]:
    """``[[px, sz, ...], ...]`` -> ``((px_ticks, qty_lots), ...)``. Rows may carry extra fields
    (OKX's deprecated "0" and order count) beyond the first ``width``; fewer is an error.

    Sizes on a grid of whole units (lot 1: OKX's swaps in contracts) that are plain ASCII digits
    are read by ``int`` (what ``num`` gives them), not looked up: a table of every size seen
    grew to thousands of entries per symbol, read at random, mostly out of the CPU's caches in a
    live client that sleeps between frames (decoding took ~16 us a frame live against ~6 us
    offline; ~13 us with this)."""
    if type(rows) is not list:
        raise DecodeError(f"book side is not a list: {type(rows).__name__}")
    if len(rows) > MAX_LEVELS:
        raise DecodeError(f"{len(rows)} levels in one message")
    price, qty = inst.price, inst.qty
    pc, qc = price._cache, qty._cache
    whole = qty.mant == 1 and qty.scale == 0
    out = []
    for row in rows:
        if type(row) is not list or len(row) < width:
            raise DecodeError(f"book level is not a [price, size] list: {_show(row)}")
        p, q = row[0], row[1]
        a = pc.get(p) if type(p) is str else None
        if a is None:
            a = num(price, p, "price")
        if whole and type(q) is str and q.isdigit() and q.isascii() and len(q) <= MAX_NUM_LEN:
            b = int(q)
        else:
            b = qc.get(q) if type(q) is str else None
            if b is None:
                b = num(qty, q, "size")
        out.append((a, b))
    return tuple(out)


def field(obj: Any, key: str) -> Any:
    if type(obj) is not dict:
        raise DecodeError(f"expected an object holding {key!r}, got {type(obj).__name__}")
    try:
        return obj[key]
    except KeyError:
        raise DecodeError(f"missing field {key!r}") from None


def text(obj: Any, key: str) -> str:
    v = field(obj, key)
    if type(v) is not str or not v or len(v) > MAX_TEXT_LEN:
        raise DecodeError(f"field {key!r} is not a short string: {_show(v)}")
    return v


def integer(v: Any, what: str, lo: int = 0, hi: int = I63) -> int:
    """An ``int`` (not bool), or a string of digits (venues send ids and times both ways)."""
    if type(v) is str and 0 < len(v) <= 20 and v.isascii() and v.isdigit():
        v = int(v)
    if type(v) is not int or not lo <= v < hi:
        raise DecodeError(f"{what} is not an integer in [{lo}, {hi}): {_show(v)}")
    return v


def ms_to_ns(v: Any, what: str = "timestamp") -> int:
    return integer(v, what, 0, 1 << 53) * MS


def checksum32(v: Any) -> int:
    return integer(v, "checksum", -(1 << 31), 1 << 31)


def rows(v: Any, what: str, cap: int = MAX_LEVELS) -> list:
    if type(v) is not list or len(v) > cap:
        raise DecodeError(f"{what} is not a list (of at most {cap})")
    return v


def rate_e8(text_: Any, what: str) -> int:
    """A signed funding rate string ("-0.000100") -> integer 1e-8 units, cut to 8 decimals."""
    if type(text_) is not str:
        raise DecodeError(f"{what} is not a string: {_show(text_)}")
    neg = text_.startswith("-")
    body = text_[1:] if neg else text_
    whole, dot, frac = body.partition(".")
    body = whole + dot + frac[:8] if dot else body
    v = num(RATE, body, what)
    return -v if neg else v


def round_ticks(inst: Instrument, text_: Any, what: str) -> int:
    """A reference price (mark, index) that may carry more decimals than the tick, to the
    nearest tick (half to even): context for display, never book state."""
    if not is_plain(text_):
        raise DecodeError(f"{what}: not a plain non-negative decimal string: {_show(text_)}")
    step = inst.price
    whole, _, frac = text_.partition(".")
    scale = len(frac)
    mant = int(whole + frac)
    # value = mant / 10**scale; ticks = value / (step.mant / 10**step.scale)
    num_, den = mant * 10**step.scale, step.mant * 10**scale
    q, r = divmod(num_, den)
    if 2 * r > den or (2 * r == den and q % 2):
        q += 1
    return q


def _show(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."
