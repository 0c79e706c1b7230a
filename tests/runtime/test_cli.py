"""`dom run` / `dom record` / `dom replay` as a user runs them (subprocesses, loopback only)."""

import subprocess
import sys

import orjson

DOM = [sys.executable, "-m", "dom"]


def run(*args, timeout=60):
    return subprocess.run([*DOM, *args], capture_output=True, text=True, timeout=timeout)


def test_run_on_the_built_in_market_prints_only_json_on_stdout():
    r = run("run", "--duration", "3", "--summary-every", "1")
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        orjson.loads(line)  # stdout carries only JSON lines
    assert "BTCUSDT synced" in r.stderr and "final BTCUSDT synced" in r.stderr


def test_record_then_replay_gives_the_same_books(tmp_path):
    out = tmp_path / "rec.gz"
    r = run("record", "--duration", "12", "-o", str(out), "BTCUSDT", "KITEUSDT", "PIKEUSDT")
    assert r.returncode == 0, r.stderr
    live = [l for l in r.stderr.splitlines() if l.startswith("final ")]
    assert len(live) == 3
    meta = orjson.loads((tmp_path / "rec.gz.meta.json").read_text())
    assert meta["symbols"] == ["BTCUSDT", "KITEUSDT", "PIKEUSDT"] and meta["venue"] == "binanceusdm"
    r2 = run("replay", str(out))
    assert r2.returncode == 0, r2.stderr
    replayed = [l for l in r2.stderr.splitlines() if l.startswith("final ")]
    assert replayed == live
    assert "gaps: 0" in r2.stderr
    assert r2.stdout == r.stdout  # the same alert lines, byte for byte


def one_line_error(r):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("dom: error:")]
    assert len(errors) == 1, r.stderr
    return errors[0]


def test_unknown_symbol_is_one_clear_line():
    assert "unknown symbol(s)" in one_line_error(run("run", "--duration", "2", "NOPEUSDT"))


def test_unreachable_endpoint_is_one_clear_line():
    e = one_line_error(run("run", "--venue", "binanceusdm", "--endpoint", "http://127.0.0.1:9", "--duration", "2"))
    assert "cannot reach http://127.0.0.1:9" in e


def test_bad_venue_and_endpoint_are_one_clear_line():
    assert "unknown venue" in one_line_error(run("run", "--venue", "nasdaq"))
    assert "endpoint must start with" in one_line_error(run("run", "--venue", "binanceusdm", "--endpoint", "ftp://x"))


def test_run_emits_the_trading_context_as_json_lines():
    """Headless `dom run` has the TUI's context: funding and mark (stream), open interest and the
    24 h ticker (polled), correlation to the reference (once there are bars)."""
    r = run("run", "--duration", "4", "--context", "--context-every", "1", "BTCUSDT", "KITEUSDT")
    assert r.returncode == 0, r.stderr
    ctx = [d for d in map(orjson.loads, r.stdout.splitlines()) if d.get("type") == "context"]
    last = {d["symbol"]: d for d in ctx}
    assert set(last) == {"BTCUSDT", "KITEUSDT"} and len(ctx) >= 6
    for d in last.values():
        assert d["v"] == 1 and d["venue"] == "sim" and d["book"] == "synced" and d["reference"] == "BTCUSDT"
        assert float(d["funding_rate"]) != 0 and float(d["mark"]) > 0 and float(d["open_interest"]) > 0
        assert "change_24h_pct" in d and "corr_1m" in d
    assert "funding " in r.stderr and " OI " in r.stderr  # and in the summary lines
