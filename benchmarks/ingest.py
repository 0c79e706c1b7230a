"""Native feed vs the ccxt.pro path, consuming the same burst from the built-in market.

The market runs in a separate process (`dom sim`), so the client's CPU time is its own:

    python benchmarks/ingest.py [--symbols 20] [--seconds 20] [--speed 4]

Prints messages per client CPU-second for both paths and their ratio, and the lag from exchange
event time to the book being applied (p50/p99) across the symbols.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time


def start_market(symbols: int, speed: float) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen(
        [sys.executable, "-m", "dom", "sim", "--port", "0", "--symbols", str(symbols), "--speed", str(speed),
         "--preset", "mixed"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = p.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not m:
        p.kill()
        raise SystemExit(f"market did not start: {line!r}")
    return p, m.group(1)


async def measure(kind: str, url: str, seconds: float) -> dict:
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.venues.binance_usdm.client import BinanceUsdmFeed
    from dom.venues.ccxt_pro.client import CcxtProFeed

    counted = {"n": 0}
    if kind == "native":
        feed = BinanceUsdmFeed([], emit=lambda e: None, endpoint=url)
    else:
        feed = CcxtProFeed("binanceusdm", [], emit=lambda e: None, endpoint=url)
    rt = LiveDriver(feed, Pipeline(feed.venue))
    if kind == "ccxt":
        # Every symbol of the market: ask exchangeInfo first through the native path.
        probe = BinanceUsdmFeed([], emit=lambda e: None, endpoint=url)
        await probe.prepare()
        await probe.close()
        feed.wanted = list(probe.instruments)
    await rt.start()
    if kind == "ccxt":
        inner = feed.ex.handle_message

        def counting(client, message):
            counted["n"] += 1
            return inner(client, message)

        feed.ex.handle_message = counting
    await asyncio.sleep(0)
    cpu0, t0 = time.process_time(), time.perf_counter()
    await rt.run(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    msgs = feed.stats.frames if kind == "native" else counted["n"]
    lags = sorted(x for r in rt.rates.values() for x in r.lags_ms)
    pct = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")  # noqa: E731
    return {"messages": msgs, "cpu": cpu, "wall": wall, "p50": pct(0.5), "p99": pct(0.99),
            "symbols": len(rt.rates)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--speed", type=float, default=4.0, help="market speed (a burst)")
    a = ap.parse_args()
    out, lag = {}, {}
    for kind in ("native", "ccxt"):
        for speed, store in ((a.speed, out), (1.0, lag)):  # a burst for throughput; real time for lag
            proc, url = start_market(a.symbols, speed)
            try:
                store[kind] = asyncio.run(measure(kind, url, a.seconds))
            finally:
                proc.terminate()
                proc.wait(10)
    print(f"burst: the market at {a.speed:g}x real time, {a.symbols} symbols, {a.seconds:g} s per path")
    for kind, r in out.items():
        print(f"  {kind:6}: {r['messages']:,} messages in {r['wall']:.1f} s, client CPU {r['cpu']:.2f} s "
              f"-> {r['messages'] / r['cpu']:,.0f} messages per CPU-second")
    n, c = out["native"], out["ccxt"]
    print(f"  ratio: native {(n['messages'] / n['cpu']) / (c['messages'] / c['cpu']):.2f}x ccxt.pro "
          f"(goal >= 3x); {os.cpu_count()} cores")
    print(f"lag, exchange event time -> book applied, market at real time, {a.symbols} symbols:")
    for kind, r in lag.items():
        print(f"  {kind:6}: p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  ({r['messages']:,} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
