"""Binance wire format -> normalized events. The one place Binance field names live.

Live feeds (``dom.venues.binance_usdm.client``), replay (``dom.runtime.replay``) and the built-in market's
self-checks all call these functions, so a recording replays through exactly the code that
parsed it live.

Handles USDⓈ-M and spot: ``depthUpdate`` (``U``/``u``/``pu``), ``aggTrade``, ``trade``,
``bookTicker``, ``markPriceUpdate``, REST depth snapshots, and both envelopes (raw stream and
combined ``{"stream":..., "data":...}``). Subscription acks and unknown events decode to nothing.
"""

from __future__ import annotations

from typing import Any

import orjson

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


class DecodeError(FeedError):
    """A frame that is not what Binance sends (bad JSON, wrong types, negative size...)."""


def _levels(inst: Instrument, rows: Any) -> tuple[Level, ...]:
    # Hot path: most strings near the touch repeat, so look the caches up inline and only call
    # the exact parser on a miss (which is also where a negative size is caught).
    price, qty = inst.price, inst.qty
    pc, qc = price._cache, qty._cache
    out = []
    for p, q in rows:
        a = pc.get(p)
        if a is None:
            a = price.to_int(p)
        b = qc.get(q)
        if b is None:
            b = qty.to_int(q)
            if b < 0:
                raise DecodeError(f"negative size {q!r} at {p!r}")
        out.append((a, b))
    return tuple(out)


def _pos_int(msg: dict, key: str) -> int:
    v = msg[key]
    if type(v) is not int:
        raise DecodeError(f"field {key!r} is not an integer: {v!r}")
    return v


