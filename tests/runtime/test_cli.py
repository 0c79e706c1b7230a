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
    # The recording carries bookTickers, so --check proves something.
    r3 = run("replay", "--check", "--json", str(out))
    assert r3.returncode == 0, r3.stderr
    check = orjson.loads(r3.stdout)["check"]
    assert check["compared"] > 0 and check["matched"] == check["compared"] and check["mismatched"] == 0


def test_record_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "rec.gz"
    out.write_bytes(b"precious")
    r = run("record", "--duration", "1", "-o", str(out), "BTCUSDT")
    assert "exists: pass --force" in one_line_error(r) and out.read_bytes() == b"precious"
    r = run("record", "--duration", "2", "-o", str(out), "--force", "BTCUSDT")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() != b"precious"


def test_check_that_compares_nothing_fails(tmp_path, shared_data):
    """A recording without bookTickers: --check says it compared nothing, and exits 1."""
    import gzip

    src = shared_data / "hftbacktest/usdm/btcusdt_20240808.gz"
    part = tmp_path / "no_tickers.gz"
    with gzip.open(src, "rb") as f, gzip.open(part, "wb") as g:
        for i, line in enumerate(f):
            if i > 3000:
                break
            if b"@bookTicker" not in line:
                g.write(line)
    r = run("replay", "--check", str(part))
    assert r.returncode == 1 and "compared nothing" in r.stderr


def test_a_recording_killed_with_minus_9_replays_what_was_written(tmp_path):
    import signal
    import time

    out = tmp_path / "killed.gz"
    p = subprocess.Popen([*DOM, "record", "-o", str(out), "BTCUSDT", "KITEUSDT"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
            time.sleep(0.2)
        time.sleep(2.5)  # flushed at least once a second
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    r = run("replay", str(out))
    assert r.returncode == 2, r.stderr[-400:]
    error = one_line_error(r)
    assert "killed.gz: unreadable after line" in error
    n = int(error.split("unreadable after line ")[1].split(" ")[0])
    assert n > 100  # at least the lines written before the last flush
    assert "BTCUSDT: synced" in r.stderr  # what was readable was replayed and summarized


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


def test_tui_startup_errors_are_one_line_and_a_non_zero_exit():
    """An unknown symbol or an unreachable venue: the screen closes, one line says why, rc 3
    (as `dom run`), no traceback."""
    for args, why in ((["NOPEUSDT"], "unknown symbol(s) on binanceusdm: NOPEUSDT"),
                      (["--venue", "binanceusdm", "--endpoint", "http://127.0.0.1:1"], "cannot reach http://127.0.0.1:1")):
        r = run("tui", "--duration", "5", *args)
        assert r.returncode == 3, r.stderr[-500:]
        assert "Traceback" not in r.stderr + r.stdout
        # (with no terminal the screen's escape codes go to stderr too, before the line)
        errors = [line[line.index("dom: error:"):] for line in r.stderr.splitlines() if "dom: error:" in line]
        assert len(errors) == 1 and why in errors[0], r.stderr[-500:]


def test_a_bad_ui_setting_is_one_line_before_the_screen():
    import os

    env = {**os.environ, "DOM_UI_MARK_AGAINST_TREND": "sometimes"}
    r = subprocess.run([*DOM, "tui", "--duration", "5"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "ui.mark_against_trend must be true or false, not 'sometimes'" in r.stderr, r.stderr[-300:]


import pytest  # noqa: E402


@pytest.mark.parametrize("name,expected", [
    ("cryptofeed/OKX.ws.1.0", "checksums: 290/290 matched"),
    ("cryptofeed/BITGET.ws.1.0", "checksums: 443/443 matched"),
    ("cryptofeed/BITGET.ws.2.0", "checksums: 194/194 matched"),
    ("cryptofeed/KRAKEN.ws.50.0", "checksums: 4269/4269 matched"),
    ("nautilus_trader/bybit/xrpusdt-ob500.data.zip", "gaps: 0  crossed: 0"),
])
def test_replay_check_verifies_every_checksum_the_exchange_sent(shared_data, name, expected):
    r = run("replay", "--check", str(shared_data / name))
    assert r.returncode == 0, r.stderr
    assert expected in r.stderr and "gaps: 0  crossed: 0  decode errors: 0" in r.stderr
    for line in r.stdout.splitlines():  # alerts, if any, are Alert JSON
        assert orjson.loads(line)["v"] == 1


def test_replay_check_fails_on_a_corrupted_checksum(shared_data, tmp_path):
    src = (shared_data / "cryptofeed/OKX.ws.1.0").read_bytes().splitlines(keepends=True)
    i = next(k for k, line in enumerate(src) if b'"action":"update"' in line and b'"checksum":' in line)
    line = src[i]
    j = line.index(b'"checksum":') + len(b'"checksum":')
    k = j + 1
    while line[k:k + 1].isdigit():
        k += 1
    src[i] = line[:j] + b"12345" + line[k:]
    bad = tmp_path / "OKX.ws.1.0"
    bad.write_bytes(b"".join(src))
    r = run("replay", "--check", str(bad))
    assert r.returncode == 1
    assert f"line {i + 1}:" in r.stderr and "checksum_failed" in r.stderr


def test_venues_lists_native_recorded_and_ccxt_venues_honestly():
    r = run("venues")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line for line in r.stdout.splitlines()[1:] if line and not line.startswith("(")}
    assert "native" in rows["binanceusdm"] and "U/u/pu" in rows["binanceusdm"]
    assert "CRC32" in rows["okx"] and rows["okx"].split()[1] == "native"  # its live client exists
    assert "CRC32" in rows["kraken"] and "live client to come" in rows["kraken"]
    for name in ("bingx", "mexc", "weex"):
        assert "via ccxt.pro, not verifiable offline" in rows[f"ccxt:{name}"]
    import ccxt.pro

    every = run("venues", "--all").stdout
    assert all(f"ccxt:{x} " in every for x in ccxt.pro.exchanges)


def test_options_without_a_command_go_to_the_main_job():
    """`dom --venue okx BTC-USDT-SWAP` (the README's form) is the TUI's, not an unknown command."""
    r = run("--venue", "nosuchvenue")
    assert r.returncode != 0
    assert "unknown venue 'nosuchvenue'" in r.stderr and "invalid choice" not in r.stderr, r.stderr
