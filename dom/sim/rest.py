"""REST endpoints of the local exchange, in Binance USDⓈ-M's shapes (``/fapi/v1/...``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from dom.sim.matching import ASK, BID

if TYPE_CHECKING:
    from dom.sim.server import SimServer

DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)


def _json(obj: object, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(obj), status=status, content_type="application/json")


def _error(code: int, msg: str, status: int = 400) -> web.Response:
    return _json({"code": code, "msg": msg}, status)


class RestViews:
    def __init__(self, srv: "SimServer") -> None:
        self.srv = srv

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/fapi/v1/ping", self.ping)
        r.add_get("/fapi/v1/time", self.time)
        r.add_get("/fapi/v1/exchangeInfo", self.exchange_info)
        r.add_get("/fapi/v1/depth", self.depth)
        r.add_get("/fapi/v1/premiumIndex", self.premium_index)
        r.add_get("/fapi/v1/openInterest", self.open_interest)
        r.add_get("/fapi/v1/ticker/24hr", self.ticker_24hr)

    def _sym(self, request: web.Request, required: bool = True):
        s = request.query.get("symbol")
        if s is None:
            if required:
                raise web.HTTPBadRequest(
                    body=orjson.dumps({"code": -1102, "msg": "Mandatory parameter 'symbol' was not sent."}),
                    content_type="application/json",
                )
            return None
        sim = self.srv.market.syms.get(s.upper())
        if sim is None:
            raise web.HTTPBadRequest(
                body=orjson.dumps({"code": -1121, "msg": "Invalid symbol."}), content_type="application/json"
            )
        return sim

    async def ping(self, request: web.Request) -> web.Response:
        return _json({})

    async def time(self, request: web.Request) -> web.Response:
        return _json({"serverTime": self.srv.market.now // 1_000_000})

    async def exchange_info(self, request: web.Request) -> web.Response:
        m = self.srv.market
        symbols = []
        for sim in m.syms.values():
            spec, inst = sim.spec, sim.inst
            symbols.append({
                "symbol": spec.symbol, "pair": spec.symbol, "contractType": "PERPETUAL",
                "deliveryDate": 4133404800000, "onboardDate": 1569398400000, "status": "TRADING",
                "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
                "baseAsset": spec.base or spec.symbol[:-4], "quoteAsset": "USDT", "marginAsset": "USDT",
                "pricePrecision": inst.price.scale, "quantityPrecision": inst.qty.scale,
                "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
                "underlyingSubType": [], "settlePlan": 0, "triggerProtect": "0.0500",
                "liquidationFee": "0.012500", "marketTakeBound": "0.05",
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": spec.tick_size, "maxPrice": "1000000",
                     "tickSize": spec.tick_size},
                    {"filterType": "LOT_SIZE", "stepSize": spec.lot_size, "minQty": spec.lot_size,
                     "maxQty": "100000000"},
                    {"filterType": "MARKET_LOT_SIZE", "stepSize": spec.lot_size, "minQty": spec.lot_size,
                     "maxQty": "10000000"},
                    {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                    {"filterType": "MIN_NOTIONAL", "notional": "5"},
                    {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
                     "multiplierDecimal": "4"},
                ],
                "orderTypes": ["LIMIT", "MARKET"], "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
                "contractSize": "1",
            })
        return _json({
            "timezone": "UTC", "serverTime": m.now // 1_000_000, "futuresType": "U_MARGINED",
            "rateLimits": [], "exchangeFilters": [],
            "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
            "symbols": symbols,
        })

    async def depth(self, request: web.Request) -> web.Response:
        sim = self._sym(request)
        try:
            limit = int(request.query.get("limit", "500"))
        except ValueError:
            return _error(-1100, "Illegal characters found in parameter 'limit'.")
        if limit not in DEPTH_LIMITS:
            return _error(-1130, "Invalid data sent for a parameter: limit.")
        status = self.srv.faults.take_snapshot_error()
        if status is not None:
            return _json({"code": -1001, "msg": "Internal error; unable to process your request."}, status)
        body = self.srv.market.snapshot_body(sim.spec.symbol, limit)
        if self.srv.faults.take_stale(sim.spec.symbol):
            # A snapshot from long before anything the client has buffered.
            d = orjson.loads(body)
            d["lastUpdateId"] = sim.book.update_id - 1_000_000 // 2
            body = orjson.dumps(d)
        return web.Response(body=body, content_type="application/json")

    def _premium(self, sim) -> dict:
        inst = sim.inst
        mid = sim.mid() or sim.flow.fair
        tick = inst.price.to_float(1)
        dec = inst.price.scale + 1
        nxt = (self.srv.market.now // (8 * 3600 * 10**9) + 1) * 8 * 3600 * 1000
        return {
            "symbol": sim.spec.symbol, "markPrice": f"{mid * tick:.{dec}f}",
            "indexPrice": f"{sim.flow.fair * tick:.{dec}f}", "estimatedSettlePrice": f"{mid * tick:.{dec}f}",
            "lastFundingRate": f"{sim.funding_rate:.8f}", "interestRate": "0.00010000",
            "nextFundingTime": nxt, "time": self.srv.market.now // 1_000_000,
        }

    async def premium_index(self, request: web.Request) -> web.Response:
        sim = self._sym(request, required=False)
        if sim is None:
            return _json([self._premium(s) for s in self.srv.market.syms.values()])
        return _json(self._premium(sim))

    async def open_interest(self, request: web.Request) -> web.Response:
        sim = self._sym(request)
        return _json({"symbol": sim.spec.symbol, "openInterest": sim.inst.qty_str(sim.open_interest),
                      "time": self.srv.market.now // 1_000_000})

    def _ticker(self, sim) -> dict:
        inst = sim.inst
        last, opn = sim.last_trade_px, sim.open_px
        chg = last - opn
        b, a = sim.book.best(BID), sim.book.best(ASK)
        return {
            "symbol": sim.spec.symbol, "priceChange": inst.px_str(chg),
            "priceChangePercent": f"{100 * chg / opn:.3f}", "lastPrice": inst.px_str(last),
            "openPrice": inst.px_str(opn), "volume": inst.qty_str(sim.volume_24h),
            "quoteVolume": f"{sim.quote_volume:.2f}", "count": sim.trades_n,
            "bidPrice": inst.px_str(b) if b else None, "askPrice": inst.px_str(a) if a else None,
            "closeTime": self.srv.market.now // 1_000_000,
        }

    async def ticker_24hr(self, request: web.Request) -> web.Response:
        sim = self._sym(request, required=False)
        if sim is None:
            return _json([self._ticker(s) for s in self.srv.market.syms.values()])
        return _json(self._ticker(sim))
