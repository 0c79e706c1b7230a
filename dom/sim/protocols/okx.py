"""The built-in market as OKX v5 (USDT swaps): ``/ws/v5/public`` and the REST it needs.

Each market symbol is served as a swap, ``BTCUSDT`` as ``BTC-USDT-SWAP``, sized in contracts of
one market lot (``ctVal`` = the lot, ``lotSz`` 1), so a contract count is the market's lot count.
Websocket: ``{"op":"subscribe","args":[{"channel":...,"instId":...}]}`` (and ``unsubscribe``)
with OKX's ``event`` replies, the text ``ping`` answered ``pong``; channels ``books`` (a snapshot
on subscribing, then updates chained by ``seqId``/``prevSeqId``, each with the CRC32 checksum of
the top 25 levels computed from the book), ``trades``, ``mark-price``, ``funding-rate``. REST:
``/api/v5/public/instruments``, ``/api/v5/public/open-interest``, ``/api/v5/market/tickers``,
``/api/v5/market/books``, ``/api/v5/public/funding-rate``, ``/api/v5/public/time``, in OKX's
``{"code":"0","msg":"","data":[...]}`` envelope.

Departure from OKX: ``books`` carries the whole book (OKX: 400 levels).

Faults: ``corrupt_checksum(instId)`` sends the next update with a wrong checksum (the client must
count a checksum failure and resubscribe), ``skip_seq(instId)`` breaks the chain once,
``inject(frame)`` sends raw bytes.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from dom.core.types import BookDelta, BookSnapshot, MarkPrice, Trade
from dom.core.units import Instrument
from dom.sim.matching import ASK, BID
from dom.sim.protocols import Protocol, Subscriber
from dom.venues.okx import codec

_CHANNELS = {"books", "trades", "mark-price", "funding-rate"}


def _data(rows: list, code: str = "0", msg: str = "") -> web.Response:
    return web.Response(body=orjson.dumps({"code": code, "msg": msg, "data": rows}), content_type="application/json")


def _mark_frame(ev: MarkPrice, inst: Instrument, n: int) -> bytes:
    return codec.encode_mark(ev, inst)[n]


def inst_id(symbol: str, inst: Instrument) -> str:
    base = inst.base or symbol.removesuffix("USDT")
    return f"{base}-USDT-SWAP"


class OkxProtocol(Protocol):
    name = "okx"

    def __init__(self, server: Any) -> None:
        super().__init__(server)
        self.ids: dict[str, str] = {}  # market symbol -> instId
        self.syms: dict[str, str] = {}  # instId -> market symbol
        self.insts: dict[str, Instrument] = {}  # by instId: ticks as the market's, 1 contract = 1 lot
        for sym, inst in server.instruments.items():
            i = inst_id(sym, inst)
            self.ids[sym], self.syms[i] = i, sym
            self.insts[i] = Instrument(i, inst.tick_size, "1", contract_size=inst.lot_size, base=inst.base)
        self.seq: dict[str, int] = {}  # instId -> last seqId
        self.sent_snapshots = 0

    # ---------------------------------------------------------------------------- faults
    def corrupt_checksum(self, instid: str) -> None:
        self.arm("checksum", instid)

    def skip_seq(self, instid: str) -> None:
        self.arm("skip", instid)

    # ---------------------------------------------------------------------------- routes
    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/ws/v5/public", self._ws)
        r.add_get("/api/v5/public/instruments", self._instruments)
        r.add_get("/api/v5/public/open-interest", self._open_interest)
        r.add_get("/api/v5/market/tickers", self._tickers)
        r.add_get("/api/v5/market/ticker", self._tickers)
        r.add_get("/api/v5/market/books", self._books)
        r.add_get("/api/v5/public/funding-rate", self._funding)
        r.add_get("/api/v5/public/time", self._time)

    def _ms(self) -> str:
        return str(self.server.market.now // 1_000_000)

    async def _time(self, request: web.Request) -> web.Response:
        return _data([{"ts": self._ms()}])

    def _wanted(self, request: web.Request) -> list[str] | web.Response:
        if request.query.get("instType", "SWAP") != "SWAP" and "instId" not in request.query:
            return []
        want = request.query.get("instId")
        if want is None:
            return list(self.insts)
        if want not in self.insts:
            return _data([], "51001", "Instrument ID does not exist")
        return [want]

    async def _instruments(self, request: web.Request) -> web.Response:
        ids = self._wanted(request)
        if isinstance(ids, web.Response):
            return ids
        rows = []
        for i in ids:
            inst, base = self.insts[i], i.split("-")[0]
            rows.append({
                "instType": "SWAP", "instId": i, "uly": f"{base}-USDT", "instFamily": f"{base}-USDT",
                "baseCcy": "", "quoteCcy": "", "settleCcy": "USDT", "ctValCcy": base,
                "ctVal": self.server.instruments[self.syms[i]].lot_size,
                "ctMult": "1", "ctType": "linear", "tickSz": inst.tick_size, "lotSz": "1", "minSz": "1",
                "maxLmtSz": "100000000", "maxMktSz": "1000000", "lever": "50", "state": "live",
                "listTime": "1606468572000", "expTime": "", "alias": "", "optType": "", "stk": "",
                "category": "1", "ruleType": "normal",
            })
        return _data(rows)

    def _ctx(self):
        return self.server.rest.context

    async def _open_interest(self, request: web.Request) -> web.Response:
        ids = self._wanted(request)
        if isinstance(ids, web.Response):
            return ids
        ctx, m = self._ctx(), self.server.market
        rows = []
        for i in ids if ctx is not None else ():
            sim = m.syms[self.syms[i]]
            oi_base = ctx.open_interest(sim)["openInterest"]  # the market's lots are contracts here
            rows.append({"instType": "SWAP", "instId": i, "oi": str(sim.open_interest), "oiCcy": oi_base,
                         "oiUsd": "", "ts": self._ms()})
        return _data(rows)

    async def _tickers(self, request: web.Request) -> web.Response:
        ids = self._wanted(request)
        if isinstance(ids, web.Response):
            return ids
        ctx, m = self._ctx(), self.server.market
        rows = []
        for i in ids if ctx is not None else ():
            sim = m.syms[self.syms[i]]
            day = ctx.ticker(sim)
            bb, ba = sim.book.best(BID), sim.book.best(ASK)
            vol_lots = sim.inst.qty.to_int(day["volume"])
            rows.append({
                "instType": "SWAP", "instId": i, "last": day["lastPrice"], "lastSz": "1",
                "askPx": sim.inst.px_str(ba) if ba is not None else "", "askSz": "",
                "bidPx": sim.inst.px_str(bb) if bb is not None else "", "bidSz": "",
                "open24h": day["openPrice"], "high24h": day["highPrice"], "low24h": day["lowPrice"],
                "volCcy24h": day["volume"], "vol24h": str(vol_lots), "sodUtc0": day["openPrice"],
                "sodUtc8": day["openPrice"], "ts": self._ms(),
            })
        return _data(rows)

    async def _funding(self, request: web.Request) -> web.Response:
        i = request.query.get("instId", "")
        if i not in self.insts:
            return _data([], "51001", "Instrument ID does not exist")
        ctx = self._ctx()
        if ctx is None:
            return _data([])
        prem = ctx.premium_index(self.server.market.syms[self.syms[i]])
        return _data([{"instType": "SWAP", "instId": i, "fundingRate": prem["lastFundingRate"],
                       "nextFundingRate": "", "fundingTime": str(prem["nextFundingTime"]),
                       "nextFundingTime": str(prem["nextFundingTime"] + 8 * 3600 * 1000), "ts": self._ms()}])

    async def _books(self, request: web.Request) -> web.Response:
        i = request.query.get("instId", "")
        if i not in self.insts:
            return _data([], "51001", "Instrument ID does not exist")
        try:
            n = max(1, min(400, int(request.query.get("sz", "1"))))
        except ValueError:
            return _data([], "50014", "Parameter sz error")
        book, inst = self.server.start_translator().books[self.syms[i]], self.insts[i]
        side = lambda lv: [[codec._px(inst, p), codec._sz(inst, q), "0", "1"] for p, q in lv]
        return _data([{"asks": side(book.asks.top(n)), "bids": side(book.bids.top(n)), "ts": self._ms()}])

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
            c.put(orjson.dumps({"event": "error", "code": "60012", "msg": f"Invalid request: {text[:80]}",
                                "connId": c.id}))
            return
        for a in args:
            ch = a.get("channel") if isinstance(a, dict) else None
            i = a.get("instId") if isinstance(a, dict) else None
            if not (isinstance(ch, str) and isinstance(i, str)) or ch not in _CHANNELS or i not in self.insts:
                c.put(orjson.dumps({"event": "error", "code": "60018",
                                    "msg": f"Wrong URL or channel:{ch},instId:{i} doesn't exist", "connId": c.id}))
                continue
            key = (ch, i)
            if op == "subscribe":
                c.topics[key] = True
            else:
                c.topics.pop(key, None)
            c.put(orjson.dumps({"event": op, "arg": {"channel": ch, "instId": i}, "connId": c.id}))
            if op == "subscribe" and ch == "books":
                self._snapshot(c, i)

    def _snapshot(self, c: Subscriber, i: str) -> None:
        book, inst = self.server.translator.books[self.syms[i]], self.insts[i]
        seq = self.seq.setdefault(i, 1000)
        snap = BookSnapshot(i, tuple(book.bids.top(100_000)), tuple(book.asks.top(100_000)), seq,
                            self.server.market.now, 0, codec.book_checksum(book, inst))
        c.put(codec.encode_book(snap, inst))
        self.sent_snapshots += 1

    # ---------------------------------------------------------------------------- publishing
    def dispatch(self, batch: list) -> None:
        subs = self.subs
        books = self.server.translator.books
        for _, ev in batch:
            kind = type(ev)
            i = self.ids.get(ev.symbol)
            if i is None:
                continue
            if kind is BookDelta:
                prev = self.seq.get(i, 1000)
                if self.take("skip", i):  # an update the client never gets: the chain breaks
                    prev += 1
                seq = prev + 1
                self.seq[i] = seq
                if not subs:
                    continue
                key = ("books", i)
                targets = [c for c in subs if key in c.topics]
                if not targets:
                    continue
                inst = self.insts[i]
                cs = codec.book_checksum(books[ev.symbol], inst)
                if self.take("checksum", i):
                    cs ^= 0x5A5A5A5A
                d = BookDelta(i, ev.bids, ev.asks, seq, seq, prev, ev.ts_exchange_ns, 0, cs)
                f = codec.encode_book(d, inst)
                for c in targets:
                    c.put(f)
            elif kind is Trade:
                self.fan_out(("trades", i), codec.encode_trade, ev, self.insts[i])
            elif kind is MarkPrice:
                for n, ch in enumerate(("mark-price", "funding-rate")):  # OKX's two channels
                    self.fan_out((ch, i), _mark_frame, ev, self.insts[i], n)
