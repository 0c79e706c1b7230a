"""The drivers are one pipeline: a real recording served by ``dom sim --replay`` over the Binance
wire protocol and followed live (``dom record`` = ``dom run`` that also writes what it received)
gives the books and alerts that the replay driver gives on the same events.

What the live client receives is exactly the recording: every depth and trade frame, in the
recorded order on each stream, and the recorded REST snapshot. Depth and trades come on two
websocket connections, so how the two streams interleave on arrival is the client's own (as it is
against the exchange), and its snapshot covers other deltas than the recorded one did. Neither
reaches the alerts: the detectors read depth and trades merged in exchange-time order
(``dom.core.merge``) and do their periodic work on the exchange clock's grid. So the live run, the
replay of its own recording and the replay of the original file print the same alert lines, byte
for byte, and end on the same books.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from tests.recording_slices import slice_recording

DOM = [sys.executable, "-m", "dom"]
USDM = "hftbacktest/usdm/btcusdt_20240808.gz"
SLICE_S = 60


def _streams(path: Path) -> tuple[dict[str, list], list[int]]:
    """Per stream kind, the frames' data in order (depth; trades as time, price, size, side, id:
    a recording of raw trades is served to an @aggTrade subscriber as one aggTrade per fill);
    and the snapshot ids."""
    per: dict[str, list] = defaultdict(list)
    snaps = []
    with gzip.open(path, "rb") as f:
        for line in f:
            raw = line.rstrip(b"\n").split(b" ", 1)[1]
            msg = orjson.loads(raw)
            data = msg.get("data", msg)
            if "lastUpdateId" in data:
                snaps.append(data["lastUpdateId"])
            elif data.get("e") == "depthUpdate":
                per["depth"].append(orjson.dumps(data))
            elif data.get("e") in ("trade", "aggTrade"):
                per["trade"].append((data["T"], data["p"], data["q"], data["m"], data.get("t", data.get("a"))))
    return per, snaps


def _finals(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("final ")]


@pytest.mark.slow
def test_sim_replay_followed_live_equals_the_replay_driver(shared_data, tmp_path):
    part = tmp_path / "slice.gz"
    slice_recording(shared_data / USDM, part, SLICE_S)
    # Walls without the step test: the slice's first minute holds no order beyond the largest
    # steps there, and the drivers need alert lines to compare.
    cfg = tmp_path / "dom.toml"
    cfg.write_text("[detectors]\nwall_step_rank = 0\n")
    env = {**os.environ, "DOM_CONFIG": str(cfg)}
    # (speed 5: the merge waits 250 ms of exchange time for the other stream, 50 ms of wall time
    # here, ample on a loaded machine)
    sim = subprocess.Popen([*DOM, "sim", "--port", "0", "--replay", str(part), "--speed", "5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = sim.stdout.readline()
        m = re.search(r"on (http://127\.0\.0\.1:\d+)", first)
        assert m, first + sim.stderr.read()
        live_rec = tmp_path / "live.gz"
        live = subprocess.run(
            # (no per-symbol staleness: once the recording ends, silence would mark the book
            # stale, which a replay, with no clock, never does)
            [*DOM, "record", "--venue", "binanceusdm", "--endpoint", m.group(1), "--duration", "20",
             "-o", str(live_rec), "--stale-after", "60", "--book-stale-after", "0"],
            capture_output=True, text=True, timeout=120, env=env)
        assert live.returncode == 0, live.stderr
    finally:
        sim.terminate()
        sim.wait(10)

    # The live client received the recording intact: every frame of each stream in order, and
    # the recorded snapshot (served when the replay reached it).
    got, got_snaps = _streams(live_rec)
    want, want_snaps = _streams(part)
    assert got["depth"] == want["depth"] and got["trade"] == want["trade"]
    assert got_snaps == want_snaps == [5123107852948]

    # The live run and the replay driver on the live run's events: the same alert lines, byte for
    # byte, and the same books.
    again = subprocess.run([*DOM, "replay", str(live_rec)], capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == live.stdout
    assert _finals(again.stderr) == _finals(live.stderr) and len(_finals(live.stderr)) == 1
    assert "synced: snapshot 5123107852948" in live.stderr

    # The replay driver on the original file: the same alert lines, byte for byte, and the same
    # book at the same update id.
    orig = subprocess.run([*DOM, "replay", str(part)], capture_output=True, text=True, timeout=120, env=env)
    assert orig.returncode == 0, orig.stderr
    assert live.stdout.count("\n") >= 3, live.stdout  # the slice has walls to compare
    assert orig.stdout == live.stdout
    assert _finals(orig.stderr) == _finals(live.stderr)
    assert "gaps: 0" in orig.stderr and "gaps: 0" in again.stderr
