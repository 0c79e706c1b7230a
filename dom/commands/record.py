"""``dom record``: write raw frames and REST snapshots with receive times (docs/RECORDING.md)."""

from __future__ import annotations

import argparse
import sys

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record",
        help="record raw frames to a file that dom replay (and hftbacktest) reads",
        description="Connect like `dom run` and write every received frame and REST snapshot, with "
        "its receive time, in the recording format (docs/RECORDING.md), plus FILE.meta.json.",
    )
    add_source_args(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="recording to write (.gz)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    return asyncio.run(_record(args))


async def _record(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from dom.commands._source import StderrListener, _ts, market_feed, resolve
    from dom.feeds.recording import RecordingWriter
    from dom.commands.run import detector_factory
    from dom.runtime import Runtime, book_line
    from dom.sinks.base import build_sinks

    writer: RecordingWriter | None = None

    def frame(recv_ns: int, raw) -> None:
        if writer is not None:
            writer.write_frame(recv_ns, raw)

    def snapshot(recv_ns: int, sym: str, body: bytes) -> None:
        if writer is not None:
            writer.write_snapshot(recv_ns, sym, body)

    cfg = resolve(args)
    async with market_feed(cfg, on_frame=frame, on_snapshot_body=snapshot) as feed:
        # Detectors run as in `dom run`, alerts on stdout: `dom replay FILE` must print the same.
        rt = Runtime(feed, venue=feed.venue, observers=detector_factory(cfg), sinks=build_sinks(["jsonl:-"]))
        rt.add_listener(StderrListener())
        await rt.start()
        meta = {
            "format": "dom-recording/1",
            "venue": "binanceusdm",
            "symbols": list(feed.instruments),
            "endpoint": feed.endpoint,
            "depth_ms": cfg.feed.depth_ms,
            "instruments": {
                s: {"tick_size": i.tick_size, "lot_size": i.lot_size, "contract_size": i.contract_size}
                for s, i in feed.instruments.items()
            },
        }
        writer = RecordingWriter(args.output, meta)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, rt.stop)
        try:
            await rt.run(args.duration)
        finally:
            writer.close()
        print(f"{_ts()} recorded {writer.frames} frames to {args.output}", file=sys.stderr)
        for st in rt.engine.symbols.values():
            print(f"final {book_line(st)}", file=sys.stderr)
    return 0
