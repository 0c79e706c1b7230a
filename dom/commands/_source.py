"""Options shared by the commands that connect to a market (run, record, tui)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Any, AsyncIterator

VENUES = "binanceusdm | ccxt:<exchange id> | sim"


def add_source_args(p: argparse.ArgumentParser) -> None:
    """Flags override the config file and the environment (see `dom check-config`)."""
    p.add_argument("symbols", nargs="*", metavar="SYMBOL", help="symbols (default: all of the built-in market)")
    p.add_argument("--config", metavar="FILE", help="config file (default: $DOM_CONFIG, else the user config dir)")
    p.add_argument("--venue", help=f"{VENUES}, or sim:ccxt (default: sim, the built-in market on loopback)")
    p.add_argument("--endpoint", metavar="URL", help="REST/websocket base, e.g. http://127.0.0.1:8765 (a `dom sim`)")
    p.add_argument("--depth-ms", type=int, choices=[100, 250, 500], help="depth push interval (default 100)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--preset", choices=["mixed", "major", "smallcap"], help="built-in market preset")
    p.add_argument("--seed", type=int, help="built-in market seed")
    p.add_argument("--stale-after", type=float, metavar="S", help="reconnect after S silent seconds (default 10)")


def resolve(args: argparse.Namespace):
    """The effective config: defaults < file < environment < these flags."""
    from dom.config import load_config, validate

    cfg = load_config(getattr(args, "config", None))
    f = cfg.feed
    if args.venue is not None:
        f.venue = args.venue
    if args.symbols:
        f.symbols = [s.upper() if "/" not in s else s for s in args.symbols]
    if args.endpoint is not None:
        f.endpoint = args.endpoint
    if args.depth_ms is not None:
        f.depth_ms = args.depth_ms
    if args.stale_after is not None:
        f.stale_after_s = args.stale_after
    if args.preset is not None:
        cfg.sim.preset = args.preset
    if args.seed is not None:
        cfg.sim.seed = args.seed
    if getattr(args, "summary_every", None) is not None:
        cfg.run.summary_every_s = args.summary_every
    if getattr(args, "sink", None):
        cfg.sinks = list(args.sink)
    cfg.source.append("command line")
    validate(cfg)
    return cfg


@contextlib.asynccontextmanager
async def market_feed(cfg: Any, quiet: bool = False, **feed_kw: Any) -> AsyncIterator[Any]:
    """Yield a feed for the effective config; for venue ``sim`` the built-in market runs
    in-process on a free loopback port and the native client (``sim:ccxt``: ccxt.pro's
    binanceusdm client) connects to it."""
    from dom.errors import ConfigError
    from dom.feeds.binance_usdm import BinanceUsdmFeed

    f = cfg.feed
    venue = f.venue
    srv = None
    endpoint = f.endpoint or None
    symbols = list(f.symbols)
    reconnect = (cfg.reconnect.initial_s, cfg.reconnect.min_s, cfg.reconnect.max_s)
    if venue in ("sim", "sim:ccxt"):
        venue = "ccxt:binanceusdm" if venue == "sim:ccxt" else "binanceusdm"
        if endpoint is None:
            from dom.sim.server import SimServer

            srv = SimServer(preset=cfg.sim.preset, seed=cfg.sim.seed, port=0, depth_ms=f.depth_ms,
                            speed=cfg.sim.speed)
            await srv.start()
            endpoint = srv.url
            if not quiet:
                print(f"{_ts()} built-in market on {srv.url} ({', '.join(srv.symbols)})", file=sys.stderr)
            if venue.startswith("ccxt:") and not symbols:
                symbols = list(srv.symbols)
    elif venue != "binanceusdm" and not (venue.startswith("ccxt:") and len(venue) > 5):
        raise ConfigError(f"unknown venue {venue!r} (choose from: {VENUES}, sim:ccxt)")
    if venue.startswith("ccxt:"):
        from dom.feeds.ccxt_pro import CcxtProFeed

        if feed_kw:
            raise ConfigError("recording needs raw frames: use --venue binanceusdm or sim")
        feed = CcxtProFeed(venue[5:], symbols, emit=lambda evs: None, endpoint=endpoint, reconnect=reconnect)
    else:
        feed = BinanceUsdmFeed(
            symbols, emit=lambda evs: None, endpoint=endpoint, depth_ms=f.depth_ms,
            stale_after=f.stale_after_s, reconnect=reconnect, snapshot_limit=f.snapshot_limit, **feed_kw,
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
