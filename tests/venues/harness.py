"""A native feed + live driver connected to the built-in market on loopback, for feed tests."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from dom.core.engine import ObserverBase
from dom.core.types import FeedState
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import Pipeline
from dom.sim.server import SimServer
from dom.venues.binance_usdm.client import BinanceUsdmFeed

SYMBOLS = ["BTCUSDT", "KITEUSDT", "PIKEUSDT"]


class TradeIds(ObserverBase):
    def __init__(self, sink: list[int], lags: list[float]) -> None:
        self.sink = sink
        self.lags = lags

    def on_trade(self, sym, trade):
        self.sink.append(trade.trade_id)
        self.lags.append((trade.ts_recv_ns - trade.ts_exchange_ns) / 1e6)
        return []


class Harness:
    def __init__(self, srv: SimServer, stale_after: float = 10.0, ccxt: bool = False) -> None:
        self.srv = srv
        self.trades: dict[str, list[int]] = defaultdict(list)
        self.trade_lags_ms: list[float] = []
        self.statuses: dict[str, list[FeedState]] = defaultdict(list)
        self.conn: list[tuple[str, FeedState, str]] = []
        if ccxt:
            from dom.venues.ccxt_pro.client import CcxtProFeed

            self.feed = CcxtProFeed("binanceusdm", SYMBOLS, emit=lambda e: None, endpoint=srv.url,
                                    reconnect=(0.05, 0.1, 1.0))
        else:
            self.feed = BinanceUsdmFeed(SYMBOLS, emit=lambda e: None, endpoint=srv.url,
                                        stale_after=stale_after, reconnect=(0.05, 0.1, 1.0))
        self.pipe = Pipeline(self.feed.venue, observers=(lambda st: [TradeIds(self.trades[st.symbol], self.trade_lags_ms)],))
        self.pipe.subscribe(self)
        self.rt = LiveDriver(self.feed, self.pipe)
        self.task: asyncio.Task | None = None

    # listener
    def on_status(self, c):
        self.statuses[c.symbol].append(c.state)

    def on_alert(self, a):
        pass

    def on_conn(self, endpoint, state, detail):
        self.conn.append((endpoint, state, detail))

    async def __aenter__(self) -> "Harness":
        await self.rt.start()
        self.task = asyncio.create_task(self.rt.run())
        await self.wait_synced()
        return self

    async def __aexit__(self, *exc) -> None:
        self.rt.stop()
        await self.task

    @property
    def engine(self):
        return self.rt.engine

    async def wait_synced(self, timeout: float = 5.0) -> float:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while not all(self.engine[s].synced for s in SYMBOLS):
            assert loop.time() - t0 < timeout, {s: self.engine[s].state for s in SYMBOLS}
            await asyncio.sleep(0.02)
        return loop.time() - t0

    async def assert_exact(self) -> None:
        """Pause the market, let the client drain, compare every book with the server's."""
        await self.srv.pause()
        await asyncio.sleep(0.25)
        for s in SYMBOLS:
            st = self.engine[s]
            bids, asks, u = self.srv.true_book(s)
            assert st.synced, (s, st.state)
            if self.feed.venue == "binanceusdm":  # the ccxt path numbers its own diffs
                assert st.seq.last_id == u, s
            assert st.book.bids.levels == bids and st.book.asks.levels == asks, s
        self.srv.resume()

    def assert_trades_once(self, contiguous: bool = True) -> None:
        for s, ids in self.trades.items():
            assert len(ids) == len(set(ids)), f"{s}: a trade was passed on twice"
            if contiguous and ids:
                assert ids == list(range(ids[0], ids[0] + len(ids))), f"{s}: a trade was lost"
