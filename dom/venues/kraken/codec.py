"""Kraken spot websocket v1 <-> normalized events. The one place Kraken field names live.

Frames are arrays: ``[channelID, {"as": [...], "bs": [...]}, "book-<depth>", pair]`` is a book
snapshot; ``[channelID, {"a": [...]}, {"b": [...], "c": "<crc>"}, "book-<depth>", pair]`` (one or
two objects) an update, its checksum ``c`` in the last object; ``[channelID, [[px, vol, time,
side, type, misc], ...], "trade", pair]`` trades (``side`` is the taker's: ``b`` buy, ``s``
sell). A level is ``[price, volume, time]`` (an update may add ``"r"``, a republish). Objects
(``heartbeat``, ``systemStatus``, ``subscriptionStatus``) decode to nothing.

**Checksum.** The unsigned CRC32 of the top 10 asks (best first) then the top 10 bids, each
price then volume with the "." removed and leading zeros stripped, from Kraken's strings. Kraken
writes a fixed number of decimals per pair (``"0.042990"``, ``"364630.28272081"``), so the string
of a number is its integer count of units in that last decimal place: the decoder learns the
two decimals per pair from each snapshot (as for Bitget) and :meth:`KrakenDecoder.verify` rebuilds
the string from the integer book. The snapshot carries no checksum; every update does.

**Depth.** Kraken sends no deletion for a level pushed beyond the subscribed depth (the
depth is in the channel name, ``book-1000``). The decoder keeps the prices inside the depth per
side (integers, bounded by the depth) and appends an explicit deletion to the update for each
level that falls out, so the core's book is cut where Kraken's is, with no Kraken rule in it.

The symbol is Kraken's ``wsname`` (``XBT/USD``, ``ETH/CHF``).
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from sortedcontainers import SortedList

from dom.core import checksum as ck
from dom.core import wire
from dom.core.book import OrderBook
from dom.core.sequencer import Rule
from dom.core.types import BookDelta, BookSnapshot, Event, Level, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError

RULE = Rule.KRAKEN
DEPTH = 10
_SIDES = {"b": TakerSide.BUY, "s": TakerSide.SELL}


def seconds_to_ns(v: Any) -> int:
    """Kraken's ``"1618678133.384218"`` (seconds, a decimal string) -> integer ns, exactly."""
    if not wire.is_plain(v):
        raise DecodeError(f"time is not a plain decimal string: {wire._show(v)}")
    whole, _, frac = v.partition(".")
    if len(whole) > 11:
        raise DecodeError(f"time out of range: {wire._show(v)}")
    return int(whole) * 1_000_000_000 + int(frac[:9].ljust(9, "0") or 0)


def book_checksum(book: OrderBook, inst: Instrument, places: tuple[int, int]) -> int:
    pp, qp = places
    price, qty = ck.cached(inst.price, pp), ck.cached(inst.qty, qp)
    parts: list[str] = []
    try:
        for levels in (book.asks.top(DEPTH), book.bids.top(DEPTH)):
            for p, q in levels:
                parts.append(price(p).replace(".", "").lstrip("0"))
                parts.append(qty(q).replace(".", "").lstrip("0"))
    except ValueError:  # a level finer than the decimals: no checksum can match
        return -1
    return zlib.crc32("".join(parts).encode("ascii"))


