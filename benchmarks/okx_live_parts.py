"""Where the native OKX client's CPU goes per frame while live, under benchmarks/ingest.py's market
(its own process, 20 symbols, 4x real time): thread CPU time around the decoder, around
``Pipeline.feed`` (the engine, with the checksum) and around ``verify``; the rest is websockets,
asyncio and the receive loop. Offline replays of the same frames run with warm caches and say
less about a client that sleeps between bursts (see docs/history/performance.md, "Native vs
ccxt.pro per venue", the OKX work of 2026-12-04).

    python benchmarks/okx_live_parts.py [--seconds 10]

The timers add about 1 us a frame.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ingest import start_market  # noqa: E402
from dom import venues  # noqa: E402
from dom.runtime.live import LiveDriver  # noqa: E402
from dom.runtime.pipeline import Pipeline  # noqa: E402
from dom.venues.okx import codec  # noqa: E402

SPENT: collections.Counter = collections.Counter()
_clock = time.thread_time_ns


def timed(fn, key: str, count: bool = False):
    def wrapper(*a):
        t0 = _clock()
        try:
            return fn(*a)
        finally:
            SPENT[key] += _clock() - t0
            if count:
                SPENT[key + " calls"] += 1
    return wrapper


async def run(url: str, seconds: float) -> None:
    okx = venues.get("okx")
    feed = okx.client([], url)
    verify = timed(codec.verify, "verify", count=True)
    rt = LiveDriver(feed, Pipeline("okx", okx.rule, verify=verify))
    await rt.start()
    feed.decoder.decode = timed(feed.decoder.decode, "decode", count=True)
    rt.pipeline.feed = timed(rt.pipeline.feed, "feed")
    feed.emit = rt.pipeline.feed
    SPENT.clear()
    cpu0 = time.process_time()
    await rt.run(seconds)
    cpu = (time.process_time() - cpu0) * 1e9
    n, v = SPENT["decode calls"], SPENT["verify calls"]
    us = lambda k: SPENT[k] / n / 1e3  # noqa: E731
    print(f"{n:,} frames, {v:,} verified updates; CPU {cpu / n / 1e3:.1f} us a frame: "
          f"decode {us('decode'):.1f}, Pipeline.feed {us('feed'):.1f} (of which verify "
          f"{us('verify'):.1f}; {SPENT['verify'] / max(v, 1) / 1e3:.1f} us a verified update), "
          f"rest {(cpu - SPENT['decode'] - SPENT['feed']) / n / 1e3:.1f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    proc, url = start_market(20, 4.0)
    try:
        asyncio.run(run(url, a.seconds))
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
