"""Hostile frames through a live run: the built-in market sends FRAMES mutated copies of its own
frames (bytes flipped, cut, fields retyped, ids and sizes changed, nesting added) between the real
ones to a native client. The client must live through all of it without a reconnect, count every
frame its decoder refuses, drop or resync on the ones that decode but break the chain, and end with
every book synced and equal to the market's.

    python benchmarks/soak_frames.py [--frames 10000] [--seconds 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import orjson

KEYS = ("T", "E", "U", "u", "pu", "b", "a", "s", "p", "q", "m", "r", "e", "data", "stream")
VALUES = ("", "x", "1e-999999999", "Infinity", "-1", 0, -1, 2**70, 1.5, True, None, [], {}, [[]],
          [["1", "2", "3"]], {"a": 1}, "9" * 200)


def mutate(raw: bytes, rng: random.Random) -> bytes:
    k = rng.randrange(6)
    if k == 0:  # flip bytes
        b = bytearray(raw)
        for _ in range(rng.randint(1, 5)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if k == 1:  # cut
        return raw[: rng.randrange(len(raw))]
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:-1]
    if k == 2:  # a field retyped or out of range
        doc[rng.choice(KEYS)] = rng.choice(VALUES)
    elif k == 3:  # ids moved (an out-of-chain update: a gap to resync, or a duplicate to drop)
        for key in ("U", "u", "pu", "a"):
            if key in doc and type(doc[key]) is int:
                doc[key] += rng.randint(-3, 3)
    elif k == 4:  # nested
        for _ in range(rng.randint(1, 300)):
            doc = {"stream": "x", "data": doc}
    else:  # a level's size changed (valid, out of chain only if its ids say so)
        for side in ("b", "a"):
            if isinstance(doc.get(side), list) and doc[side] and isinstance(doc[side][0], list):
                doc[side][0][1] = rng.choice(["0", "1", "-1", "0.5", "abc"])
    try:
        return orjson.dumps(doc)
    except TypeError:  # an integer orjson cannot write: Python's json can
        import json

        return json.dumps(doc).encode()


async def main(frames: int, seconds: float, seed: int) -> None:
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.sim.server import SimServer
    from dom.venues.binance_usdm.client import BinanceUsdmFeed

    rng = random.Random(seed)
    async with SimServer(seed=seed, port=0) as srv:
        feed = BinanceUsdmFeed(["BTCUSDT", "KITEUSDT", "PIKEUSDT"], emit=lambda e: None, endpoint=srv.url)
        drv = LiveDriver(feed, Pipeline(feed.venue, trade_ids=True))
        await drv.start()
        eng = drv.pipeline.engine
        task = asyncio.create_task(drv.run())
        recent: list[bytes] = []
        inner = srv._dispatch

        def keep(msgs):  # the market's own frames, to mutate
            for m in msgs:
                if len(recent) < 500 or rng.random() < 0.05:
                    recent.append(m.raw) if len(recent) < 500 else recent.__setitem__(rng.randrange(500), m.raw)
            inner(msgs)

        srv._dispatch = keep
        cpu0, t0 = time.process_time(), time.perf_counter()
        sent = 0
        per_tick = max(1, int(frames / (seconds / 0.05)))
        while sent < frames:
            await asyncio.sleep(0.05)
            if not recent:
                continue
            batch = [mutate(rng.choice(recent), rng) for _ in range(min(per_tick, frames - sent))]
            srv.faults.inject(batch[: len(batch) // 2], "public")
            srv.faults.inject(batch[len(batch) // 2:], "market")
            sent += len(batch)
        await asyncio.sleep(3.0)  # let every book resync
        await srv.pause()
        await asyncio.sleep(0.5)
        exact = 0
        for s, st in eng.symbols.items():
            bids, asks, u = srv.true_book(s)
            exact += st.synced and st.book.bids.levels == bids and st.book.asks.levels == asks
        srv.resume()
        alive = not task.done()
        drv.stop()
        await task
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
        gaps = sum(st.stats.gaps for st in eng.symbols.values())
        resyncs = sum(st.stats.resyncs for st in eng.symbols.values())
        dups = sum(st.stats.duplicates + st.stats.trade_duplicates for st in eng.symbols.values())
        print(f"{sent:,} mutated frames among {feed.stats.frames - sent:,} real ones in {wall:.0f} s: "
              f"client alive {alive}, {feed.stats.bad_frames:,} refused and counted, {dups:,} dropped as repeats, "
              f"{gaps} gaps, {resyncs} resyncs, "
              f"{feed.stats.reconnects} reconnects")
        print(f"books at the end: {exact}/{len(eng.symbols)} synced and equal to the market's; "
              f"client CPU {cpu / wall * 100:.0f}% of a core")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    asyncio.run(main(a.frames, a.seconds, a.seed))