class _Window:
    """The prices within a pair's subscribed depth, per side (best first). Kraken drops a level
    pushed past the depth without saying so; the window notices and the decoder appends an
    explicit deletion to the update, so dom's book is cut where Kraken's is (bounded: at most
    the depth plus one message's levels)."""

    __slots__ = ("asks", "bids", "depth")

    def __init__(self, depth: int, bids: tuple[Level, ...], asks: tuple[Level, ...]) -> None:
        self.depth = depth
        self.bids = SortedList(-p for p, q in bids if q)
        self.asks = SortedList(p for p, q in asks if q)

    def apply(self, keys: SortedList, sign: int, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        for p, q in levels:
            k = sign * p
            if q:
                if k not in keys:
                    keys.add(k)
            else:
                keys.discard(k)
        cut = []
        while len(keys) > self.depth:
            cut.append((sign * keys.pop(), 0))
        return tuple(cut)


class KrakenDecoder:
    """Decodes frames for a set of instruments keyed by Kraken ``wsname``."""

    def __init__(
        self, instruments: dict[str, Instrument], learned: ck.WireDecimals | None = None
    ) -> None:
        self.instruments = dict(instruments)
        self.unknown_symbols: dict[str, int] = {}
        # may be shared with a verifier()
        self.learned = learned if learned is not None else ck.WireDecimals()
        self.windows: dict[str, _Window] = {}

    def decimals(self, inst: Instrument) -> tuple[int, int]:
        return self.learned.get(inst.symbol, (inst.price.scale, inst.qty.scale))

    def verify(self, book: OrderBook, inst: Instrument, checksum: int) -> bool:
        return book_checksum(book, inst, self.decimals(inst)) == checksum

    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        msg = wire.loads(raw, orjson.loads)
        if type(msg) is dict:
            return []  # heartbeat, systemStatus, subscriptionStatus
        if type(msg) is not list or not 4 <= len(msg) <= 5:
            raise DecodeError("frame is neither an event object nor a 4 or 5 element channel array")
        pair, name = msg[-1], msg[-2]
        if (
            type(pair) is not str
            or type(name) is not str
            or len(pair) > wire.MAX_TEXT_LEN
            or len(name) > 20
        ):
            raise DecodeError("channel array without a channel name and a pair")
        inst = self.instruments.get(pair)
        if inst is None:
            if len(self.unknown_symbols) < 1000:
                self.unknown_symbols[pair] = self.unknown_symbols.get(pair, 0) + 1
            return []
        if name.startswith("book-"):
            return [self._book(inst, name, msg[1:-2], recv_ns)]
        if name == "trade":
            return self._trades(inst, msg[1], recv_ns)
        return []

    def _book(self, inst: Instrument, name: str, parts: list, recv_ns: int) -> Event:
        depth = wire.integer(name[5:], "book depth", 1, 10_000)
        if len(parts) == 1 and type(parts[0]) is dict and ("as" in parts[0] or "bs" in parts[0]):
            d = parts[0]
            raw_a, raw_b = d.get("as", []), d.get("bs", [])
            asks, bids = wire.levels(inst, raw_a), wire.levels(inst, raw_b)
            self.learned.learn(inst.symbol, [raw_a, raw_b], True)
            self.windows[inst.symbol] = _Window(depth, bids, asks)
            return BookSnapshot(inst.symbol, bids, asks, -1, self._ts(raw_a, raw_b), recv_ns)
        raw_a: list = []
        raw_b: list = []
        cs = None
        for d in parts:
            if type(d) is not dict or not d.keys() <= {"a", "b", "c"}:
                raise DecodeError(f"book update part is not an a/b/c object: {wire._show(d)}")
            raw_a += wire.rows(d.get("a", []), "asks")
            raw_b += wire.rows(d.get("b", []), "bids")
            if "c" in d:
                cs = wire.integer(d["c"], "checksum", 0, 1 << 32)
        asks, bids = wire.levels(inst, raw_a), wire.levels(inst, raw_b)
        self.learned.learn(inst.symbol, [raw_a, raw_b], False)
        ts = self._ts(raw_a, raw_b)
        win = self.windows.get(inst.symbol)
        if win is not None:
            bids += win.apply(win.bids, -1, bids)
            asks += win.apply(win.asks, 1, asks)
        return BookDelta(inst.symbol, bids, asks, -1, -1, -1, ts, recv_ns, cs)

    @staticmethod
    def _ts(*sides: list) -> int:
        ts = 0
        for rows in sides:
            for row in rows:
                if len(row) < 3:
                    raise DecodeError(f"book level without a time: {wire._show(row)}")
                ts = max(ts, seconds_to_ns(row[2]))
        return ts

    def _trades(self, inst: Instrument, rows: Any, recv_ns: int) -> list[Event]:
        out: list[Event] = []
        for r in wire.rows(rows, "trades"):
            if type(r) is not list or len(r) < 4:
                raise DecodeError(
                    f"trade is not a [px, vol, time, side, ...] list: {wire._show(r)}"
                )
            side = _SIDES.get(r[3]) if type(r[3]) is str else None
            if side is None:
                raise DecodeError(f"unknown trade side {wire._show(r[3])}")
            q = wire.num(inst.qty, r[1], "trade volume")
            if q <= 0:
                raise DecodeError("trade of volume 0")
            # v1 trades carry no id.
            out.append(
                Trade(
                    inst.symbol,
                    wire.positive(inst.price, r[0], "trade price"),
                    q,
                    side,
                    -1,
                    seconds_to_ns(r[2]),
                    recv_ns,
                )
            )
        return out


# ------------------------------------------------------------------------------------ encode
def _time(ns: int) -> str:
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000 // 1000:06d}"


def _rows(lv: tuple, inst: Instrument, places: tuple[int, int], ts: str) -> list[list[str]]:
    pp, qp = places
    return [[ck.fixed(inst.price, p, pp), ck.fixed(inst.qty, q, qp), ts] for p, q in lv]


def encode_book(
    ev: BookSnapshot | BookDelta,
    inst: Instrument,
    channel_id: int = 0,
    depth: int = 1000,
    places: tuple[int, int] | None = None,
) -> bytes:
    """A v1 book frame (times are the event's exchange time, to the microsecond)."""
    places = places or (inst.price.scale, inst.qty.scale)
    ts = _time(ev.ts_exchange_ns)
    name = f"book-{depth}"
    if isinstance(ev, BookSnapshot):
        body: list[Any] = [
            {"as": _rows(ev.asks, inst, places, ts), "bs": _rows(ev.bids, inst, places, ts)}
        ]
    else:
        body = [{}]
        if ev.asks:
            body[0]["a"] = _rows(ev.asks, inst, places, ts)
        if ev.bids:
            body[0]["b"] = _rows(ev.bids, inst, places, ts)
        if ev.checksum is not None:
            body[0]["c"] = str(ev.checksum)
    return orjson.dumps([channel_id, *body, name, inst.symbol])


def encode_trade(t: Trade, inst: Instrument, channel_id: int = 0) -> bytes:
    return orjson.dumps(
        [
            channel_id,
            [
                [
                    inst.px_str(t.px_ticks),
                    inst.qty_str(t.qty_lots),
                    _time(t.ts_exchange_ns),
                    "b" if t.taker is TakerSide.BUY else "s",
                    "l",
                    "",
                ]
            ],
            "trade",
            inst.symbol,
        ]
    )


# -------------------------------------------------------------------------------- instruments
def instruments_from_rest(body: bytes | str | dict) -> dict[str, Instrument]:
    """``GET /0/public/AssetPairs`` -> instruments by ``wsname``: tick ``tick_size`` (else
    10^-``pair_decimals``), lot 10^-``lot_decimals`` (the decimals the book is written with)."""
    msg = body if isinstance(body, dict) else wire.loads(body, orjson.loads)
    result = msg.get("result") if type(msg) is dict else None
    out: dict[str, Instrument] = {}
    for r in result.values() if type(result) is dict else []:
        if type(r) is not dict:
            continue
        name = r.get("wsname")
        try:
            pd, ld = int(r["pair_decimals"]), int(r["lot_decimals"])
            if (
                type(name) is not str
                or not 0 < len(name) <= wire.MAX_TEXT_LEN
                or not (0 <= pd <= 18 and 0 <= ld <= 18)
            ):
                continue
            tick = r.get("tick_size") if wire.is_plain(r.get("tick_size")) else _unit(pd)
            base, _, quote = name.partition("/")
            out[name] = Instrument(name, tick, _unit(ld), "1", quote=quote, base=base)
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _unit(places: int) -> str:
    return "1" if places == 0 else "0." + "0" * (places - 1) + "1"


def numbers(msg: Any):
    """``(pair, price, size)`` strings of a frame's book levels and trades, unchecked."""
    if (
        type(msg) is not list
        or len(msg) < 4
        or type(msg[-1]) is not str
        or type(msg[-2]) is not str
    ):
        return
    for part in msg[1:-2]:
        if type(part) is dict:
            for key in ("as", "bs", "a", "b"):
                for row in part.get(key) or ():
                    if type(row) is list and len(row) >= 2:
                        yield msg[-1], row[0], row[1]
        elif type(part) is list:
            for row in part:
                if type(row) is list and len(row) >= 2:
                    yield msg[-1], row[0], row[1]


def verifier(wire: ck.WireDecimals):
    """The engine's ``verify`` for the decoders built with ``learned=wire``
    (``KrakenDecoder(instruments, learned=wire)``): for a caller that builds the decoder and the
    verifier apart."""

    def verify(book: OrderBook, inst: Instrument, checksum: int) -> bool:
        return (
            book_checksum(book, inst, wire.get(inst.symbol, (inst.price.scale, inst.qty.scale)))
            == checksum
        )

    return verify
