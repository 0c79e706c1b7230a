"""The built-in market served as a local Binance USDⓈ-M exchange (aiohttp, 127.0.0.1).

    async with SimServer(preset="mixed", seed=1, port=0) as srv:
        srv.url          # "http://127.0.0.1:PORT": REST base; websockets under ws://.../public etc.
        srv.true_book("BTCUSDT")   # (bids, asks, last_u) as published: what a client must hold
        await srv.pause(); srv.resume()
        srv.faults.gap("BTCUSDT")  # and close/abort/stall/skew/malformed/stale_snapshot/...

REST: ``/fapi/v1/ping``, ``time``, ``exchangeInfo``, ``depth``, ``premiumIndex``,
``openInterest``, ``ticker/24hr``. Websockets: ``/ws``, ``/ws/<s1>/<s2>`` (raw events),
``/stream?streams=a/b`` (combined envelope), each also under ``/public`` (depth, bookTicker) and
``/market`` (aggTrade, markPrice), and the all-market streams ``!bookTicker`` (/public),
``!markPrice@arr@1s``, ``!markPrice@arr``, ``!ticker@arr`` (/market; ``dom.sim.all_market``),
with SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS and the ``{"result":null,"id":N}`` ack; the server pings every 20 s and expects pongs. Any depth stream
speed (``@depth``, ``@depth@100ms``...) is served at the market's own push interval.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from dom.sim import all_market
from dom.sim import protocols as venue_protocols
from dom.sim.connection import Conn, parse_stream
from dom.sim.connection import send as _send
from dom.sim.faults import Faults
from dom.sim.market import STEP_NS, Market, Msg
from dom.sim.rest import RestViews

log = logging.getLogger("dom.sim")
SWITCH_GAP_S = 0.001
class SimServer:
    def __init__(
        self,
        preset: str = "mixed",
        seed: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        depth_ms: int = 100,
        labels_path: str | None = None,
        symbols: int | None = None,
        injections: bool = True,
        decoys: bool = True,
        market: Market | None = None,
    ) -> None:
        now_ns = time.time_ns()
        self._own_market = market is None
        self.market = market or Market(
            preset, seed, depth_ms, injections=injections, symbols=symbols, decoys=decoys,
            start_ns=now_ns - now_ns % STEP_NS,
        )
        self.host, self.port, self.speed = host, port, speed
        self.labels_path = labels_path
        self.faults = Faults(self)
        self.rest = RestViews(self)
        self.conns: set[Conn] = set()
        self.all_market = all_market.AllMarket(self)
        # Other venues' protocols on the same port; their translator starts with their first client.
        self.protocols = venue_protocols.load(self)
        self.translator: venue_protocols.Translator | None = None
        self._runner: web.AppRunner | None = None
        self._clock: asyncio.Task | None = None
        self._running = asyncio.Event()
        self._running.set()
        self._labels_written = 0
        self.steps_behind = 0
        # A recording keeps its order across connections (see _send_in_order).
        self._ordered: asyncio.Queue | None = asyncio.Queue() if getattr(self.market, "ordered", False) else None
        self._ordered_task: asyncio.Task | None = None

    # ---------------------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> "SimServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        for proto in self.protocols:  # first: their paths are more specific than Binance's /ws/*
            proto.add_routes(app)
        self.rest.add_routes(app)
        for prefix, endpoint in (("", "any"), ("/public", "public"), ("/market", "market")):
            app.router.add_get(prefix + "/ws", self._ws_handler(endpoint, False))
            app.router.add_get(prefix + "/ws/{streams:.*}", self._ws_handler(endpoint, False))
            app.router.add_get(prefix + "/stream", self._ws_handler(endpoint, True))
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self._own_market and self.market.steps == 0:
            # Building the market took time: start its clock at the wall clock.
            self.market.now = self.market.start_ns = time.time_ns()
        self._clock = asyncio.create_task(self._run_clock(), name="dom-sim-clock")
        if self._ordered is not None:
            self._ordered_task = asyncio.create_task(self._send_in_order(), name="dom-sim-ordered")

    async def stop(self) -> None:
        if self._ordered_task is not None:
            self._ordered_task.cancel()
        if self._clock is not None:
            self._clock.cancel()
            try:
                await self._clock
            except asyncio.CancelledError:
                pass
        for c in list(self.conns):
            await c.ws.close()
        for proto in self.protocols:
            await proto.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self.write_labels(final=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def symbols(self) -> list[str]:
        return list(self.market.syms)

    @property
    def instruments(self):
        return self.market.instruments

    def true_book(self, symbol: str) -> tuple[dict[int, int], dict[int, int], int]:
        return self.market.published_book(symbol)

    async def pause(self) -> None:
        """Stop the market clock and publishing; returns once every queued frame was sent."""
        self._running.clear()
        await asyncio.sleep(0)
        for _ in range(200):
            if all(c.queue.empty() for c in self.conns):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    def resume(self) -> None:
        self._running.set()

    # --------------------------------------------------------------------------------- clock
    async def _run_clock(self) -> None:
        loop = asyncio.get_running_loop()
        step_s = STEP_NS / 1e9
        next_t = loop.time()
        while True:
            if not self._running.is_set():
                await self._running.wait()
                next_t = loop.time()
            # Sleep first: the market's clock never runs ahead of the wall clock, so exchange
            # times are never in the client's future.
            next_t += step_s / self.speed
            delay = next_t - loop.time()
            if delay < -1.0:  # far behind (slow machine): drop the backlog, keep running
                self.steps_behind += 1
                next_t = loop.time()
                delay = 0
            await asyncio.sleep(max(0.0, delay))
            if not self._running.is_set():
                continue
            ready = getattr(self.market, "ready", None)
            if ready is not None and not ready({k for c in self.conns for _, k in c.subs}, step_s / self.speed):
                continue  # a recording waits for its first client
            burst = self.faults.burst_factor()
            for _ in range(burst):
                self._dispatch(self.market.advance())
            if self.rest.klines is not None:
                self.rest.klines.sample()
            self._maybe_write_labels()

    def start_translator(self) -> venue_protocols.Translator:
        """Core events for the other protocols from now on (called with their first client),
        the books starting from the market's published books."""
        if self.translator is None:
            tr = venue_protocols.Translator(self.instruments)
            for sym in self.symbols:
                bids, asks, _ = self.true_book(sym)
                tr.reset_from(sym, bids, asks)
            self.translator = tr
        return self.translator

    def _dispatch(self, msgs: list[Msg]) -> None:
        if self.translator is not None and msgs:
            batch = list(self.translator.events(msgs, time.time_ns()))
            for proto in self.protocols:
                proto.dispatch(batch)
        f = self.faults
        loop = asyncio.get_running_loop()
        for endpoint, frame in f.take_injected():
            for c in self.conns:
                if c.endpoint in (endpoint, "any"):
                    self._enqueue(c, 0.0, frame)
        for m in msgs:
            key = parse_stream(m.stream)
            if key is None:
                continue
            if key[1] == "depth" and (f.take_gap(key[0]) or f.silenced(key[0])):
                continue
            if f.stalled():
                continue
            due = (loop.time() + f.skew_ms / 1000) if (m.endpoint == "market" and f.skew_ms) else 0.0
            for c in self.conns:
                name = c.subs.get(key)
                if name is None:
                    continue
                raw = f.mangle(m.raw, c.endpoint, key[1])
                frame = b'{"stream":"%s","data":%s}' % (name.encode(), raw) if c.combined else raw
                if self._ordered is not None:
                    self._ordered.put_nowait((c, frame))
                else:
                    self._enqueue(c, due, frame)
        if not f.stalled():
            self._dispatch_all_market(msgs, loop.time())

    def _dispatch_all_market(self, msgs: list[Msg], now: float) -> None:
        """``!bookTicker``, ``!markPrice@arr@1s``... to the connections that subscribed them."""
        skew = self.faults.skew_ms
        for name, endpoint, kind, raw in self.all_market.frames(msgs):
            due = (now + skew / 1000) if (endpoint == "market" and skew) else 0.0
            key = (all_market.KEY, name)
            for c in self.conns:
                if key not in c.subs:
                    continue
                frame = b'{"stream":"%s","data":%s}' % (name.encode(), raw) if c.combined else raw
                if self._ordered is not None:
                    self._ordered.put_nowait((c, frame))
                else:
                    self._enqueue(c, due, frame)

    def _enqueue(self, c: Conn, due: float, frame: bytes) -> None:
        try:
            c.queue.put_nowait((due, frame))
        except asyncio.QueueFull:
            log.warning("client too slow, closing its connection")
            asyncio.ensure_future(c.ws.close(code=1008, message=b"too slow"))

    # ---------------------------------------------------------------------------- websockets
    def _ws_handler(self, endpoint: str, combined: bool):
        async def handler(request: web.Request) -> web.StreamResponse:
            # No permessage-deflate: frames go as they are (compressing every frame cost the market
            # and each client CPU, and aiohttp's compressed send left a task raising "Cannot write
            # to closing transport" unretrieved whenever a client left mid-frame).
            ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=1 << 20, compress=False)
            await ws.prepare(request)
            c = Conn(ws, endpoint, combined, request)
            path = request.match_info.get("streams", "")
            initial = path.split("/") if path else []
            if combined:
                initial = [s for s in request.query.get("streams", "").split("/") if s]
            c.subscribe(initial)
            self._raw_trades_wanted(c)
            c.task = asyncio.create_task(self._sender(c))
            self.conns.add(c)
            try:
                async for msg in ws:
                    if msg.type == WSMsgType.TEXT:
                        await self._control(c, msg.data)
                    elif msg.type == WSMsgType.ERROR:
                        break
            finally:
                self.conns.discard(c)
                c.task.cancel()
            return ws

        return handler

    def _raw_trades_wanted(self, c: Conn) -> None:
        if any(kind == "trade" for _, kind in c.subs) and hasattr(self.market, "raw_trades"):
            self.market.raw_trades = True

    async def _control(self, c: Conn, text: str) -> None:
        try:
            req = orjson.loads(text)
            method, rid = req.get("method"), req.get("id")
        except (orjson.JSONDecodeError, AttributeError):
            await c.ws.send_str('{"error":{"code":3,"msg":"Invalid JSON"}}')
            return
        params = req.get("params") or []
        if not isinstance(params, list) or len(params) > 1024:
            await _send(c.ws, orjson.dumps({"error": {"code": 2, "msg": "params must be a list of streams"}, "id": rid}))
            return
        if method == "SUBSCRIBE":
            c.subscribe(params)
            self._raw_trades_wanted(c)
            await _send(c.ws, orjson.dumps({"result": None, "id": rid}))
        elif method == "UNSUBSCRIBE":
            for n in params:
                key = parse_stream(str(n)) or all_market.parse(str(n))
                if key is not None:
                    c.subs.pop(key, None)
            await _send(c.ws, orjson.dumps({"result": None, "id": rid}))
        elif method == "LIST_SUBSCRIPTIONS":
            await _send(c.ws, orjson.dumps({"result": sorted(c.subs.values()), "id": rid}))
        else:
            await _send(c.ws, orjson.dumps({"error": {"code": 1, "msg": f"unknown method {str(method)[:40]!r}"}, "id": rid}))

    async def _sender(self, c: Conn) -> None:
        ws, q = c.ws, c.queue
        loop = asyncio.get_running_loop()
        try:
            while True:
                due, frame = await q.get()
                if due:  # skewed: held back, in order (one TCP stream never reorders)
                    wait = due - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                await _send(ws, frame)
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            pass

    async def _send_in_order(self) -> None:
        """One sender for every connection, in publishing order, with a pause whenever the next
        frame goes to another connection than the last one: a client reading two sockets then
        gets a recording's depth and trades in the recorded order (two sockets sent to at once
        are read in whatever order its event loop sees them). Used for recordings only."""
        assert self._ordered is not None
        last = None
        while True:
            c, frame = await self._ordered.get()
            if c not in self.conns:
                continue
            if last is not None and c is not last:
                await asyncio.sleep(SWITCH_GAP_S)
            last = c
            try:
                await _send(c.ws, frame)
            except (ConnectionResetError, RuntimeError):
                pass

    # -------------------------------------------------------------------------------- labels
    def _maybe_write_labels(self) -> None:
        if self.labels_path and len(self.market.labels) > self._labels_written:
            self.write_labels()

    def write_labels(self, final: bool = False) -> None:
        if not self.labels_path:
            return
        if final:
            self.market.close_labels()
        new = self.market.labels[self._labels_written :]
        if not new:
            return
        with open(self.labels_path, "ab") as f:
            for lab in new:
                f.write(orjson.dumps(lab) + b"\n")
        self._labels_written += len(new)
