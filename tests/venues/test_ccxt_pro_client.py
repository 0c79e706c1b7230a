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
