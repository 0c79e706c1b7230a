"""The slippage walk against the built-in market with a known book: served on loopback, the
snapshot fetched and decoded by the real client, walked, compared with the exact average."""

from fractions import Fraction

from dom.core.book import OrderBook
from dom.core.context.liquidity import slippage_bps
from dom.core.context.sizing import walk
from dom.core.types import BookSnapshot
from dom.venues.binance_usdm.client import BinanceUsdmFeed
from dom.sim.matching import ASK, BID, MatchingBook
from dom.sim.server import SimServer

ASKS = [(5001, 1000), (5002, 2000), (5004, 5000), (5010, 20000)]
BIDS = [(4999, 1500), (4997, 3000), (4990, 10000)]


async def test_walk_through_a_known_book_served_by_the_built_in_market():
    async with SimServer(seed=1, port=0, injections=False, decoys=False) as srv:
        await srv.pause()  # the clock stops: the book below stays exactly as placed
        sim = srv.market.syms["KITEUSDT"]
        book = MatchingBook(sim.book.update_id + 1)
        for side, levels in ((ASK, ASKS), (BID, BIDS)):
            for px, qty in levels:
                book.add(side, px, qty // 2, srv.market.now)  # two orders a level: sizes add up
                book.add(side, px, qty - qty // 2, srv.market.now)
        sim.book = book

        got: list = []
        feed = BinanceUsdmFeed(["KITEUSDT"], emit=got.extend, endpoint=srv.url, snapshot_limit=100)
        await feed.prepare()
        assert await feed.snapshots._fetch("KITEUSDT") == "ok"  # the client's own REST + decode path
        await feed.close()
    snap = got[0]
    assert isinstance(snap, BookSnapshot) and list(snap.asks) == ASKS and list(snap.bids) == BIDS
    ob = OrderBook()
    ob.apply_snapshot(snap.bids, snap.asks)

    buy = walk(ob.asks.top(500), 4000)  # 1000 @ 0.5001 + 2000 @ 0.5002 + 1000 @ 0.5004
    assert buy.avg_px == Fraction(1000 * 5001 + 2000 * 5002 + 1000 * 5004, 4000) == Fraction(20009, 4)
    assert buy.levels == 3 and buy.worst_px == 5004 and buy.complete
    assert buy.slippage_ticks == Fraction(5, 4)  # 0.500225 against the best ask 0.5001
    assert slippage_bps(buy, 5001) == float(Fraction(5, 4) / 5001 * 10_000)

    sell = walk(ob.bids.top(500), 14_500)  # the whole bid side
    assert sell.avg_px == Fraction(1500 * 4999 + 3000 * 4997 + 10000 * 4990, 14_500) and sell.complete
    assert not walk(ob.bids.top(500), 14_501).complete
