"""Bitget public websocket (v1 and v2) <-> normalized events. The one place Bitget field names live.

Channels: ``books`` (``action`` snapshot or update, ``checksum``; v2 adds ``seq``/``pseq``, kept as
ids but not chained: see ``dom.core.sequencer``), ``trade`` (v1 rows ``[ts, px, sz, side]``, v2
objects with ``tradeId``) and ``ticker`` (futures: mark, index, funding). A trade channel's
``snapshot`` is the recent history sent on subscribing, not new trades: it decodes to nothing.

**Checksum strings.** Bitget builds its checksum from its own decimal strings, and it writes
them with a fixed number of decimals per symbol (``"113.370"``, ``"6.40"``), not the shortest
form. The decoder learns those two numbers (price and size decimals) from each snapshot's
strings and :meth:`BitgetDecoder.verify` rebuilds the strings from the integer book with them.
That keeps two small integers per symbol rather than an original string per level, and a
snapshot (every resubscription brings one) relearns them. A later level written with other
decimals is counted in ``format_changes``; the checksum will then say whether it mattered.
Before any snapshot the instrument's own decimals stand in.

A ``checksum`` of 0 reads as none: v2 sends 0 on snapshots. One decoder serves one product
type: spot and futures share instIds (``BTCUSDT``). The UTA stream (``topic``/``symbol``
arguments, ``a``/``b`` sides) is not decoded.
"""

from __future__ import annotations

from typing import Any

import orjson

from dom.core import checksum as ck
from dom.core import wire
from dom.core.book import OrderBook
from dom.core.sequencer import Rule
from dom.core.types import BookDelta, BookSnapshot, Event, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError

RULE = Rule.BITGET
_SIDES = {"buy": TakerSide.BUY, "sell": TakerSide.SELL}
BOOK_CHANNELS = frozenset({"books", "books1", "books5", "books15"})


