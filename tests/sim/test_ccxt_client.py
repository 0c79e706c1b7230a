"""ccxt.pro's own, unmodified binanceusdm client against the built-in market on loopback."""

import asyncio

from dom.sim.server import SimServer

SYMBOLS = {"BTCUSDT": "BTC/USDT:USDT", "KITEUSDT": "KITE/USDT:USDT"}


def client_for(srv):
    import ccxt.pro

    ex = ccxt.pro.binanceusdm({"enableRateLimit": False})
    for k in ("fapiPublic", "fapiPublicV2", "fapiPublicV3"):
        ex.urls["api"][k] = srv.url + "/fapi/" + ex.urls["api"][k].rsplit("/fapi/", 1)[1]
    ex.urls["api"]["ws"]["linear"] = srv.ws_url + "/ws"
    return ex


async def watch_until_ok(ex, symbol, updates=5, tries=20):
    """What a ccxt caller does: retry watch_order_book until it yields ``updates`` books."""
    import ccxt

    got = 0
    errors = 0
    while got < updates:
        try:
            await asyncio.wait_for(ex.watch_order_book(symbol), 5)
            got += 1
        except (ccxt.BaseError, asyncio.TimeoutError):
            errors += 1
            assert errors < tries
            await asyncio.sleep(0.1)
    return errors


async def assert_books_equal(srv, ex):
    await srv.pause()
    await asyncio.sleep(0.3)  # let the client drain what it already received
    for sym, unified in SYMBOLS.items():
        inst = srv.instruments[sym]
        ob = ex.orderbooks[unified]
        bids, asks, u = srv.true_book(sym)
        assert ob["nonce"] == u
        ps, qs = inst.price.scale, inst.qty.scale  # ccxt holds floats: print them at the tick's places
        cb = {inst.px(f"{p:.{ps}f}"): inst.lots(f"{q:.{qs}f}") for p, q in ob["bids"]}
        ca = {inst.px(f"{p:.{ps}f}"): inst.lots(f"{q:.{qs}f}") for p, q in ob["asks"]}
        assert cb == bids and ca == asks
    srv.resume()


async def test_ccxt_pro_keeps_exact_books_and_recovers():
    async with SimServer(seed=3, port=0) as srv:
        ex = client_for(srv)
        try:
            await ex.load_markets()
            for unified in SYMBOLS.values():
                await watch_until_ok(ex, unified)
            await assert_books_equal(srv, ex)

            srv.faults.close()  # dropped connection: the caller retries
            await asyncio.sleep(0.2)
            for unified in SYMBOLS.values():
                await watch_until_ok(ex, unified)
            await assert_books_equal(srv, ex)

            srv.faults.gap("BTCUSDT")  # a lost depth event: ccxt notices, the caller retries
            await asyncio.sleep(0.5)
            for unified in SYMBOLS.values():
                await watch_until_ok(ex, unified, updates=8)
            await assert_books_equal(srv, ex)
        finally:
            await ex.close()
