"""The bus against the in-process path, on the built-in market at real time:

    python benchmarks/bus.py [--collectors 4] [--symbols 500] [--seconds 30]

A nats-server from the wheel, a `dom sim` with N symbols, C `dom collect` processes each owning a
shard, and one consumer in this process (the `--bus` client and pipeline, no detectors). Then, for
comparison, the same market read in-process by the native client (what `dom run` does). Prints
events per second through the bus, the consumer's exchange-time -> book-applied lag p50/p99
against the in-process path's, the message sizes, and each process's CPU as a share of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DOM = [sys.executable, "-m", "dom"]


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


async def consume(url: str, venue: str, symbols: list[str], seconds: float, bus: bool) -> dict:
    from dom import venues
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline

    if bus:
        from dom.bus.client import BusClient
        from dom.bus.venue import BusVenue

        client, rule = BusClient(url, venue, symbols, wait_s=120), BusVenue.rule
    else:
        client, rule = venues.get("binanceusdm").client(symbols, url), venues.get("binanceusdm").rule
    transit: list[float] = []
    if bus:
        inner = client._on_event

        async def on_event(msg) -> None:  # the bus's own delay: collector received -> consumer received
            if msg.subject.endswith(".book") and len(transit) < 2_000_000:
                r = msg.data.find(b'"r":')
                if r > 0:
                    end = msg.data.find(b",", r)
                    transit.append((time.time_ns() - int(msg.data[r + 4:end])) / 1e6)
            await inner(msg)

        client._on_event = on_event
    pipe = Pipeline(venue, rule, hold_ms=0)
    drv = LiveDriver(client, pipe, [], stale_after_s=0)
    await drv.start()
    task = asyncio.create_task(drv.run())
    eng = pipe.engine
    t0 = time.monotonic()
    while not all(st.synced for st in eng.symbols.values()) and time.monotonic() - t0 < 120:
        await asyncio.sleep(0.2)
    synced_s = time.monotonic() - t0
    for r in pipe.rates.values():
        r.lags_ms.clear()
    transit.clear()
    frames0, bytes0, cpu0, w0 = client.stats.frames, client.stats.bytes, time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    frames, nbytes = client.stats.frames - frames0, client.stats.bytes - bytes0
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - w0
    lags = [x for r in pipe.rates.values() for x in r.lags_ms]
    drv.stop()
    await asyncio.wait_for(task, 10)
    return {"frames": frames, "bytes": nbytes, "cpu": cpu, "wall": wall, "p50": pct(lags, 0.5),
            "p99": pct(lags, 0.99), "synced_s": synced_s,
            "synced": sum(st.synced for st in eng.symbols.values()), "n": len(eng.symbols),
            "transit": (pct(transit, 0.5), pct(transit, 0.99)) if transit else None}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectors", type=int, default=4)
    ap.add_argument("--symbols", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()
    from dom.bus.server import NatsServer

    env = {**os.environ}
    env.pop("DOM_CONFIG", None)
    with tempfile.TemporaryDirectory() as d:
        srv = NatsServer(port=0, store_dir=d)
        srv.start()
        sim = subprocess.Popen([*DOM, "sim", "--port", "0", "--symbols", str(a.symbols)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
        procs = [sim]
        try:
            m = re.search(r"(http://127\.0\.0\.1:\d+)\s+\(symbols: ([A-Z0-9, ]+)\)", sim.stdout.readline())
            url, symbols = m.group(1), m.group(2).split(", ")
            for i in range(a.collectors):
                procs.append(subprocess.Popen(
                    [*DOM, "collect", "--venue", "sim", "--endpoint", url, "--bus", srv.url, "--shard",
                     f"{i}/{a.collectors}", "--book-stale-after", "0"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
            c0 = {p.pid: cpu_s(p.pid) for p in procs}
            s0, t0 = cpu_s(srv.proc.pid), time.perf_counter()
            bus = asyncio.run(consume(srv.url, "sim", symbols, a.seconds, True))
            wall = time.perf_counter() - t0
            shares = {p.pid: (cpu_s(p.pid) - c0[p.pid]) / wall for p in procs}
            server_share = (cpu_s(srv.proc.pid) - s0) / wall
            print(f"the built-in market at real time, {a.symbols} symbols, {a.collectors} collectors, "
                  f"{a.seconds:g} s measured; {os.cpu_count()} cores")
            show("bus", bus)
            print(f"  CPU while the bus ran (share of one core): market {100 * shares[procs[0].pid]:.0f}%, "
                  + ", ".join(f"collector {i} {100 * shares[p.pid]:.0f}%" for i, p in enumerate(procs[1:]))
                  + f", nats-server {100 * server_share:.0f}%", flush=True)
            for p in procs[1:]:
                p.terminate()
            for i, p in enumerate(procs[1:]):
                t = time.perf_counter()
                try:
                    p.wait(30)
                    print(f"  collector {i} stopped {time.perf_counter() - t:.1f} s after SIGTERM")
                except subprocess.TimeoutExpired:
                    print(f"  collector {i} did not stop within 30 s of SIGTERM (killed); its stack:")
                    if shutil.which("py-spy"):
                        subprocess.run(["py-spy", "dump", "--pid", str(p.pid)], timeout=60)
                    p.kill()
            direct = asyncio.run(consume(url, "sim", symbols, a.seconds, False))
            show("in-process", direct)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
            srv.stop()
    return 0


def show(name: str, r: dict) -> None:
    print(f"  {name:10}: {r['frames'] / r['wall']:,.0f} events/s ({r['bytes'] / max(1, r['frames']):.0f} B each), "
          f"lag exchange -> book p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms, consumer CPU "
          f"{100 * r['cpu'] / r['wall']:.0f}% of a core, {r['synced']}/{r['n']} synced "
          f"({r['synced_s']:.1f} s to sync)", flush=True)
    if r["transit"]:
        print(f"  {'':10}  the bus's own delay, collector received -> consumer received: p50 {r['transit'][0]:.1f} ms "
              f"p99 {r['transit'][1]:.1f} ms", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
