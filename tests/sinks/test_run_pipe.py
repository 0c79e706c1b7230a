"""`dom run | jq -c .` on the built-in market: only valid Alert JSON v1 lines on stdout."""

import os
import shutil
import subprocess
import sys

import orjson

from dom.sinks import validate_alert


def test_dom_run_stdout_is_only_valid_alert_lines(tmp_path):
    copy = tmp_path / "alerts.jsonl"
    # 48 market seconds (12 s at 4x): the detectors need their warm-up (baselines) before the
    # first alert, as in tests/tui (seed 3's first alerts come at about 30 s).
    r = subprocess.run(
        [sys.executable, "-m", "dom", "run", "--duration", "12", "--summary-every", "3", "--seed", "3",
         "--sink", "jsonl:-", "--sink", f"jsonl:{copy}"],
        capture_output=True, timeout=90, env={**os.environ, "DOM_SIM_SPEED": "4"},
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    lines = r.stdout.splitlines()
    assert lines, "the built-in market produced no alert in 48 market seconds"
    for line in lines:
        validate_alert(orjson.loads(line))
    assert copy.read_bytes().splitlines() == lines  # the file sink got the same lines
    # The summaries went to stderr; the market's clock runs 4x ours, so they show no lag (its
    # "receive minus exchange time" would be seconds below zero).
    err = r.stderr.decode()
    assert "lag - (market at x4)" in err and "lag p50 -" not in err, err[-2000:]
    if shutil.which("jq"):
        jq = subprocess.run(["jq", "-c", "."], input=r.stdout, capture_output=True)
        assert jq.returncode == 0 and len(jq.stdout.splitlines()) == len(lines)
