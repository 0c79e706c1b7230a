"""``dom run``: headless. Alerts as JSON lines on stdout; state changes and summaries on stderr."""

from __future__ import annotations

import argparse
import sys

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="headless: alerts as JSON lines on stdout, feed state on stderr",
        description="Connect to a market and run the engine without the UI. Alerts go to the sinks "
        "(default: Alert JSON v1 lines on stdout); feed state changes and a periodic one-line "
        "book summary per symbol go to stderr.",
    )
    add_source_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC",
                   help="alert sink (repeatable): jsonl:- (default), jsonl:PATH, webhook:URL, exec:COMMAND")
    p.add_argument("--summary-every", type=float, metavar="S", help="book summary period (default 5; 0: off)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    return asyncio.run(_run(args))


def detector_factory(cfg):
    from dom.core.detectors import make_observers

    return make_observers(cfg.detectors)


async def _run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from dom.commands._source import StderrListener, _ts, market_feed, resolve
    from dom.runtime import Runtime, book_line
    from dom.sinks.base import build_sinks

    cfg = resolve(args)
    sinks = build_sinks(cfg.sinks or ["jsonl:-"])
    async with market_feed(cfg) as feed:
        rt = Runtime(feed, venue=feed.venue, observers=detector_factory(cfg), sinks=sinks)
        rt.add_listener(StderrListener())
        await rt.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, rt.stop)

        async def summaries() -> None:
            while cfg.run.summary_every_s > 0:
                await asyncio.sleep(cfg.run.summary_every_s)
                for sym, st in rt.engine.symbols.items():
                    r = rt.rates[sym]
                    p50 = r.lag_pct(0.5)
                    lag = f" lag p50 {p50:.0f} ms" if p50 is not None else ""
                    print(f"{_ts()} {book_line(st)} msgs {r.messages}{lag}", file=sys.stderr)

        task = asyncio.create_task(summaries())
        try:
            await rt.run(args.duration, flush_deadline=cfg.run.flush_deadline_s)
        finally:
            task.cancel()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        s = feed.stats
        print(
            f"{_ts()} done: {s.frames} frames, {s.bad_frames} bad, {s.reconnects} reconnects, "
            f"{s.snapshots} snapshots, {rt.alerts} alerts; sinks: {rt.sink_drops()} dropped, "
            f"{rt.sink_failures()} failed after retries",
            file=sys.stderr,
        )
        for st in rt.engine.symbols.values():
            print(f"final {book_line(st)}", file=sys.stderr)
    return 0
