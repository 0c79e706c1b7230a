"""Memory over a long session: `dom run` following the built-in market (5 symbols by default;
the market runs as its own `dom sim` process, as a venue would, so its memory is not counted)
for MINUTES, the client's RSS read from /proc every minute; prints each minute and the slope
after warm-up (least squares over minutes WARMUP..end, in MB per hour).

    python benchmarks/soak_rss.py [--minutes 30] [--warmup 5] [--symbols 5]
    python benchmarks/soak_rss.py --headless [--minutes 60]

``--headless`` runs the same pipeline (detectors, context) on the built-in market as fast as it
goes, in this process, and prints this process's RSS every 5 market minutes: an hour in about a
minute, long enough to see the 30-minute baselines (the walls' P95 samples, absorption's) fill
and the memory level off.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def slope(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def headless(minutes: int) -> None:
    import os

    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.runtime.pipeline import Pipeline
    from dom.runtime.simulated import drive
    from dom.sim.market import Market

    m = Market("mixed", seed=1)
    pipe = Pipeline("sim", detectors=make_observers(), context=ContextParams(), trade_ids=True)
    t0 = time.time()
    xs, ys = [], []
    for i in range(1, minutes // 5 + 1):
        drive(m, pipe, 300)
        r = rss_mb(os.getpid())
        print(f"market minute {i * 5:3d}: RSS {r:6.1f} MB  ({time.time() - t0:.0f} s)", flush=True)
        if i * 5 > 30:
            xs.append(i * 5)
            ys.append(r)
    if len(xs) >= 2:
        print(f"slope after market minute 30: {slope(xs, ys) * 60:+.1f} MB/hour")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--headless", action="store_true", help="the pipeline on the market, as fast as it goes")
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--symbols", type=int, default=5)
    a = ap.parse_args()
    if a.headless:
        headless(a.minutes if a.minutes != 30 else 60)
        return
    syms = ["BTCUSDT", "KITEUSDT", "MOTHUSDT", "PIKEUSDT", "WRENUSDT"][: a.symbols]
    sim = subprocess.Popen([sys.executable, "-m", "dom", "sim", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = sim.stdout.readline()
    url = line.split(" on ", 1)[1].split()[0] if " on " in line else ""
    if not url.startswith("http"):
        sim.kill()
        raise SystemExit(f"market did not start: {line!r}")
    p = subprocess.Popen([sys.executable, "-m", "dom", "run", "--venue", "binanceusdm", "--endpoint", url,
                          "--duration", str(a.minutes * 60 + 5), "--summary-every", "0", *syms],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    xs, ys = [], []
    try:
        t0 = time.monotonic()
        for minute in range(1, a.minutes + 1):
            time.sleep(max(0.0, t0 + minute * 60 - time.monotonic()))
            if p.poll() is not None:
                raise SystemExit(f"dom run ended early: {p.stderr.read()[-500:]}")
            r = rss_mb(p.pid)
            print(f"minute {minute:3d}: RSS {r:7.1f} MB", flush=True)
            if minute >= a.warmup:
                xs.append(minute)
                ys.append(r)
    finally:
        p.terminate()
        p.wait(30)
        sim.terminate()
        sim.wait(30)
    if len(xs) >= 2:
        print(f"slope after minute {a.warmup}: {slope(xs, ys) * 60:+.1f} MB/hour "
              f"({ys[0]:.1f} -> {ys[-1]:.1f} MB)")


if __name__ == "__main__":
    main()
