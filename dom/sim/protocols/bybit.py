"""The built-in market as Bybit v5 (linear): ``/v5/public/linear`` and the REST it needs.

Websocket: ``{"op":"subscribe","args":[...]}`` / ``unsubscribe`` / ``ping`` with Bybit's replies;
topics ``orderbook.{1,50,200,500}.{symbol}`` (a snapshot on subscribing, then deltas whose ``u``
rises by one per message), ``publicTrade.{symbol}`` and ``tickers.{symbol}``. REST:
``/v5/market/instruments-info``, ``/v5/market/tickers``, ``/v5/market/orderbook``,
``/v5/market/time``; every body in Bybit's ``{"retCode":0,"retMsg":"OK","result":...}`` envelope.

Departure from Bybit: a book topic carries the whole book whatever its depth says (Bybit trims
to the top N levels and sends the levels that enter and leave them); what a client holds is then
exactly the market's published book, which is what the tests compare.

Faults (tests, and ``dom sim``'s fault control): ``skip_u(symbol)`` skips one update id (the
client must see a gap and resubscribe), ``inject(frame)`` sends raw bytes to every connection.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from aiohttp import web

from dom.core.types import BookDelta, BookSnapshot, MarkPrice, Trade
from dom.sim.matching import ASK, BID
from dom.sim.protocols import Protocol, Subscriber
from dom.venues.bybit import codec

log = logging.getLogger("dom.sim.bybit")
QUEUE_MAX = 20_000


def _ok(result: Any, now_ms: int) -> web.Response:
    body = {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": now_ms}
    return web.Response(body=orjson.dumps(body), content_type="application/json")


def _err(code: int, msg: str, now_ms: int) -> web.Response:
    body = {"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": now_ms}
    return web.Response(body=orjson.dumps(body), content_type="application/json")


class BybitProtocol(Protocol):
    name = "bybit"

    def __init__(self, server: Any) -> None:
        super().__init__(server)
        self.u: dict[str, int] = {}  # symbol -> the book's last update id
        self.sent_snapshots = 0

    # ---------------------------------------------------------------------------- faults
    def skip_u(self, symbol: str) -> None:
        """The next delta of ``symbol`` skips one update id: a gap the client must repair."""
        self.arm("skip", symbol)

    # ---------------------------------------------------------------------------- routes
    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/v5/public/linear", self._ws)
        r.add_get("/v5/market/instruments-info", self._instruments)
        r.add_get("/v5/market/tickers", self._tickers)
        r.add_get("/v5/market/orderbook", self._orderbook)
        r.add_get("/v5/market/time", self._time)

    def _now_ms(self) -> int:
        return self.server.market.now // 1_000_000

    async def _time(self, request: web.Request) -> web.Response:
        ns = self.server.market.now
        return _ok({"timeSecond": str(ns // 1_000_000_000), "timeNano": str(ns)}, ns // 1_000_000)

    async def _instruments(self, request: web.Request) -> web.Response:
        cat = request.query.get("category", "")
        if cat not in ("linear", "inverse", "spot", "option"):
            return _err(10001, "params error: category", self._now_ms())
        rows = []
        if cat == "linear":
            for sym, inst in self.server.instruments.items():
                rows.append({
                    "symbol": sym, "contractType": "LinearPerpetual", "status": "Trading",
                    "baseCoin": inst.base or sym.removesuffix("USDT"), "quoteCoin": "USDT", "settleCoin": "USDT",
                    "priceScale": str(max(0, inst.price.scale)),
                    "priceFilter": {"tickSize": inst.tick_size, "minPrice": inst.tick_size, "maxPrice": "10000000"},
                    "lotSizeFilter": {"qtyStep": inst.lot_size, "minOrderQty": inst.lot_size,
                                      "maxOrderQty": "1000000", "maxMktOrderQty": "1000000",
                                      "minNotionalValue": "5", "postOnlyMaxOrderQty": "1000000"},
                    "leverageFilter": {"minLeverage": "1", "maxLeverage": "50.00", "leverageStep": "0.01"},
                    "fundingInterval": 480, "launchTime": "1585526400000", "deliveryTime": "0",
                    "unifiedMarginTrade": True, "copyTrading": "both", "isPreListing": False,
                })
        return _ok({"category": cat, "list": rows, "nextPageCursor": ""}, self._now_ms())

    async def _tickers(self, request: web.Request) -> web.Response:
        now = self._now_ms()
        cat = request.query.get("category", "")
        if cat not in ("linear", "inverse", "spot", "option"):
            return _err(10001, "params error: category", now)
        ctx = self.server.rest.context
        want = request.query.get("symbol")
        rows = []
        m = self.server.market
        for sym, sim in m.syms.items() if cat == "linear" and ctx is not None else ():
            if want and want != sym:
                continue
            prem, oi, day = ctx.premium_index(sim), ctx.open_interest(sim), ctx.ticker(sim)
            bb, ba = sim.book.best(BID), sim.book.best(ASK)
            inst = sim.inst
            rows.append({
                "symbol": sym, "lastPrice": day["lastPrice"], "indexPrice": prem["indexPrice"],
                "markPrice": prem["markPrice"], "prevPrice24h": day["openPrice"],
                "price24hPcnt": f"{float(day['priceChangePercent']) / 100:.6f}",
                "highPrice24h": day["highPrice"], "lowPrice24h": day["lowPrice"],
                "prevPrice1h": day["openPrice"], "openInterest": oi["openInterest"],
                "openInterestValue": f"{float(oi['openInterest']) * float(prem['markPrice']):.2f}",
                "turnover24h": day["quoteVolume"], "volume24h": day["volume"],
                "fundingRate": prem["lastFundingRate"], "nextFundingTime": str(prem["nextFundingTime"]),
                "bid1Price": inst.px_str(bb) if bb is not None else "", "bid1Size": "",
                "ask1Price": inst.px_str(ba) if ba is not None else "", "ask1Size": "",
            })
        if want and not rows and want not in m.syms:
            return _err(10001, "params error: symbol invalid", now)
        return _ok({"category": cat, "list": rows}, now)

    async def _orderbook(self, request: web.Request) -> web.Response:
        now = self._now_ms()
        sym = request.query.get("symbol", "")
        if sym not in self.server.instruments:
            return _err(10001, "params error: symbol invalid", now)
        try:
            limit = max(1, min(500, int(request.query.get("limit", "25"))))
        except ValueError:
            return _err(10001, "params error: limit", now)
        tr = self.server.start_translator()
        book, inst = tr.books[sym], self.server.instruments[sym]
        return _ok({"s": sym, "b": [[inst.px_str(p), inst.qty_str(q)] for p, q in book.bids.top(limit)],
                    "a": [[inst.px_str(p), inst.qty_str(q)] for p, q in book.asks.top(limit)],
                    "ts": now, "u": self.u.get(sym, 1), "seq": self.u.get(sym, 1), "cts": now}, now)

    # ---------------------------------------------------------------------------- websocket
    async def _ws(self, request: web.Request) -> web.StreamResponse:
        return await self.serve_ws(request, self._control)

    def _control(self, c: Subscriber, text: str) -> None:
        try:
            req = orjson.loads(text)
        except orjson.JSONDecodeError:
            req = None
        if not isinstance(req, dict):
            c.put(orjson.dumps({"success": False, "ret_msg": "error: invalid json", "conn_id": c.id}))
            return
        op, rid, args = req.get("op"), req.get("req_id", ""), req.get("args") or []
        if op == "ping":
            c.put(orjson.dumps({"success": True, "ret_msg": "pong", "conn_id": c.id, "req_id": rid,
                                       "op": "ping"}))
            return
        if op not in ("subscribe", "unsubscribe") or not isinstance(args, list):
            c.put(orjson.dumps({"success": False, "ret_msg": f"error: unknown op {str(op)[:20]}",
                                       "conn_id": c.id, "req_id": rid, "op": op}))
            return
        bad = [a for a in args if not self._topic(c, str(a), op == "subscribe", check_only=True)]
        ok = not bad
        if ok:
            for a in args:
                self._topic(c, str(a), op == "subscribe")
        msg = "" if ok else f"error:handler not found,topic:{str(bad[0])[:60]}"
        # The reply first, then (for a book) its snapshot: as Bybit does.
        c.put(orjson.dumps({"success": ok, "ret_msg": msg, "conn_id": c.id, "req_id": rid, "op": op}))
        if ok and op == "subscribe":
            for a in args:
                kind, _, rest = str(a).partition(".")
                if kind == "orderbook":
                    depth, _, sym = rest.partition(".")
                    self._snapshot(c, sym, int(depth))

    def _topic(self, c: Subscriber, topic: str, on: bool, check_only: bool = False) -> bool:
        kind, _, rest = topic.partition(".")
        insts = self.server.instruments
        if kind == "orderbook":
            depth, _, sym = rest.partition(".")
            if depth not in ("1", "50", "200", "500") or sym not in insts:
                return False
            if not check_only:
                if on:
                    c.topics[("book", sym)] = int(depth)
                else:
                    c.topics.pop(("book", sym), None)
            return True
        if kind in ("publicTrade", "tickers") and rest in insts:
            if not check_only:
                if on:
                    c.topics[(kind, rest)] = True
                else:
                    c.topics.pop((kind, rest), None)
            return True
        return False

    def _snapshot(self, c: Subscriber, sym: str, depth: int) -> None:
        tr = self.server.translator
        book, inst = tr.books[sym], self.server.instruments[sym]
        u = self.u.setdefault(sym, 1)
        now = self.server.market.now
        snap = BookSnapshot(sym, tuple(book.bids.top(100_000)), tuple(book.asks.top(100_000)), u, now, 0)
        c.put(codec.encode_book(snap, inst, depth, u))
        self.sent_snapshots += 1

    # ---------------------------------------------------------------------------- publishing
    def dispatch(self, batch: list) -> None:
        if not self.subs:
            for _, ev in batch:  # keep the update ids moving while nobody listens
                if type(ev) is BookDelta:
                    self.u[ev.symbol] = self.u.get(ev.symbol, 1) + 1
            return
        insts = self.server.instruments
        for _, ev in batch:
            kind = type(ev)
            sym = ev.symbol
            if kind is BookDelta:
                u = self.u.get(sym, 1) + 1
                if self.take("skip", sym):
                    u += 1
                self.u[sym] = u
                frames: dict[int, bytes] = {}
                for c in self.subs:
                    depth = c.topics.get(("book", sym))
                    if depth is None:
                        continue
                    f = frames.get(depth)
                    if f is None:
                        d = BookDelta(sym, ev.bids, ev.asks, u, u, u - 1, ev.ts_exchange_ns, 0)
                        f = frames[depth] = codec.encode_book(d, insts[sym], depth, u)
                    c.put(f)
            elif kind is Trade:
                self.fan_out(("publicTrade", sym), codec.encode_trade, ev, insts[sym])
            elif kind is MarkPrice:
                self.fan_out(("tickers", sym), codec.encode_mark, ev, insts[sym])
