"""What the detectors' exchange-time merge costs in the pipeline (``dom.core.merge``).

    python benchmarks/merge.py [--minutes 5] [--seed 1] [--repeats 3]

The built-in market (mixed preset) runs headless once and its published events are kept. The
same events then go through three pipelines, alternately, ``--repeats`` times: no detectors; the
detectors on the one engine in arrival order (``hold_ms=0``, as before the merge); the detectors
on their own engine behind the merge (``hold_ms=250``, the default). Printed: CPU microseconds
per event for each (the fastest repeat: on a shared machine, the least disturbed), the merge's
share, and that both detector pipelines gave alerts (their counts; the orders differ by design).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detectors import published_events  # noqa: E402

from dom.core.detectors import DetectorParams, make_observers  # noqa: E402
from dom.runtime.pipeline import ListenerBase, Pipeline  # noqa: E402


class _Count(ListenerBase):
    def __init__(self) -> None:
        self.n = 0

    def on_alert(self, alert) -> None:
        self.n += 1


def timed(evs: list, instruments: dict, detectors: bool, hold_ms: int) -> tuple[float, int]:
    pipe = Pipeline("sim", detectors=make_observers(DetectorParams()) if detectors else None,
                    hold_ms=hold_ms)
    pipe.open(instruments)
    count = _Count()
    pipe.subscribe(count)
    t0 = time.process_time()
    feed = pipe.feed
    for ev in evs:
        feed((ev,))
    pipe.flush()
    return time.process_time() - t0, count.n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    evs, inst = published_events(args.minutes, args.seed)
    print(f"{args.minutes:g} market minutes of the mixed preset: {len(evs):,} events")
    runs = {"no detectors": (False, 0), "detectors, arrival order": (True, 0),
            "detectors behind the merge": (True, 250)}
    best: dict[str, float] = {}
    alerts: dict[str, int] = {}
    for _ in range(args.repeats):
        for name, (det, hold) in runs.items():
            t, n = timed(evs, inst, det, hold)
            best[name] = min(best.get(name, t), t)
            alerts[name] = n
    for name in runs:
        print(f"  {name:28s} {best[name] / len(evs) * 1e6:6.2f} us / event   alerts {alerts[name]}")
    extra = best["detectors behind the merge"] - best["detectors, arrival order"]
    print(f"merge + second engine: {extra / len(evs) * 1e6:+.2f} us / event "
          f"({extra / max(1e-9, best['detectors, arrival order']) * 100:+.0f}% of the arrival-order pipeline)")


if __name__ == "__main__":
    main()
