"""The built-in market as Bitget v2 (USDT futures): ``/v2/ws/public`` and the REST it needs.

Websocket: ``{"op":"subscribe","args":[{"instType":"USDT-FUTURES","channel":...,"instId":...}]}``
(and ``unsubscribe``) with Bitget's ``event`` replies, the text ``ping`` answered ``pong``;
channels ``books`` (a snapshot on subscribing, then updates with ``seq``/``pseq`` and the CRC32
checksum of the top 25 levels, computed from the book in the fixed decimals the frames use),
``trade`` and ``ticker``. REST: ``/api/v2/mix/market/contracts``, ``/api/v2/mix/market/tickers``,
``/api/v2/mix/market/merge-depth``, ``/api/v2/public/time``, in Bitget's
``{"code":"00000","msg":"success","requestTime":...,"data":...}`` envelope.

Departure from Bitget: ``books`` carries the whole book. A symbol whose lot is not a power of ten
is not served (Bitget describes sizes by their decimals alone).

Faults: ``corrupt_checksum(symbol)`` sends the next update with a wrong checksum,
``inject(frame)`` sends raw bytes.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from dom.core.types import BookDelta, BookSnapshot, MarkPrice, Trade
from dom.sim.matching import ASK, BID
from dom.sim.protocols import Protocol, Subscriber
from dom.venues.bitget import codec

INST_TYPE = "USDT-FUTURES"
_CHANNELS = {"books", "trade", "ticker"}


class BitgetProtocol(Protocol):
    name = "bitget"

    def __init__(self, server: Any) -> None:
        super().__init__(server)
        self.insts = {s: i for s, i in server.instruments.items() if i.qty.mant == 1}
        self.seq: dict[str, int] = {}
        self.sent_snapshots = 0

    def corrupt_checksum(self, symbol: str) -> None:
        self.arm("checksum", symbol)

    # ---------------------------------------------------------------------------- routes
    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/v2/ws/public", self._ws)
        r.add_get("/api/v2/mix/market/contracts", self._contracts)
        r.add_get("/api/v2/mix/market/tickers", self._tickers)
        r.add_get("/api/v2/mix/market/ticker", self._tickers)
        r.add_get("/api/v2/mix/market/merge-depth", self._depth)
        r.add_get("/api/v2/public/time", self._time)
        r.add_get("/api/v2/spot/public/coins", self._coins)

    def _ms(self) -> int:
        return self.server.market.now // 1_000_000

    def _data(self, data: Any, code: str = "00000", msg: str = "success", status: int = 200) -> web.Response:
        body = {"code": code, "msg": msg, "requestTime": self._ms(), "data": data}
        return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")

    def _bad_product(self, request: web.Request) -> web.Response | None:
        """A missing product type is an error; another product type has nothing here."""
        pt = request.query.get("productType", "").upper()
        if pt not in ("USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES", "SUSDT-FUTURES", "SCOIN-FUTURES",
                      "SUSDC-FUTURES"):
            return self._data(None, "40019", "Parameter productType cannot be empty or wrong", 400)
        return self._data([]) if pt != INST_TYPE else None

    async def _coins(self, request: web.Request) -> web.Response:
        """The currencies ccxt.pro loads first: the settle coin and every base, no chains."""
        coins = sorted({"USDT", *(i.base or s.removesuffix("USDT") for s, i in self.insts.items())})
        return self._data([{"coinId": str(n + 1), "coin": c, "transfer": "true", "chains": []}
                           for n, c in enumerate(coins)])

    async def _time(self, request: web.Request) -> web.Response:
        return self._data({"serverTime": str(self._ms())})

    async def _contracts(self, request: web.Request) -> web.Response:
        bad = self._bad_product(request)
        if bad is not None:
            return bad
        rows = []
        for sym, inst in self.insts.items():
            rows.append({
                "symbol": sym, "baseCoin": inst.base or sym.removesuffix("USDT"), "quoteCoin": "USDT",
                "buyLimitPriceRatio": "0.05", "sellLimitPriceRatio": "0.05", "feeRateUpRatio": "0.005",
                "makerFeeRate": "0.0002", "takerFeeRate": "0.0006", "openCostUpRatio": "0.01",
                "supportMarginCoins": ["USDT"], "minTradeNum": inst.lot_size,
                "priceEndStep": str(inst.price.mant), "volumePlace": str(max(0, inst.qty.scale)),
                "pricePlace": str(max(0, inst.price.scale)), "sizeMultiplier": inst.lot_size,
                "symbolType": "perpetual", "minTradeUSDT": "5", "maxSymbolOrderNum": "200",
                "symbolStatus": "normal", "fundInterval": "8", "minLever": "1", "maxLever": "125",
            })
        return self._data(rows)

    async def _tickers(self, request: web.Request) -> web.Response:
        bad = self._bad_product(request)
        if bad is not None:
            return bad
        ctx, m = self.server.rest.context, self.server.market
        want = request.query.get("symbol")
        rows = []
        for sym in self.insts if ctx is not None else ():
            if want and want != sym:
                continue
            sim = m.syms[sym]
            prem, oi, day = ctx.premium_index(sim), ctx.open_interest(sim), ctx.ticker(sim)
            bb, ba = sim.book.best(BID), sim.book.best(ASK)
            rows.append({
                "symbol": sym, "lastPr": day["lastPrice"], "askPr": sim.inst.px_str(ba) if ba is not None else "",
                "bidPr": sim.inst.px_str(bb) if bb is not None else "", "bidSz": "", "askSz": "",
                "high24h": day["highPrice"], "low24h": day["lowPrice"], "ts": str(self._ms()),
                "change24h": f"{float(day['priceChangePercent']) / 100:.5f}", "baseVolume": day["volume"],
                "quoteVolume": day["quoteVolume"], "usdtVolume": day["quoteVolume"], "openUtc": day["openPrice"],
                "changeUtc24h": "0", "indexPrice": prem["indexPrice"], "fundingRate": prem["lastFundingRate"],
                "holdingAmount": oi["openInterest"], "deliveryStartTime": None, "deliveryTime": None,
                "deliveryStatus": "", "open24h": day["openPrice"], "markPrice": prem["markPrice"],
            })
        return self._data(rows)

    async def _depth(self, request: web.Request) -> web.Response:
        sym = request.query.get("symbol", "")
        if sym not in self.insts:
            return self._data(None, "40034", "Parameter symbol does not exist", 400)
        book, inst = self.server.start_translator().books[sym], self.insts[sym]
        side = lambda lv: [[inst.px_str(p), inst.qty_str(q)] for p, q in lv]
        return self._data({"asks": side(book.asks.top(100)), "bids": side(book.bids.top(100)),
                           "precision": "scale0", "scale": inst.tick_size, "isMaxPrecision": "NO",
                           "ts": str(self._ms())})

    # ---------------------------------------------------------------------------- websocket
    async def _ws(self, request: web.Request) -> web.StreamResponse:
        return await self.serve_ws(request, self._control)

    def _control(self, c: Subscriber, text: str) -> None:
        if text == "ping":
            c.put(b"pong")
            return
        try:
            req = orjson.loads(text)
        except orjson.JSONDecodeError:
            req = None
        op = req.get("op") if isinstance(req, dict) else None
        args = req.get("args") if isinstance(req, dict) else None
        if op not in ("subscribe", "unsubscribe") or not isinstance(args, list):
            c.put(orjson.dumps({"event": "error", "code": 30001, "msg": f"Invalid request {text[:80]}"}))
            return
        for a in args:
            ok = isinstance(a, dict) and a.get("instType") == INST_TYPE and isinstance(a.get("channel"), str) \
                and a.get("channel") in _CHANNELS and isinstance(a.get("instId"), str) and a.get("instId") in self.insts
            if not ok:
                c.put(orjson.dumps({"event": "error", "arg": a if isinstance(a, dict) else {}, "code": 30001,
                                    "msg": "instType:USDT-FUTURES,channel:?,instId:? doesn't exist"}))
                continue
            key = (a["channel"], a["instId"])
            if op == "subscribe":
                c.topics[key] = True
            else:
                c.topics.pop(key, None)
            c.put(orjson.dumps({"event": op, "arg": {"instType": INST_TYPE, "channel": key[0], "instId": key[1]}}))
            if op == "subscribe" and key[0] == "books":
                self._snapshot(c, key[1])

    def _snapshot(self, c: Subscriber, sym: str) -> None:
        book, inst = self.server.translator.books[sym], self.insts[sym]
        seq = self.seq.setdefault(sym, 1)
        snap = BookSnapshot(sym, tuple(book.bids.top(100_000)), tuple(book.asks.top(100_000)), seq,
                            self.server.market.now, 0, codec.book_checksum(book, inst))
        c.put(codec.encode_book(snap, inst))
        self.sent_snapshots += 1

    # ---------------------------------------------------------------------------- publishing
    def dispatch(self, batch: list) -> None:
        subs = self.subs
        books = self.server.translator.books
        for _, ev in batch:
            sym = ev.symbol
            inst = self.insts.get(sym)
            if inst is None:
                continue
            kind = type(ev)
            if kind is BookDelta:
                prev = self.seq.get(sym, 1)
                self.seq[sym] = prev + 1
                targets = [c for c in subs if ("books", sym) in c.topics]
                if not targets:
                    continue
                cs = codec.book_checksum(books[sym], inst)
                if self.take("checksum", sym):
                    cs ^= 0x5A5A5A5A
                f = codec.encode_book(BookDelta(sym, ev.bids, ev.asks, prev + 1, prev + 1, prev,
                                                ev.ts_exchange_ns, 0, cs), inst)
                for c in targets:
                    c.put(f)
            elif kind is Trade:
                self.fan_out(("trade", sym), codec.encode_trade, ev, inst)
            elif kind is MarkPrice:
                self.fan_out(("ticker", sym), codec.encode_mark, ev, inst)
