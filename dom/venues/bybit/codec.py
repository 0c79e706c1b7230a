"""Bybit v5 public websocket <-> normalized events. The one place Bybit field names live.

Topics: ``orderbook.{depth}.{symbol}`` (``type`` snapshot or delta, ``u`` the book's update id,
``seq`` the matching engine's cross-sequence, ``cts`` the matching time), ``publicTrade.{symbol}``
and ``tickers.{symbol}`` (mark, index, funding: a delta carries only what changed, so the decoder
merges per symbol). Operation replies (``subscribe``, ``pong``) decode to nothing.

A book message with ``u == 1`` is a snapshot whatever its ``type`` says: Bybit restarted its
service and the book starts over. Bybit sends no checksum: the ``u`` chain (+1 per message, see
``dom.core.sequencer``) and the crossed-book check are what there is.

The symbol is Bybit's (``BTCUSDT``, ``BTCUSD`` inverse, ``BTC-27DEC24`` futures). A linear
contract's size is in base currency; an inverse one's in USD contracts (``inverse``).
"""

from __future__ import annotations

from typing import Any

import orjson

from dom.core import wire
from dom.core.sequencer import Rule
from dom.core.types import BookDelta, BookSnapshot, Event, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError

RULE = Rule.BYBIT
_SIDES = {"Buy": TakerSide.BUY, "Sell": TakerSide.SELL}
_HEX = frozenset("0123456789abcdefABCDEF")


def trade_id(v: Any) -> int:
    """Bybit trade ids are decimal on spot and UUIDs on derivatives: both as one integer."""
    if type(v) is str and 0 < len(v) <= 40 and v.isascii():
        if v.isdigit():
            return int(v)
        h = v.replace("-", "")
        if len(h) == 32 and set(h) <= _HEX:
            return int(h, 16)
    raise DecodeError(f"trade id is neither decimal nor a UUID: {wire._show(v)}")


class BybitDecoder(wire.KnownSymbols):
    """Decodes frames for a set of instruments keyed by Bybit symbol."""

    def __init__(self, instruments: dict[str, Instrument]) -> None:
        self.instruments = dict(instruments)
        self.unknown_symbols: dict[str, int] = {}
        self._marks: dict[str, list[int]] = {}  # symbol -> [mark, index, rate_e8, next_ns]

    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        msg = wire.loads(raw, orjson.loads)
        if type(msg) is not dict:
            raise DecodeError(f"frame is not a JSON object: {type(msg).__name__}")
        if "topic" not in msg:
            return []  # {"success":true,"op":"subscribe"}, {"op":"pong"}...
        topic = wire.text(msg, "topic")
        kind = topic.partition(".")[0]
        if kind == "orderbook":
            return self._book(msg, recv_ns)
        if kind == "publicTrade":
            return self._trades(msg, recv_ns)
        if kind == "tickers":
            return self._ticker(msg, recv_ns)
        return []

    def _book(self, msg: dict, recv_ns: int) -> list[Event]:
        d = wire.field(msg, "data")
        inst = self._inst(wire.text(d, "s"))
        if inst is None:
            return []
        typ = wire.field(msg, "type")
        if typ not in ("snapshot", "delta"):
            raise DecodeError(f"unknown book message type {wire._show(typ)}")
        bids = wire.levels(inst, wire.field(d, "b"))
        asks = wire.levels(inst, wire.field(d, "a"))
        u = wire.integer(wire.field(d, "u"), "u")
        ts = wire.ms_to_ns(msg["cts"] if "cts" in msg else wire.field(msg, "ts"))
        if typ == "snapshot" or u == 1:
            return [BookSnapshot(inst.symbol, bids, asks, u, ts, recv_ns)]
        return [BookDelta(inst.symbol, bids, asks, u, u, -1, ts, recv_ns)]

    def _trades(self, msg: dict, recv_ns: int) -> list[Event]:
        out: list[Event] = []
        for d in wire.rows(wire.field(msg, "data"), "data", 10_000):
            inst = self._inst(wire.text(d, "s"))
            if inst is None:
                continue
            side = _SIDES.get(wire.text(d, "S"))
            if side is None:
                raise DecodeError(f"unknown trade side {wire._show(d['S'])}")
            q = wire.num(inst.qty, wire.field(d, "v"), "trade size")
            if q <= 0:
                raise DecodeError("trade of size 0")
            tid = trade_id(wire.field(d, "i"))
            out.append(
                Trade(
                    inst.symbol,
                    wire.positive(inst.price, wire.field(d, "p"), "trade price"),
                    q,
                    side,
                    tid,
                    wire.ms_to_ns(wire.field(d, "T")),
                    recv_ns,
                    tid,
                    tid,
                )
            )
        return out

    def _ticker(self, msg: dict, recv_ns: int) -> list[Event]:
        d = wire.field(msg, "data")
        inst = self._inst(wire.text(d, "symbol"))
        if inst is None:
            return []
        if msg.get("type") == "snapshot" and "markPrice" not in d:
            return []  # spot tickers: no mark or funding
        m = self._marks.setdefault(inst.symbol, [0, 0, 0, 0])
        if not any(k in d for k in ("markPrice", "indexPrice", "fundingRate", "nextFundingTime")):
            return []
        if "markPrice" in d:
            m[0] = wire.round_ticks(inst, d["markPrice"], "markPrice")
        if "indexPrice" in d:
            m[1] = wire.round_ticks(inst, d["indexPrice"], "indexPrice")
        if "fundingRate" in d:
            m[2] = wire.rate_e8(d["fundingRate"], "fundingRate")
        if "nextFundingTime" in d:
            m[3] = wire.ms_to_ns(d["nextFundingTime"], "nextFundingTime")
        return [
            MarkPrice(
                inst.symbol, m[0], m[1], m[2], m[3], wire.ms_to_ns(wire.field(msg, "ts")), recv_ns
            )
        ]


