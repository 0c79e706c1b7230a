"""The native Binance USDⓈ-M feed against the built-in market: exact books through every fault."""

import asyncio

import pytest

from dom.core.types import FeedState
from dom.sim.server import SimServer
from dom.venues.binance_usdm.client import BinanceUsdmFeed
from tests.venues.harness import SYMBOLS, Harness


async def test_exact_books_for_three_symbols():
    async with SimServer(seed=2, port=0) as srv, Harness(srv) as h:
        await asyncio.sleep(1.5)
        await h.assert_exact()
        h.assert_trades_once()
        assert all(h.trades[s] for s in SYMBOLS)


@pytest.mark.parametrize("fault", ["gap", "stale_snapshot", "snapshot_5xx", "malformed"])
async def test_depth_faults_resync_to_an_exact_book(fault):
    async with SimServer(seed=3, port=0) as srv, Harness(srv) as h:
        await asyncio.sleep(0.5)
        f = srv.faults
        if fault == "gap":
            f.gap("BTCUSDT")
        elif fault == "malformed":
            f.malformed(1)
        else:
            # Force a resync so a snapshot is fetched, then break that snapshot.
            if fault == "stale_snapshot":
                f.stale_snapshot("BTCUSDT")
            else:
                f.snapshot_errors(2, 503)
            f.gap("BTCUSDT")
        await asyncio.sleep(0.5)
        t = await h.wait_synced(timeout=2.0)
        assert t < 2.0
        await h.assert_exact()
        seq = h.statuses["BTCUSDT"] if fault != "malformed" else sum(h.statuses.values(), [])
        assert FeedState.GAP in seq and seq[-1] is FeedState.SYNCED
        if fault == "stale_snapshot":
            assert FeedState.RESYNCING in seq
        if fault == "snapshot_5xx":
            assert h.feed.stats.snapshot_errors == 2
        if fault == "malformed":
            assert h.feed.stats.bad_frames == 1
        h.assert_trades_once()


@pytest.mark.parametrize("fault", ["close", "abort"])
async def test_dropped_connections_reconnect_and_resync(fault):
    async with SimServer(seed=4, port=0) as srv, Harness(srv) as h:
        await asyncio.sleep(0.5)
        getattr(srv.faults, fault)()
        await asyncio.sleep(0.3)
        await h.wait_synced(timeout=2.0)
        await asyncio.sleep(0.3)
        await h.assert_exact()
        assert FeedState.DISCONNECTED in h.statuses["BTCUSDT"]
        assert h.statuses["BTCUSDT"][-1] is FeedState.SYNCED
        assert h.feed.stats.reconnects >= 2  # /public and /market
        h.assert_trades_once(contiguous=False)  # trades during the outage are not replayed by the venue


async def test_silent_stall_is_detected_as_stale_and_recovers():
    async with SimServer(seed=5, port=0) as srv, Harness(srv, stale_after=0.5) as h:
        await asyncio.sleep(0.3)
        srv.faults.stall(1.0)
        await asyncio.sleep(1.2)
        await h.wait_synced(timeout=2.0)
        await asyncio.sleep(0.2)
        await h.assert_exact()
        assert FeedState.STALE in h.statuses["BTCUSDT"]
        assert any(state is FeedState.STALE for _, state, _ in h.conn)
        h.assert_trades_once(contiguous=False)


async def test_market_stream_skew_keeps_books_exact_and_trades_once():
    async with SimServer(seed=6, port=0) as srv, Harness(srv) as h:
        srv.faults.skew(300)
        await asyncio.sleep(0.2)
        h.trade_lags_ms.clear()
        await asyncio.sleep(1.0)
        assert h.trade_lags_ms and min(h.trade_lags_ms) >= 250  # the trades really arrived late
        assert h.rt.rates["BTCUSDT"].lag_pct(0.5) < 200  # while depth kept its pace
        srv.faults.skew(0)
        await asyncio.sleep(0.5)
        await h.assert_exact()
        h.assert_trades_once()


async def test_a_rejected_symbol_is_switched_off_and_never_holds_up_the_others():
    """Head-of-line blocking: one symbol's snapshot answered HTTP 400 (-1121) kept every other
    symbol in gap. Now it is switched off with the venue's reason, asked once, and the others sync."""
    from dom.core.types import FeedState

    async with SimServer(seed=2, port=0) as srv:
        srv.faults.reject_snapshots("KITEUSDT")
        h = Harness(srv)
        await h.rt.start()
        task = asyncio.create_task(h.rt.run())
        try:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            while not (h.engine["BTCUSDT"].synced and h.engine["PIKEUSDT"].synced):
                assert loop.time() - t0 < 5, {s: h.engine[s].state for s in SYMBOLS}
                await asyncio.sleep(0.02)
            await asyncio.sleep(1.0)
            assert h.engine["KITEUSDT"].state is FeedState.CLOSED
            assert "Invalid symbol" in h.feed.snapshots.off["KITEUSDT"]
            assert srv.faults.snapshot_requests["KITEUSDT"] == 1  # not retried
        finally:
            h.rt.stop()
            await task


