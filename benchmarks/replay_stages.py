"""Where ``dom replay`` of the real BTCUSDT recording spends its CPU, stage by stage.

    python benchmarks/replay_stages.py [FILE] [--repeats 3] [--detectors]

In one process, CPU time (``time.process_time``) of the fastest of ``--repeats`` runs of each
stage, each one including the ones before it: reading the frames (``iter_hftbacktest``), opening
the recording (its scan), reading and decoding every line (``Replay.decoded``), the whole replay
without detectors and with the default ones (``Replay.run``). ``--detectors`` adds, on the
recording's events decoded once, the pipeline with no detectors, with the merge and the detectors'
engine but no detector on, with all the default ones, and with each alone (run alternately); the
"one engine" rows are the replay's pipeline, whose only engine is the detectors' (``dom replay``
without ``--check``), the others keep the arrival-order engine as well.
The first line is the CPU the imports took. Run it with ``PYTHONPATH`` at the checkout to measure.
"""

from __future__ import annotations

import time

t0 = time.process_time()
import argparse  # noqa: E402
import dataclasses  # noqa: E402
from pathlib import Path  # noqa: E402

from dom.config import load_config  # noqa: E402
from dom.core.detectors import make_observers  # noqa: E402
from dom.core.detectors.params import DetectorParams  # noqa: E402
from dom.runtime.pipeline import Pipeline  # noqa: E402
from dom.runtime.replay import Replay  # noqa: E402
from dom.runtime.replay_pipeline import OneEnginePipeline  # noqa: E402
from dom.store import recording as rec  # noqa: E402

IMPORTS = time.process_time() - t0
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
NAMES = ("walls", "icebergs", "absorptions", "spoofs", "bursts", "sweeps")


def fastest(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DATA))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--detectors", action="store_true", help="also the pipeline per detector")
    a = ap.parse_args()
    path = Path(a.file)
    params = DetectorParams.from_mapping(load_config().detectors)

    def frames() -> None:
        for _ in rec.iter_hftbacktest(path):
            pass

    def decoded() -> None:
        for _ in Replay(path).decoded():
            pass

    stages = [("read the frames", frames), ("open (the scan)", lambda: Replay(path)),
              ("open, read, decode", decoded), ("run, no detectors", lambda: Replay(path, observers=None).run()),
              ("run, default detectors",
               lambda: Replay(path, observers=make_observers(params), hold_ms=params.merge_hold_ms).run())]
    print(f"{'imports':<28} {IMPORTS:.3f} s")
    for name, fn in stages:
        print(f"{name:<28} {fastest(fn, a.repeats):.3f} s", flush=True)
    if not a.detectors:
        return
    rp = Replay(path)
    lines = [evs for _, _, evs in rp.decoded() if not isinstance(evs, str)]

    def pipeline(p: DetectorParams | None, one: bool = False) -> float:
        cls = OneEnginePipeline if one else Pipeline
        pipe = cls(rp.label, rp.rule, detectors=make_observers(p) if p is not None else None, context=None,
                   hold_ms=params.merge_hold_ms if p is not None else 0, trade_ids=True)
        pipe.open(rp.instruments)
        feed = getattr(pipe, "feeder", lambda: pipe.feed)()  # (the C merge's pump, when built)
        t = time.process_time()
        for evs in lines:
            feed(evs)
        pipe.flush()
        return time.process_time() - t

    none_on = dataclasses.replace(params, **{n: False for n in NAMES})
    configs = [("no detectors", None), ("merge + engine, none on", none_on),
               ("one engine, none on", none_on), ("default detectors", params),
               ("one engine, default detectors", params)]
    configs += [(f"{n} alone", dataclasses.replace(params, **{m: m == n for m in NAMES})) for n in NAMES]
    times: dict[str, list[float]] = {name: [] for name, _ in configs}
    for _ in range(a.repeats):
        for name, p in configs:
            times[name].append(pipeline(p, one=name.startswith("one engine")))
    base = min(times["merge + engine, none on"])
    for name, _ in configs:
        t = min(times[name])
        own = f"  (own {t - base:.3f} s)" if name.endswith("alone") or name == "default detectors" else ""
        print(f"pipeline, {name:<30} {t:.3f} s{own}")


if __name__ == "__main__":
    main()
