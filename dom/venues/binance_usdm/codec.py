"""Binance wire format -> normalized events. The one place Binance field names live.

Live feeds (``dom.venues.binance_usdm.client``), replay (``dom.runtime.replay``) and the built-in market's
self-checks all call these functions, so a recording replays through exactly the code that
parsed it live.

Handles USDⓈ-M and spot: ``depthUpdate`` (``U``/``u``/``pu``), ``aggTrade``, ``trade``,
``bookTicker``, ``markPriceUpdate``, REST depth snapshots, and both envelopes (raw stream and
combined ``{"stream":..., "data":...}``). Subscription acks and unknown events decode to nothing.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import orjson

from dom.core import accel
from dom.core.types import (
    BookDelta,
    BookSnapshot,
    BookTicker,
    Event,
    Level,
    MarkPrice,
    TakerSide,
    Trade,
)
from dom.core.units import Instrument, Step
from dom.errors import FeedError, UnitsError

_MS = 1_000_000
_RATE = Step("0.00000001")
MAX_LEVELS = 20_000  # per message: a REST snapshot has at most 1000 a side
MAX_MS = 1 << 43  # exchange times in ms: until the year 2248
MAX_ID = 1 << 62


class DecodeError(FeedError):
    """A frame that is not what Binance sends (bad JSON, wrong types, negative size...)."""


def _levels(inst: Instrument, rows: Any) -> tuple[Level, ...]:
    if type(rows) is not list:
        raise DecodeError(f"levels are not a list: {type(rows).__name__}")
    if len(rows) > MAX_LEVELS:
        raise DecodeError(f"{len(rows)} levels in one message")
    # Hot path: the whole side in one comprehension over the parse caches (a missing string is
    # parsed and stored by the cache itself; a value that is not a valid, non-negative multiple
    # of the step is a KeyError). Anything wrong goes the exact way, row by row, which raises
    # the precise error. A row that unpacks into two valid strings without being a list (a
    # two-character string, a two-key object) is caught by the type check.
    price, qty = inst.price, inst.qty
    pc, qc = price._cache, qty._cache
    native = accel.native
    if native is not None:  # the comprehension below in C (dom/core/_native.c), same result
        out = native.levels(rows, (price.mant, price.scale, qty.mant, qty.scale, pc, qc))
        return out if out is not None else _levels_exact(inst, rows)
    if len(rows) <= _SHORT:
        return _levels_exact(inst, rows)  # (the comprehension's set-up costs more than it saves)
    try:
        out = [(pc[p], qc[q]) for p, q in rows]
    except (KeyError, TypeError, ValueError):
        return _levels_exact(inst, rows)
    if set(map(type, rows)) != _LISTS:
        return _levels_exact(inst, rows)
    return tuple(out)


_SHORT = 10
# BookDelta's slot descriptors in field order, for the C accelerator's ``depth`` (the event the
# constructor gives, without its Python frame); None if its fields are not the ones passed.
_DELTA_MEMBERS = (tuple(getattr(BookDelta, f.name) for f in fields(BookDelta))
                  if tuple(f.name for f in fields(BookDelta)) == ("symbol", "bids", "asks", "first_id", "last_id",
                                                                   "prev_id", "ts_exchange_ns", "ts_recv_ns",
                                                                   "checksum") else None)
_LISTS = frozenset((list,))


def _members(cls: type, names: tuple[str, ...]) -> tuple | None:
    """The class's slot descriptors in field order when its fields are ``names``, else None."""
    return tuple(getattr(cls, f.name) for f in fields(cls)) if tuple(f.name for f in fields(cls)) == names else None


# For the C accelerator's ``event`` (the usual bookTicker and trade objects in one call).
_TICKER_MEMBERS = _members(BookTicker, ("symbol", "update_id", "bid_px", "bid_qty", "ask_px", "ask_qty",
                                        "ts_exchange_ns", "ts_recv_ns"))
