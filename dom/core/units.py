"""Exact conversion between exchange decimal strings and integer ticks / lots.

An :class:`Instrument` knows its tick size and lot step as decimal strings. Prices become integer
ticks and sizes integer lots, exactly: no float ever touches them. A string that is not an exact
multiple of the tick (or step) is an error, not a rounding.

Parsing dominates ingest cost in pure Python, and the prices near the touch repeat, so each
converter keeps a bounded ``str -> int`` cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dom.errors import UnitsError

_CACHE_MAX = 16_384  # per step (prices near the touch repeat); 65,536 let 500 symbols hold ~6 GB of it
MAX_DIGITS = 40  # longer decimal strings are not prices or sizes (and cost time to parse)
MAX_EXPONENT = 40  # "1e-999999999" would ask for a 10**999999999 division


def _split_decimal(text: str) -> tuple[int, int]:
    """``"61800.20"`` -> ``(6180020, 2)``: an integer mantissa and its number of decimals.

    Accepts plain decimals (optionally signed, with a leading or trailing dot) and, as a slow
    path, scientific notation. Raises UnitsError on anything else.
    """
    s = text.strip() if isinstance(text, str) else None
    if not s or len(s) > MAX_DIGITS:
        raise UnitsError(f"not a decimal number: {str(text)[:60]!r}")
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    intpart, dot, frac = body.partition(".")
    if (intpart.isdigit() or (intpart == "" and frac)) and (frac == "" or frac.isdigit()) and intpart.isascii() and frac.isascii():
        mant = int(intpart + frac) if (intpart + frac) else 0
        return (-mant if neg else mant), len(frac)
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise UnitsError(f"not a decimal number: {text!r}") from None
    if not d.is_finite():
        raise UnitsError(f"not a finite number: {text!r}")
    sign, digits, exp = d.as_tuple()
    if not -MAX_EXPONENT <= exp <= MAX_EXPONENT:
        raise UnitsError(f"exponent out of range: {text!r}")
    mant = int("".join(map(str, digits)) or "0")
    if sign:
        mant = -mant
    if exp >= 0:
        return mant * 10**exp, 0
    return mant, -exp


class _ParseCache(dict):
    """A step's ``str -> steps`` cache. It holds only valid, non-negative values, and reading a
    missing string with ``cache[text]`` parses it exactly (storing it): KeyError if ``text`` is
    not a valid non-negative multiple of the step. So a decoder reads a whole list of levels in
    one comprehension and goes the strict, row-by-row way only for a bad value."""

    __slots__ = ("step",)

    def __missing__(self, text: object) -> int:
        if type(text) is not str:
            raise KeyError(text)
        try:
            v = self.step.to_int(text)
        except UnitsError:
            raise KeyError(text) from None
        if v < 0:
            raise KeyError(text)
        return v


@dataclass(slots=True)
class Step:
    """One quantum (a tick size or a lot step) and an exact, cached converter to and from it."""

    text: str
    mant: int = 0
    scale: int = 0
    _cache: dict[str, int] = field(default_factory=_ParseCache, repr=False)

    def __post_init__(self) -> None:
        self._cache.step = self  # type: ignore[attr-defined]
        mant, scale = _split_decimal(self.text)
        # Normalise "0.10" -> (1, 1): trailing zeros carry no information.
        while scale > 0 and mant % 10 == 0:
            mant //= 10
            scale -= 1
        if mant <= 0:
            raise UnitsError(f"a step must be positive: {self.text!r}")
        self.mant, self.scale = mant, scale

    def to_int(self, text: str) -> int:
        """Exact number of steps in ``text``; UnitsError if it is not a whole multiple."""
        cache = self._cache
        hit = cache.get(text)
        if hit is not None:
            return hit
        # Fast path for plain "123.4500": int() over the digits. int() also accepts "_" and
        # surrounding spaces, which no exchange sends, so those go the strict way.
        intpart, _, frac = text.partition(".") if type(text) is str and len(text) <= MAX_DIGITS else ("", "", "")
        if intpart.isdigit() and (not frac or frac.isdigit()) and text.isascii():
            mant, scale = int(intpart + frac), len(frac)
        else:
            mant, scale = _split_decimal(text)
        if scale > self.scale:
            div = 10 ** (scale - self.scale)
            if mant % div:
                raise UnitsError(f"{text!r} is not a multiple of {self.text}")
            mant //= div
        elif scale < self.scale:
            mant *= 10 ** (self.scale - scale)
        q, r = divmod(mant, self.mant)
        if r:
            raise UnitsError(f"{text!r} is not a multiple of {self.text}")
        if q >= 0:  # (only valid values are cached: callers check a miss for a negative)
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[text] = q
        return q

    def to_str(self, n: int) -> str:
        """``n`` steps as a plain decimal string with the step's number of decimals."""
        v = n * self.mant
        if self.scale == 0:
            return str(v)
        sign = "-" if v < 0 else ""
        digits = str(abs(v)).rjust(self.scale + 1, "0")
        return f"{sign}{digits[:-self.scale]}.{digits[-self.scale:]}"

    def to_decimal(self, n: int) -> Decimal:
        return Decimal(self.to_str(n))

    def to_float(self, n: int) -> float:
        """For display and statistics only; never feed a float back into the book."""
        return n * self.mant / 10**self.scale


@dataclass(slots=True)
class Instrument:
    """A tradable symbol's units: tick size, lot step and contract size (units per lot of 1).

    ``inverse`` marks a coin-margined contract quoted in fixed quote-currency amounts (OKX's
    ``ctType: inverse``, Bybit's inverse perpetuals and futures): a size there is a number of
    contracts each worth ``contract_size`` of the quote currency (e.g. 100 USD), so its notional
    does not depend on the price.
    """

    symbol: str
    tick_size: str
    lot_size: str
    contract_size: str = "1"
    quote: str = "USDT"
    base: str = ""
    inverse: bool = False
    sector: str = ""  # the venue's own category (Binance's underlyingSubType: "AI", "Meme"...), "" if none
    price: Step = field(init=False)
    qty: Step = field(init=False)

    def __post_init__(self) -> None:
        self.price = Step(self.tick_size)
        self.qty = Step(self.lot_size)

    def px(self, text: str) -> int:
        return self.price.to_int(text)

    def lots(self, text: str) -> int:
        return self.qty.to_int(text)

    def px_str(self, ticks: int) -> str:
        return self.price.to_str(ticks)

    def qty_str(self, lots: int) -> str:
        return self.qty.to_str(lots)

    def notional(self, ticks: int, lots: int) -> Decimal:
        """Exact price x size x contract size, as a Decimal (size x contract size, in quote
        currency, for an inverse contract)."""
        if self.inverse:
            return self.qty.to_decimal(lots) * Decimal(self.contract_size)
        return self.price.to_decimal(ticks) * self.qty.to_decimal(lots) * Decimal(self.contract_size)

    def notional_str(self, ticks: int, lots: int, places: int = 2) -> str:
        q = Decimal(1).scaleb(-places)
        return str(self.notional(ticks, lots).quantize(q))
