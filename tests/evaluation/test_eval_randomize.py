"""``dom eval --randomize``: per-seed draws, the breakdown by drawn parameter, and bad input."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from dom.evaluation_breakdown import at_targets_condition, bins, breakdown, highlights, table, targets_lines
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
    assert set(bd) == set(RANGES) - {"join_share", "requote_ms"}  # (drawn, not applied without quoting)
    on = [dict(s, params=draw(s["seed"], quoting=True).as_dict()) for s in seeds]
    assert set(breakdown(on, minutes=10)) == set(RANGES)
    mixed = on[:5] + seeds[5:]  # (seeds with and without the fields: broken down only where all have them)
    assert set(breakdown(mixed, minutes=10)) == set(RANGES) - {"join_share", "requote_ms"}
    assert table(bd)[0].startswith("parameter")
    assert any("recall" in h for h in highlights(bd)["wall"])


def test_the_targets_condition_keeps_the_seeds_drawn_at_100_ms_and_judges_each_kind():
    seeds = [_seed(s, wall={"detectable": 10, "matched_detectable": 10, "detections": 10},
                   iceberg={"detectable": 10, "matched_detectable": 5, "detections": 5},
                   absorption={"detectable": 4, "matched_detectable": 4, "detections": 4, "clean_false_alarms": 3})
             for s in range(10, 40)]
    fast = [s for s in seeds if s["params"]["depth_ms"] == 100]
    assert 0 < len(fast) < len(seeds)
    at = at_targets_condition(seeds, minutes=10)
    assert at["seeds"] == len(fast)
    assert at["wall"]["met"] is True and at["wall"]["detectable"] == 10 * len(fast)
    assert at["iceberg"]["met"] is False and at["iceberg"]["recall"] == 0.5  # under 0.65
    assert at["absorption"]["met"] is False  # P and R 1.0, but 3 false alarms in each 10 minutes
    assert at["absorption"]["fa_per_h"] == 18.0
    assert at["spoof"]["met"] is None  # nothing to score
    text = targets_lines(at)
    assert "wall" in text[1] and text[1].endswith("met") and text[2].endswith("missed")
    assert text[4].endswith("not measured")


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
    assert res["at_targets"]["seeds"] == sum(s["params"]["depth_ms"] == 100 for s in res["per_seed"])
    assert sum(s["counts"]["wall"]["labels"] for s in res["per_seed"]) == res["kinds"]["wall"]["labels"]
    # Quoting off (the default): the seeds say so, and its fields (drawn, not applied) are not broken down.
    assert all(s["params"]["quoting"] is False for s in res["per_seed"])
    assert "join_share" not in res["breakdown"] and "requote_ms" not in res["breakdown"]


def test_randomized_eval_with_quoting_applies_it_and_says_so():
    argv = [sys.executable, "-m", "dom", "eval", "--randomize", "--seeds", "10004", "--minutes", "0.5", "--json"]
    r = subprocess.run(argv + ["--quoting"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = orjson.loads(r.stdout)
    assert [s["params"] for s in res["per_seed"]] == [draw(10004, quoting=True).as_dict()]
    assert res["per_seed"][0]["params"]["quoting"] is True
    assert {"join_share", "requote_ms"} <= set(res["breakdown"])


@pytest.mark.parametrize("argv,msg", [
    (["--randomize", "--depth-ms", "250"], "--randomize: --depth-ms is drawn per seed"),
    (["--randomize", "--robustness"], "--randomize: --robustness"),
    (["--randomize", "--calibration"], "--randomize and --calibration: choose one"),
    (["--calibration", "--skew-ms", "10"], "--calibration: --skew-ms"),
    (["--data", "/tmp"], "--data goes with --calibration"),
    (["--quoting"], "--quoting goes with --randomize or --calibration"),
    (["--randomize", "--minutes", "0"], "--minutes: expected a number > 0"),
    (["--minutes", "nan"], "--minutes: expected a number > 0"),
    (["--minutes", "inf"], "--minutes: expected a number > 0"),
    (["--skew-ms", "nan"], "--skew-ms"),
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
