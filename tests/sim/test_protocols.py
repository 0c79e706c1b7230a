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
