"""``dom tui`` (and plain ``dom``): the terminal UI, on the built-in market by default."""

from __future__ import annotations

import argparse

from dom.commands._source import add_record_args, add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tui",
        help="the terminal UI (default command): ladder, tape, alerts, book health",
        description="Open the terminal UI. With no options it runs on the built-in market, started "
        "in-process on loopback and reached through the native Binance client.",
    )
    add_source_args(p)
    add_record_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC", help="also send alerts to this sink (repeatable)")
    p.add_argument("--fps", type=float, default=20.0, help="frame rate cap (default 20)")
    p.add_argument("--replay", metavar="FILE", help="play a recording instead of a live source")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed (0 = as fast as possible)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dom.commands._source import resolve
    from dom.runtime.wiring import tui

    return tui(resolve(args), replay=args.replay, speed=args.speed, fps=args.fps, duration=args.duration,
               symbols=args.symbols or None)
