"""OKX v5 public websocket <-> normalized events. The one place OKX field names live.

Channels: ``books`` / ``books-l2-tbt`` / ``books50-l2-tbt`` (``action`` snapshot or update;
``seqId``/``prevSeqId`` where sent; ``checksum``), ``trades`` / ``trades-all``, ``mark-price``
and ``funding-rate`` (merged per symbol into :class:`MarkPrice`). ``tickers`` (last price and a
top of book with no book id) and events (``subscribe``, ``error``...) decode to nothing; an
``error`` event is kept in :attr:`OkxDecoder.errors` for the client.

The ``checksum`` field is deprecated by OKX, which now sends 0 in it: 0 decodes as no checksum,
and the ``seqId`` chain is what checks a live book. Older streams (and cryptofeed's sample)
carry real checksums and no ids; both are handled.

The symbol is OKX's ``instId`` (``BTC-USDT``, ``BTC-USDT-SWAP``, ``BTC-USD-220527``). Sizes are
in contracts for swaps and futures (``ctVal`` each), in base currency for spot.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from dom.core import checksum as ck
from dom.core import wire
from dom.core.book import OrderBook
from dom.core.sequencer import Rule
from dom.core.types import BookDelta, BookSnapshot, Event, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument, Step
from dom.core.wire import DecodeError
from dom.errors import UnitsError
from dom.venues.okx.encode import book_checksum, encode_book, encode_mark, encode_trade

__all__ = ["OkxDecoder", "book_checksum", "book_message_checksum", "encode_book", "encode_mark",
           "encode_trade", "instruments_from_rest", "numbers", "verify"]

RULE = Rule.OKX
BOOK_CHANNELS = frozenset({"books", "books-l2-tbt", "books50-l2-tbt"})
TRADE_CHANNELS = frozenset({"trades", "trades-all"})
_SIDES = {"buy": TakerSide.BUY, "sell": TakerSide.SELL}
_MAX_ERRORS = 32
_I63, _I31 = 1 << 63, 1 << 31


def _steps(step: Step, text: str) -> int | None:
    """``wire.num`` for a string not read before, None where it raises."""
    if not wire.is_plain(text):
        return None
    try:
        return step.to_int(text)
    except UnitsError:
        return None


def _ms_ns(ts: str) -> int:
    """A time in ms as ``wire.ms_to_ns`` takes it from a string (ASCII digits, below 2**53), in
    ns; -1 for anything else."""
    if 0 < len(ts) <= 16 and ts.isascii() and ts.isdigit():
        ms = int(ts)
        if ms < 1 << 53:
            return ms * wire.MS
    return -1


_formats: dict[int, tuple[Instrument, ck.Formatter, ck.Formatter]] = {}  # id(inst) -> formatters


def verify(book: OrderBook, inst: Instrument, checksum: int) -> bool:
    """Does ``book`` match OKX's ``checksum``? (see :func:`book_checksum`; the same, with the
    instrument's formatters remembered and the calls inlined, as it runs per update)"""
    f = _formats.get(id(inst))
    if f is None or f[0] is not inst:
        if len(_formats) >= 4096:
            _formats.clear()
        f = _formats[id(inst)] = (inst, ck.cached(inst.price, None), ck.cached(inst.qty, None))
    c = zlib.crc32(ck.book_string(book, f[1], f[2]).encode())
    return (c - (1 << 32) if c >= 1 << 31 else c) == checksum


def book_message_checksum(msg: Any) -> tuple[str, int] | None:
    """``(instId, checksum)`` of a parsed OKX book message (a dict, as a client library holds
    it), else None: how dom verifies OKX books it does not decode itself (``ccxt:okx``)."""
    if type(msg) is not dict:
        return None
    arg, data = msg.get("arg"), msg.get("data")
    if type(arg) is not dict or type(data) is not list or not data:
        return None
    channel = arg.get("channel")
    if type(channel) is not str or channel not in BOOK_CHANNELS:
        return None
    inst, d = arg.get("instId"), data[-1]
    c = d.get("checksum") if type(d) is dict else None
    if type(inst) is not str or type(c) is not int or not -(1 << 31) <= c < 1 << 31:
        return None
    return inst, c


