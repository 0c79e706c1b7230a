"""``dom scan``: every symbol of a venue ranked (relative strength vs BTC, moves, volume, open
interest, funding, spread, depth, slippage, trend, live alerts). Headless for now (--json)."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    from dom.runtime.scan_keys import SORT_KEYS

    p = sub.add_parser(
        "scan",
        help="every symbol of a venue ranked: relative strength vs BTC, moves, volume, depth, trend, alerts",
        description="Follow every symbol of the venue (or the ones given) and rank them (docs/SCAN.md): "
        "on screen (the terminal UI opened on its scanner: o re-ranks, enter opens the ladder, esc goes "
        "to the ladder), or with --json one JSON object with a row per symbol every --every seconds.",
    )
    add_source_args(p)
    p.add_argument("--json", action="store_true", help="headless: one JSON object per refresh on stdout")
    p.add_argument("--sector", action="append", metavar="NAME",
                   help="only symbols of this sector (repeatable; the venue's own labels, e.g. AI, Meme)")
    p.add_argument("--every", type=float, default=5.0, metavar="S", help="refresh period (default 5)")
    p.add_argument("--sort", default="rs_1h", choices=SORT_KEYS, help="rank by this field, highest first")
    p.add_argument("--stop-pct", type=float, default=1.0, metavar="PCT",
                   help="the stop distance the slippage column sizes its 1%%-rule position with (default 1)")
    p.add_argument("--depth", choices=("opened", "all"), default="opened",
                   help="opened (default): every symbol's best bid/ask and trades from the venue's all-market "
                        "streams, and the depth stream only for the symbols opened or pinned (Binance USDⓈ-M and "
                        "the built-in market; other venues follow every book); all: every symbol's book, "
                        "for depth and slippage on every row")
    p.add_argument("--quote", action="append", metavar="ASSET",
                   help="only symbols quoted in this asset (repeatable; e.g. USDT, USDC)")
    p.add_argument("--pin", action="append", metavar="SYMBOL", default=[],
                   help="follow this symbol's depth from the start (repeatable); on screen: pinned to the watchlist")
    p.add_argument("--min-volume", type=float, default=0.0, metavar="USDT", help="only symbols with this 24 h quote volume")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import math
    import sys

    from dom.commands._source import resolve
    from dom.errors import ConfigError
    from dom.runtime.scan import run_scan

    for name, v, lo in (("--every", args.every, 0.2), ("--stop-pct", args.stop_pct, 0.01), ("--min-volume", args.min_volume, 0)):
        if not (math.isfinite(v) and v >= lo):
            raise ConfigError(f"{name} {v}: expected a finite number >= {lo}")
    if args.stop_pct >= 100:
        raise ConfigError(f"--stop-pct {args.stop_pct}: a stop must be under 100% away")
    if args.preset is None and args.venue in (None, "sim") and not args.bus_source and not args.endpoint:
        args.preset = "sectors"  # the built-in market's whole-venue preset: 53 symbols in six sectors
    pins = [x.upper() for x in args.pin]
    for x in pins:
        if not x.isascii() or not x.replace("-", "").replace("_", "").replace("/", "").replace(":", "").isalnum() or len(x) > 40:
            raise ConfigError(f"--pin {x[:40]!r}: not a symbol")
    cfg = resolve(args)
    if not args.json:
        if args.sector or args.min_volume or args.quote or args.sort != "rs_1h":
            raise ConfigError("--sector, --quote, --min-volume and --sort are for --json (on screen: o re-ranks, f filters)")
        from dom.runtime.wiring import tui

        return tui(cfg, duration=args.duration, symbols=args.symbols or None, scan=True,
                   whole_venue=args.depth == "opened", pins=pins)
    return asyncio.run(run_scan(cfg, args.duration, args.every, args.sort, args.stop_pct, args.min_volume,
                                sys.stdout.buffer, sectors=args.sector, whole_venue=args.depth == "opened",
                                pins=pins, quotes=args.quote))
