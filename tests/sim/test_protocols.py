"""The translator the other venues' protocols share: the market's Binance frames as core events,
its books equal to the books the market published."""

from __future__ import annotations

import asyncio

from dom.sim.server import SimServer


async def test_translator_books_follow_the_published_books():
    async with SimServer(preset="mixed", seed=3, port=0, symbols=3, speed=4.0) as srv:
        await asyncio.sleep(0.3)
        tr = srv.start_translator()
        assert srv.start_translator() is tr  # one translator, started once
        await asyncio.sleep(1.5)
        await srv.pause()
        assert sum(tr.seq.values()) > 0  # depth flowed through it
        for sym in srv.symbols:
            bids, asks, _ = srv.true_book(sym)
            book = tr.books[sym]
            assert dict(book.bids.top(10_000)) == bids
            assert dict(book.asks.top(10_000)) == asks


HOSTILE_REQUESTS = ["[" * 100_000, '{"op":"subscribe","args":"x"}',
                    '{"op":"subscribe","args":[{"channel":[1],"instId":{}}]}',
                    '{"op":"subscribe","args":[{"instType":"USDT-FUTURES","channel":{},"instId":[]}]}',
                    '{"op":"subscribe","args":[null, 5, "orderbook.1e9.BTCUSDT"]}', '{"op":"ping","req_id":[1]}',
                    "\x00" * 10]


async def test_hostile_requests_are_answered_with_errors_and_the_connection_stays():
    import websockets

    async with SimServer(preset="mixed", seed=3, port=0, symbols=2) as srv:
        for path in ("/v5/public/linear", "/ws/v5/public", "/v2/ws/public"):
            async with websockets.connect(srv.ws_url + path) as ws:
                for req in HOSTILE_REQUESTS:
                    await ws.send(req)
                await ws.send("ping" if path != "/v5/public/linear" else '{"op":"ping"}')
                replies = []
                while not replies or "pong" not in str(replies[-1]):  # the ping, after them all
                    replies.append(await asyncio.wait_for(ws.recv(), 2.0))
                # every hostile request got an error (a protocol may answer one per argument)
                assert len(replies) > len(HOSTILE_REQUESTS) - 2, (path, replies)
                assert all("error" in str(r) or "pong" in str(r) for r in replies), (path, replies)
