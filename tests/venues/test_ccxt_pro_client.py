"""The ccxt.pro path (ccxt's binanceusdm client) against the built-in market on loopback."""

import asyncio

from dom.core.types import FeedState
from dom.sim.server import SimServer
from tests.venues.harness import SYMBOLS, Harness


async def test_ccxt_path_keeps_exact_books_and_recovers_after_a_dropped_connection():
    async with SimServer(seed=7, port=0) as srv, Harness(srv, ccxt=True) as h:
        await asyncio.sleep(1.5)
        await h.assert_exact()
        assert all(h.trades[s] for s in SYMBOLS)
        h.assert_trades_once()
        srv.faults.close()
        await asyncio.sleep(1.0)
        await h.wait_synced(timeout=3.0)
        await asyncio.sleep(0.5)
        await h.assert_exact()
        assert FeedState.DISCONNECTED in sum(h.statuses.values(), [])
        h.assert_trades_once(contiguous=False)


async def test_a_value_off_the_grid_from_ccxt_is_a_counted_bad_frame_not_a_dead_feed():
    """ccxt hands over floats it parsed; one that is not a price on the instrument's grid (or not
    a number) once ended the symbol's task and, with it, the feed."""
    import asyncio

    import ccxt.pro

    from dom.core.units import Instrument
    from dom.venues.ccxt_pro.client import CcxtProFeed

    feed = CcxtProFeed("binanceusdm", ["BTC/USDT:USDT"], emit=lambda e: None)
    feed._ccxt = ccxt.pro
    feed.instruments = {"BTCUSDT": Instrument("BTCUSDT", "0.1", "0.001")}
    books = [{"bids": [[61800.123, 1.0]], "asks": [], "timestamp": 1},
             {"bids": [[None, 1.0]], "asks": [], "timestamp": 1},
             {"bids": [[61800.1, 1.0]], "asks": [[61800.2, 2.0]], "timestamp": 2}]
    seen: list = []
    feed.emit = seen.extend

    async def once() -> None:
        if not books:
            await asyncio.sleep(3600)
        feed._on_book("BTCUSDT", books.pop(0))

    task = asyncio.create_task(feed._retrying("order book", "BTCUSDT", once))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if seen:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert feed.stats.bad_frames == 2 and len(feed.stats.bad_examples) == 2
    assert len(seen) == 1 and seen[0].bids == ((618001, 1000),)  # the next good book, sent whole
