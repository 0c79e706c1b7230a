"""Options shared by the commands that connect to a market (run, record, tui): flags -> config."""

from __future__ import annotations

import argparse

from dom.sim.presets import PRESET_NAMES

VENUES = "binanceusdm | ccxt:<exchange id> | sim"


def add_source_args(p: argparse.ArgumentParser, bus: bool = True) -> None:
    """Flags override the config file and the environment (see `dom check-config`). ``bus``:
    offer ``--bus URL`` as the source (not for a collector, whose --bus is where it publishes)."""
    p.add_argument("symbols", nargs="*", metavar="SYMBOL", help="symbols (default: all of the built-in market)")
    p.add_argument("--config", metavar="FILE", help="config file (default: $DOM_CONFIG, else the user config dir)")
    p.add_argument("--venue", help=f"{VENUES}, or sim:ccxt (default: sim, the built-in market on loopback)")
    p.add_argument("--endpoint", metavar="URL", help="REST/websocket base, e.g. http://127.0.0.1:8765 (a `dom sim`)")
    if bus:
        p.add_argument("--bus", metavar="URL", dest="bus_source",
                       help="attach to collectors on a NATS bus (nats://HOST:PORT) instead of the venue "
                            "(books, trades and alerts of --venue as `dom collect` publishes them)")
    p.add_argument("--depth-ms", type=int, choices=[100, 250, 500], help="depth push interval (default 100)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--preset", choices=PRESET_NAMES,
                   help="built-in market preset (default mixed; dom scan: sectors, 53 symbols in six sectors)")
    p.add_argument("--seed", type=int, help="built-in market seed")
    p.add_argument("--stale-after", type=float, metavar="S", help="reconnect after S silent seconds (default 10)")
    p.add_argument("--book-stale-after", type=float, metavar="S",
                   help="a busy symbol's book is stale after S seconds without depth (default 2; 0 = off)")


def add_record_args(p: argparse.ArgumentParser) -> None:
    """The continuous recording (``[record]``), for the commands that keep a live session."""
    p.add_argument("--record", action="store_true",
                   help="keep a continuous recording (a ring of segments; [record] in the config)")
    p.add_argument("--record-dir", metavar="DIR", help="where the continuous recording goes (implies --record)")


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
    if getattr(args, "bus_source", None) is not None:
        f.bus = args.bus_source
    if args.depth_ms is not None:
        f.depth_ms = args.depth_ms
    if args.stale_after is not None:
        f.stale_after_s = args.stale_after
    if getattr(args, "book_stale_after", None) is not None:
        f.book_stale_after_s = args.book_stale_after
    if args.preset is not None:
        cfg.sim.preset = args.preset
    if args.seed is not None:
        cfg.sim.seed = args.seed
    if getattr(args, "summary_every", None) is not None:
        cfg.run.summary_every_s = args.summary_every
    if getattr(args, "record", False) or getattr(args, "record_dir", None):
        cfg.record.enabled = True
    if getattr(args, "record_dir", None):
        cfg.record.dir = args.record_dir
    if getattr(args, "sink", None):
        cfg.sinks = list(args.sink)
    cfg.source.append("command line")
    validate(cfg)
    return cfg
