"""Binance's all-market streams on the built-in market, over real websockets on loopback:
``!bookTicker`` (/public), ``!markPrice@arr@1s`` / ``!markPrice@arr`` and ``!ticker@arr``
(/market), raw and combined, by URL and by SUBSCRIBE."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import orjson
import websockets

from dom.sim.server import SimServer

SPEED = float(os.environ.get("DOM_SIM_SPEED", "8"))
N_SYMBOLS = 4


def _server(**kw) -> SimServer:
    return SimServer(preset="mixed", seed=5, port=0, symbols=N_SYMBOLS, speed=SPEED, **kw)


async def _frames(ws, market_seconds: float) -> list:
    """Every frame (JSON) received during ``market_seconds`` of market time."""
    out = []
    loop = asyncio.get_running_loop()
    end = loop.time() + market_seconds / SPEED
    while (left := end - loop.time()) > 0:
        try:
            out.append(orjson.loads(await asyncio.wait_for(ws.recv(), left)))
        except asyncio.TimeoutError:
            break
    return out


async def _until_reply(ws, rid: int, timeout_s: float = 10.0) -> list:
    """Every frame (JSON) up to and including the reply to request ``rid`` (wall-clock timeout)."""
    out: list = []
    while not (out and out[-1].get("id") == rid):
        out.append(orjson.loads(await asyncio.wait_for(ws.recv(), timeout_s)))
    return out


async def _arrays(ws, n: int, timeout_s: float = 20.0) -> list:
    """Every frame (JSON) up to and including the ``n``-th that is an array (wall-clock timeout): a
    loaded machine's market may run behind the wall clock, so counting frames beats a time window."""
    out: list = []
    while sum(isinstance(f, list) for f in out) < n:
        out.append(orjson.loads(await asyncio.wait_for(ws.recv(), timeout_s)))
    return out


async def _drain(ws) -> list:
    out = []
    while True:
        try:
            out.append(orjson.loads(await asyncio.wait_for(ws.recv(), 0.3)))
        except asyncio.TimeoutError:
            return out


async def test_book_ticker_all_symbols_and_agrees_with_the_published_book():
    async with _server() as srv:
        async with websockets.connect(srv.ws_url + "/public/ws/!bookTicker") as ws:
            got = await _frames(ws, 4.0)
            await srv.pause()
            got += await _drain(ws)
            assert all(isinstance(f, dict) and f["e"] == "bookTicker" for f in got)  # raw: no envelope
            last = {f["s"]: f for f in got}
            assert set(last) == set(srv.symbols)
            for sym, f in last.items():
                # the paused market: its last bookTicker is the best of the book it published
                bids, asks, last_u = srv.true_book(sym)
                inst = srv.instruments[sym]
                bb, ba = max(bids), min(asks)
                assert (f["b"], f["B"]) == (inst.px_str(bb), inst.qty_str(bids[bb])), sym
                assert (f["a"], f["A"]) == (inst.px_str(ba), inst.qty_str(asks[ba])), sym
                assert f["u"] <= last_u


async def test_mark_price_array_once_a_second_with_every_symbol():
    async with _server() as srv:
        url = srv.ws_url + "/market/stream?streams=!markPrice@arr@1s/!markPrice@arr"
        async with websockets.connect(url) as ws:
            got = await _frames(ws, 4.5)
        by_stream: dict[str, list] = {}
        for f in got:
            by_stream.setdefault(f["stream"], []).append(f["data"])
        assert set(by_stream) == {"!markPrice@arr@1s", "!markPrice@arr"}
        arrays = by_stream["!markPrice@arr@1s"]
        assert 3 <= len(arrays) <= 6
        for arr in arrays:  # one frame per second: every symbol once, all of the same second
            assert isinstance(arr, list)
            assert sorted(e["s"] for e in arr) == sorted(srv.symbols)
            assert {e["e"] for e in arr} == {"markPriceUpdate"}
            assert len({e["E"] for e in arr}) == 1
        times = [arr[0]["E"] for arr in arrays]
        assert [b - a for a, b in zip(times, times[1:])] == [1000] * (len(times) - 1)


