"""Whole-venue mode of the native Binance USDⓈ-M feed (the scanner) against the built-in market:
every symbol's best bid/ask from ``!bookTicker``, trades, marks from ``!markPrice@arr@1s``, and
depth only for the symbols followed, subscribed and unsubscribed while running; a followed book
is exact, and comes back after a dropped connection."""

import asyncio

from dom.core.types import FeedState
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import Pipeline
from dom.sim.server import SimServer
from dom.venues.binance_usdm.client import BinanceUsdmFeed

SYMBOLS = ["BTCUSDT", "KITEUSDT", "PIKEUSDT"]


async def _until(cond, timeout: float, what: str) -> float:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    while not cond():
        assert loop.time() - t0 < timeout, what
        await asyncio.sleep(0.02)
    return loop.time() - t0


def _depth_subs(srv: SimServer) -> set[str]:
    return {sym for c in srv.conns for (sym, kind) in c.subs if kind == "depth"}


async def _exact(srv: SimServer, eng, sym: str) -> None:
    await srv.pause()
    await asyncio.sleep(0.25)
    bids, asks, u = srv.true_book(sym)
    st = eng[sym]
    assert st.synced and st.seq.last_id == u
    assert st.book.bids.levels == bids and st.book.asks.levels == asks
    srv.resume()


async def test_top_of_book_for_all_and_depth_for_the_followed_symbols_only():
    async with SimServer(seed=7, port=0) as srv:
        feed = BinanceUsdmFeed(SYMBOLS, emit=lambda e: None, endpoint=srv.url, reconnect=(0.05, 0.1, 1.0),
                               depth_symbols=set())
        pipe = Pipeline(feed.venue)
        drv = LiveDriver(feed, pipe)
        await drv.start()
        assert drv.whole_venue
        task = asyncio.create_task(drv.run())
        eng = pipe.engine
        try:
            await _until(lambda: all(eng[s].last_ticker and eng[s].mark and eng[s].stats.trades for s in SYMBOLS),
                         5.0, "tickers, marks and trades for every symbol")
            assert all(eng[s].state is FeedState.TOP and not eng[s].book.bids for s in SYMBOLS)
            assert _depth_subs(srv) == set() and sum(eng[s].stats.depth_messages for s in SYMBOLS) == 0
            tk = eng["KITEUSDT"].last_ticker
            assert 0 < tk.bid_px < tk.ask_px

            assert drv.follow("KITEUSDT", True)
            waited = await _until(lambda: eng["KITEUSDT"].synced, 5.0, "KITEUSDT synced after follow")
            assert _depth_subs(srv) == {"KITEUSDT"}
            await _exact(srv, eng, "KITEUSDT")
            assert eng["PIKEUSDT"].state is FeedState.TOP
            print(f"followed and synced in {waited:.2f} s")

            srv.faults.close()  # both connections drop: the followed depth comes back by itself
            await asyncio.sleep(0.3)
            await _until(lambda: eng["KITEUSDT"].synced, 5.0, "KITEUSDT synced after reconnect")
            assert _depth_subs(srv) == {"KITEUSDT"} and feed.stats.reconnects >= 2
            await _exact(srv, eng, "KITEUSDT")

            assert drv.follow("KITEUSDT", False)
            await _until(lambda: _depth_subs(srv) == set(), 2.0, "KITEUSDT unsubscribed")
            assert eng["KITEUSDT"].state is FeedState.TOP and not eng["KITEUSDT"].book.bids
            n = eng["KITEUSDT"].stats.trades
            await _until(lambda: eng["KITEUSDT"].stats.trades > n, 5.0, "trades go on after unfollow")
            assert not drv.follow("NOSUCHUSDT", True)
        finally:
            drv.stop()
            await task


async def test_a_feed_not_in_whole_venue_mode_refuses_to_follow():
    async with SimServer(seed=8, port=0) as srv:
        feed = BinanceUsdmFeed(SYMBOLS[:1], emit=lambda e: None, endpoint=srv.url)
        drv = LiveDriver(feed, Pipeline(feed.venue))
        await drv.start()
        assert not drv.whole_venue and not drv.follow("BTCUSDT", False)
        assert drv.engine["BTCUSDT"].state is FeedState.SYNCING
        await feed.close()
