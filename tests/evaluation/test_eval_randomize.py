"""``dom eval --randomize``: per-seed draws, the breakdown by drawn parameter, and bad input."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from dom.evaluation_breakdown import bins, breakdown, highlights, table
from dom.sim.randomize import RANGES, draw


def _seed(seed: int, **counts) -> dict:
    base = {"labels": 0, "detectable": 0, "matched_detectable": 0, "detections": 0, "false_alarms": 0,
            "other_large": 0, "clean_false_alarms": 0}
    return {"seed": seed, "params": draw(seed).as_dict(),
            "counts": {k: dict(base, **counts.get(k, {})) for k in ("wall", "iceberg", "absorption", "spoof")}}


def test_terciles_split_the_seeds_and_cells_sum_their_counts():
    seeds = [_seed(s, wall={"detectable": 2, "matched_detectable": s % 3 and 2, "detections": 2,
                            "clean_false_alarms": 1}) for s in range(10, 19)]
    bd = breakdown(seeds, minutes=10)
    rows = bd["limit_sigma"]
    assert [r["seeds"] for r in rows] == [3, 3, 3]
    vals = sorted(s["params"]["limit_sigma"] for s in seeds)
    low = {s["seed"] for s in seeds if s["params"]["limit_sigma"] < vals[3]}
    want = sum(2 for s in low if s % 3) / 6
    assert rows[0]["wall"]["recall"] == round(want, 3)
    assert rows[0]["wall"]["fa_per_h"] == 6.0  # 3 false alarms in 3 x 10 min
    assert rows[0]["iceberg"]["recall"] is None
    # choices are split by value
    assert [r["bin"] for r in bd["depth_ms"]] == [str(v) for v in sorted({s["params"]["depth_ms"] for s in seeds})]
    assert set(bd) == set(RANGES)
    assert table(bd)[0].startswith("parameter")
    assert any("recall" in h for h in highlights(bd)["wall"])


def test_bins_of_few_seeds():
    assert bins("skew_ms", [5.0, 7.0]) == [("5..7", 5.0, 7.0)]


def test_randomized_eval_json_holds_each_seeds_draw_and_the_breakdown():
    r = subprocess.run([sys.executable, "-m", "dom", "eval", "--randomize", "--seeds", "10004-10005", "--minutes",
                        "1", "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = orjson.loads(r.stdout)
    assert [s["params"] for s in res["per_seed"]] == [draw(10004).as_dict(), draw(10005).as_dict()]
    assert res["preset"] == "randomized"
    assert res["breakdown"]["agg_window_ms"][0]["seeds"] >= 1
    assert sum(s["counts"]["wall"]["labels"] for s in res["per_seed"]) == res["kinds"]["wall"]["labels"]


@pytest.mark.parametrize("argv,msg", [
    (["--randomize", "--depth-ms", "250"], "--randomize: --depth-ms is drawn per seed"),
    (["--randomize", "--robustness"], "--randomize: --robustness"),
    (["--randomize", "--calibration"], "--randomize and --calibration: choose one"),
    (["--calibration", "--skew-ms", "10"], "--calibration: --skew-ms"),
    (["--data", "/tmp"], "--data goes with --calibration"),
    (["--randomize", "--minutes", "0"], "--minutes: expected a number > 0"),
    (["--randomize", "--seeds", "9-3"], "--seeds: A-B needs A <= B"),
])
def test_bad_options_are_refused_with_one_clear_line(argv, msg):
    r = subprocess.run([sys.executable, "-m", "dom", "eval", *argv], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and msg in lines[0], r.stderr


def test_randomized_eval_text_prints_the_breakdown_table():
    r = subprocess.run([sys.executable, "-m", "dom", "eval", "--randomize", "--seeds", "10005", "--minutes", "0.5"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "randomized markets" in r.stdout and "by drawn parameter" in r.stdout
    assert any(line.startswith("agg_window_ms") for line in r.stdout.splitlines())