async def test_ticker_array_agrees_with_rest_24hr():
    async with _server() as srv:
        async with websockets.connect(srv.ws_url + "/market/ws") as ws:
            await ws.send('{"method":"SUBSCRIBE","params":["!ticker@arr"],"id":7}')
            got = await _until_reply(ws, 7)
            got += await _arrays(ws, 3)
            await srv.pause()
            got += await _drain(ws)
            async with aiohttp.ClientSession() as http:
                async with http.get(srv.url + "/fapi/v1/ticker/24hr") as r:
                    rest = {b["symbol"]: b for b in await r.json()}
        assert got[0] == {"result": None, "id": 7}
        arrays = got[1:]
        assert arrays and all(isinstance(a, list) for a in arrays)
        seen = {e["s"] for a in arrays for e in a}
        assert seen == set(srv.symbols)
        last = {e["s"]: e for a in arrays for e in a}
        for sym, e in last.items():
            assert e["e"] == "24hrTicker"
            assert set(e) == set("eEsPpwcQohlvqOCFLn")
            assert e["C"] - e["O"] == 86_400_000
            b = rest[sym]
            # the REST body is of the paused market, at most one second of market after the array
            c_ws, c_rest = float(e["c"]), float(b["lastPrice"])
            assert abs(c_ws - c_rest) <= 0.005 * c_rest, (sym, e["c"], b["lastPrice"])
            q_ws, q_rest = float(e["q"]), float(b["quoteVolume"])
            assert abs(q_ws - q_rest) <= 0.002 * q_rest, (sym, e["q"], b["quoteVolume"])
            assert b["closeTime"] - e["C"] <= 1000


async def test_bad_stream_names_are_ignored_and_the_connection_stays():
    async with _server() as srv:
        # the legacy endpoint-less path serves every stream; a bad name in the URL is dropped
        url = srv.ws_url + "/stream?streams=!nonsense/!bookTicker/btcusdt@bogus"
        async with websockets.connect(url) as ws:
            await ws.send(orjson.dumps({"method": "SUBSCRIBE", "params": ["!tickers", "@", "!", 5, None], "id": 1}).decode())
            await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":2}')
            got = await _frames(ws, 2.0)
            replies = [f for f in got if "id" in f]
            assert replies == [{"result": None, "id": 1}, {"result": ["!bookTicker"], "id": 2}]
            frames = [f for f in got if "stream" in f]
            assert frames and {f["stream"] for f in frames} == {"!bookTicker"}
            assert frames[-1]["data"]["e"] == "bookTicker"
            await ws.send('{"method":"UNSUBSCRIBE","params":["!bookTicker"],"id":3}')
            await asyncio.sleep(0.2)
            after = await _drain(ws)
            assert {"result": None, "id": 3} in after
            assert not (await _frames(ws, 2.0))  # nothing more once unsubscribed


async def test_streams_only_on_their_endpoint():
    async with _server() as srv:
        async with websockets.connect(srv.ws_url + "/public/stream?streams=!markPrice@arr@1s/!ticker@arr") as pub, \
                websockets.connect(srv.ws_url + "/market/stream?streams=!bookTicker/!markPrice@arr@1s") as mkt:
            await pub.send('{"method":"LIST_SUBSCRIPTIONS","id":1}')
            await mkt.send('{"method":"LIST_SUBSCRIPTIONS","id":1}')
            # The replies first (however long a loaded machine takes to send them), then what
            # each endpoint streams in the market seconds after.
            p = await _until_reply(pub, 1)
            m = await _until_reply(mkt, 1)
            p += await _frames(pub, 2.5)
            m += await _frames(mkt, 0.5)
        assert p == [{"result": [], "id": 1}]
        assert m[0] == {"result": ["!markPrice@arr@1s"], "id": 1}
        assert {f["stream"] for f in m[1:]} == {"!markPrice@arr@1s"}


async def _wall(ws, seconds: float) -> list:
    return await _frames(ws, seconds * SPEED)  # _frames counts market seconds at SPEED


async def test_stall_holds_the_arrays_and_skew_delays_them():
    # The faults count wall seconds: this test runs the market at 8x whatever DOM_SIM_SPEED says,
    # so several arrays arrive a wall second.
    async with SimServer(preset="mixed", seed=5, port=0, symbols=N_SYMBOLS, speed=8.0) as srv:
        async with websockets.connect(srv.ws_url + "/market/ws/!markPrice@arr@1s") as ws:
            assert len(await _wall(ws, 0.5)) >= 2  # one a market second: several a wall second
            srv.faults.stall(1.5)  # wall seconds
            await _wall(ws, 0.2)  # what was already on its way
            assert not await _wall(ws, 0.9)  # stalled: nothing
            await asyncio.sleep(0.5)
            assert len(await _wall(ws, 0.5)) >= 2  # and it comes back
            srv.faults.skew(600)  # /market held back 600 ms: nothing new for a while, then all
            early = await _wall(ws, 0.45)
            assert len(early) <= 1  # at most one already on its way when the skew began
            later = await _wall(ws, 0.6)
            assert len(later) >= 2
            times = [a[0]["E"] for a in early + later]
            assert [b - a for a, b in zip(times, times[1:])] == [1000] * (len(times) - 1)  # none lost
