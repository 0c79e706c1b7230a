"""The built-in market's websocket control messages as Binance answers them: SUBSCRIBE,
UNSUBSCRIBE and LIST_SUBSCRIPTIONS acknowledged in text frames, hostile ones answered with an
error on a connection that stays up, and no permessage-deflate offered."""

import asyncio

import orjson
import websockets

from dom.sim.server import SimServer


async def _reply(ws, want_id):
    for _ in range(500):
        msg = await asyncio.wait_for(ws.recv(), 5)
        doc = orjson.loads(msg)
        if isinstance(doc, dict) and doc.get("id") == want_id:
            assert isinstance(msg, str), "a reply comes in a text frame, as Binance sends"
            return doc
    raise AssertionError(f"no reply to {want_id}")


async def test_control_messages_are_answered_in_text_and_hostile_ones_do_not_drop_the_connection():
    async with SimServer(seed=1, port=0) as srv:
        url = srv.url.replace("http", "ws") + "/public/ws"
        async with websockets.connect(url) as ws:  # (websockets asks for deflate by default)
            assert ws.protocol.extensions == []
            for i, bad in enumerate([{"method": "SUBSCRIBE", "params": 5}, {"method": "SUBSCRIBE", "params": {"a": 1}},
                                     {"method": ["x"], "params": []}], start=1):
                await ws.send(orjson.dumps({**bad, "id": i}).decode())
                assert "error" in await _reply(ws, i)
            await ws.send('{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":10}')
            assert await _reply(ws, 10) == {"result": None, "id": 10}
            await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":11}')
            assert (await _reply(ws, 11))["result"] == ["btcusdt@depth@100ms"]
            got = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
            assert got.get("e") == "depthUpdate" and got["s"] == "BTCUSDT"
            await ws.send('{"method":"UNSUBSCRIBE","params":["btcusdt@depth@100ms"],"id":12}')
            assert await _reply(ws, 12) == {"result": None, "id": 12}