class OkxDecoder(wire.KnownSymbols):
    """Decodes frames for a set of instruments keyed by ``instId``."""

    def __init__(self, instruments: dict[str, Instrument]) -> None:
        self.instruments = dict(instruments)
        self.unknown_symbols: dict[str, int] = {}
        self.errors: list[str] = []
        self._marks: dict[str, list[int]] = {}  # instId -> [mark, index, rate_e8, next_ns]

    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        if (type(raw) is bytes or type(raw) is str) and len(raw) <= wire.MAX_FRAME:
            try:
                msg = orjson.loads(raw)
            except orjson.JSONDecodeError:
                msg = wire.loads(raw, orjson.loads)  # raises the DecodeError
        else:
            msg = wire.loads(raw, orjson.loads)
        if type(msg) is not dict:
            raise DecodeError(f"frame is not a JSON object: {type(msg).__name__}")
        # The frames that come by the thousand (book updates, trades) in their well-formed shape
        # are read inline below; anything else, or anything out of shape, goes the general way
        # (`_decode`), which reads it field by field and raises the DecodeError.
        arg, data = msg.get("arg"), msg.get("data")
        if type(arg) is dict and type(data) is list and len(data) == 1 and "event" not in msg:
            channel, d = arg.get("channel"), data[0]
            if channel == "trades" and type(d) is dict:
                t = self._trade_fast(d, recv_ns)
                if t is not None:
                    return [t]
            elif channel == "books" and type(d) is dict and msg.get("action") == "update":
                sym = arg.get("instId")
                inst = self.instruments.get(sym) if type(sym) is str else None
                if inst is not None:
                    ev = self._update_fast(inst, d, recv_ns)
                    if ev is not None:
                        return [ev]
        return self._decode(msg, recv_ns)

    def _decode(self, msg: dict, recv_ns: int) -> list[Event]:
        if "event" in msg:
            if msg["event"] == "error" and len(self.errors) < _MAX_ERRORS:
                self.errors.append(
                    wire._show(msg.get("msg")) + " code " + wire._show(msg.get("code"))
                )
            return []
        arg = wire.field(msg, "arg")
        channel = wire.text(arg, "channel")
        data = wire.rows(wire.field(msg, "data"), "data", 1000)
        if channel in BOOK_CHANNELS:
            inst = self._inst(wire.text(arg, "instId"))
            if inst is None:
                return []
            action = msg.get("action", "update")
            if action not in ("snapshot", "update"):
                raise DecodeError(f"unknown book action {wire._show(action)}")
            return [self._book(inst, d, action == "snapshot", recv_ns) for d in data]
        if channel in TRADE_CHANNELS:
            return [t for d in data if (t := self._trade(d, recv_ns)) is not None]
        if channel == "mark-price" or channel == "funding-rate":
            return [m for d in data if (m := self._mark(channel, d, recv_ns)) is not None]
        return []

    def _update_fast(self, inst: Instrument, d: dict, recv_ns: int) -> BookDelta | None:
        """A ``books`` update whose fields all have their usual types and ranges, else None
        (``_book`` then reads it, and says what is wrong). The levels are read by the same
        ``wire.levels`` as there."""
        rb, ra, ts = d.get("bids"), d.get("asks"), d.get("ts")
        if type(rb) is not list or type(ra) is not list or type(ts) is not str:
            return None
        ts_ns = _ms_ns(ts)
        if ts_ns < 0:
            return None
        cs, seq, prev = d.get("checksum"), d.get("seqId"), d.get("prevSeqId")
        if type(cs) is int:
            if not -_I31 <= cs < _I31:
                return None
            cs = cs or None  # 0: no checksum (see _book)
        elif cs is not None:
            return None
        if seq is None:
            seq = -1
        elif type(seq) is not int or not 0 <= seq < _I63:
            return None
        if prev is None:
            prev = -1
        elif type(prev) is not int or not -1 <= prev < _I63:
            return None
        return BookDelta(inst.symbol, wire.levels(inst, rb), wire.levels(inst, ra), seq, seq, prev,
                         ts_ns, recv_ns, cs)

    def _trade_fast(self, d: dict, recv_ns: int) -> Trade | None:
        """A trade whose fields all have their usual types and ranges, else None (``_trade`` then
        reads it, and says what is wrong)."""
        sym, side, tid, ts = d.get("instId"), d.get("side"), d.get("tradeId"), d.get("ts")
        if type(sym) is not str or type(side) is not str or type(tid) is not str or type(ts) is not str:
            return None
        inst, side = self.instruments.get(sym), _SIDES.get(side)
        if inst is None or side is None:
            return None
        px, sz = d.get("px"), d.get("sz")
        if type(px) is not str or type(sz) is not str:
            return None
        p = inst.price._cache.get(px)
        if p is None:
            p = _steps(inst.price, px)
        qs = inst.qty
        if (qs.mant == 1 and qs.scale == 0 and sz.isdigit() and sz.isascii()
                and len(sz) <= wire.MAX_NUM_LEN):
            q = int(sz)  # whole contracts: as wire.levels reads them
        else:
            q = qs._cache.get(sz)
            if q is None:
                q = _steps(qs, sz)
        if not p or not q or not 0 < len(tid) <= 20 or not tid.isascii() or not tid.isdigit():
            return None
        t, ts_ns = int(tid), _ms_ns(ts)
        if t >= _I63 or ts_ns < 0:
            return None
        return Trade(inst.symbol, p, q, side, t, ts_ns, recv_ns, t, t)

    def _book(self, inst: Instrument, d: Any, snapshot: bool, recv_ns: int) -> Event:
        bids, asks = wire.levels(inst, wire.field(d, "bids")), wire.levels(inst, wire.field(d, "asks"))
        ts = wire.ms_to_ns(wire.field(d, "ts"))
        cs = d.get("checksum")
        # OKX has deprecated the field and now sends 0 on every frame: 0 means "no checksum"
        # (a real one is 0 once in 2**32 messages; skipping that one check costs nothing).
        cs = None if cs is None or cs == 0 else wire.checksum32(cs)
        seq = d.get("seqId")
        seq = -1 if seq is None else wire.integer(seq, "seqId")
        if snapshot:
            return BookSnapshot(inst.symbol, bids, asks, seq, ts, recv_ns, cs)
        prev = d.get("prevSeqId")
        prev = -1 if prev is None else wire.integer(prev, "prevSeqId", -1)
        return BookDelta(inst.symbol, bids, asks, seq, seq, prev, ts, recv_ns, cs)

    def _trade(self, d: Any, recv_ns: int) -> Trade | None:
        inst = self._inst(wire.text(d, "instId"))
        if inst is None:
            return None
        side = _SIDES.get(wire.text(d, "side"))
        if side is None:
            raise DecodeError(f"unknown trade side {wire._show(d['side'])}")
        q = wire.num(inst.qty, wire.field(d, "sz"), "trade size")
        if q <= 0:
            raise DecodeError("trade of size 0")
        tid = wire.integer(wire.field(d, "tradeId"), "tradeId")
        return Trade(
            inst.symbol,
            wire.positive(inst.price, wire.field(d, "px"), "trade price"),
            q,
            side,
            tid,
            wire.ms_to_ns(wire.field(d, "ts")),
            recv_ns,
            tid,
            tid,
        )

    def _mark(self, channel: str, d: Any, recv_ns: int) -> MarkPrice | None:
        inst = self._inst(wire.text(d, "instId"))
        if inst is None:
            return None
        m = self._marks.setdefault(inst.symbol, [0, 0, 0, 0])
        if channel == "mark-price":
            m[0] = wire.round_ticks(inst, wire.field(d, "markPx"), "markPx")
            ts = wire.ms_to_ns(wire.field(d, "ts"))
        else:
            m[2] = wire.rate_e8(wire.field(d, "fundingRate"), "fundingRate")
            m[3] = wire.ms_to_ns(wire.field(d, "fundingTime"), "fundingTime")
            ts = wire.ms_to_ns(d["ts"]) if "ts" in d else 0
        return MarkPrice(inst.symbol, m[0], m[1], m[2], m[3], ts, recv_ns)


