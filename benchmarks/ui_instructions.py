"""Instructions per frame of ``benchmarks/ui.py``'s frame part, counted by valgrind (load does not
change them, unlike the wall clock on a shared machine).

    python benchmarks/ui_instructions.py [--frames 300] [--checkout DIR]

Runs ``benchmarks/ui.py``'s ``frame_times`` (same market, seed, warm-up and 200x50 screen) under
``valgrind --tool=callgrind`` with instrumentation off until the first timed frame, counting only
inside the timed part (``DomApp.frame`` and the paint of the ladder, tape and heatmap), one dump
per frame. Prints p50 / p90 / p99 / max / mean of the millions of instructions per frame (the
first timed frame left out). ``--checkout``: measure another checkout (an export of an older
commit) with this script. Needs valgrind, gcc and ``valgrind/callgrind.h`` (a three-line helper
is compiled into a temporary directory). 300 frames take ~4 minutes.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HELPER = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void cg_dump(void) { CALLGRIND_DUMP_STATS; }
"""


def child(checkout: str, frames: int, lib: str) -> None:
    """Inside valgrind: the benchmark's frame loop, counting only its timed part."""
    import asyncio
    import ctypes

    sys.path.insert(0, checkout)
    cg = ctypes.CDLL(lib)
    import benchmarks.ui as ui
    from dom.ui.app import DomApp

    state = {"armed": False, "started": False, "in": False}
    frame, tune = DomApp.frame, DomApp.collect_garbage

    def counted_frame(self) -> None:
        if state["armed"]:  # the timed loop has started (after the app's GC tuning)
            if not state["started"]:
                cg.cg_start()
                state["started"] = True
            cg.cg_toggle()
            state["in"] = True
        frame(self)

    def armed_tune(self) -> None:
        tune(self)
        state["armed"] = True

    thread_time = ui.time.thread_time

    def end_of_paint() -> float:
        # The loop reads the thread time right after painting the ladder, tape and heatmap.
        if state["in"]:
            cg.cg_toggle()
            cg.cg_dump()
            state["in"] = False
        return thread_time()

    DomApp.frame, DomApp.collect_garbage = counted_frame, armed_tune
    ui.time.thread_time = end_of_paint
    asyncio.run(ui.frame_times(frames, 20, (200, 50)))


def summary(prefix: str) -> list[int]:
    counts = []
    for f in sorted(glob.glob(prefix + ".*"), key=lambda f: int(f.rsplit(".", 1)[1])):
        for line in open(f, errors="replace"):
            if line.startswith("summary:"):
                counts.append(int(line.split()[1]))
                break
    return counts[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--checkout", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.checkout, a.frames, a.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src, lib = os.path.join(tmp, "cg.c"), os.path.join(tmp, "libcg.so")
        Path(src).write_text(HELPER)
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", lib, src], check=True)
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, os.path.abspath(__file__),
                        "--checkout", os.path.abspath(a.checkout), "--frames", str(a.frames), "--child", lib],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=a.checkout)
        xs = summary(out)
    s = sorted(xs)
    pct = lambda q: s[min(len(s) - 1, int(q * len(s)))] / 1e6  # noqa: E731
    print(f"{a.checkout}: {len(xs)} frames at 200x50, 20 symbols; million instructions per frame: "
          f"p50 {pct(0.5):.2f}  p90 {pct(0.9):.2f}  p99 {pct(0.99):.2f}  max {s[-1] / 1e6:.2f}  "
          f"mean {sum(xs) / len(xs) / 1e6:.2f}")


if __name__ == "__main__":
    main()