async def test_other_4xx_are_retried_three_times_then_switched_off():
    async with SimServer(seed=2, port=0) as srv:
        srv.faults.reject_snapshots("KITEUSDT", status=404, code=-1, msg="Not here.")
        h = Harness(srv)
        await h.rt.start()
        task = asyncio.create_task(h.rt.run())
        try:
            for _ in range(100):
                if "KITEUSDT" in h.feed.snapshots.off:
                    break
                await asyncio.sleep(0.05)
            assert "refused 3 times (HTTP 404 -1 Not here.)" in h.feed.snapshots.off["KITEUSDT"]
            assert srv.faults.snapshot_requests["KITEUSDT"] == 3
            assert h.engine["BTCUSDT"].synced
        finally:
            h.rt.stop()
            await task


def test_rest_weight_gate_spreads_requests():
    from dom.venues.binance_usdm.snapshots import WeightGate, depth_weight

    async def main() -> float:
        gate = WeightGate(per_minute=600)  # 10 a second, a burst of 150
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for _ in range(9):
            await gate.take(depth_weight(1000))  # 20 each: 7 in the burst, then 2 a second
        return loop.time() - t0

    took = asyncio.run(main())
    assert 3.0 < took < 5.5


def test_500_symbols_are_split_over_connections_under_the_stream_and_url_limits():
    """More than ~195 symbols once made one combined URL over 8 KB: HTTP 400, traceback, exit 1."""
    from dom.venues.binance_usdm.client import MAX_STREAMS, MAX_URL, BinanceUsdmFeed

    syms = [f"SYM{i:03d}LONGNAMEUSDT" for i in range(500)]
    feed = BinanceUsdmFeed(syms, emit=lambda e: None, endpoint="http://127.0.0.1:1", book_ticker=True,
                           raw_trades=True)
    for endpoint in ("public", "market"):
        conns = feed.connections(endpoint)
        assert len(conns) > 1 and len({name for name, _, _ in conns}) == len(conns)
        assert [s for _, group, _ in conns for s in group] == syms  # every symbol once, in order
        for _, group, url in conns:
            assert len(url) <= MAX_URL and url.count("@") // 1 <= MAX_STREAMS * 2
            assert len(url.split("streams=")[1].split("/")) <= MAX_STREAMS
    assert [n for n, _, _ in BinanceUsdmFeed(syms[:3], emit=lambda e: None).connections("public")] == ["public"]


async def test_one_symbol_going_silent_is_marked_stale_within_seconds_and_recovers():
    """A book could sit "synced" for up to 10 s of silence (the connection's watchdog): one
    symbol whose depth stops while the others talk on the same connection is now stale within
    ~2 s (alerts held), and resyncs to an exact book when its depth comes back."""
    async with SimServer(seed=3, port=0) as srv, Harness(srv) as h:
        await asyncio.sleep(3.0)  # its usual depth interval is known
        srv.faults.silence("KITEUSDT", 4.0)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while h.engine["KITEUSDT"].state is not FeedState.STALE:
            assert loop.time() - t0 < 3.5, h.engine["KITEUSDT"].state
            await asyncio.sleep(0.05)
        took = loop.time() - t0
        assert 1.5 < took < 3.5
        assert h.engine["BTCUSDT"].synced and h.engine["PIKEUSDT"].synced
        assert h.feed.stats.reconnects == 0
        while not h.engine["KITEUSDT"].synced:
            assert loop.time() - t0 < 10
            await asyncio.sleep(0.05)
        await h.assert_exact()
        assert h.rt.stale_marked == {"KITEUSDT": 1}


async def test_every_symbol_means_every_perpetual_trading_now():
    """With no symbols named, the feed follows the perpetuals that are trading: not the
    quarterlies, not a delisted (settling) one, which would never send a frame."""
    from aiohttp import web

    from dom.venues.binance_usdm.frames import exchange_info_symbol

    def sym(name, **kw):
        return {**exchange_info_symbol(name, name[:-4], "0.1", "0.001", 1, 3), **kw}

    info = {"symbols": [sym("BTCUSDT"), sym("BTCUSDT_250328", contractType="CURRENT_QUARTER"),
                        sym("OLDUSDT", status="SETTLING"), sym("ETHUSDT")]}
    async def exchange_info(request):
        return web.json_response(info)

    app = web.Application()
    app.router.add_get("/fapi/v1/exchangeInfo", exchange_info)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    try:
        feed = BinanceUsdmFeed([], emit=lambda e: None, endpoint=url)
        await feed.prepare()
        assert feed.symbols == ["BTCUSDT", "ETHUSDT"]
        await feed.close()
        named = BinanceUsdmFeed(["OLDUSDT"], emit=lambda e: None, endpoint=url)  # named: the user's call
        assert "OLDUSDT" in await named.prepare()
        await named.close()
    finally:
        await runner.cleanup()
