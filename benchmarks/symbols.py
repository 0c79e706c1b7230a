"""A whole venue on one client: N symbols of the built-in market (default 500) followed by the
native client: connections opened, time until every book is synced, client CPU and RSS.

    python benchmarks/symbols.py [--symbols 500] [--seconds 120]

The market runs in its own process (``dom sim --symbols N``), as a venue would; the client in
this one.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import subprocess
import sys
import time


async def follow(url: str, seconds: float) -> dict:
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.venues.binance_usdm.client import BinanceUsdmFeed

    # 100 levels a snapshot (weight 5; 1000 levels weigh 20): under Binance's REST limit 500
    # symbols then sync in about a minute instead of four.
    feed = BinanceUsdmFeed([], emit=lambda e: None, endpoint=url, snapshot_limit=100)
    drv = LiveDriver(feed, Pipeline(feed.venue, trade_ids=True))
    await drv.start()
    eng = drv.pipeline.engine
    conns = {e: len(feed.connections(e)) for e in ("public", "market")}
    cpu0, t0 = time.process_time(), time.perf_counter()
    task = asyncio.create_task(drv.run())
    synced_at = None
    while time.perf_counter() - t0 < seconds:
        await asyncio.sleep(0.25)
        if synced_at is None and all(st.synced for st in eng.symbols.values()):
            synced_at = time.perf_counter() - t0
    drv.stop()
    await task
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    return {"symbols": len(eng.symbols), "connections": conns, "synced_s": synced_at,
            "synced": sum(st.synced for st in eng.symbols.values()), "cpu_share": cpu / wall,
            "frames": feed.stats.frames, "snapshots": feed.stats.snapshots,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    sim = subprocess.Popen([sys.executable, "-m", "dom", "sim", "--port", "0", "--symbols", str(a.symbols)],
                           stdout=subprocess.PIPE, text=True)
    try:
        line = sim.stdout.readline()
        m = re.search(r"on (http://\S+)", line)
        if not m:
            raise SystemExit(f"market did not start: {line!r}")
        r = asyncio.run(follow(m.group(1), a.seconds))
    finally:
        sim.terminate()
        sim.wait(10)
    print(f"{r['symbols']} symbols over {r['connections']['public']} depth and {r['connections']['market']} "
          f"trade connections: {r['synced']} synced"
          + (f", all within {r['synced_s']:.1f} s" if r["synced_s"] is not None else ", NOT all synced"))
    print(f"client: {r['frames']:,} frames, {r['snapshots']} snapshots in {a.seconds:g} s; "
          f"CPU {r['cpu_share'] * 100:.0f}% of a core; peak RSS {r['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
