"""What the terminal UI costs: frame render time, and the TUI process's CPU while ingesting.

    python benchmarks/ui.py [--frames 600] [--cpu-seconds 30] [--symbols 20] [--size 200x50] [--skip-cpu]

1. Frame render time at 200x50: 30 s of the built-in market (mixed preset) are decoded into the
   engine, then 50 ms of market time at a time, and after each slice one frame is drawn as the
   app draws it: ``DomApp.frame`` (every widget's ``prepare``, the changed lines marked) and
   Textual's compositor rendering the changed regions of the ladder, tape and heatmap to terminal
   bytes (then also of the alerts and the status bar). Prints p50 / p99 / max in ms, wall clock
   and the thread's CPU time (the wall clock includes waiting for a busy CPU). Goal: p99 <= 5.
2. TUI process CPU: ``dom sim --symbols N`` in its own process, and ``dom tui`` against it in a
   pseudo-terminal of 200x50 at 20 fps, as a user runs it; after a warm-up, the TUI process's
   CPU time over the window, as % of one core (goal: <= 30% with 20 symbols).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import gc
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


async def frame_times(frames: int, symbols: int, size: tuple[int, int]) -> dict[str, list[float]]:
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.runtime.pipeline import Pipeline
    from dom.runtime.view import UiModel
    from dom.sim.market import Market
    from dom.ui.app import DomApp
    from dom.venues.binance_usdm.codec import BinanceDecoder

    m = Market("mixed", seed=7, symbols=symbols)
    model = UiModel()
    pipe = Pipeline("sim", detectors=make_observers(), context=ContextParams(), observers=(model.observers,))
    model.attach(pipe)
    pipe.open(m.instruments)
    dec = BinanceDecoder(m.instruments)
    warm_s = 30.0
    stream = m.frames(warm_s + frames * 0.05 + 1)
    snap_from: list = [m]
    pipe.on_snapshot_request = lambda sym: snap_from[0] is not None and pipe.feed(
        [dec.decode_snapshot(sym, snap_from[0].snapshot_body(sym), 0)])

    def feed(recv: int, raw: bytes, market: Market | None) -> None:
        snap_from[0] = market
        pipe.feed(dec.decode(raw, recv))

    # 30 s of history first (a full tape, heatmap and profile); then the market's next frames are
    # kept as raw bytes and the market itself is dropped, so the process holds what a TUI holds
    # (the market runs in its own process in part 2, as with `dom tui --endpoint`).
    start = None
    for recv, msg in stream:
        start = recv if start is None else start
        feed(recv, msg.raw, m)
        if recv - start >= warm_s * 1e9:
            break
    later = [(recv, msg.raw) for recv, msg in stream]
    del stream, m
    gc.collect()
    pos = 0

    def ingest(until_ns: int) -> None:
        nonlocal pos
        while pos < len(later) and later[pos][0] - start < until_ns:
            feed(later[pos][0], later[pos][1], None)
            pos += 1

    t_ns = int(warm_s * 1e9)
    app = DomApp(model, runner=None, fps=0, clock=None)
    out: dict[str, list[float]] = {"ladder+tape+heatmap": [], "all widgets": [], "ladder+tape+heatmap cpu": []}
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.collect_garbage()  # what the live app does 5 s after it starts
        comp = app.screen._compositor
        trio = {app.ladder, app.tape, app.heatmap}
        rest = {app.alerts, app.status, app.context_panel}

        def paint(widgets: set) -> int:
            """What Textual does after a frame: the changed regions of these widgets, rendered
            to the bytes the terminal gets (not written anywhere)."""
            comp.update_widgets(widgets)
            update = comp.render_partial_update()
            return len(update.render_segments(app.console)) if update is not None else 0

        for i in range(frames):
            t_ns += 50_000_000
            ingest(t_ns)
            t0, c0 = time.perf_counter(), time.thread_time()
            app.frame()
            paint(trio)
            t1, c1 = time.perf_counter(), time.thread_time()
            paint(rest)
            t2 = time.perf_counter()
            out["ladder+tape+heatmap"].append((t1 - t0) * 1e3)
            out["all widgets"].append((t2 - t0) * 1e3)
            out["ladder+tape+heatmap cpu"].append((c1 - c0) * 1e3)
            if i % 50 == 0:
                await pilot.pause()  # let the app run its own loop now and then, as it would
    return out


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tui_cpu(symbols: int, warmup: float, seconds: float, size: tuple[int, int]) -> dict[str, float]:
    root = Path(__file__).resolve().parents[1]
    sim = subprocess.Popen(
        [sys.executable, "-m", "dom", "sim", "--port", "0", "--symbols", str(symbols), "--preset", "mixed"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=root,
    )
    try:
        line = sim.stdout.readline()
        mm = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not mm:
            raise SystemExit(f"market did not start: {line!r}")
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(root)
            os.environ["TERM"] = "xterm-256color"
            os.environ["COLORTERM"] = "truecolor"
            os.execv(sys.executable, [sys.executable, "-m", "dom", "tui", "--venue", "binanceusdm",
                                      "--endpoint", mm.group(1), "--fps", "20"])
        cols, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        written = [0]

        def drain() -> None:
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                written[0] += len(data)

        threading.Thread(target=drain, daemon=True).start()
        time.sleep(warmup)
        c0, b0, t0 = cpu_of(pid), written[0], time.monotonic()
        sim_c0 = cpu_of(sim.pid)
        time.sleep(seconds)
        c1, b1, t1 = cpu_of(pid), written[0], time.monotonic()
        sim_c1 = cpu_of(sim.pid)
        os.write(fd, b"q")
        for _ in range(50):
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        return {"tui_cpu_pct": 100 * (c1 - c0) / (t1 - t0), "sim_cpu_pct": 100 * (sim_c1 - sim_c0) / (t1 - t0),
                "screen_kb_per_s": (b1 - b0) / 1024 / (t1 - t0)}
    finally:
        sim.terminate()
        sim.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--symbols", type=int, default=20)
    ap.add_argument("--cpu-seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--skip-cpu", action="store_true")
    ap.add_argument("--size", default="200x50", help="terminal size, COLSxROWS (default 200x50)")
    a = ap.parse_args()
    cols, rows = (int(x) for x in a.size.split("x"))
    size = (cols, rows)
    res = asyncio.run(frame_times(a.frames, a.symbols, size))
    print(f"frame render at {size[0]}x{size[1]}, {a.frames} frames, {a.symbols} symbols (goal p99 <= 5 ms):")
    for k, xs in res.items():
        print(f"  {k:20} p50 {pct(xs, 0.5):6.2f} ms   p99 {pct(xs, 0.99):6.2f} ms   max {max(xs):6.2f} ms")
    if not a.skip_cpu:
        r = tui_cpu(a.symbols, a.warmup, a.cpu_seconds, size)
        print(f"dom tui at 20 fps, {size[0]}x{size[1]}, ingesting {a.symbols} symbols (mixed preset) from a "
              f"separate dom sim, over {a.cpu_seconds:.0f} s after {a.warmup:.0f} s warm-up (goal <= 30%):")
        print(f"  TUI process CPU {r['tui_cpu_pct']:.1f}% of one core   (the market process: "
              f"{r['sim_cpu_pct']:.1f}%; screen output {r['screen_kb_per_s']:.0f} KiB/s)")


if __name__ == "__main__":
    main()
