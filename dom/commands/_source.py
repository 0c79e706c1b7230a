"""Options shared by the commands that connect to a market (run, record, tui)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Any, AsyncIterator

VENUES = "binanceusdm | ccxt:<exchange id> | sim"


def add_source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("symbols", nargs="*", metavar="SYMBOL", help="symbols (default: all of the built-in market)")
    p.add_argument("--venue", default="sim", help=f"{VENUES} (default: sim, the built-in market on loopback)")
    p.add_argument("--endpoint", metavar="URL", help="REST/websocket base, e.g. http://127.0.0.1:8765 (a `dom sim`)")
    p.add_argument("--depth-ms", type=int, default=100, choices=[100, 250, 500], help="depth push interval")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--preset", default="mixed", choices=["mixed", "major", "smallcap"], help="built-in market preset")
    p.add_argument("--seed", type=int, default=1, help="built-in market seed")
    p.add_argument("--stale-after", type=float, default=10.0, metavar="S", help="reconnect after S silent seconds")


@contextlib.asynccontextmanager
async def market_feed(args: argparse.Namespace, **feed_kw: Any) -> AsyncIterator[Any]:
    """Yield a prepared feed for ``args``; for ``--venue sim`` the built-in market runs
    in-process on a free loopback port and the native client connects to it."""
    from dom.errors import ConfigError
    from dom.feeds.binance_usdm import BinanceUsdmFeed

    venue = args.venue
    srv = None
    endpoint = args.endpoint
    sim_through = venue.startswith("sim")  # "sim" or "sim:ccxt" (the ccxt.pro client on the built-in market)
    if sim_through:
        venue = "ccxt:binanceusdm" if venue == "sim:ccxt" else "binanceusdm" if venue == "sim" else venue
        if endpoint is None:
            from dom.sim.server import SimServer

            srv = SimServer(preset=args.preset, seed=args.seed, port=0, depth_ms=args.depth_ms)
            await srv.start()
            endpoint = srv.url
            print(f"{_ts()} built-in market on {srv.url} ({', '.join(srv.symbols)})", file=sys.stderr)
            if venue.startswith("ccxt:") and not args.symbols:
                args.symbols = list(srv.symbols)
    elif venue != "binanceusdm" and not (venue.startswith("ccxt:") and len(venue) > 5):
        raise ConfigError(f"unknown venue {venue!r} (choose from: {VENUES})")
    if venue.startswith("ccxt:"):
        from dom.feeds.ccxt_pro import CcxtProFeed

        if feed_kw:
            raise ConfigError("recording needs raw frames: use --venue binanceusdm or sim")
        feed = CcxtProFeed(venue[5:], args.symbols, emit=lambda evs: None, endpoint=endpoint)
    else:
        feed = BinanceUsdmFeed(
            args.symbols, emit=lambda evs: None, endpoint=endpoint, depth_ms=args.depth_ms,
            stale_after=args.stale_after, **feed_kw,
        )
    feed.endpoint = endpoint or "https://fapi.binance.com"  # type: ignore[attr-defined]
    try:
        yield feed
    finally:
        await feed.close()
        if srv is not None:
            await srv.stop()


def _ts() -> str:
    return time.strftime("%H:%M:%S")


class StderrListener:
    """Feed and book state changes, one line each, on stderr."""

    def on_status(self, c) -> None:
        print(f"{_ts()} {c.symbol} {c.state.value}" + (f": {c.detail}" if c.detail else ""), file=sys.stderr)

    def on_alert(self, a, doc) -> None:
        pass

    def on_conn(self, endpoint, state, detail) -> None:
        print(f"{_ts()} [{endpoint}] {state.value}" + (f": {detail}" if detail else ""), file=sys.stderr)
