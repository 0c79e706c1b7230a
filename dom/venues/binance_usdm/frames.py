"""Binance frames and REST bodies as the venue writes them: what the built-in market serves and
the tests feed (the decoding side, and the stream names a client subscribes to, are in ``codec``)."""

from __future__ import annotations

from typing import Any

import orjson

from dom.core.units import Instrument


def encode_agg_trade(symbol: str, ms: int, agg_id: int, px: str, qty: str, first: int, last: int,
                     buyer_maker: bool) -> bytes:
    return (b'{"e":"aggTrade","E":%d,"a":%d,"s":"%s","p":"%s","q":"%s","f":%d,"l":%d,"T":%d,"m":%s}'
            % (ms, agg_id, symbol.encode(), px.encode(), qty.encode(), first, last, ms,
               b"true" if buyer_maker else b"false"))


def encode_trade(symbol: str, ms: int, trade_id: int, px: str, qty: str, buyer_maker: bool) -> bytes:
    """One fill on the raw ``@trade`` stream (what hftbacktest's converter reads)."""
    return (b'{"e":"trade","E":%d,"T":%d,"s":"%s","t":%d,"p":"%s","q":"%s","X":"MARKET","m":%s}'
            % (ms, ms, symbol.encode(), trade_id, px.encode(), qty.encode(), b"true" if buyer_maker else b"false"))


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


def encode_ticker_24h(body: dict, ms: int) -> bytes:
    """One ``24hrTicker`` event (``<symbol>@ticker``, an element of ``!ticker@arr``) from the
    ``GET /fapi/v1/ticker/24hr`` object of the same moment (``ticker_24h_body``)."""
    return orjson.dumps({"e": "24hrTicker", "E": ms, "s": body["symbol"], "p": body["priceChange"],
                         "P": body["priceChangePercent"], "w": body["weightedAvgPrice"], "c": body["lastPrice"],
                         "Q": body["lastQty"], "o": body["openPrice"], "h": body["highPrice"], "l": body["lowPrice"],
                         "v": body["volume"], "q": body["quoteVolume"], "O": body["openTime"], "C": body["closeTime"],
                         "F": body["firstId"], "L": body["lastId"], "n": body["count"]})


def encode_mini_ticker_24h(body: dict, ms: int) -> bytes:
    """One ``24hrMiniTicker`` event (an element of ``!miniTicker@arr``) from the same body."""
    return orjson.dumps({"e": "24hrMiniTicker", "E": ms, "s": body["symbol"], "c": body["lastPrice"],
                         "o": body["openPrice"], "h": body["highPrice"], "l": body["lowPrice"],
                         "v": body["volume"], "q": body["quoteVolume"]})


def encode_array(events: list[bytes]) -> bytes:
    """The payload of an all-market array stream (``!markPrice@arr@1s``, ``!ticker@arr``): the
    per-symbol events, already encoded, as one JSON array."""
    return b"[" + b",".join(events) + b"]"


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
                         qty_scale: int, sector: str = "") -> dict:
    """One perpetual in ``GET /fapi/v1/exchangeInfo``."""
    return {
        "symbol": symbol, "pair": symbol, "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000, "onboardDate": 1569398400000, "status": "TRADING",
        "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
        "baseAsset": base or symbol[:-4], "quoteAsset": "USDT", "marginAsset": "USDT",
        "pricePrecision": price_scale, "quantityPrecision": qty_scale,
        "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
        "underlyingSubType": [sector] if sector else [], "settlePlan": 0, "triggerProtect": "0.0500",
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


def book_body(book: Any, inst: Instrument, last_id: int, ms: int) -> bytes:
    """A held book as the REST depth body, every level in the venue's own decimal strings, with
    ``lastUpdateId`` the last diff applied (the continuous recording's segment snapshots)."""
    bids = [[inst.px_str(p), inst.qty_str(q)] for p, q in book.bids.top(len(book.bids))]
    asks = [[inst.px_str(p), inst.qty_str(q)] for p, q in book.asks.top(len(book.asks))]
    return encode_snapshot(last_id, ms, bids, asks)
