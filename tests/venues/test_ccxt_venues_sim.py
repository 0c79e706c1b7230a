"""ccxt.pro's own Bybit, OKX and Bitget classes, pointed at the built-in market's endpoints
(``--venue ccxt:<id> --endpoint``): markets loaded from the venue's REST shapes, every symbol
synced, the top of each book equal to the market's; a corrupted checksum through the class that
checks it (Bitget: detected, resynced), and OKX's, which ccxt.pro does not check and dom does.

ccxt.pro's Bitget class answers a checksum failure by rejecting the pending watch and
unsubscribing; a watch made again at once failed again without yielding, a loop that held the
event loop with memory growing (seen on seed 9). dom's ccxt client now waits before watching
again; ``test_ccxt_pro_bitget_detects_a_corrupted_checksum_and_resyncs`` runs it in a
subprocess with a memory cap and a timeout, so a return of that loop fails the test instead of
hanging the suite."""

from __future__ import annotations

import asyncio

import pytest

from dom.core.sequencer import Rule
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import Pipeline
from dom.sim.server import SimServer

SYMBOLS = ["BTC/USDT:USDT", "KITE/USDT:USDT"]


def _proto(srv: SimServer, venue: str):
    return next(p for p in srv.protocols if p.name == venue)


def _market(srv: SimServer, venue: str, sym: str) -> str:
    return getattr(_proto(srv, venue), "syms", {}).get(sym, sym)


async def _run(srv: SimServer, venue: str):
    from dom.venues.ccxt_pro.client import CcxtProFeed

    feed = CcxtProFeed(venue, SYMBOLS, emit=lambda e: None, endpoint=srv.url, reconnect=(0.05, 0.1, 1.0))
    from dom import venues

    drv = LiveDriver(feed, Pipeline(f"ccxt:{venue}", Rule.USDM, verify=venues.get(f"ccxt:{venue}").verifier()))
    await drv.start()
    task = asyncio.create_task(drv.run())
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    while not all(st.synced for st in drv.engine.symbols.values()):
        assert loop.time() - t0 < 15, {s: st.state for s, st in drv.engine.symbols.items()}
        await asyncio.sleep(0.05)
    return feed, drv, task


async def _tops_equal(srv: SimServer, drv: LiveDriver, venue: str) -> None:
    await srv.pause()
    await asyncio.sleep(0.3)
    for sym, st in drv.engine.symbols.items():
        book = srv.translator.books[_market(srv, venue, sym)]
        assert st.book.bids.top(20) == book.bids.top(20), sym
        assert st.book.asks.top(20) == book.asks.top(20), sym
    srv.resume()


@pytest.mark.parametrize("venue", ["bybit", "okx", "bitget"])
async def test_ccxt_pro_class_follows_the_built_in_market(venue):
    async with SimServer(preset="mixed", seed=8, port=0, symbols=3) as srv:
        feed, drv, task = await _run(srv, venue)
        try:
            assert len(drv.engine.symbols) == 2
            await asyncio.sleep(1.5)
            await _tops_equal(srv, drv, venue)
            assert sum(st.stats.trades for st in drv.engine.symbols.values()) > 0
        finally:
            drv.stop()
            await task


async def test_ccxt_okx_checksums_are_checked_by_dom():
    """ccxt.pro's OKX class does not check OKX's checksums; on ``ccxt:okx`` dom does: the client
    notes each book message's checksum as ccxt receives it and the engine checks the book ccxt
    made with the native adapter's verifier. Every checksum matches while nothing is wrong; a
    corrupted one is counted and the book subscribed afresh, synced again within 1 s."""
    async with SimServer(preset="mixed", seed=9, port=0, symbols=3) as srv:
        feed, drv, task = await _run(srv, "okx")
        try:
            await asyncio.sleep(1.0)
            sts = drv.engine.symbols.values()
            assert sum(st.stats.checksum_ok for st in sts) > 10 and sum(st.stats.checksum_failed for st in sts) == 0
            sym = next(iter(drv.engine.symbols))
            st = drv.engine[sym]
            _proto(srv, "okx").corrupt_checksum(sym)
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            while st.stats.checksum_failed == 0 or not st.synced:
                assert loop.time() - t0 < 1.0, ("not detected and resynced within 1 s", st.state, st.stats.checksum_failed)
                await asyncio.sleep(0.02)
            assert st.stats.checksum_failed == 1 and feed.stats.snapshots >= 1
            ok = st.stats.checksum_ok
            await asyncio.sleep(0.5)
            assert st.stats.checksum_ok > ok and st.stats.checksum_failed == 1  # checking on after the resync
            await _tops_equal(srv, drv, "okx")
        finally:
            drv.stop()
            await task


async def test_no_symbol_named_says_which_there_are():
    from dom.errors import FeedError
    from dom.venues.ccxt_pro.client import CcxtProFeed

    async with SimServer(preset="mixed", seed=8, port=0, symbols=3) as srv:
        feed = CcxtProFeed("okx", [], emit=lambda e: None, endpoint=srv.url)
        with pytest.raises(FeedError, match=r"name at least one symbol, e\.g\. BTC/USDT:USDT, KITE/USDT:USDT"):
            await feed.prepare()
        assert feed.ex is None  # closed on the way out


_BITGET_CHECK = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from tests.venues.test_ccxt_venues_sim import _proto, _run, _tops_equal
from dom.sim.server import SimServer

async def main():
    async with SimServer(preset="mixed", seed=9, port=0, symbols=3) as srv:
        feed, drv, task = await _run(srv, "bitget")
        try:
            sym = next(iter(drv.engine.symbols))
            loop = asyncio.get_running_loop()
            for n in (1, 2):  # twice: the second failure must be handled as the first was
                _proto(srv, "bitget").corrupt_checksum(sym)
                t0 = loop.time()
                while drv.engine[sym].stats.resyncs < n or not drv.engine[sym].synced:
                    assert loop.time() - t0 < 1.0, ("no resync within 1 s", n, drv.engine[sym].state)
                    await asyncio.sleep(0.02)
                print("resynced", n, round(loop.time() - t0, 3), flush=True)
            assert feed.stats.reconnects >= 2
            await asyncio.sleep(0.5)
            await _tops_equal(srv, drv, "bitget")
        finally:
            drv.stop()
            await task
    print("ok")

asyncio.run(main())
"""


def test_ccxt_pro_bitget_detects_a_corrupted_checksum_and_resyncs(tmp_path):
    import resource
    import subprocess
    import sys
    from pathlib import Path

    def cap() -> None:  # 3 GB of address space: the old loop grew past 18 GB
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    repo = str(Path(__file__).resolve().parents[2])
    r = subprocess.run([sys.executable, "-c", _BITGET_CHECK, repo], capture_output=True, text=True, timeout=90,
                       preexec_fn=cap, cwd=repo)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert r.stdout.splitlines()[-1] == "ok" and "resynced 2" in r.stdout
