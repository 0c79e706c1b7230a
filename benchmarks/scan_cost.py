"""What the scanner costs on a whole venue: ``dom scan --json`` on N symbols of the built-in
market (the sectors preset, extended with numbered small caps past its 53) at real time, and
the client's CPU, once its books are synced, as a share of one core (issue #16's goal: <= 25 %
at 300 symbols).

    python benchmarks/scan_cost.py [--symbols 300] [--seconds 120] [--settle 60]

The market runs in its own process (``dom sim``), as a venue would; the client is ``dom scan
--json`` as a user runs it, measured from /proc: its CPU over the last ``--seconds`` after
``--settle`` seconds of start-up and sync. Also printed: the market's own CPU (if it needs more
than a core it falls behind real time and the client's figure is for less than a real venue's
flow), how many books the last scan object says are synced or followed by their top of book, and
the frames the client received a second.

``--depth opened`` (the default, as ``dom scan`` runs): every symbol by its best bid/ask and
trades from the all-market streams, depth for none (nothing is opened); ``--depth all``: every
symbol's book, as before whole-venue mode.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=120, help="measured span, after --settle")
    ap.add_argument("--settle", type=float, default=60, help="start-up and sync, not measured")
    ap.add_argument("--depth", choices=("opened", "all"), default="opened", help="dom scan's --depth")
    a = ap.parse_args()
    env = {**os.environ, "DOM_SIM_SPEED": "1"}
    env.pop("DOM_CONFIG", None)
    sim = subprocess.Popen([sys.executable, "-m", "dom", "sim", "--preset", "sectors", "--port", "0",
                            "--symbols", str(a.symbols)], stdout=subprocess.PIPE, text=True, env=env)
    scan = None
    try:
        line = sim.stdout.readline()
        m = re.search(r"on (http://\S+)", line)
        if not m:
            raise SystemExit(f"market did not start: {line!r}")
        total = a.settle + a.seconds
        scan = subprocess.Popen([sys.executable, "-m", "dom", "scan", "--json", "--venue", "binanceusdm",
                                 "--endpoint", m.group(1), "--duration", str(total + 5), "--every", "5", "--depth", a.depth],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        last: list[str] = [""]

        def keep_last() -> None:
            for text in scan.stdout:
                last[0] = text

        done: list[str] = [""]

        def keep_done() -> None:  # (stderr drained, or the client would block on it)
            for text in scan.stderr:
                if text.startswith("scan done"):
                    done[0] = text

        reader = threading.Thread(target=keep_last, daemon=True)
        reader.start()
        threading.Thread(target=keep_done, daemon=True).start()
        t0 = time.perf_counter()
        time.sleep(a.settle)
        c0, s0, w0 = cpu_s(scan.pid), cpu_s(sim.pid), time.perf_counter()
        time.sleep(a.seconds)
        c1, s1, w1 = cpu_s(scan.pid), cpu_s(sim.pid), time.perf_counter()
        scan.wait(60)
        reader.join(5)
    finally:
        for p in (scan, sim):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(10)
    doc = json.loads(last[0]) if last[0] else {"rows": []}
    rows = doc["rows"]
    synced = sum(r.get("book") == "synced" for r in rows)
    top = sum(r.get("book") == "top" for r in rows)
    fm = re.search(r"(\d+) frames in ([\d.]+) s", done[0])
    wall = w1 - w0
    print(f"dom scan --json on {a.symbols} symbols of the built-in market at real time "
          f"({a.settle:g} s to settle, {wall:.0f} s measured, {time.perf_counter() - t0:.0f} s in all)")
    print(f"client CPU: {(c1 - c0) / wall * 100:.1f}% of one core (goal <= 25%); --depth {a.depth}: "
          f"books synced at the end {synced}/{len(rows)}, by top of book {top}; "
          + (f"{int(fm.group(1)) / float(fm.group(2)):,.0f} frames/s received" if fm else "frames not reported"))
    print(f"market CPU: {(s1 - s0) / wall * 100:.1f}% of one core"
          + ("  (over a core: it trails real time, and the client sees less than a venue's flow)"
             if (s1 - s0) / wall > 0.95 else ""))


if __name__ == "__main__":
    main()
