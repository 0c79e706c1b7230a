"""The detectors' alerts as one fingerprint each: a speed change must leave them byte-identical.

    python benchmarks/alert_hash.py [--seeds 1-3] [--minutes 10] [--no-real]

For each seed of the built-in market (mixed preset, through ``dom.evaluation.run_market``, as
``dom eval`` drives it: the market's published stream through the live decoder into an engine with
the default detectors), and for the real BTCUSDT recording replayed through ``Replay`` with the
same detectors, it
prints the number of alerts and the sha256 of their Alert JSON v1 lines (one per line, in order),
and a second sha256 over ``repr`` of the core ``Alert`` objects (unrounded floats: stricter than
the contract). For the recording it also prints the iceberg detector's near/far null control.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from dom.alert_json import alert_to_line
from dom.core.detectors import DetectorParams, make_observers
from dom.core.types import Alert
from dom.evaluation import run_market

from dom.runtime.replay import Replay

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


class Hasher:
    def __init__(self, venue: str, instruments: dict) -> None:
        self.venue, self.instruments = venue, instruments
        self.lines = hashlib.sha256()
        self.raw = hashlib.sha256()
        self.n = 0

    def __call__(self, o: object) -> None:
        if isinstance(o, Alert):
            self.n += 1
            self.lines.update(alert_to_line(o, self.venue, self.instruments[o.symbol]) + b"\n")
            self.raw.update(repr(o).encode() + b"\n")

    def row(self, name: str, secs: float) -> str:
        return f"{name:<24} {self.n:6d} alerts  json {self.lines.hexdigest()[:16]}  raw {self.raw.hexdigest()[:16]}  ({secs:.1f} s)"


FOUR = DetectorParams(bursts=False, sweeps=False)
"""The four order-book detectors the table in docs/PERFORMANCE.md was taken with (bursts and
sweeps came later; ``--all`` hashes every default detector)."""


def seed_hash(seed: int, minutes: float, params: DetectorParams = FOUR) -> str:
    t0 = time.perf_counter()
    alerts, _labels, m = run_market("mixed", seed, minutes, params)
    h = Hasher("sim", m.instruments)
    for a in alerts:
        h(a)
    return h.row(f"seed {seed} ({minutes:g} min)", time.perf_counter() - t0)


def real_hash(params: DetectorParams = FOUR) -> tuple[str, str]:
    t0 = time.perf_counter()
    rp = Replay(DATA, observers=make_observers(params))
    h = Hasher("binanceusdm", rp.instruments)
    summ = rp.run(h)
    return h.row("btcusdt_20240808", time.perf_counter() - t0), json.dumps(summ.null_control, sort_keys=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-3")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--all", action="store_true", help="every default detector (bursts and sweeps too)")
    a = ap.parse_args()
    params = DetectorParams() if a.all else FOUR
    lo, _, hi = a.seeds.partition("-")
    for seed in range(int(lo), int(hi or lo) + 1):
        print(seed_hash(seed, a.minutes, params), flush=True)
    if not a.no_real and DATA.exists():
        row, ctl = real_hash(params)
        print(row)
        print(f"{'':<24} null control {ctl}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