class BinanceDecoder:
    """Decodes frames for a set of instruments (keyed by upper-case symbol)."""

    def __init__(self, instruments: dict[str, Instrument]) -> None:
        self.instruments = {k.upper(): v for k, v in instruments.items()}
        self.unknown_symbols: dict[str, int] = {}

    # ------------------------------------------------------------------------------ frames
    def decode(self, raw: bytes | str, recv_ns: int) -> list[Event]:
        """One websocket frame (raw or combined envelope) -> zero or more events."""
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"invalid JSON: {e}") from None
        return self.decode_obj(msg, recv_ns)

    def decode_obj(self, msg: Any, recv_ns: int) -> list[Event]:
        if not isinstance(msg, dict):
            if isinstance(msg, list):  # some streams (e.g. !markPrice@arr) send arrays
                out: list[Event] = []
                for m in msg:
                    out += self.decode_obj(m, recv_ns)
                return out
            raise DecodeError(f"frame is not a JSON object: {type(msg).__name__}")
        data = msg.get("data")
        if data is not None and "stream" in msg:
            return self.decode_obj(data, recv_ns)
        if "lastUpdateId" in msg and "bids" in msg:
            raise DecodeError("a REST snapshot needs its symbol: use decode_snapshot()")
        try:
            e = msg.get("e")
            if e == "depthUpdate":
                return self._depth(msg, recv_ns)
            if e == "aggTrade" or e == "trade":
                return self._trade(msg, recv_ns, agg=(e == "aggTrade"))
            if e == "bookTicker" or (e is None and "b" in msg and "A" in msg and "u" in msg):
                return self._ticker(msg, recv_ns)
            if e == "markPriceUpdate":
                return self._mark(msg, recv_ns)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise DecodeError(f"malformed {msg.get('e', 'frame')}: {type(exc).__name__} {exc}") from None
        except UnitsError as exc:
            raise DecodeError(str(exc)) from None
        return []

    def _inst(self, msg: dict) -> Instrument | None:
        sym = msg["s"]
        inst = self.instruments.get(sym)
        if inst is None:
            self.unknown_symbols[sym] = self.unknown_symbols.get(sym, 0) + 1
        return inst

    def _depth(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        ts = m.get("T") or m.get("E") or 0
        pu = m.get("pu", -1)
        if type(pu) is not int:
            raise DecodeError(f"field 'pu' is not an integer: {pu!r}")
        return [
            BookDelta(
                inst.symbol,
                _levels(inst, m["b"]),
                _levels(inst, m["a"]),
                _pos_int(m, "U"),
                _pos_int(m, "u"),
                pu,
                ts * _MS,
                recv_ns,
            )
        ]

    def _trade(self, m: dict, recv_ns: int, agg: bool) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        q = inst.qty.to_int(m["q"])
        if q <= 0:
            raise DecodeError(f"non-positive trade size {m['q']!r}")
        buyer_maker = m["m"]
        if type(buyer_maker) is not bool:
            raise DecodeError(f"field 'm' is not a boolean: {buyer_maker!r}")
        if agg:
            tid, first, last = _pos_int(m, "a"), m.get("f", -1), m.get("l", -1)
        else:
            tid = _pos_int(m, "t")
            first = last = tid
        return [
            Trade(
                inst.symbol,
                inst.price.to_int(m["p"]),
                q,
                TakerSide.SELL if buyer_maker else TakerSide.BUY,
                tid,
                (m.get("T") or m.get("E") or 0) * _MS,
                recv_ns,
                first,
                last,
            )
        ]

    def _ticker(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        px, lots = inst.price.to_int, inst.qty.to_int
        return [
            BookTicker(
                inst.symbol,
                _pos_int(m, "u"),
                px(m["b"]),
                lots(m["B"]),
                px(m["a"]),
                lots(m["A"]),
                (m.get("T") or m.get("E") or 0) * _MS,
                recv_ns,
            )
        ]

    def _mark(self, m: dict, recv_ns: int) -> list[Event]:
        inst = self._inst(m)
        if inst is None:
            return []
        # Mark and index prices carry more decimals than the tick; round to the nearest tick
        # for display (they are context, not book state).
        return [
            MarkPrice(
                inst.symbol,
                _round_ticks(inst, m["p"]),
                _round_ticks(inst, m.get("i") or m["p"]),
                _RATE.to_int(_trim(m.get("r") or "0", 8)),
                int(m.get("T") or 0) * _MS,
                (m.get("E") or 0) * _MS,
                recv_ns,
            )
        ]

    # ---------------------------------------------------------------------------- snapshots
    def decode_snapshot(self, symbol: str, raw: bytes | str | dict, recv_ns: int) -> BookSnapshot:
        """A REST depth response body (``{"lastUpdateId", "bids", "asks"}``) for ``symbol``."""
        inst = self.instruments.get(symbol.upper())
        if inst is None:
            raise DecodeError(f"unknown symbol {symbol!r}")
        try:
            m = raw if isinstance(raw, dict) else orjson.loads(raw)
            return BookSnapshot(
                inst.symbol,
                _levels(inst, m["bids"]),
                _levels(inst, m["asks"]),
                _pos_int(m, "lastUpdateId"),
                (m.get("T") or m.get("E") or 0) * _MS,
                recv_ns,
            )
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"invalid JSON in snapshot: {e}") from None
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise DecodeError(f"malformed snapshot: {type(exc).__name__} {exc}") from None
        except UnitsError as exc:
            raise DecodeError(str(exc)) from None


def _trim(text: str, places: int) -> str:
    """Cut a decimal string to ``places`` decimals (funding rates carry 8)."""
    head, dot, frac = text.partition(".")
    return head + dot + frac[:places] if dot else text


def _round_ticks(inst: Instrument, text: str) -> int:
    from decimal import ROUND_HALF_EVEN, Decimal

    tick = Decimal(inst.tick_size)
    return int((Decimal(text) / tick).to_integral_value(rounding=ROUND_HALF_EVEN))


def instruments_from_exchange_info(body: bytes | str | dict) -> dict[str, Instrument]:
    """``/fapi/v1/exchangeInfo`` (or spot ``/api/v3/exchangeInfo``) -> instruments by symbol."""
    info = body if isinstance(body, dict) else orjson.loads(body)
    out: dict[str, Instrument] = {}
    for s in info.get("symbols", []):
        tick = step = None
        for f in s.get("filters", []):
            if f.get("filterType") == "PRICE_FILTER":
                tick = f.get("tickSize")
            elif f.get("filterType") == "LOT_SIZE":
                step = f.get("stepSize")
        if not tick or not step:
            continue
        out[s["symbol"]] = Instrument(
            s["symbol"],
            tick,
            step,
            contract_size=str(s.get("contractSize", "1")),
            quote=s.get("quoteAsset", "USDT"),
            base=s.get("baseAsset", ""),
        )
    return out


# ------------------------------------------------------------------------------------ encoding
# What the built-in market publishes, in Binance USDⓈ-M's exact shapes (decode(encode(x)) == x).
# Prices and sizes come in as the instrument's decimal strings.

def depth_stream(symbol: str, depth_ms: int) -> str:
    return symbol.lower() + ("@depth" if depth_ms == 250 else f"@depth@{depth_ms}ms")


def agg_trade_stream(symbol: str) -> str:
    return symbol.lower() + "@aggTrade"


def book_ticker_stream(symbol: str) -> str:
    return symbol.lower() + "@bookTicker"


def mark_price_stream(symbol: str) -> str:
    return symbol.lower() + "@markPrice@1s"


def encode_agg_trade(symbol: str, ms: int, agg_id: int, px: str, qty: str, first: int, last: int,
                     buyer_maker: bool) -> bytes:
    return (b'{"e":"aggTrade","E":%d,"a":%d,"s":"%s","p":"%s","q":"%s","f":%d,"l":%d,"T":%d,"m":%s}'
            % (ms, agg_id, symbol.encode(), px.encode(), qty.encode(), first, last, ms,
               b"true" if buyer_maker else b"false"))


def encode_depth(symbol: str, ms: int, first_id: int, last_id: int, prev_id: int,
                 bids: list[list[str]], asks: list[list[str]]) -> bytes:
    return orjson.dumps({"e": "depthUpdate", "E": ms, "T": ms, "s": symbol, "U": first_id, "u": last_id,
                         "pu": prev_id, "b": bids, "a": asks})


def encode_book_ticker(symbol: str, update_id: int, bid_px: str, bid_qty: str, ask_px: str, ask_qty: str,
                       ms: int) -> bytes:
    return orjson.dumps({"e": "bookTicker", "u": update_id, "s": symbol, "b": bid_px, "B": bid_qty,
                         "a": ask_px, "A": ask_qty, "T": ms, "E": ms})


def encode_mark_price(symbol: str, ms: int, mark: str, index: str, rate: str, next_funding_ms: int) -> bytes:
    return orjson.dumps({"e": "markPriceUpdate", "E": ms, "s": symbol, "p": mark, "i": index, "P": mark,
                         "r": rate, "T": next_funding_ms})


def encode_snapshot(last_id: int, ms: int, bids: list[list[str]], asks: list[list[str]]) -> bytes:
    """The REST depth body (``GET /fapi/v1/depth``)."""
    return orjson.dumps({"lastUpdateId": last_id, "E": ms, "T": ms, "bids": bids, "asks": asks})


def premium_index_body(symbol: str, mark: str, index: str, rate: str, next_funding_ms: int, ms: int) -> dict:
    """One ``GET /fapi/v1/premiumIndex`` object."""
    return {"symbol": symbol, "markPrice": mark, "indexPrice": index, "estimatedSettlePrice": mark,
            "lastFundingRate": rate, "interestRate": "0.00010000", "nextFundingTime": next_funding_ms, "time": ms}


def open_interest_body(symbol: str, open_interest: str, ms: int) -> dict:
    return {"symbol": symbol, "openInterest": open_interest, "time": ms}


def ticker_24h_body(symbol: str, change: str, change_pct: str, wavg: str, last: str, last_qty: str, open_px: str,
                    high: str, low: str, volume: str, quote_volume: str, open_ms: int, close_ms: int, first_id: int,
                    last_id: int, count: int) -> dict:
    """One ``GET /fapi/v1/ticker/24hr`` object."""
    return {"symbol": symbol, "priceChange": change, "priceChangePercent": change_pct, "weightedAvgPrice": wavg,
            "lastPrice": last, "lastQty": last_qty, "openPrice": open_px, "highPrice": high, "lowPrice": low,
            "volume": volume, "quoteVolume": quote_volume, "openTime": open_ms, "closeTime": close_ms,
            "firstId": first_id, "lastId": last_id, "count": count}


def exchange_info_symbol(symbol: str, base: str, tick_size: str, lot_size: str, price_scale: int,
                         qty_scale: int) -> dict:
    """One perpetual in ``GET /fapi/v1/exchangeInfo``."""
    return {
        "symbol": symbol, "pair": symbol, "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000, "onboardDate": 1569398400000, "status": "TRADING",
        "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
        "baseAsset": base or symbol[:-4], "quoteAsset": "USDT", "marginAsset": "USDT",
        "pricePrecision": price_scale, "quantityPrecision": qty_scale,
        "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
        "underlyingSubType": [], "settlePlan": 0, "triggerProtect": "0.0500",
        "liquidationFee": "0.012500", "marketTakeBound": "0.05",
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick_size, "maxPrice": "1000000", "tickSize": tick_size},
            {"filterType": "LOT_SIZE", "stepSize": lot_size, "minQty": lot_size, "maxQty": "100000000"},
            {"filterType": "MARKET_LOT_SIZE", "stepSize": lot_size, "minQty": lot_size, "maxQty": "10000000"},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MIN_NOTIONAL", "notional": "5"},
            {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
             "multiplierDecimal": "4"},
        ],
        "orderTypes": ["LIMIT", "MARKET"], "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
        "contractSize": "1",
    }


def exchange_info_body(symbols: list[dict], ms: int) -> dict:
    return {"timezone": "UTC", "serverTime": ms, "futuresType": "U_MARGINED", "rateLimits": [],
            "exchangeFilters": [], "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
            "symbols": symbols}
