"""REST endpoints of the local exchange, in Binance USDⓈ-M's shapes (``/fapi/v1/...``); the
market-context bodies (premium index, open interest, 24 h ticker) come from ``dom.sim.context``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from dom.sim.context import SimContext
from dom.sim.klines import INTERVALS, MAX_LIMIT, Klines
from dom.venues.binance_usdm import frames as wire

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
        # premiumIndex, openInterest, ticker/24hr bodies (a recording has none)
        self.context = SimContext(srv.market) if getattr(srv.market, "has_context", True) else None
        self.klines = Klines(srv.market, self.context.days) if self.context is not None else None

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/fapi/v1/ping", self.ping)
        r.add_get("/fapi/v1/time", self.time)
        r.add_get("/fapi/v1/exchangeInfo", self.exchange_info)
        r.add_get("/fapi/v1/depth", self.depth)
        r.add_get("/fapi/v1/premiumIndex", self.premium_index)
        r.add_get("/fapi/v1/openInterest", self.open_interest)
        r.add_get("/fapi/v1/ticker/24hr", self.ticker_24hr)
        r.add_get("/fapi/v1/klines", self.klines_view)

    def _sym(self, request: web.Request, required: bool = True):
        s = request.query.get("symbol")
        if s is None:
            if required:
                raise web.HTTPBadRequest(
                    text=orjson.dumps({"code": -1102, "msg": "Mandatory parameter 'symbol' was not sent."}).decode(),
                    content_type="application/json",
                )
            return None
        sim = self.srv.market.syms.get(s.upper())
        if sim is None:
            raise web.HTTPBadRequest(
                text=orjson.dumps({"code": -1121, "msg": "Invalid symbol."}).decode(), content_type="application/json"
            )
        return sim

    async def ping(self, request: web.Request) -> web.Response:
        return _json({})

    async def time(self, request: web.Request) -> web.Response:
        return _json({"serverTime": self.srv.market.now // 1_000_000})

    async def exchange_info(self, request: web.Request) -> web.Response:
        m = self.srv.market
        symbols = [wire.exchange_info_symbol(sim.spec.symbol, sim.spec.base, sim.spec.tick_size, sim.spec.lot_size,
                                             sim.inst.price.scale, sim.inst.qty.scale, sim.spec.sector)
                   for sim in m.syms.values()]
        return _json(wire.exchange_info_body(symbols, m.now // 1_000_000))

    async def depth(self, request: web.Request) -> web.Response:
        sim = self._sym(request)
        try:
            limit = int(request.query.get("limit", "500"))
        except ValueError:
            return _error(-1100, "Illegal characters found in parameter 'limit'.")
        if limit not in DEPTH_LIMITS:
            return _error(-1130, "Invalid data sent for a parameter: limit.")
        f = self.srv.faults
        f.snapshot_requests[sim.spec.symbol] = f.snapshot_requests.get(sim.spec.symbol, 0) + 1
        rejected = f.rejection(sim.spec.symbol)
        if rejected is not None:
            return _error(rejected[1], rejected[2], rejected[0])
        status = self.srv.faults.take_snapshot_error()
        if status is not None:
            return _json({"code": -1001, "msg": "Internal error; unable to process your request."}, status)
        recorded = getattr(self.srv.market, "next_snapshot", None)
        if recorded is not None:  # a recording answers with its next snapshot, when it comes
            body = await recorded(sim.spec.symbol)
            if body is None:
                return _error(-1001, "the recording has ended", 503)
            return web.Response(body=body, content_type="application/json")
        stale = self.srv.faults.take_stale(sim.spec.symbol)
        # A stale snapshot: from long before anything the client has buffered.
        body = self.srv.market.snapshot_body(sim.spec.symbol, limit,
                                             sim.book.update_id - 1_000_000 // 2 if stale else None)
        return web.Response(body=body, content_type="application/json")

    async def premium_index(self, request: web.Request) -> web.Response:
        if self.context is None:
            return _error(-1, "this market is a recording: it holds no context", 404)
        sim = self._sym(request, required=False)
        if sim is None:
            return _json([self.context.premium_index(s) for s in self.srv.market.syms.values()])
        return _json(self.context.premium_index(sim))

    async def open_interest(self, request: web.Request) -> web.Response:
        if self.context is None:
            return _error(-1, "this market is a recording: it holds no context", 404)
        return _json(self.context.open_interest(self._sym(request)))

    async def ticker_24hr(self, request: web.Request) -> web.Response:
        if self.context is None:
            return _error(-1, "this market is a recording: it holds no context", 404)
        sim = self._sym(request, required=False)
        if sim is None:
            return _json([self.context.ticker(s) for s in self.srv.market.syms.values()])
        return _json(self.context.ticker(sim))

    async def klines_view(self, request: web.Request) -> web.Response:
        if self.klines is None:
            return _error(-1, "this market is a recording: it holds no klines", 404)
        sim = self._sym(request)
        interval = request.query.get("interval")
        if interval is None:
            return _error(-1102, "Mandatory parameter 'interval' was not sent.")
        if interval not in INTERVALS:
            return _error(-1120, "Invalid interval.")
        try:
            limit = int(request.query.get("limit", "500"))
            end = request.query.get("endTime")
            end_ms = int(end) if end is not None else None
        except ValueError:
            return _error(-1100, "Illegal characters found in a parameter.")
        if not 1 <= limit <= MAX_LIMIT:
            return _error(-1130, "Invalid data sent for a parameter: limit.")
        return _json(self.klines.rows(sim.spec.symbol, interval, limit, end_ms))
