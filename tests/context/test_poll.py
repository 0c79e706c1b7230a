"""The context poller against local servers on loopback: the built-in market (native client and
ccxt), a venue that errors and rate-limits (backoff), and one that never answers (ingest goes on)."""

import asyncio
from decimal import Decimal

from aiohttp import web

from dom.core.context.market import MarketContext, OpenInterest, Ticker24h
from dom.core.context.params import ContextParams
from dom.core.types import MarkPrice
from dom.core.units import Instrument
from dom.sim.server import SimServer
from dom.venues import get as venue
from dom.venues.binance_usdm.client import BinanceUsdmFeed
from dom.venues.binance_usdm.context import BinanceContextPoller
from dom.venues.ccxt_pro.context import CcxtContextPoller
from tests.venues.harness import Harness

FAST = ContextParams(poll_premium_s=1, poll_open_interest_s=1, poll_ticker_s=1)


async def run_for(poller, seconds: float) -> None:
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_native_poller_reads_the_built_in_markets_context_exactly():
    async with SimServer(seed=2, port=0) as srv:
        feed = BinanceUsdmFeed(["BTCUSDT", "KITEUSDT"], emit=lambda e: None, endpoint=srv.url)
        await feed.prepare()
        got: list = []
        poller = venue("binanceusdm").context_poller(feed, got.extend, FAST)
        assert isinstance(poller, BinanceContextPoller)
        await srv.pause()  # a still market: what the poller read is what the server holds
        await run_for(poller, 1.2)
        await feed.close()
        for sym in ("BTCUSDT", "KITEUSDT"):
            sim, inst = srv.market.syms[sym], srv.market.syms[sym].inst
            oi = [e for e in got if isinstance(e, OpenInterest) and e.symbol == sym]
            tick = [e for e in got if isinstance(e, Ticker24h) and e.symbol == sym]
            mark = [e for e in got if isinstance(e, MarkPrice) and e.symbol == sym]
            assert oi and tick and mark
            assert oi[-1].oi_lots == sim.open_interest
            assert oi[-1].ts_exchange_ns == srv.market.now // 1_000_000 * 1_000_000
            body = srv.rest.context.ticker(sim)
            assert tick[-1].quote_volume == Decimal(body["quoteVolume"]) and tick[-1].last_px == sim.last_trade_px
            assert tick[-1].volume_lots == inst.lots(body["volume"])
            assert mark[-1].funding_rate_e8 == round(sim.funding_rate * 1e8)
            assert mark[-1].next_funding_ns % (8 * 3600 * 10**9) == 0
        assert poller.stats.errors == 0 and poller.stats.requests == poller.stats.ok >= 6


async def test_ccxt_poller_reads_the_same_through_ccxt():
    from dom.venues.ccxt_pro.client import CcxtProFeed

    async with SimServer(seed=2, port=0) as srv:
        feed = CcxtProFeed("binanceusdm", ["KITEUSDT"], emit=lambda e: None, endpoint=srv.url)
        await feed.prepare()
        got: list = []
        poller = venue("ccxt:binanceusdm").context_poller(feed, got.extend, FAST)
        assert isinstance(poller, CcxtContextPoller)
        await srv.pause()
        await run_for(poller, 1.5)
        await feed.close()
        sim = srv.market.syms["KITEUSDT"]
        ctx = MarketContext()
        for e in got:
            if not isinstance(e, MarkPrice):
                ctx.apply(e)
        assert ctx.get("KITEUSDT").open_interest == sim.open_interest
        assert ctx.get("KITEUSDT").ticker.last_px == sim.last_trade_px
        mark = [e for e in got if isinstance(e, MarkPrice)]
        assert mark and mark[-1].funding_rate_e8 == round(sim.funding_rate * 1e8)
        assert poller.stats.errors == 0


