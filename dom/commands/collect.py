"""``dom collect``: a headless collector publishing a shard of a venue to the bus (docs/BUS.md)."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "collect",
        help="publish a shard of a venue's books, trades and alerts to a NATS bus",
        description="Follow the symbols of one shard of a venue (stable hash of the symbol; --shard "
        "i/n) and publish what the books apply, the trades, statuses and marks on "
        "dom.<venue>.<symbol>.{book,trades,status,context}, each book's latest state in the key-value "
        "bucket dom_books and the alerts to the stream DOM_ALERTS. Consumers attach with "
        "`dom run --bus URL` or `dom tui --bus URL`. State and a last line on stderr.",
    )
    add_source_args(p, bus=False)
    p.add_argument("--bus", required=True, metavar="URL", help="the NATS server to publish to (nats://HOST:PORT; "
                   "`dom bus` runs one)")
    p.add_argument("--shard", default="0/1", metavar="I/N", help="this collector's shard of the venue (default 0/1: all)")
    p.add_argument("--sink", action="append", metavar="SPEC", help="also send the alerts to this sink (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from dom.commands._source import resolve
    from dom.errors import ConfigError
    from dom.runtime.wiring_bus import collect, parse_shard

    shard = parse_shard(args.shard)
    if not (args.bus.startswith(("nats://", "tls://")) and args.bus.isprintable() and len(args.bus) < 300):
        raise ConfigError(f"--bus must be a nats://HOST:PORT or tls://HOST:PORT URL, not {args.bus[:60]!r}")
    cfg = resolve(args)
    cfg.feed.bus = ""  # (a collector reads the venue; [feed] bus is for consumers)
    return asyncio.run(collect(cfg, args.bus, shard, args.duration))