class BitgetDecoder(wire.KnownSymbols):
    """Decodes frames for a set of instruments keyed by instId (one product type)."""

    def __init__(
        self, instruments: dict[str, Instrument], learned: ck.WireDecimals | None = None
    ) -> None:
        self.instruments = dict(instruments)
        self.unknown_symbols: dict[str, int] = {}
        # symbol -> (price decimals, size decimals); may be shared with a verifier()
        self.learned = learned if learned is not None else ck.WireDecimals()
        self._marks: dict[str, list[int]] = {}

    @property
    def places(self) -> dict[str, tuple[int, int]]:
        return self.learned.places

    @property
    def format_changes(self) -> int:
        return self.learned.changes

    # ------------------------------------------------------------------------- checksum
    def decimals(self, inst: Instrument) -> tuple[int, int]:
        return self.learned.get(inst.symbol, (inst.price.scale, inst.qty.scale))

    def verify(self, book: OrderBook, inst: Instrument, checksum: int) -> bool:
        """Bitget's checksum of ``book``, with the symbol's learned decimals."""
        return self.book_checksum(book, inst) == checksum

    def book_checksum(self, book: OrderBook, inst: Instrument) -> int:
        return book_checksum(book, inst, self.decimals(inst))

    # --------------------------------------------------------------------------- decode
    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        msg = wire.loads(raw, orjson.loads)
        if type(msg) is not dict:
            if msg == "pong":
                return []
            raise DecodeError(f"frame is not a JSON object: {type(msg).__name__}")
        if "event" in msg:
            return []  # subscribe acks, errors (the client reads them)
        arg = wire.field(msg, "arg")
        channel = wire.text(arg, "channel")
        action = msg.get("action", "update")
        if action not in ("snapshot", "update"):
            raise DecodeError(f"unknown action {wire._show(action)}")
        data = wire.rows(wire.field(msg, "data"), "data", 10_000)
        if channel in BOOK_CHANNELS:
            inst = self._inst(wire.text(arg, "instId"))
            if inst is None:
                return []
            # books1/5/15 are whole top-N books every time
            snap = action == "snapshot" or channel != "books"
            return [self._book(inst, d, snap, recv_ns) for d in data]
        if channel == "trade":
            if action == "snapshot":
                return []
            inst = self._inst(wire.text(arg, "instId"))
            return [] if inst is None else [self._trade(inst, d, recv_ns) for d in data]
        if channel == "ticker":
            inst = self._inst(wire.text(arg, "instId"))
            return (
                []
                if inst is None
                else [m for d in data if (m := self._mark(inst, d, recv_ns)) is not None]
            )
        return []

    def _book(self, inst: Instrument, d: Any, snapshot: bool, recv_ns: int) -> Event:
        raw_b, raw_a = wire.field(d, "bids"), wire.field(d, "asks")
        bids = wire.levels(inst, raw_b)
        asks = wire.levels(inst, raw_a)  # both validated: the rows are [str, str, ...] lists now
        self.learned.learn(inst.symbol, [raw_b, raw_a], snapshot)
        ts = wire.ms_to_ns(wire.field(d, "ts"))
        cs = d.get("checksum")
        # v2 snapshots carry checksum 0 (none computed): 0 reads as no checksum (a real one is
        # 0 once in 2**32 messages; skipping that one check costs nothing).
        cs = None if cs is None or cs == 0 else wire.checksum32(cs)
        seq = d.get("seq")
        seq = -1 if seq is None else wire.integer(seq, "seq")
        if snapshot:
            return BookSnapshot(inst.symbol, bids, asks, seq, ts, recv_ns, cs)
        pseq = d.get("pseq")
        pseq = -1 if pseq is None else wire.integer(pseq, "pseq")
        return BookDelta(inst.symbol, bids, asks, seq, seq, pseq, ts, recv_ns, cs)

    def _trade(self, inst: Instrument, d: Any, recv_ns: int) -> Trade:
        if type(d) is list:  # v1: [ts, px, sz, side]
            if len(d) < 4:
                raise DecodeError(f"trade row too short: {wire._show(d)}")
            ts, px, sz, side_, tid = d[0], d[1], d[2], d[3], -1
        else:
            ts, px, sz = wire.field(d, "ts"), wire.field(d, "price"), wire.field(d, "size")
            side_ = wire.field(d, "side")
            tid = wire.integer(wire.field(d, "tradeId"), "tradeId")
        side = _SIDES.get(side_) if type(side_) is str else None
        if side is None:
            raise DecodeError(f"unknown trade side {wire._show(side_)}")
        q = wire.num(inst.qty, sz, "trade size")
        if q <= 0:
            raise DecodeError("trade of size 0")
        return Trade(
            inst.symbol,
            wire.positive(inst.price, px, "trade price"),
            q,
            side,
            tid,
            wire.ms_to_ns(ts),
            recv_ns,
            tid,
            tid,
        )

    def _mark(self, inst: Instrument, d: Any, recv_ns: int) -> MarkPrice | None:
        if type(d) is not dict or "markPrice" not in d:
            return None  # spot tickers
        m = self._marks.setdefault(inst.symbol, [0, 0, 0, 0])
        m[0] = wire.round_ticks(inst, d["markPrice"], "markPrice")
        if "indexPrice" in d:
            m[1] = wire.round_ticks(inst, d["indexPrice"], "indexPrice")
        rate = d.get("fundingRate", d.get("capitalRate"))
        if rate is not None:
            m[2] = wire.rate_e8(rate, "fundingRate")
        nxt = d.get("nextFundingTime", d.get("nextSettleTime"))
        if nxt is not None:
            m[3] = wire.ms_to_ns(nxt, "nextFundingTime")
        ts = d.get("ts", d.get("systemTime"))
        return MarkPrice(
            inst.symbol, m[0], m[1], m[2], m[3], 0 if ts is None else wire.ms_to_ns(ts), recv_ns
        )


# ------------------------------------------------------------------------------------ encode
def book_checksum(book: OrderBook, inst: Instrument, places: tuple[int, int] | None = None) -> int:
    """Bitget's checksum of ``book`` with ``places`` (price, size decimals; default the
    instrument's). A level finer than ``places`` cannot be written: it gives a value no signed
    32-bit checksum can equal."""
    pp, qp = places or (inst.price.scale, inst.qty.scale)
    try:
        return ck.book_crc(book, ck.cached(inst.price, pp), ck.cached(inst.qty, qp))
    except ValueError:
        return 1 << 40


def _side(lv: tuple, inst: Instrument, pp: int, qp: int) -> list[list[str]]:
    return [[ck.fixed(inst.price, p, pp), ck.fixed(inst.qty, q, qp) if q else "0"] for p, q in lv]