_TRADE_MEMBERS = _members(Trade, ("symbol", "px_ticks", "qty_lots", "taker", "trade_id", "ts_exchange_ns",
                                  "ts_recv_ns", "first_id", "last_id"))


def _spec(inst: Instrument) -> tuple:
    """An instrument's steps and parse caches as the C accelerator takes them."""
    p, q = inst.price, inst.qty
    return (p.mant, p.scale, q.mant, q.scale, p._cache, q._cache)


def _levels_exact(inst: Instrument, rows: list) -> tuple[Level, ...]:
    price, qty = inst.price, inst.qty
    pc, qc = price._cache, qty._cache
    out = []
    for row in rows:
        if type(row) is not list or len(row) != 2:
            raise DecodeError(f"a level is not a [price, size] pair: {str(row)[:60]}")
        p, q = row
        a = pc.get(p)
        if a is None:
            a = price.to_int(p)
            if a < 0:
                raise DecodeError(f"negative price {p!r}")
        b = qc.get(q)
        if b is None:
            b = qty.to_int(q)
            if b < 0:
                raise DecodeError(f"negative size {q!r} at {p!r}")
        out.append((a, b))
    return tuple(out)


def _pos_int(msg: dict, key: str) -> int:
    v = msg[key]
    if type(v) is not int or not 0 <= v < MAX_ID:
        raise DecodeError(f"field {key!r} is not an id: {str(v)[:60]!r}")
    return v


def _opt_id(msg: dict, key: str) -> int:
    """An optional id (``pu``, aggTrade ``f``/``l``): -1 when absent."""
    v = msg.get(key, -1)
    if type(v) is not int or not -1 <= v < MAX_ID:
        raise DecodeError(f"field {key!r} is not an id: {str(v)[:60]!r}")
    return v


def _ms(msg: dict, *keys: str) -> int:
    """The first of ``keys`` present and non-zero, as exchange time in ns (0 if none)."""
    for k in keys:
        v = msg.get(k)
        if v is None or v == 0:
            continue
        if type(v) is not int or not 0 < v < MAX_MS:
            raise DecodeError(f"field {k!r} is not a time in ms: {str(v)[:60]!r}")
        return v * _MS
    return 0


def _text(msg: dict, key: str, default: str | None = None) -> str:
    v = msg.get(key, default)
    if type(v) is not str or not v or len(v) > 40:
        raise DecodeError(f"field {key!r} is not a decimal string: {str(v)[:60]!r}")
    return v


