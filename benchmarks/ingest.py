"""Native feed vs the ccxt.pro path, consuming the same burst from the built-in market.

The market runs in a separate process (`dom sim`, which serves Binance USDⓈ-M, Bybit, OKX and
Bitget on one port), so the client's CPU time is its own:

    python benchmarks/ingest.py [--venue binanceusdm|bybit|okx|bitget|all] [--symbols 20] [--seconds 20] [--speed 4]

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


CCXT_ID = {"binanceusdm": "binanceusdm", "bybit": "bybit", "okx": "okx", "bitget": "bitget"}


async def measure(kind: str, venue: str, url: str, seconds: float) -> dict:
    from dom import venues
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.venues.ccxt_pro.client import CcxtProFeed

    counted = {"n": 0}
    native = venues.get(venue)
    if kind == "native":
        feed = native.client([], url)
    else:
        # Every symbol of the market, in ccxt's unified form (asked through the native path).
        probe = native.client([], url)
        insts = await probe.prepare()
        await probe.close()
        bases = sorted({i.base or s.removesuffix("USDT") for s, i in insts.items()})
        feed = CcxtProFeed(CCXT_ID[venue], [f"{b}/USDT:USDT" for b in bases], emit=lambda e: None, endpoint=url)
    rt = LiveDriver(feed, Pipeline(feed.venue, native.rule if kind == "native" else venues.get("binanceusdm").rule,
                                   verify=native.verifier() if kind == "native" else None))
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
    ap.add_argument("--venue", default="binanceusdm", choices=[*CCXT_ID, "all"])
    a = ap.parse_args()
    for venue in (list(CCXT_ID) if a.venue == "all" else [a.venue]):
        report(venue, a)
    return 0


def report(venue: str, a: argparse.Namespace) -> None:
    out, lag = {}, {}
    for kind in ("native", "ccxt"):
        for speed, store in ((a.speed, out), (1.0, lag)):  # a burst for throughput; real time for lag
            proc, url = start_market(a.symbols, speed)
            try:
                store[kind] = asyncio.run(measure(kind, venue, url, a.seconds))
            finally:
                proc.terminate()
                proc.wait(10)
    print(f"{venue} burst: the market at {a.speed:g}x real time, {a.symbols} symbols, {a.seconds:g} s per path")
    for kind, r in out.items():
        print(f"  {kind:6}: {r['messages']:,} messages in {r['wall']:.1f} s, client CPU {r['cpu']:.2f} s "
              f"-> {r['messages'] / r['cpu']:,.0f} messages per CPU-second")
    n, c = out["native"], out["ccxt"]
    print(f"  ratio: native {(n['messages'] / n['cpu']) / (c['messages'] / c['cpu']):.2f}x ccxt.pro "
          f"(goal >= 3x); {os.cpu_count()} cores")
    print(f"lag, exchange event time -> book applied, market at real time, {a.symbols} symbols:")
    for kind, r in lag.items():
        print(f"  {kind:6}: p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  ({r['messages']:,} messages)")


if __name__ == "__main__":
    raise SystemExit(main())
