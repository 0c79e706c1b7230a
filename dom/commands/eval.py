"""``dom eval``: score the detectors against the built-in market's ground truth."""

from __future__ import annotations

import argparse
import math
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="score the detectors on the built-in market (precision, recall, false alarms/hour)",
        description="Run the built-in market headless with labelled injections, run the detectors on "
        "what it published, match alerts to labels one-to-one (DETECTORS.md §4) and print per kind: "
        "precision, recall (detectable subset and all), F1, false alarms per hour on injection-free "
        "runs, detection latency. Simulator figures are not real-market accuracy.",
    )
    p.add_argument("--preset", default="mixed", choices=["mixed", "major", "smallcap", "sectors"],
                   help="the built-in market's preset (sectors: 53 symbols with news bursts, sweep orders and "
                        "sector rotation, where bursts are scored)")
    p.add_argument("--symbols", type=int, metavar="N", help="only the preset's first N symbols (default: all)")
    p.add_argument("--seeds", default="100-104", help="a seed or a range A-B (default 100-104)")
    p.add_argument("--minutes", type=float, default=10.0, help="market minutes per seed")
    p.add_argument("--depth-ms", type=int, default=None, choices=[100, 250, 500], help="depth push interval (default 100)")
    p.add_argument("--skew-ms", type=float, default=None, help="/market behind /public by this much (default 0)")
    p.add_argument("--randomize", action="store_true",
                   help="draw each seed's market from wide ranges (docs/SIMULATOR.md, randomization; the seed "
                        "picks the draw, which sets depth interval and skew) and break the scores down by "
                        "drawn parameter")
    p.add_argument("--quoting", action="store_true",
                   help="with --randomize or --calibration: the markets apply their drawn organic quoting "
                        "(own-side joins, re-quote delay; docs/SIMULATOR.md), an option measured, not the default")
    p.add_argument("--calibration", action="store_true",
                   help="print the statistics of the real recordings in ../shared/data (or --data) beside "
                        "those of the randomized markets of --seeds: level-size dispersion, refills after "
                        "trades, the near/far null control, prints, depth-update rate")
    p.add_argument("--data", metavar="DIR", help="recordings folder for --calibration (default: the shared data)")
    p.add_argument("--config", metavar="FILE", help="config file whose [detectors] table to use")
    p.add_argument("--robustness", action="store_true",
                   help="also score at 250/500 ms depth and 200/1000 ms stream skew (5x the time)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="score seeds in N processes (same result; default 1)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def _seeds(text: str) -> list[int]:
    from dom.errors import ConfigError

    try:
        a, _, b = text.partition("-")
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise ConfigError(f"--seeds: expected N or A-B, not {text!r}") from None
    if hi < lo:
        raise ConfigError("--seeds: A-B needs A <= B")
    return list(range(lo, hi + 1))


def run(args: argparse.Namespace) -> int:
    import time

    import orjson

    from dom.config import load_config
    from dom.core.detectors import DetectorParams
    from dom.evaluation import evaluate, robustness

    from dom.errors import ConfigError

    seeds = _seeds(args.seeds)
    if args.jobs < 1:
        raise ConfigError("--jobs: expected N >= 1")
    if not (math.isfinite(args.minutes) and args.minutes > 0):  # (nan passed "<= 0" and crashed in the market)
        raise ConfigError("--minutes: expected a number > 0")
    if args.randomize or args.calibration:
        what = "--randomize" if args.randomize else "--calibration"
        if args.randomize and args.calibration:
            raise ConfigError("--randomize and --calibration: choose one")
        for flag, given in (("--depth-ms", args.depth_ms is not None), ("--skew-ms", args.skew_ms is not None),
                            ("--symbols", args.symbols is not None), ("--robustness", args.robustness)):
            if given:
                raise ConfigError(f"{what}: {flag} is drawn per seed (or does not apply); leave it out")
    elif args.data is not None:
        raise ConfigError("--data goes with --calibration")
    elif args.quoting:
        raise ConfigError("--quoting goes with --randomize or --calibration")
    if args.calibration:
        from dom.commands.eval_calibration import run_calibration

        return run_calibration(args, seeds)
    if not args.randomize:
        args.depth_ms = 100 if args.depth_ms is None else args.depth_ms
        args.skew_ms = 0.0 if args.skew_ms is None else args.skew_ms
    if args.skew_ms is not None and not (math.isfinite(args.skew_ms) and args.skew_ms >= 0):
        raise ConfigError("--skew-ms: expected a number >= 0")
    params = DetectorParams.from_mapping(load_config(args.config).detectors)
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r  seed {done}/{total}  ({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr, flush=True)

    if args.symbols is not None and args.symbols < 1:
        raise ConfigError("--symbols: expected N >= 1")
    res = evaluate(args.preset, seeds, args.minutes, params, args.depth_ms or 100, args.skew_ms or 0.0, progress,
                   args.jobs, symbols=args.symbols, randomize=args.randomize, quoting=args.quoting)
    print(file=sys.stderr)
    if args.robustness:
        t1 = time.perf_counter()

        def rprogress(done: int, total: int) -> None:
            print(f"\r  robustness {done}/{total}  ({time.perf_counter() - t1:.0f} s)", end="", file=sys.stderr,
                  flush=True)

        res["robustness"] = robustness(args.preset, seeds, args.minutes, params, rprogress, args.jobs,
                                       symbols=args.symbols)
        print(file=sys.stderr)
    res["wall_seconds"] = round(time.perf_counter() - t0, 1)
    res["market_minutes_per_wall_second"] = round(res["market_hours"] * 60 / max(res["wall_seconds"], 1e-9), 2)
    if args.json:
        print(orjson.dumps(res).decode())
        return 0
    if args.randomize:
        market = ("randomized markets (2 symbols; depth interval and skew drawn per seed"
                  + ("; organic quoting on)" if args.quoting else ")"))
    else:
        market = (f"preset {res['preset']}{'' if args.symbols is None else f' ({args.symbols} symbols)'}, "
                  f"depth {args.depth_ms} ms, skew {args.skew_ms:g} ms")
    print(f"dom eval: {market}, seeds {args.seeds}, {args.minutes:g} min each + as many injection-free "
          f"({res['market_hours']:g} market hours in {res['wall_seconds']:g} s)")
    print(f"{'kind':11}{'labels':>7}{'detect.':>8}{'alerts':>7}{'FP':>5}{'other':>6}{'P':>7}{'P strict':>9}"
          f"{'R(det)':>8}{'R(all)':>8}{'F1':>7}{'FA/h clean':>11}{'lat p50':>9}{'lat p90':>9}")
    fmt = lambda v: "-" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)  # noqa: E731
    for kind, r in res["kinds"].items():
        print(f"{kind:11}{r['labels']:>7}{r['detectable']:>8}{r['detections']:>7}{r['false_alarms']:>5}"
              f"{r['on_other_large_orders']:>6}{fmt(r['precision']):>7}{fmt(r['precision_strict']):>9}"
              f"{fmt(r['recall_detectable']):>8}{fmt(r['recall_all']):>8}{fmt(r['f1']):>7}"
              f"{fmt(r['false_alarms_per_hour_clean']):>11}{fmt(r['latency_p50_ms']):>9}{fmt(r['latency_p90_ms']):>9}")
    ice = res["kinds"]["iceberg"]
    if ice.get("recall_by_refill_mode"):
        modes = ", ".join(f"{m} {fmt(v)}" for m, v in ice["recall_by_refill_mode"].items())
        print(f"iceberg recall by refill mode: {modes}")
    if ice.get("hidden_lb_over_true"):
        h = ice["hidden_lb_over_true"]
        print(f"iceberg 'at least X hidden' / true hidden: p50 {fmt(h['p50'])}, max {fmt(h['max'])}, "
              f"share <= 1: {fmt(h['share_at_most_1'])}")
    for row in res.get("robustness", []):
        cells = "  ".join(f"{k} P {fmt(r['precision'])} R {fmt(r['recall_detectable'])}"
                          for k, r in row["kinds"].items() if r["labels"])
        print(f"depth {row['depth_ms']:>3} ms skew {row['skew_ms']:>6g} ms: {cells}")
    if args.randomize:
        from dom.evaluation_breakdown import highlights, table, targets_lines

        print()
        for line in targets_lines(res["at_targets"]):
            print(line)
        print("\nby drawn parameter (terciles of the seeds' values; choices by value): precision, recall "
              "(detectable), false alarms/h on the injection-free twins")
        for line in table(res["breakdown"]):
            print(line)
        print("largest differences across a parameter's bins:")
        for kind, items in highlights(res["breakdown"]).items():
            for text in items:
                print(f"  {kind}: {text}")
    print("(latency in ms from detectable to detected; 'other': wall alerts on another agent's labelled "
          "large order - a spoof's wall, an absorbing order, a risk-off pull - excluded from P, counted "
          "false in 'P strict'; not implemented kinds show labels only)")
    return 0
