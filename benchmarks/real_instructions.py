"""What the detectors cost in instructions on the real BTCUSDT recording (load-independent).

    python benchmarks/real_instructions.py [FILE] [--configs spoofs,four]

``detector_instructions.py`` counts on the built-in market, whose depth messages carry ~10 level
changes; the recording's carry ~68, and ``dom replay`` spends its time there. This decodes the
recording once, runs it through the replay's one-engine pipeline recording the events in the order
its engine receives them (the exchange-time merge's), and keeps them in a temporary file; then for
the bare engine and each configuration (one detector alone, ``four`` or ``all``, the configuration's
defaults otherwise) ``detector_instructions.py``'s child feeds them to an engine (with the recording's sequence
rule) under ``valgrind --tool=callgrind``, trades through ``functools.reduce`` and depth messages
through ``itertools.starmap``. Printed: instructions per trade and per depth message above the
bare engine. Needs valgrind (``callgrind_annotate``); ``PYTHONHASHSEED=0`` in the children.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from detector_instructions import report  # (its child feeds the kept events under callgrind)

_ONE = ("walls", "icebergs", "absorptions", "spoofs", "bursts", "sweeps")
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


def _params(config: str):
    from dom.config import load_config
    from dom.core.detectors.params import DetectorParams

    p = DetectorParams.from_mapping(load_config().detectors)
    if config == "four":
        return dataclasses.replace(p, bursts=False, sweeps=False)
    if config == "all":
        return p
    return dataclasses.replace(p, **{k: k == config for k in _ONE})


def merged_events(path: Path) -> tuple[list, dict, object]:
    """The recording's events in the order the replay's one engine takes them, its instruments, its rule."""
    from dom.core.detectors import make_observers
    from dom.runtime.replay import Replay
    from dom.runtime.replay_pipeline import OneEnginePipeline

    rp = Replay(path)
    p = _params("all")
    off = dataclasses.replace(p, **{k: False for k in _ONE})  # (the pipeline wants detectors: none on)
    pipe = OneEnginePipeline(rp.label, rp.rule, detectors=make_observers(off), context=None,
                             hold_ms=p.merge_hold_ms, trade_ids=True)
    eng = pipe.open(rp.instruments)
    got: list = []
    feed = eng.feed

    def keep(ev):
        got.append(ev)
        return feed(ev)

    eng.feed = keep  # (an instance attribute: the pipeline reads ``det.feed`` at each call)
    pipe._pump = None  # (the C merge's pump hands tickers and trades to the engine without its feed)
    for _, _, evs in rp.decoded():
        if not isinstance(evs, str):
            pipe.feed(evs)
    pipe.flush()
    return got, rp.instruments, rp.rule


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DATA))
    ap.add_argument("--configs", default="spoofs,four")
    a = ap.parse_args()
    bad = [c for c in a.configs.split(",") if c not in _ONE + ("four", "all")]
    if bad:
        ap.error(f"unknown config {', '.join(bad)}: one of {', '.join(_ONE + ('four', 'all'))}")
    from dom.core.types import BookDelta, Trade

    evs, inst, rule = merged_events(Path(a.file))
    n_depth = sum(type(e) is BookDelta for e in evs)
    n_trade = sum(type(e) is Trade for e in evs)
    print(f"{Path(a.file).name}: {n_depth:,} depth messages, {n_trade:,} trades, in the merge's order; "
          f"instructions above the bare engine")
    report((evs, inst, rule), n_trade, n_depth, a.configs)


if __name__ == "__main__":
    main()
