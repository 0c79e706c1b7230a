"""``dom record``: write raw frames and REST snapshots with receive times (docs/RECORDING.md)."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record",
        help="record raw frames to a file that dom replay (and hftbacktest) reads",
        description="Connect like `dom run` and write every received frame and REST snapshot, with "
        "its receive time, in the recording format (docs/RECORDING.md), plus FILE.meta.json.",
    )
    add_source_args(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE|DIR/",
                   help="recording to write: one .gz file, or a directory (an existing one, or a path ending in /) "
                   "for hftbacktest's layout, one <symbol>_<YYYYMMDD>.gz per symbol and UTC day")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from dom.commands._source import resolve
    from dom.runtime.wiring import record

    return asyncio.run(record(resolve(args), args.output, args.duration, args.force))
