"""What the detectors cost, and how fast `dom eval` scores.

    python benchmarks/detectors.py [--minutes 10] [--seed 1]

1. The built-in market (mixed preset) runs headless once; its published stream is decoded into
   events and kept. The same events then go through an engine without observers and through one
   with the detectors, alternately, several times, timing depth messages and trades apart; the
   difference is the detectors' cost per depth message and per trade (the fastest of the repeats
   of each, one run: on a shared machine the fastest is the one least disturbed).
2. `dom eval`'s own loop (market + decode + engine + detectors + scoring, injection-free runs
   included) on one seed: market minutes scored per wall second, and the time an hour of the
   mixed preset would take (goal: under a minute).
"""

from __future__ import annotations

import argparse
import time

from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine
from dom.core.types import BookDelta, SnapshotRequest, Trade
from dom.evaluation import evaluate
from dom.venues.binance_usdm.codec import BinanceDecoder
from dom.sim.market import Market


def published_events(minutes: float, seed: int) -> tuple[list, dict]:
    m = Market("mixed", seed=seed, tickers=False)
    eng = Engine(m.instruments)
    dec = BinanceDecoder(m.instruments)
    evs = []
    for recv, msg in m.frames(minutes * 60):
        for ev in dec.decode(msg.raw, recv):
            evs.append(ev)
            for o in eng.feed(ev):
                if isinstance(o, SnapshotRequest):
                    snap = dec.decode_snapshot(o.symbol, m.snapshot_body(o.symbol), recv)
                    evs.append(snap)
                    eng.feed(snap)
    return evs, m.instruments


def timed(evs: list, instruments: dict, observers) -> tuple[float, float]:
    """Seconds spent in Engine.feed on depth messages and on trades."""
    eng = Engine(instruments, observers=observers)
    t_depth = t_trade = 0.0
    clock = time.perf_counter
    for ev in evs:
        t0 = clock()
        eng.feed(ev)
        dt = clock() - t0
        if isinstance(ev, BookDelta):
            t_depth += dt
        elif isinstance(ev, Trade):
            t_trade += dt
    return t_depth, t_trade


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    evs, inst = published_events(args.minutes, args.seed)
    n_depth = sum(isinstance(e, BookDelta) for e in evs)
    n_trade = sum(isinstance(e, Trade) for e in evs)
    print(f"{args.minutes:g} market minutes of the mixed preset: {n_depth:,} depth messages, {n_trade:,} trades")
    base, det, six = [], [], []
    four = DetectorParams(bursts=False, sweeps=False)  # the four order-book detectors (issue #18's figures)
    for _ in range(args.repeats):
        base.append(timed(evs, inst, None))
        det.append(timed(evs, inst, make_observers(four)))
        six.append(timed(evs, inst, make_observers(DetectorParams())))
    bd = min(b[0] for b in base)
    bt = min(b[1] for b in base)
    dd = min(d[0] for d in det)
    dt = min(d[1] for d in det)
    print(f"engine alone:        {bd / n_depth * 1e6:7.1f} us / depth message   {bt / n_trade * 1e6:6.2f} us / trade")
    print(f"engine + the four:   {dd / n_depth * 1e6:7.1f} us / depth message   {dt / n_trade * 1e6:6.2f} us / trade")
    print(f"detectors' cost:     {(dd - bd) / n_depth * 1e6:7.1f} us / depth message   "
          f"{(dt - bt) / n_trade * 1e6:6.2f} us / trade   (x{dd / bd:.2f} on depth)")
    sd = min(x[0] for x in six)
    st = min(x[1] for x in six)
    print(f"+ bursts and sweeps: {(sd - dd) / n_depth * 1e6:7.1f} us / depth message   {(st - dt) / n_trade * 1e6:6.2f} us / trade"
          f"   (every default detector: {(sd - bd) / n_depth * 1e6:.1f} / {(st - bt) / n_trade * 1e6:.2f} us)")

    t0 = time.perf_counter()
    evaluate("mixed", [args.seed], args.minutes)
    wall = time.perf_counter() - t0
    market_min = 2 * args.minutes  # the labelled run and its injection-free twin
    rate = market_min / wall
    print(f"dom eval: {market_min:g} market minutes scored in {wall:.1f} s = {rate:.1f} market minutes per wall "
          f"second; an hour of the mixed preset in {60 / rate:.0f} s (goal < 60 s)")


if __name__ == "__main__":
    main()