# ------------------------------------------------------------------------------------ encode
def encode_book(
    ev: BookSnapshot | BookDelta, inst: Instrument, depth: int = 500, seq: int = 0
) -> bytes:
    ms = ev.ts_exchange_ns // wire.MS
    px, sz = inst.px_str, inst.qty_str
    return orjson.dumps(
        {
            "topic": f"orderbook.{depth}.{inst.symbol}",
            "type": "snapshot" if isinstance(ev, BookSnapshot) else "delta",
            "ts": ms,
            "data": {
                "s": inst.symbol,
                "b": [[px(p), sz(q)] for p, q in ev.bids],
                "a": [[px(p), sz(q)] for p, q in ev.asks],
                "u": ev.last_id,
                "seq": seq,
            },
            "cts": ms,
        }
    )


def encode_trade(t: Trade, inst: Instrument) -> bytes:
    ms = t.ts_exchange_ns // wire.MS
    return orjson.dumps(
        {
            "topic": f"publicTrade.{inst.symbol}",
            "type": "snapshot",
            "ts": ms,
            "data": [
                {
                    "T": ms,
                    "s": inst.symbol,
                    "S": "Buy" if t.taker is TakerSide.BUY else "Sell",
                    "v": inst.qty_str(t.qty_lots),
                    "p": inst.px_str(t.px_ticks),
                    "i": str(t.trade_id),
                    "BT": False,
                }
            ],
        }
    )


def encode_mark(m: MarkPrice, inst: Instrument) -> bytes:
    rate = wire.RATE.to_str(abs(m.funding_rate_e8))
    return orjson.dumps(
        {
            "topic": f"tickers.{inst.symbol}",
            "type": "snapshot",
            "data": {
                "symbol": inst.symbol,
                "markPrice": inst.px_str(m.mark_px_ticks),
                "indexPrice": inst.px_str(m.index_px_ticks),
                "fundingRate": ("-" if m.funding_rate_e8 < 0 else "") + rate,
                "nextFundingTime": str(m.next_funding_ns // wire.MS),
            },
            "cs": 0,
            "ts": m.ts_exchange_ns // wire.MS,
        }
    )


# -------------------------------------------------------------------------------- instruments
def instruments_from_rest(body: bytes | str | dict) -> dict[str, Instrument]:
    """``GET /v5/market/instruments-info?category=linear|inverse|spot`` -> instruments by symbol.

    Linear and spot sizes are in base currency; inverse ones (``contractType`` Inverse...) in
    contracts of 1 USD, marked ``inverse``. Ill-formed rows are skipped, not guessed.
    """
    msg = body if isinstance(body, dict) else wire.loads(body, orjson.loads)
    result = msg.get("result") if type(msg) is dict else None
    rows = result.get("list") if type(result) is dict else None
    out: dict[str, Instrument] = {}
    for r in rows if type(rows) is list else []:
        if type(r) is not dict:
            continue
        sym = r.get("symbol")
        pf, lf = r.get("priceFilter"), r.get("lotSizeFilter")
        if (
            type(sym) is not str
            or not 0 < len(sym) <= wire.MAX_TEXT_LEN
            or type(pf) is not dict
            or type(lf) is not dict
        ):
            continue
        tick, lot = pf.get("tickSize"), lf.get("qtyStep") or lf.get("basePrecision")
        if not (wire.is_plain(tick) and wire.is_plain(lot)):
            continue
        inverse = str(r.get("contractType", "")).startswith("Inverse")
        try:
            out[sym] = Instrument(
                sym,
                tick,
                lot,
                "1",
                quote=r.get("quoteCoin") or "USDT",
                base=r.get("baseCoin") or "",
                inverse=inverse,
            )
        except ValueError:
            continue
    return out


def numbers(msg: Any):
    """``(symbol, price, size)`` strings of a decoded frame's book levels and trades, unchecked
    (for inferring the decimals of a recording that carries no instrument list)."""
    if type(msg) is not dict or type(msg.get("topic")) is not str:
        return
    d = msg.get("data")
    if msg["topic"].startswith("orderbook.") and type(d) is dict:
        for key in ("b", "a"):
            for row in d.get(key) or ():
                if type(row) is list and len(row) >= 2:
                    yield d.get("s"), row[0], row[1]
    elif msg["topic"].startswith("publicTrade.") and type(d) is list:
        for t in d:
            if type(t) is dict:
                yield t.get("s"), t.get("p"), t.get("v")
