"""``dom run``: headless. Alerts as JSON lines on stdout; state changes and summaries on stderr."""

from __future__ import annotations

import argparse
import sys

from dom.commands._source import add_record_args, add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="headless: alerts as JSON lines on stdout, feed state on stderr",
        description="Connect to a market and run the engine without the UI. Alerts go to the sinks "
        "(default: Alert JSON v1 lines on stdout); feed state changes and a periodic one-line "
        "book summary per symbol go to stderr.",
    )
    add_source_args(p)
    add_record_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC",
                   help="alert sink (repeatable): jsonl:- (default), jsonl:PATH, webhook:URL, exec:COMMAND, "
                   "telegram: (token and chat id from $DOM_TELEGRAM_TOKEN / $DOM_TELEGRAM_CHAT_ID), discord:URL, slack:URL")
    p.add_argument("--summary-every", type=float, metavar="S", help="book summary period (default 5; 0: off)")
    p.add_argument("--context", nargs="?", const="-", metavar="FILE",
                   help="also write each symbol's trading context (funding, open interest, correlation to "
                   "the reference...) as JSON lines with \"type\": \"context\", to FILE or stdout (-)")
    p.add_argument("--context-every", type=float, default=5.0, metavar="S", help="context line period (default 5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from dom.commands._source import resolve
    from dom.runtime.wiring import run_headless

    cfg = resolve(args)
    out = None
    if args.context is not None:
        out = sys.stdout.buffer if args.context == "-" else open(args.context, "ab")  # noqa: SIM115
    try:
        return asyncio.run(run_headless(cfg, args.duration, out, args.context_every))
    finally:
        if out is not None and out is not sys.stdout.buffer:
            out.close()
