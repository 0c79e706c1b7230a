"""Is the websocket library a lever for the native OKX client? The OKX decoder and a Pipeline
with the checksum behind a bare receive loop, once on websockets (what the in-stream clients
use) and once on aiohttp's websocket (a C frame reader; ``decode_text=False`` so that text
frames stay bytes, as the decoders take them), against benchmarks/ingest.py's market (its own
process, 20 symbols, 4x real time). No reconnects, watchdog or resync: a probe, not a client.

    python benchmarks/okx_transport_probe.py [--seconds 10] [--rounds 3]

Each round runs both, alternated; the first second (the snapshots) is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ingest import start_market  # noqa: E402
from dom import venues  # noqa: E402
from dom.runtime.pipeline import Pipeline  # noqa: E402


async def probe(url: str, lib: str, seconds: float) -> tuple[int, float]:
    okx = venues.get("okx")
    feed = okx.client([], url)
    insts = await feed.prepare()
    pipe = Pipeline("okx", okx.rule, verify=okx.verifier())
    pipe.open(insts)
    decode, now_ns = feed.decoder.decode, time.time_ns
    topics = [t for s in feed.symbols for t in feed.topics(s)]
    requests = [feed.request_text("subscribe", topics[k:k + feed.MAX_ARGS])
                for k in range(0, len(topics), feed.MAX_ARGS)]

    async def loop(recv) -> tuple[int, float]:
        warm = time.monotonic() + 1.0
        while time.monotonic() < warm:
            await recv()
        n, cpu0, end = 0, time.process_time(), time.monotonic() + seconds
        while True:
            raw = await recv()
            n += 1
            events = decode(raw, now_ns())
            if events:
                pipe.feed(events)
            if n & 255 == 0 and time.monotonic() >= end:
                return n, time.process_time() - cpu0

    url_ws = feed.ws + feed.WS_PATH
    try:
        if lib == "websockets":
            from websockets.asyncio.client import connect

            async with connect(url_ws, max_size=1 << 24, ping_interval=None, max_queue=4096,
                               compression=None) as ws:
                for r in requests:
                    await ws.send(r)
                return await loop(lambda: ws.recv(decode=False))
        import aiohttp

        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(url_ws, autoping=False, compress=0, max_msg_size=1 << 24,
                                          decode_text=False) as ws:
                for r in requests:
                    await ws.send_str(r)

                async def recv():
                    return (await ws.receive()).data

                return await loop(recv)
    finally:
        await feed.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    for _ in range(a.rounds):
        for lib in ("websockets", "aiohttp"):
            proc, url = start_market(20, 4.0)
            try:
                n, cpu = asyncio.run(probe(url, lib, a.seconds))
            finally:
                proc.terminate()
                proc.wait(10)
            print(f"{lib:10} {n:,} messages, CPU {cpu:.2f} s: {cpu / n * 1e6:.1f} us a message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