class BinanceDecoder:
    """Decodes frames for a set of instruments (keyed by upper-case symbol)."""

    def __init__(self, instruments: dict[str, Instrument], raw_trades: bool = True) -> None:
        """``raw_trades=False``: ``trade`` events (the per-fill stream) decode to nothing, for a
        feed whose trades come as ``aggTrade`` and records the raw stream only for others."""
        self.instruments = {k.upper(): v for k, v in instruments.items()}
        self.raw_trades = raw_trades
        self.unknown_symbols: dict[str, int] = {}
        # symbol -> (instrument, its steps and parse caches as the C accelerator takes them)
        self._specs: dict[str, tuple[Instrument, tuple]] = {}
        # The C accelerator's ``event``: symbol -> (instrument, its symbol, that spec), and the
        # classes it builds (None: it is not used).
        self._table = {sym: (inst, inst.symbol, _spec(inst)) for sym, inst in self.instruments.items()}
        self._kinds = ((BookTicker, _TICKER_MEMBERS, Trade, _TRADE_MEMBERS, TakerSide.SELL, TakerSide.BUY,
                        bool(raw_trades)) if _TICKER_MEMBERS is not None and _TRADE_MEMBERS is not None else None)
        # What the C accelerator's ``frame`` builds a depthUpdate frame into (None: it leaves them to
        # orjson and ``_depth``).
        self._depth_kind = (BookDelta, _DELTA_MEMBERS) if _DELTA_MEMBERS is not None else None

    def frame_args(self) -> tuple | None:
        """``(table, instruments, kinds, depth)``: what the C accelerator's ``rpl_lines`` takes
        after a recording's lines to give what :meth:`decode` gives for the usual bookTicker,
        trade and depthUpdate frame (``depth`` None: not the depth frames); None when ``decode``
        does not use the accelerator."""
        if self._kinds is None or type(self).decode is not BinanceDecoder.decode:
            return None
        depth = (BookDelta, _DELTA_MEMBERS) if _DELTA_MEMBERS is not None else None
        return self._table, self.instruments, self._kinds, depth

    # ------------------------------------------------------------------------------ frames
    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        """One websocket frame (raw or combined envelope) -> zero or more events."""
        native = accel.native
        if native is not None and self._kinds is not None and type(raw) is bytes:
            # The usual bookTicker / trade / depthUpdate read from its bytes in C (what the lines
            # below give, without orjson's objects); None: anything else, parsed below.
            out = native.frame(raw, self._table, self.instruments, self._kinds, recv_ns, self._depth_kind)
            if out is not None:
                return out
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"invalid JSON: {e}") from None
        if type(msg) is dict:  # decode_obj's usual case, one call less
            if "stream" in msg and "data" in msg:
                msg = msg["data"]
                if type(msg) is not dict:
                    return self.decode_obj(msg, recv_ns)
            if native is not None and self._kinds is not None:
                # The usual bookTicker / trade in one C call (what _event gives); None: anything else.
                out = native.event(msg, self._table, self.instruments, self._kinds, recv_ns)
                if out is not None:
                    return out
            return self._event(msg, recv_ns)
        return self.decode_obj(msg, recv_ns)

    def decode_obj(self, msg: Any, recv_ns: int) -> list[Event]:
        """A parsed frame: one event object, an array of them (``!markPrice@arr``), or either in
        a combined-stream envelope. Anything else (deeper nesting included) is a DecodeError."""
        if type(msg) is dict and "stream" in msg and "data" in msg:
            msg = msg["data"]
        if type(msg) is list:
            if len(msg) > MAX_LEVELS:
                raise DecodeError(f"an array of {len(msg)} events")
            out: list[Event] = []
            for m in msg:
                if type(m) is not dict:
                    raise DecodeError(f"an array item is not an event: {type(m).__name__}")
                out += self._event(m, recv_ns)
            return out
        if type(msg) is not dict:
            raise DecodeError(f"frame is not a JSON object: {type(msg).__name__}")
        return self._event(msg, recv_ns)

    def _event(self, msg: dict, recv_ns: int) -> list[Event]:
        if "lastUpdateId" in msg and "bids" in msg:
            raise DecodeError("a REST snapshot needs its symbol: use decode_snapshot()")
        try:
            e = msg.get("e")
            if e == "depthUpdate":
                return self._depth(msg, recv_ns)
            if e == "aggTrade" or (e == "trade" and self.raw_trades):
                return self._trade(msg, recv_ns, agg=(e == "aggTrade"))
            if e == "bookTicker" or (e is None and "b" in msg and "A" in msg and "u" in msg):
                return self._ticker(msg, recv_ns)
            if e == "markPriceUpdate":
                return self._mark(msg, recv_ns)
        except DecodeError:
            raise
        except UnitsError as exc:
            raise DecodeError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - whatever a hostile frame trips is a bad frame
            raise DecodeError(f"malformed {str(msg.get('e', 'frame'))[:40]}: {type(exc).__name__} {str(exc)[:80]}") from None
        return []

    def _inst(self, msg: dict) -> Instrument | None:
        sym = msg["s"]
        if type(sym) is not str:
            raise DecodeError(f"field 's' is not a symbol: {str(sym)[:60]!r}")
        inst = self.instruments.get(sym)
        if inst is None and len(self.unknown_symbols) < 1000:
            self.unknown_symbols[sym[:40]] = self.unknown_symbols.get(sym[:40], 0) + 1
        return inst

    def _depth(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        native = accel.native
        if native is not None and _DELTA_MEMBERS is not None:
            spec = self._specs.get(inst.symbol)
            if spec is None or spec[0] is not inst:
                spec = self._specs[inst.symbol] = (inst, _spec(inst))
            # The usual frame in one C call (what the branch below gives); None: anything else.
            d = native.depth(m, spec[1], BookDelta, _DELTA_MEMBERS, inst.symbol, recv_ns)
            if d is not None:
                return [d]
        first, last, prev, t = m.get("U"), m.get("u"), m.get("pu", -1), m.get("T")
        if (type(first) is int and type(last) is int and type(prev) is int and type(t) is int
                and 0 <= first <= last < MAX_ID and -1 <= prev < MAX_ID and 0 < t < MAX_MS):
            # The usual frame, every id and the time valid: what the checks below would give (with
            # the C accelerator, only a frame native.depth did not take gets here: a side it
            # declined, which _levels parses the exact way).
            return [BookDelta(inst.symbol, _levels(inst, m["b"]), _levels(inst, m["a"]), first, last, prev, t * _MS,
                              recv_ns)]
        first, last = _pos_int(m, "U"), _pos_int(m, "u")
        if first > last:
            raise DecodeError(f"depth update ids run backwards: U {first} > u {last}")
        return [BookDelta(inst.symbol, _levels(inst, m["b"]), _levels(inst, m["a"]), first, last,
                          _opt_id(m, "pu"), _ms(m, "T", "E"), recv_ns)]

    def _trade(self, m: dict, recv_ns: int, agg: bool) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        try:  # both strings in the parse caches (which hold only valid values), else the exact way
            q, px = inst.qty._cache[m["q"]], inst.price._cache[m["p"]]
        except (KeyError, TypeError):
            q, px = inst.qty.to_int(_text(m, "q")), -1
        if q <= 0:
            raise DecodeError(f"non-positive trade size {m['q']!r}")
        if px < 0:
            px = inst.price.to_int(_text(m, "p"))
        if px <= 0:
            raise DecodeError(f"non-positive trade price {m['p']!r}")
        buyer_maker = m["m"]
        if type(buyer_maker) is not bool:
            raise DecodeError(f"field 'm' is not a boolean: {str(buyer_maker)[:40]!r}")
        if agg:
            tid, first, last = _pos_int(m, "a"), _opt_id(m, "f"), _opt_id(m, "l")
        else:
            tid = _pos_int(m, "t")
            first = last = tid
        return [Trade(inst.symbol, px, q, TakerSide.SELL if buyer_maker else TakerSide.BUY, tid,
                      _ms(m, "T", "E"), recv_ns, first, last)]

    def _ticker(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        uid, t = m.get("u"), m.get("T")
        if type(uid) is int and type(t) is int and 0 <= uid < MAX_ID and 0 < t < MAX_MS:
            pc, qc = inst.price._cache, inst.qty._cache
            try:  # the usual frame: the four strings through the parse caches (valid values only)
                return [BookTicker(inst.symbol, uid, pc[m["b"]], qc[m["B"]], pc[m["a"]], qc[m["A"]], t * _MS,
                                   recv_ns)]
            except (KeyError, TypeError):
                pass  # the exact way below says what is wrong
        uid = _pos_int(m, "u")
        # The two quotes read as two depth levels (negative prices and sizes refused there).
        (bp, bq), (ap, aq) = _levels_exact(inst, [[_text(m, "b"), _text(m, "B")], [_text(m, "a"), _text(m, "A")]])
        return [BookTicker(inst.symbol, uid, bp, bq, ap, aq, _ms(m, "T", "E"), recv_ns)]

    def _mark(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        # Mark and index prices carry more decimals than the tick; round to the nearest tick
        # for display (they are context, not book state).
        mark = _text(m, "p")
        rate = m.get("r") or "0"
        return [MarkPrice(inst.symbol, _round_ticks(inst, mark), _round_ticks(inst, _text(m, "i", mark)),
                          _RATE.to_int(_trim(_text({"r": rate}, "r"), 8)), _ms(m, "T"), _ms(m, "E"), recv_ns)]

    # ---------------------------------------------------------------------------- snapshots
    def decode_snapshot(self, symbol: str, raw: bytes | str | dict, recv_ns: int) -> BookSnapshot:
        """A REST depth response body (``{"lastUpdateId", "bids", "asks"}``) for ``symbol``."""
        inst = self.instruments.get(symbol.upper())
        if inst is None:
            raise DecodeError(f"unknown symbol {symbol!r}")
        try:
            m = raw if isinstance(raw, dict) else orjson.loads(raw)
            if type(m) is not dict:
                raise DecodeError(f"snapshot is not a JSON object: {type(m).__name__}")
            return BookSnapshot(inst.symbol, _levels(inst, m["bids"]), _levels(inst, m["asks"]),
                                _pos_int(m, "lastUpdateId"), _ms(m, "T", "E"), recv_ns)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"invalid JSON in snapshot: {e}") from None
        except DecodeError:
            raise
        except UnitsError as exc:
            raise DecodeError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a hostile body is a bad snapshot
            raise DecodeError(f"malformed snapshot: {type(exc).__name__} {str(exc)[:80]}") from None


def _trim(text: str, places: int) -> str:
    """Cut a decimal string to ``places`` decimals (funding rates carry 8)."""
    head, dot, frac = text.partition(".")
    return head + dot + frac[:places] if dot else text


def _round_ticks(inst: Instrument, text: str) -> int:
    """A mark or index price to the nearest tick (they carry more decimals than the tick)."""
    from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

    try:
        d = Decimal(text)
    except InvalidOperation:
        raise DecodeError(f"not a price: {text[:40]!r}") from None
    if not d.is_finite() or d <= 0 or not -40 <= d.as_tuple().exponent <= 40:
        raise DecodeError(f"not a price: {text[:40]!r}")
    return int((d / Decimal(inst.tick_size)).to_integral_value(rounding=ROUND_HALF_EVEN))


# ------------------------------------------------------------------------------------ encoding
# What the built-in market publishes, in Binance USDⓈ-M's exact shapes (decode(encode(x)) == x).
# Prices and sizes come in as the instrument's decimal strings.

def depth_stream(symbol: str, depth_ms: int) -> str:
    return symbol.lower() + ("@depth" if depth_ms == 250 else f"@depth@{depth_ms}ms")


def agg_trade_stream(symbol: str) -> str:
    return symbol.lower() + "@aggTrade"


def trade_stream(symbol: str) -> str:
    return symbol.lower() + "@trade"


def book_ticker_stream(symbol: str) -> str:
    return symbol.lower() + "@bookTicker"


def mark_price_stream(symbol: str) -> str:
    return symbol.lower() + "@markPrice@1s"


# The all-market streams and the endpoint that serves each (``/public`` or ``/market``).
ALL_BOOK_TICKER = "!bookTicker"
ALL_MARK_PRICE = "!markPrice@arr@1s"
ALL_MARK_PRICE_PLAIN = "!markPrice@arr"
ALL_TICKER = "!ticker@arr"
ALL_MINI_TICKER = "!miniTicker@arr"  # (what ccxt.pro's watch_tickers() asks for by default)
ALL_MARKET_STREAMS = {ALL_BOOK_TICKER: "public", ALL_MARK_PRICE: "market", ALL_MARK_PRICE_PLAIN: "market",
                      ALL_TICKER: "market", ALL_MINI_TICKER: "market"}
