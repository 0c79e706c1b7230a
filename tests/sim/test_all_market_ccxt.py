"""ccxt.pro's own, unmodified binanceusdm class reads the built-in market's all-market streams
(the whole-venue scanner's data): ``watch_tickers`` (``!miniTicker@arr``, ccxt's default, and
``!ticker@arr``), ``watch_bids_asks`` (``!bookTicker``) and ``watch_mark_prices``
(``!markPrice@arr@1s``), every symbol, with the market's own numbers."""

import asyncio

from dom.sim.server import SimServer
from tests.sim.test_ccxt_client import client_for


async def _every_symbol(watch, n: int, cache=None, tries: int = 400) -> dict:
    """Watch until every symbol was seen: in what the watches returned, or in ccxt's own cache
    (a watch returns one message, and a bookTicker holds one symbol: BTC's come most often)."""
    got: dict = {}
    for _ in range(tries):
        got.update(await asyncio.wait_for(watch(), 5))
        if cache is not None:
            got.update(cache())
        if len(got) >= n:
            return got
    raise AssertionError(f"{len(got)} of {n} symbols")


async def test_ccxt_reads_every_all_market_stream_with_the_markets_numbers():
    async with SimServer(seed=4, port=0) as srv:
        ex = client_for(srv)
        try:
            await ex.load_markets()
            n = len(srv.market.syms)
            unified = {m["id"]: s for s, m in ex.markets.items() if m["id"] in srv.market.syms}
            mini = await _every_symbol(ex.watch_tickers, n)
            full = await _every_symbol(lambda: ex.watch_tickers(params={"name": "ticker"}), n)
            await _every_symbol(ex.watch_bids_asks, n, cache=lambda: ex.bidsasks)
            marks = await _every_symbol(ex.watch_mark_prices, n)
            await srv.pause()
            ctx = srv.rest.context
            # What was sent before the pause has arrived: the latest ticker of every symbol says
            # the paused market's volume (a fixed 0.3 s was not enough under a loaded full suite).
            for _ in range(100):
                if all(ex.tickers[unified[s]]["quoteVolume"] == float(ctx.ticker(m)["quoteVolume"])
                       for s, m in srv.market.syms.items()):
                    break
                await asyncio.sleep(0.05)
            for sym, sim in srv.market.syms.items():
                u = unified[sym]
                inst = srv.instruments[sym]
                body = ctx.ticker(sim)
                for t in (ex.tickers[u],):  # the latest, whichever stream brought it
                    assert t["last"] == float(body["lastPrice"]) and t["open"] == float(body["openPrice"])
                    assert t["quoteVolume"] == float(body["quoteVolume"])
                assert mini[u]["info"]["e"] == "24hrMiniTicker" and full[u]["info"]["e"] == "24hrTicker"
                bids, asks, _ = srv.true_book(sym)
                b = ex.bidsasks[u]
                assert inst.px(f"{b['bid']:.{inst.price.scale}f}") == max(bids)
                assert inst.px(f"{b['ask']:.{inst.price.scale}f}") == min(asks)
                assert marks[u]["markPrice"] > 0 and marks[u]["info"]["s"] == sym
            srv.resume()
        finally:
            await ex.close()
