"""The native in-stream clients (Bybit, OKX) live against the built-in market served over each
venue's own protocol on loopback: every symbol synced, the books exact, a broken chain or a wrong
checksum resynced within a second, hostile frames counted and survived, and ``dom run --venue V``
as a user runs it."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest

from dom import venues
from dom.core.types import FeedState
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import ListenerBase, Pipeline
from dom.sim.server import SimServer


class _Statuses(ListenerBase):
    def __init__(self) -> None:
        self.seen: list[tuple[float, str, FeedState]] = []

    def on_status(self, c) -> None:
        self.seen.append((asyncio.get_running_loop().time(), c.symbol, c.state))


async def _synced(drv: LiveDriver, timeout: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    while not all(st.synced for st in drv.engine.symbols.values()):
        assert loop.time() - t0 < timeout, {s: st.state for s, st in drv.engine.symbols.items()}
        await asyncio.sleep(0.02)


VENUES = ["bybit", "okx", "bitget"]


def _proto(srv: SimServer, venue: str):
    return next(p for p in srv.protocols if p.name == venue)


def _market_symbol(srv: SimServer, venue: str, sym: str) -> str:
    return getattr(_proto(srv, venue), "syms", {}).get(sym, sym)  # OKX serves BTCUSDT as BTC-USDT-SWAP


def _start(srv: SimServer, venue: str, pipe_listener=None) -> LiveDriver:
    v = venues.get(venue)
    client = v.client([], srv.url, reconnect=(0.05, 0.1, 1.0))
    pipe = Pipeline(venue, v.rule, verify=v.verifier())
    if pipe_listener is not None:
        pipe.subscribe(pipe_listener)
    return LiveDriver(client, pipe)


async def _books_equal(srv: SimServer, drv: LiveDriver, venue: str) -> None:
    await srv.pause()
    await asyncio.sleep(0.2)  # what was sent is received and applied
    tr = srv.translator
    for sym, st in drv.engine.symbols.items():
        assert st.synced, (sym, st.state)
        book = tr.books[_market_symbol(srv, venue, sym)]
        assert dict(st.book.bids.top(100_000)) == dict(book.bids.top(100_000)), sym
        assert dict(st.book.asks.top(100_000)) == dict(book.asks.top(100_000)), sym
    srv.resume()


@pytest.mark.parametrize("venue", VENUES)
async def test_client_syncs_every_symbol_and_holds_the_exact_book(venue):
    async with SimServer(preset="mixed", seed=5, port=0, symbols=3) as srv:
        drv = _start(srv, venue)
        client = drv.client
        await drv.start()
        served = getattr(_proto(srv, venue), "insts", None) or srv.symbols
        assert sorted(drv.engine.symbols) == sorted(served) and len(served) >= 2
        task = asyncio.create_task(drv.run())
        try:
            await _synced(drv)
            await asyncio.sleep(2.0)
            await _books_equal(srv, drv, venue)
            if venue in ("okx", "bitget"):  # every update carried a checksum, and every one matched
                assert sum(st.stats.checksum_ok for st in drv.engine.symbols.values()) > 10
                assert sum(st.stats.checksum_failed for st in drv.engine.symbols.values()) == 0
            trades = sum(st.stats.trades for st in drv.engine.symbols.values())
            assert trades > 0 and client.stats.bad_frames == 0
        finally:
            drv.stop()
            await task


FAULTS = [("bybit", "skip_u", "gaps"), ("okx", "skip_seq", "gaps"), ("okx", "corrupt_checksum", "checksum_failed"),
          ("bitget", "corrupt_checksum", "checksum_failed")]


@pytest.mark.parametrize("venue,fault,counter", FAULTS)
async def test_a_broken_book_is_counted_and_resynced_within_a_second(venue, fault, counter):
    async with SimServer(preset="mixed", seed=6, port=0, symbols=2) as srv:
        seen = _Statuses()
        drv = _start(srv, venue, seen)
        client = drv.client
        await drv.start()
        task = asyncio.create_task(drv.run())
        try:
            await _synced(drv)
            sym = sorted(drv.engine.symbols)[0]
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            getattr(_proto(srv, venue), fault)(sym)
            while getattr(drv.engine[sym].stats, counter) == 0:
                assert loop.time() - t0 < 3.0, f"the {fault} fault was never seen"
                await asyncio.sleep(0.01)
            t_gap = loop.time()
            while not drv.engine[sym].synced:
                assert loop.time() - t_gap < 1.0, f"not resynced within 1 s: {drv.engine[sym].state}"
                await asyncio.sleep(0.01)
            assert client.stats.snapshots >= 1  # resubscribed
            after = [st for t, s, st in seen.seen if s == sym and t >= t0]
            assert after[-1] is FeedState.SYNCED and any(st is not FeedState.SYNCED for st in after), after
            await _books_equal(srv, drv, venue)
        finally:
            drv.stop()
            await task


HOSTILE = [
    b"not json at all",
    b'{"topic":"orderbook.200.X","type":"delta","data":{"s":"BTCUSDT","b":[["1e999999","1"]],"a":[],"u":5},"ts":1}',
    b'{"topic":["orderbook"],"data":{}}',
    b'{"topic":"publicTrade.BTCUSDT","data":[{"s":"BTCUSDT","S":"Up","v":"1","p":"1","i":"x","T":1}]}',
    b"[" * 5000 + b"]" * 5000,
    b'{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"NaN"},"ts":1}',
    b'\xff\xfe\x00garbage',
    b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"bids":[["x","1"]]}]}',
    b'{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","side":7}]}',
]


@pytest.mark.parametrize("venue", VENUES)
async def test_hostile_frames_are_counted_and_the_client_lives_on(venue):
    async with SimServer(preset="mixed", seed=7, port=0, symbols=2) as srv:
        drv = _start(srv, venue)
        client = drv.client
        await drv.start()
        task = asyncio.create_task(drv.run())
        try:
            await _synced(drv)
            for frame in HOSTILE:
                _proto(srv, venue).inject(frame)
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            while client.stats.bad_frames < len(HOSTILE) - 3:  # (another venue's frames may be no-ops)
                assert loop.time() - t0 < 3.0, client.stats
                await asyncio.sleep(0.02)
            assert not task.done()
            await _synced(drv)
            await _books_equal(srv, drv, venue)
        finally:
            drv.stop()
            await task


@pytest.mark.slow
@pytest.mark.parametrize("venue", VENUES)
def test_dom_run_venue_against_the_built_in_market(venue):
    sim = subprocess.Popen([sys.executable, "-m", "dom", "sim", "--port", "0", "--symbols", "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        m = re.search(r"on (http://127\.0\.0\.1:\d+)", sim.stdout.readline())
        assert m
        run = subprocess.run([sys.executable, "-m", "dom", "run", "--venue", venue, "--endpoint", m.group(1),
                              "--duration", "6"], capture_output=True, text=True, timeout=60)
    finally:
        sim.terminate()
        sim.wait(10)
    assert run.returncode == 0, run.stderr
    finals = [line for line in run.stderr.splitlines() if line.startswith("final ")]
    assert len(finals) == 3 and all(" synced " in line for line in finals), run.stderr
    assert "funding" in finals[0] and "OI" in finals[0]  # the context poller's tickers
