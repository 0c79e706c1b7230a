"""The built-in market: speed (market seconds per wall second, headless) and stylized facts.

    python benchmarks/sim.py [--minutes 10] [--facts-minutes 60]
"""

from __future__ import annotations

import argparse
import time


def main() -> int:
    from dom.sim.facts import measure
    from dom.sim.market import Market

    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10, help="market minutes for the speed run")
    ap.add_argument("--facts-minutes", type=float, default=60)
    a = ap.parse_args()
    for preset in ("mixed", "smallcap"):
        m = Market(preset, seed=1)
        frames = 0
        t0 = time.perf_counter()
        for _ in m.frames(a.minutes * 60):
            frames += 1
        el = time.perf_counter() - t0
        print(f"{preset}: {len(m.syms)} symbols, {a.minutes:g} market minutes in {el:.2f} s wall: "
              f"{a.minutes * 60 / el:.0f}x real time, {frames / el:,.0f} frames/s (goal >= 50x)")
    t0 = time.perf_counter()
    facts = measure(a.facts_minutes * 60, seed=1, preset="mixed")
    print(f"stylized facts over {a.facts_minutes:g} market minutes (mixed, seed 1; {time.perf_counter() - t0:.1f} s):")
    print(f"{'symbol':10} {'1-tick spread':>13} {'p99 spread':>10} {'crossed':>7} {'trades':>7} "
          f"{'size Hill a':>11} {'size kurt':>9} {'sign ACF1':>9} {'|r| ACF1':>8} {'r kurt':>7}")
    for f in facts:
        print(f"{f.symbol:10} {f.spread_one_tick:13.1%} {f.spread_p99_ticks:10d} {f.crossed:7d} {f.trades:7d} "
              f"{f.size_hill_alpha:11.2f} {f.size_kurtosis:9.1f} {f.sign_acf1:9.2f} {f.absret_acf1:8.2f} {f.ret_kurtosis:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
