"""What travels on the bus, as bytes: dom's normalized events in compact JSON. Pure.

A collector publishes, per symbol, what its engine *applied* (after the venue's sequence ids
and checksums were checked), renumbered with its own gap-free sequence, so one rule serves every
venue behind it (Binance's ``pu``: each update names the one before it):

    dom.<venue>.<symbol>.book     {"s": seq, "p": prev, "t": exch_ns, "r": recv_ns,
                                   "b": [[px, qty], ...], "a": [...]}      (px, qty: ticks, lots)
                                  plus "snap": 1 when it is the whole book (a resync)
    dom.<venue>.<symbol>.trades   {"p", "q", "side": "buy"|"sell", "i": id, "f", "l", "t", "r"}
    dom.<venue>.<symbol>.status   {"state": FeedState value, "detail", "t", "r"}
    dom.<venue>.<symbol>.context  {"mark", "index", "rate_e8", "next", "t", "r"}

The key-value bucket holds each symbol's latest whole book with its instrument (``snapshot``):
a consumer that joins late reads it and continues with the updates after its ``s``. A
collector's sequence starts at its start time in nanoseconds, so a restarted collector's numbers
never run into its predecessor's: the consumer sees a gap and reads the bucket again.

JSON rather than a binary form: any NATS client and ``nats sub`` read it, orjson writes and
reads it at a few microseconds a message, and a 100 ms book update of ~10 levels is ~150 bytes
(docs/BUS.md has the figures). Everything read from the bus is checked as hostile input:
a bad message is a :class:`DecodeError`, counted by the client, never a crash.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from dom.core import wire
from dom.core.types import BookDelta, BookSnapshot, Event, FeedState, FeedStatus, Level, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError

VERSION = 1
I63 = 1 << 63
KINDS = ("book", "trades", "status", "context")
_SIDES = {"buy": TakerSide.BUY, "sell": TakerSide.SELL}
_STATES = {s.value: s for s in FeedState}
MAX_BYTES = 8 << 20


def _levels(rows: Any, what: str) -> tuple[Level, ...]:
    rows = wire.rows(rows, what, 1 << 17)
    out = []
    for r in rows:
        if type(r) is not list or len(r) != 2:
            raise DecodeError(f"{what}: a level is not [price, size]")
        px, q = r
        if type(px) is not int or type(q) is not int or not (0 < px < I63 and 0 <= q < I63):
            raise DecodeError(f"{what}: level {wire._show(r)} is not two integers in range")
        out.append((px, q))
    return tuple(out)


def _int(d: dict, key: str, lo: int = 0) -> int:
    v = d.get(key)
    if type(v) is not int or not lo <= v < I63:
        raise DecodeError(f"field {key!r} is not an integer in range: {wire._show(v)}")
    return v


def _obj(data: bytes) -> dict:
    if len(data) > MAX_BYTES:
        raise DecodeError(f"message of {len(data)} bytes")
    msg = wire.loads(data, orjson.loads)
    if type(msg) is not dict:
        raise DecodeError(f"message is not a JSON object: {type(msg).__name__}")
    return msg


def shard_of(symbol: str, n: int) -> int:
    """The collector shard (of ``n``) that owns ``symbol``: CRC-32 of its name, stable across
    runs, machines and Python versions (``hash`` is salted per process)."""
    return zlib.crc32(symbol.encode()) % n


# ----------------------------------------------------------------------------------- encode
def book(seq: int, prev: int, ts_ns: int, recv_ns: int, bids: list, asks: list, snap: bool = False) -> bytes:
    doc: dict[str, Any] = {"s": seq, "p": prev, "t": ts_ns, "r": recv_ns, "b": bids, "a": asks}
    if snap:
        doc["snap"] = 1
    return orjson.dumps(doc)


def trade(t: Trade) -> bytes:
    return orjson.dumps({"p": t.px_ticks, "q": t.qty_lots, "side": t.taker.value, "i": t.trade_id,
                         "f": t.first_id, "l": t.last_id, "t": t.ts_exchange_ns, "r": t.ts_recv_ns})


def status(state: FeedState, detail: str, ts_ns: int, recv_ns: int) -> bytes:
    return orjson.dumps({"state": state.value, "detail": detail[:200], "t": ts_ns, "r": recv_ns})


def context(m: MarkPrice) -> bytes:
    return orjson.dumps({"mark": m.mark_px_ticks, "index": m.index_px_ticks, "rate_e8": m.funding_rate_e8,
                         "next": m.next_funding_ns, "t": m.ts_exchange_ns, "r": m.ts_recv_ns})


def instrument_doc(inst: Instrument) -> dict:
    return {"symbol": inst.symbol, "tick": inst.tick_size, "lot": inst.lot_size, "contract": inst.contract_size,
            "quote": inst.quote, "base": inst.base, "inverse": inst.inverse}


def snapshot(inst: Instrument, seq: int, ts_ns: int, recv_ns: int, bids: list, asks: list, shard: str) -> bytes:
    """The key-value entry: the whole book at ``seq`` and the instrument it is counted in."""
    return orjson.dumps({"v": VERSION, "inst": instrument_doc(inst), "s": seq, "t": ts_ns, "r": recv_ns,
                         "b": bids, "a": asks, "shard": shard})


# ----------------------------------------------------------------------------------- decode
def decode(kind: str, symbol: str, data: bytes, recv_ns: int | None = None) -> Event:
    """One message of ``dom.<venue>.<symbol>.<kind>`` -> a core event, received at ``recv_ns``
    (the consumer's clock; None keeps the collector's receive time from the message)."""
    d = _obj(data)
    if kind == "book":
        seq, prev = _int(d, "s"), _int(d, "p", -1)
        ts, recv = _int(d, "t"), _int(d, "r")
        recv = recv if recv_ns is None else recv_ns
        bids, asks = _levels(d.get("b"), "bids"), _levels(d.get("a"), "asks")
        if d.get("snap") == 1:
            return BookSnapshot(symbol, bids, asks, seq, ts, recv)
        return BookDelta(symbol, bids, asks, seq, seq, prev, ts, recv)
    if kind == "trades":
        v = d.get("side")
        side = _SIDES.get(v) if type(v) is str else None
        if side is None:
            raise DecodeError(f"unknown trade side {wire._show(d.get('side'))}")
        q = _int(d, "q", 1)
        recv = _int(d, "r")
        return Trade(symbol, _int(d, "p", 1), q, side, _int(d, "i", -1), _int(d, "t"),
                     recv if recv_ns is None else recv_ns, _int(d, "f", -1), _int(d, "l", -1))
    if kind == "status":
        v = d.get("state")
        state = _STATES.get(v) if type(v) is str else None
        detail = d.get("detail", "")
        if state is None or type(detail) is not str:
            raise DecodeError(f"bad status {wire._show(d.get('state'))}")
        return FeedStatus(symbol, state, detail[:200], _int(d, "t"), _int(d, "r"))
    if kind == "context":
        return MarkPrice(symbol, _int(d, "mark"), _int(d, "index"), _int(d, "rate_e8", -(1 << 62)),
                         _int(d, "next"), _int(d, "t"), _int(d, "r"))
    raise DecodeError(f"unknown kind {wire._show(kind)}")


def decode_snapshot(data: bytes) -> tuple[Instrument, BookSnapshot, str]:
    """A key-value entry -> (instrument, the book as a snapshot at its sequence, shard)."""
    d = _obj(data)
    if d.get("v") != VERSION:
        raise DecodeError(f"snapshot version {wire._show(d.get('v'))}, this dom reads {VERSION}")
    i = d.get("inst")
    if type(i) is not dict:
        raise DecodeError("snapshot without an instrument")
    sym = wire.text(i, "symbol")
    tick, lot, contract = i.get("tick"), i.get("lot"), i.get("contract", "1")
    if not (wire.is_plain(tick) and wire.is_plain(lot) and wire.is_plain(contract)):
        raise DecodeError(f"instrument {sym}: tick, lot or contract size is not a plain number")
    quote, base, inverse = i.get("quote", "USDT"), i.get("base", ""), i.get("inverse", False)
    if type(quote) is not str or type(base) is not str or type(inverse) is not bool or len(quote + base) > 64:
        raise DecodeError(f"instrument {sym}: bad quote, base or inverse")
    try:
        inst = Instrument(sym, tick, lot, contract_size=contract, quote=quote, base=base, inverse=inverse)
    except ValueError as e:
        raise DecodeError(f"instrument {sym}: {e}") from None
    shard = d.get("shard", "")
    snap = BookSnapshot(sym, _levels(d.get("b"), "bids"), _levels(d.get("a"), "asks"), _int(d, "s"),
                        _int(d, "t"), _int(d, "r"))
    return inst, snap, shard if type(shard) is str else ""