class FlakyVenue:
    """Answers 500, 500, 429 (Retry-After: 1), then a real open-interest body; records when."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.script = [500, 500, 429]

    async def handler(self, request: web.Request) -> web.Response:
        self.times.append(asyncio.get_running_loop().time())
        if self.script:
            code = self.script.pop(0)
            return web.Response(status=code, headers={"Retry-After": "1"} if code == 429 else {})
        return web.json_response({"symbol": "KITEUSDT", "openInterest": "123", "time": 5})


async def serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/fapi/v1/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def test_errors_back_off_doubling_429_waits_retry_after_and_success_resets():
    venue = FlakyVenue()
    runner, url = await serve(venue.handler)
    got: list = []
    poller = BinanceContextPoller(url, ["KITEUSDT"], {"KITEUSDT": Instrument("KITEUSDT", "0.0001", "1")}, got.extend,
                                  ContextParams(poll_open_interest_s=1), backoff_min_s=0.2)
    # The one endpoint this venue has, asked every 0.1 s: the gaps below are the backoff alone.
    poller.schedules = lambda: [("open_interest", 0.1, poller._oi)]
    try:
        await run_for(poller, 2.2)
    finally:
        await runner.cleanup()
    gaps = [b - a for a, b in zip(venue.times, venue.times[1:])]
    # 500 -> wait 0.2 s; 500 -> 0.4 s (doubled); 429 -> 0.8 s doubled, but Retry-After says 1 s.
    assert len(gaps) >= 3 and gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 1.0
    assert gaps[1] < 0.4 + 0.3 and gaps[2] < 1.0 + 0.3  # and not much longer: nothing else waits
    assert poller.stats.errors == 3 and poller.stats.rate_limited == 1 and poller.gate.delay == 0
    assert got[0] == OpenInterest("KITEUSDT", 123, 5_000_000, got[0].ts_recv_ns)


async def test_a_venue_that_never_answers_does_not_hold_up_the_books():
    release = asyncio.Event()

    async def never(request):
        await release.wait()
        return web.Response()

    runner, url = await serve(never)
    try:
        async with SimServer(seed=3, port=0) as srv, Harness(srv) as h:
            poller = BinanceContextPoller(url, h.feed.symbols, h.feed.instruments, h.pipe.feed_context, FAST)
            task = asyncio.create_task(poller.run())
            await asyncio.sleep(1.0)
            await h.assert_exact()
            assert poller.stats.requests >= 1 and poller.stats.ok == 0
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        release.set()
        await runner.cleanup()


async def test_the_runtime_runs_the_poller_beside_the_feed_and_fills_the_context():
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline

    async with SimServer(seed=5, port=0) as srv:
        feed = BinanceUsdmFeed(["BTCUSDT", "WRENUSDT"], emit=lambda e: None, endpoint=srv.url)
        pipe = Pipeline(feed.venue, context=FAST)
        ctx = pipe.context
        rt = LiveDriver(feed, pipe, poller_for=venue("binanceusdm").context_poller)
        await rt.start()
        task = asyncio.create_task(rt.run())
        await asyncio.sleep(1.5)
        rt.stop()
        await task
    for sym in ("BTCUSDT", "WRENUSDT"):
        c = ctx.get(sym)
        assert c.open_interest is not None and c.ticker is not None and c.bars_1m.closes  # polled and from the book
        assert rt.engine[sym].mark is not None
    assert rt.poller.stats.ok >= 5 and rt.poller.stats.errors == 0


async def test_whole_venue_probes_depth_of_the_symbols_not_followed_and_asks_tickers_once():
    """Whole-venue mode (the scanner): a REST depth probe for every symbol whose book is not
    followed, equal to the market's own book; with more than 40 symbols, one /ticker/24hr for all."""
    from dom.core.context.market import DepthProbe

    async with SimServer(seed=2, port=0, preset="sectors") as srv:
        feed = BinanceUsdmFeed([], emit=lambda e: None, endpoint=srv.url, depth_symbols={"BTCUSDT"})
        await feed.prepare()
        assert len(feed.symbols) > 40
        got: list = []
        poller = venue("binanceusdm").context_poller(feed, got.extend, FAST)
        assert poller.whole_venue >= {"ticker", "premium"} and "depth" in {n for n, _, _ in poller.schedules()}
        await srv.pause()
        await run_for(poller, 1.5)
        await feed.close()
        probes = {e.symbol: e for e in got if isinstance(e, DepthProbe)}
        assert len(probes) >= 10 and "BTCUSDT" not in probes  # followed: its own book says more
        for sym, pr in probes.items():
            bids, asks, _ = srv.true_book(sym)
            want_b = sorted(bids.items(), reverse=True)[:100]
            want_a = sorted(asks.items())[:100]
            assert list(pr.bids) == want_b and list(pr.asks) == want_a, sym
        tickers = {e.symbol for e in got if isinstance(e, Ticker24h)}
        assert len(tickers) == len(feed.symbols)  # one request brought them all
        assert poller.stats.errors == 0