def encode_book(
    ev: BookSnapshot | BookDelta,
    inst: Instrument,
    inst_type: str = "USDT-FUTURES",
    places: tuple[int, int] | None = None,
) -> bytes:
    """A v2 ``books`` frame; numbers with the instrument's decimals (or ``places``)."""
    pp, qp = places or (inst.price.scale, inst.qty.scale)
    body: dict[str, Any] = {
        "asks": _side(ev.asks, inst, pp, qp),
        "bids": _side(ev.bids, inst, pp, qp),
        "ts": str(ev.ts_exchange_ns // wire.MS),
    }
    if ev.checksum is not None:
        body["checksum"] = ev.checksum
    if ev.last_id >= 0:
        body["seq"] = ev.last_id
        if isinstance(ev, BookDelta):
            body["pseq"] = ev.prev_id
    return orjson.dumps(
        {
            "action": "snapshot" if isinstance(ev, BookSnapshot) else "update",
            "arg": {"instType": inst_type, "channel": "books", "instId": inst.symbol},
            "data": [body],
        }
    )


def encode_trade(t: Trade, inst: Instrument, inst_type: str = "USDT-FUTURES") -> bytes:
    return orjson.dumps(
        {
            "action": "update",
            "arg": {"instType": inst_type, "channel": "trade", "instId": inst.symbol},
            "data": [
                {
                    "ts": str(t.ts_exchange_ns // wire.MS),
                    "price": inst.px_str(t.px_ticks),
                    "size": inst.qty_str(t.qty_lots),
                    "side": t.taker.value,
                    "tradeId": str(t.trade_id),
                }
            ],
        }
    )


def encode_mark(m: MarkPrice, inst: Instrument, inst_type: str = "USDT-FUTURES") -> bytes:
    rate = wire.RATE.to_str(abs(m.funding_rate_e8))
    return orjson.dumps(
        {
            "action": "snapshot",
            "arg": {"instType": inst_type, "channel": "ticker", "instId": inst.symbol},
            "data": [
                {
                    "instId": inst.symbol,
                    "markPrice": inst.px_str(m.mark_px_ticks),
                    "indexPrice": inst.px_str(m.index_px_ticks),
                    "fundingRate": ("-" if m.funding_rate_e8 < 0 else "") + rate,
                    "nextFundingTime": str(m.next_funding_ns // wire.MS),
                    "ts": str(m.ts_exchange_ns // wire.MS),
                }
            ],
        }
    )


# -------------------------------------------------------------------------------- instruments
def instruments_from_rest(body: bytes | str | dict) -> dict[str, Instrument]:
    """Bitget v2 ``/api/v2/mix/market/contracts`` or ``/api/v2/spot/public/symbols`` -> by symbol.

    Futures: tick = ``priceEndStep`` x 10^-``pricePlace``, size decimals ``volumePlace`` (sizes in
    base coin for USDT-M and coin-M alike, so contract size 1). Spot: ``pricePrecision`` and
    ``quantityPrecision``. Ill-formed rows are skipped, not guessed.
    """
    msg = body if isinstance(body, dict) else wire.loads(body, orjson.loads)
    rows = msg.get("data") if type(msg) is dict else None
    out: dict[str, Instrument] = {}
    for r in rows if type(rows) is list else []:
        if type(r) is not dict:
            continue
        sym = r.get("symbol")
        if type(sym) is not str or not 0 < len(sym) <= wire.MAX_TEXT_LEN:
            continue
        try:
            if "pricePlace" in r:
                pp, qp = int(r["pricePlace"]), int(r["volumePlace"])
                end = int(r.get("priceEndStep") or 1)
            else:
                pp, qp, end = int(r["pricePrecision"]), int(r["quantityPrecision"]), 1
            if not (0 <= pp <= 18 and 0 <= qp <= 18 and 0 < end < 10**6):
                continue
            tick = _step(end, pp)
            out[sym] = Instrument(
                sym,
                tick,
                _step(1, qp),
                "1",
                quote=r.get("quoteCoin") or "USDT",
                base=r.get("baseCoin") or "",
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _step(mant: int, places: int) -> str:
    if places == 0:
        return str(mant)
    digits = str(mant).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"


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
        if channel in BOOK_CHANNELS and type(d) is dict:
            for key in ("bids", "asks"):
                for row in d.get(key) or ():
                    if type(row) is list and len(row) >= 2:
                        yield sym, row[0], row[1]
        elif channel == "trade" and type(d) is list and len(d) >= 3:
            yield sym, d[1], d[2]
        elif channel == "trade" and type(d) is dict:
            yield sym, d.get("price"), d.get("size")


def verifier(wire: ck.WireDecimals):
    """The engine's ``verify`` for the decoders built with ``learned=wire``
    (``BitgetDecoder(instruments, learned=wire)``): for a caller that builds the decoder and the
    verifier apart."""

    def verify(book: OrderBook, inst: Instrument, checksum: int) -> bool:
        return (
            book_checksum(book, inst, wire.get(inst.symbol, (inst.price.scale, inst.qty.scale)))
            == checksum
        )

    return verify