# -------------------------------------------------------------------------------- instruments
def instruments_from_rest(body: bytes | str | dict) -> dict[str, Instrument]:
    """``GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES`` -> instruments by instId.

    Spot sizes are in base currency (contract size 1); a swap's or future's size is a number of
    contracts worth ``ctVal`` of ``ctValCcy`` each: for a linear contract that is base currency
    (0.01 BTC), for an inverse one quote currency (100 USD), marked ``inverse``. Rows that are
    not well-formed are skipped, not guessed.
    """
    msg = body if isinstance(body, dict) else wire.loads(body, orjson.loads)
    out: dict[str, Instrument] = {}
    rows = msg.get("data") if type(msg) is dict else None
    for r in rows if type(rows) is list else []:
        if type(r) is not dict:
            continue
        inst_id, tick, lot = r.get("instId"), r.get("tickSz"), r.get("lotSz")
        if not (
            type(inst_id) is str
            and 0 < len(inst_id) <= wire.MAX_TEXT_LEN
            and wire.is_plain(tick)
            and wire.is_plain(lot)
        ):
            continue
        family = r.get("instFamily") or r.get("uly") or ""
        fam_base, _, fam_quote = family.partition("-") if type(family) is str else ("", "", "")
        kind = r.get("instType")
        ct_val = r.get("ctVal")
        inverse = r.get("ctType") == "inverse"
        try:
            out[inst_id] = Instrument(
                inst_id,
                tick,
                lot,
                contract_size=ct_val if kind != "SPOT" and wire.is_plain(ct_val) else "1",
                quote=(r.get("quoteCcy") or fam_quote or "USDT")
                if kind == "SPOT" or not inverse
                else (r.get("ctValCcy") or fam_quote),
                base=r.get("baseCcy") or fam_base,
                inverse=inverse,
            )
        except ValueError:
            continue
    return out


def numbers(msg: Any):
    """``(instId, price, size)`` strings of a decoded frame's book levels and trades, unchecked
    (for inferring the decimals of a recording that carries no instrument list)."""
    if (
        type(msg) is not dict
        or type(msg.get("arg")) is not dict
        or type(msg.get("data")) is not list
    ):
        return
    sym, channel = msg["arg"].get("instId"), msg["arg"].get("channel")
    for d in msg["data"]:
        if type(d) is not dict:
            continue
        if channel in BOOK_CHANNELS:
            for key in ("bids", "asks"):
                for row in d.get(key) or ():
                    if type(row) is list and len(row) >= 2:
                        yield sym, row[0], row[1]
        elif channel in TRADE_CHANNELS:
            yield d.get("instId"), d.get("px"), d.get("sz")
