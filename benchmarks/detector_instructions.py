"""What the detectors cost in instructions, per trade and per depth message (load-independent).

    python benchmarks/detector_instructions.py [--minutes 2] [--seed 1] [--configs absorptions,icebergs,four]

On a shared machine wall-clock figures move by tens of percent between runs; instruction counts do
not. The built-in market (mixed preset) runs once and its published events are kept in a temporary
file; then, for the bare engine and for each configuration (one detector alone: walls, icebergs,
absorptions, spoofs, bursts, sweeps; or ``four``: the four order-book detectors; ``all``), a child
Python replays them under ``valgrind --tool=callgrind`` with trades fed through
``functools.reduce`` and depth messages through ``itertools.starmap``, so that callgrind's inclusive
cost of those two C functions is the trades' and the depth messages' share. Printed: instructions
per trade and per depth message above the bare engine. Needs valgrind (``callgrind_annotate``);
``PYTHONHASHSEED=0`` in the children so that two runs count the same.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import subprocess
import sys
import tempfile

_ONE = ("walls", "icebergs", "absorptions", "spoofs", "bursts", "sweeps")


def _params(config: str):
    from dom.core.detectors import DetectorParams

    if config == "four":
        return DetectorParams(bursts=False, sweeps=False)
    if config == "all":
        return DetectorParams()
    return DetectorParams(**{k: k == config for k in _ONE})


def child(events: str, config: str) -> None:
    """Replay the kept events (run under callgrind by the parent)."""
    from functools import reduce
    from itertools import starmap

    from dom.core.detectors import make_observers
    from dom.core.engine import Engine
    from dom.core.types import BookDelta, Trade

    with open(events, "rb") as f:
        evs, inst, *rule = pickle.load(f)  # (a recording's events come with its venue's rule)
    obs = None if config == "none" else make_observers(_params(config))
    eng = Engine(inst, *rule, observers=obs, trade_ids=bool(rule))
    feed = eng.feed
    trade = lambda _, ev: feed(ev)  # noqa: E731
    for ev in evs:
        kind = type(ev)
        if kind is Trade:
            reduce(trade, (ev,), None)  # under functools_reduce
        elif kind is BookDelta:
            for _ in starmap(feed, ((ev,),)):  # under starmap_next
                pass
        else:
            feed(ev)


def count(events: str, config: str) -> tuple[int, int]:
    """(Ir under trades, Ir under depth messages) for ``config``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                        "--child", config, "--events", events], env=env, check=True, capture_output=True)
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], check=True, capture_output=True,
                             text=True).stdout

    def inclusive(fn: str) -> int:
        m = re.search(r"^\s*([\d,]+) .*:" + fn + r"\b", ann, re.M)
        return int(m.group(1).replace(",", "")) if m else 0

    return inclusive("functools_reduce"), inclusive("starmap_next")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--configs", default="absorptions,icebergs,four")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--events", help=argparse.SUPPRESS)
    a = ap.parse_args()
    bad = [c for c in a.configs.split(",") if c not in _ONE + ("four", "all")]
    if bad:
        ap.error(f"unknown config {', '.join(bad)}: one of {', '.join(_ONE + ('four', 'all'))}")
    if a.child:
        child(a.events, a.child)
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from detectors import published_events

    from dom.core.types import BookDelta, Trade

    evs, inst = published_events(a.minutes, a.seed)
    n_depth = sum(type(e) is BookDelta for e in evs)
    n_trade = sum(type(e) is Trade for e in evs)
    print(f"{a.minutes:g} market minutes of the mixed preset (seed {a.seed}): {n_depth:,} depth messages, "
          f"{n_trade:,} trades; instructions above the bare engine")
    report((evs, inst), n_trade, n_depth, a.configs)


def report(kept: tuple, n_trade: int, n_depth: int, configs: str) -> None:
    """Keep ``kept`` (the events, the instruments, a recording's rule) in a temporary file and print
    each configuration's instructions a trade and a depth message above the bare engine's."""
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as f:
        pickle.dump(kept, f)
    try:
        bt, bd = count(f.name, "none")
        for config in configs.split(","):
            t, d = count(f.name, config)
            print(f"{config:12s} {(t - bt) / n_trade:9,.0f} Ir / trade   {(d - bd) / n_depth:9,.0f} Ir / depth message")
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main()