async def test_a_schedule_asks_at_most_ten_times_a_second():
    got: list = []
    insts = {f"S{i}USDT": Instrument(f"S{i}USDT", "0.0001", "1") for i in range(30)}
    p = BinanceContextPoller("http://127.0.0.1:9", list(insts), insts, got.extend, FAST)
    asked: list[float] = []
    loop = asyncio.get_running_loop()

    async def once(sym):
        asked.append(loop.time())
        return []

    task = asyncio.create_task(p._loop("open_interest", 1.0, once))  # 30 symbols a second, asked for
    await asyncio.sleep(4.5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    later = [t for t in asked[30:]]  # (the first round goes straight through)
    assert later and all(b - a >= 0.095 for a, b in zip(later, later[1:]))


async def test_klines_start_the_bars_with_the_venues_closed_history():
    from dom.core.context.market import BarHistory
    from dom.venues.binance_usdm.context import parse_klines

    async with SimServer(seed=2, port=0) as srv:
        feed = BinanceUsdmFeed(["BTCUSDT", "KITEUSDT"], emit=lambda e: None, endpoint=srv.url)
        await feed.prepare()
        got: list = []
        poller = venue("binanceusdm").context_poller(feed, got.extend, FAST)
        # A bar is closed by the venue's clock. The built-in market's clock falls behind the wall
        # clock on a loaded machine (it drops a backlog rather than race), and a poller on the
        # wall clock then counts the open bar as closed: here the venue's clock is the market's.
        poller.clock = lambda: srv.market.now
        await srv.pause()
        await run_for(poller, 1.0)
        await feed.close()
        hist = {(e.symbol, e.bar_s): e for e in got if isinstance(e, BarHistory)}
        assert set(hist) == {(s, b) for s in ("BTCUSDT", "KITEUSDT") for b in (60, 300)}
        now_ms = srv.market.now // 1_000_000
        rows = srv.rest.klines.rows("KITEUSDT", "1m", 240)
        inst = srv.instruments["KITEUSDT"]
        closed = [(r[0] // 60_000, inst.px(r[4])) for r in rows if r[6] < now_ms]
        assert list(hist[("KITEUSDT", 60)].closes) == closed and len(closed) >= 239
    kite = Instrument("KITEUSDT", "0.0001", "1")
    for bad in ({"a": 1}, [[1, "0.5", "0.5", "0.5", "x"]], [["t", 0, 0, 0, "0.5", 0, 5]], [[5, 0, 0, 0, "0.5", 0, 4]],
                [[1, 0, 0, 0, "-0.5", 0, 5]], [None] * 3, [[1] * 7] * 2000):
        assert parse_klines(kite, bad, 60, 10**18) is None, bad


async def test_a_scan_row_has_trend_rsi_and_beta_from_the_first_refresh():
    from dom.core.context.market import MarketContext

    async with SimServer(seed=2, port=0) as srv:
        feed = BinanceUsdmFeed(["BTCUSDT", "KITEUSDT"], emit=lambda e: None, endpoint=srv.url)
        await feed.prepare()
        ctx = MarketContext("BTCUSDT")
        poller = venue("binanceusdm").context_poller(feed, lambda evs: [ctx.apply(e) for e in evs], FAST)
        await run_for(poller, 1.0)
        await feed.close()
        c = ctx.symbols["KITEUSDT"]
        assert len(c.bars_1m.closes) >= 239 and len(c.bars_5m.closes) >= 239
        corr = ctx.correlation("KITEUSDT", 300)
        assert corr is not None and corr[1] > 0.2  # the history shares the market factor with BTC
