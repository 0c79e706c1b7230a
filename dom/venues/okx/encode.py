"""Normalized events -> OKX v5 public websocket frames (the built-in market's OKX protocol and
the codec tests): books with their checksum, trades, and mark price with funding as OKX's two
channels. Prices and sizes in their shortest spelling, as OKX writes them. Re-exported by
:mod:`dom.venues.okx.codec`, whose decoder reads them back."""

from __future__ import annotations

from typing import Any

import orjson

from dom.core import checksum as ck
from dom.core import wire
from dom.core.book import OrderBook
from dom.core.types import BookDelta, BookSnapshot, MarkPrice, Trade
from dom.core.units import Instrument

__all__ = ["book_checksum", "encode_book", "encode_mark", "encode_trade"]


def _px(inst: Instrument, n: int) -> str:
    return ck.shortest(inst.price, n)


def _sz(inst: Instrument, n: int) -> str:
    return ck.shortest(inst.qty, n)


def _side(inst: Instrument, lv: tuple) -> list[list[str]]:
    return [[_px(inst, p), _sz(inst, q), "0", "1" if q else "0"] for p, q in lv]


def book_checksum(book: OrderBook, inst: Instrument) -> int:
    """The checksum OKX sends for ``book``: prices and sizes in their shortest spelling, which
    is how OKX writes them (``dom.core.checksum``), so the integer book is enough."""
    return ck.book_crc(book, ck.cached(inst.price, None), ck.cached(inst.qty, None))


def encode_book(ev: BookSnapshot | BookDelta, inst: Instrument, channel: str = "books") -> bytes:
    snap = isinstance(ev, BookSnapshot)
    body: dict[str, Any] = {
        "asks": _side(inst, ev.asks),
        "bids": _side(inst, ev.bids),
        "ts": str(ev.ts_exchange_ns // wire.MS),
    }
    if ev.checksum is not None:
        body["checksum"] = ev.checksum
    if ev.last_id >= 0:
        body["seqId"] = ev.last_id
        body["prevSeqId"] = -1 if snap else ev.prev_id  # type: ignore[union-attr]
    return orjson.dumps(
        {
            "arg": {"channel": channel, "instId": inst.symbol},
            "action": "snapshot" if snap else "update",
            "data": [body],
        }
    )


def encode_trade(t: Trade, inst: Instrument) -> bytes:
    return orjson.dumps(
        {
            "arg": {"channel": "trades", "instId": inst.symbol},
            "data": [
                {
                    "instId": inst.symbol,
                    "tradeId": str(t.trade_id),
                    "px": _px(inst, t.px_ticks),
                    "sz": _sz(inst, t.qty_lots),
                    "side": t.taker.value,
                    "ts": str(t.ts_exchange_ns // wire.MS),
                }
            ],
        }
    )


def encode_mark(m: MarkPrice, inst: Instrument) -> list[bytes]:
    """Two frames, as OKX sends two channels: ``mark-price`` then ``funding-rate``."""
    ts = str(m.ts_exchange_ns // wire.MS)
    rate = wire.RATE.to_str(abs(m.funding_rate_e8))
    return [
        orjson.dumps(
            {
                "arg": {"channel": "mark-price", "instId": inst.symbol},
                "data": [
                    {
                        "instType": "SWAP",
                        "instId": inst.symbol,
                        "markPx": _px(inst, m.mark_px_ticks),
                        "ts": ts,
                    }
                ],
            }
        ),
        orjson.dumps(
            {
                "arg": {"channel": "funding-rate", "instId": inst.symbol},
                "data": [
                    {
                        "instType": "SWAP",
                        "instId": inst.symbol,
                        "fundingRate": ("-" if m.funding_rate_e8 < 0 else "") + rate,
                        "fundingTime": str(m.next_funding_ns // wire.MS),
                        "ts": ts,
                    }
                ],
            }
        ),
    ]
