"""Replay of real recorded exchange data through the live decoder and engine."""

import gzip
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dom.core.types import FeedState, StatusChange
from dom.errors import RecordingError
from dom.runtime.replay import Replay

USDM = "hftbacktest/usdm/btcusdt_20240808.gz"
SPOT = "hftbacktest/spot/btcusdt_20240808.gz"
CF = "cryptofeed/BINANCE_FUTURES.ws.1.0"


def test_usdm_recording_syncs_from_buffered_diffs_and_matches_every_bookticker(shared_data):
    s = Replay(shared_data / USDM, check=True).run()
    assert s.venue == "binanceusdm" and s.symbols == ["BTCUSDT"]
    assert s.gaps == 0 and s.bad_lines == 0 and s.crossed == 0
    assert s.depth_updates == 6551 and s.applied == 6547  # 4 buffered diffs older than the snapshot
    assert s.trades == 21313
    assert s.check.compared == 629 and s.check.matched == 629
    assert s.books["BTCUSDT"]["state"] == "synced"


def test_spot_recording_with_the_spot_rule(shared_data):
    s = Replay(shared_data / SPOT, check=True).run()
    assert s.venue == "binance"
    assert s.gaps == 0 and s.bad_lines == 0
    assert s.check.mismatched == 0 and s.check.matched >= 564


def test_cryptofeed_futures_four_symbols(shared_data):
    s = Replay(shared_data / CF, check=True).run()
    assert sorted(s.symbols) == ["AKROUSDT", "CTKUSDT", "KEEPUSDT", "SUSHIUSDT"]
    assert all(b["state"] == "synced" for b in s.books.values())
    assert s.gaps == 0 and s.snapshots == 4
    assert (s.check.matched, s.check.compared) == (50, 50)


def _depth_lines(path: Path) -> tuple[list[bytes], list[int]]:
    lines = gzip.open(path, "rb").read().splitlines(keepends=True)
    depth = [i for i, l in enumerate(lines) if b"@depth" in l[:80]]
    return lines, depth


def test_one_removed_depth_message_is_a_gap_at_that_exact_update_id(shared_data, tmp_path):
    lines, depth = _depth_lines(shared_data / USDM)
    victim = depth[500]
    removed = orjson.loads(lines[victim].split(b" ", 1)[1])["data"]
    nxt = orjson.loads(lines[depth[501]].split(b" ", 1)[1])["data"]
    out = tmp_path / "gap.gz"
    with gzip.open(out, "wb") as f:
        f.writelines(lines[:victim] + lines[victim + 1 :])
    statuses = []
    s = Replay(out, check=True).run(lambda o: statuses.append(o) if isinstance(o, StatusChange) else None)
    gaps = [o for o in statuses if o.state is FeedState.GAP]
    assert len(gaps) == 1 and s.gaps == 1
    assert f"expected pu={removed['pu']}" in gaps[0].detail
    assert f"got pu={nxt['pu']}" in gaps[0].detail and f"u={nxt['u']}" in gaps[0].detail
    # No later snapshot in the file: the book stays unsynced rather than silently wrong.
    assert s.books["BTCUSDT"]["state"] == "gap"
    assert s.check.mismatched == 0


def test_duplicated_message_is_ignored_and_book_stays_exact(shared_data, tmp_path):
    lines, depth = _depth_lines(shared_data / USDM)
    i = depth[700]
    out = tmp_path / "dup.gz"
    with gzip.open(out, "wb") as f:
        f.writelines(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    s = Replay(out, check=True).run()
    assert s.gaps == 0 and s.duplicates == 1
    assert s.check.matched == 629 and s.check.mismatched == 0


def test_bad_lines_are_counted_with_line_numbers_and_replay_goes_on(shared_data, tmp_path):
    raw = gzip.open(shared_data / USDM, "rb").read().splitlines(keepends=True)[:400]
    trade = next(l for l in raw if b"@trade" in l)
    ts = trade.split(b" ", 1)[0]
    bad = [
        ts + b' {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT"\n',  # truncated JSON
        trade.replace(b'"q":"', b'"q":"-'),  # negative size
        trade.replace(b'"p":"', b'"p":"x'),  # non-numeric price
        trade.replace(b'"t":', b'"t":"oops","x":'),  # wrong type
        b"not a line at all\n",
    ]
    out = tmp_path / "bad.gz"
    with gzip.open(out, "wb") as f:
        f.writelines(raw[:100] + bad + raw[100:])
    s = Replay(out).run()
    assert s.bad_lines == 5
    assert [n for n, _ in s.bad_examples] == [101, 102, 103, 104, 105]
    assert s.books["BTCUSDT"]["state"] == "synced"


def test_cli_replay_check_and_json(shared_data):
    r = subprocess.run(
        [sys.executable, "-m", "dom", "replay", str(shared_data / CF), "--check", "--json", "--no-alerts"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    s = orjson.loads(r.stdout)
    assert s["check"]["matched"] == 50 and s["check"]["compared"] == 50
    r = subprocess.run(
        [sys.executable, "-m", "dom", "replay", str(shared_data / CF), "--check", "--no-alerts"],
        capture_output=True, text=True,
    )
    assert "bookTicker checks: 50/50 matched" in r.stderr


def test_cli_errors_are_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "dom", "replay", str(tmp_path / "nope.gz")], capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().count("\n") == 0 and "no such recording" in r.stderr
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    with pytest.raises(RecordingError):
        Replay(junk)


def test_alerts_from_a_recording_are_byte_identical_and_the_null_control_is_reported(shared_data):
    cmd = [sys.executable, "-m", "dom", "replay", str(shared_data / USDM)]
    a = subprocess.run(cmd, capture_output=True, timeout=120)
    b = subprocess.run(cmd, capture_output=True, timeout=120)
    assert a.returncode == 0 and a.stdout and a.stdout == b.stdout  # Alert JSON v1 lines, same bytes
    for line in a.stdout.splitlines():
        assert orjson.loads(line)["v"] == 1
    r = subprocess.run(cmd + ["--json"], capture_output=True, timeout=120)
    s = orjson.loads(r.stdout)
    nc = s["null_control"]["BTCUSDT"]
    assert nc["depletions"] > 1000 and 0 <= nc["far_rate"] <= nc["near_rate"] <= 1
    assert nc["precision_est"] == round(1 - nc["far_hits"] / nc["near_hits"], 3)
    assert sum(s["alerts"].values()) == len(a.stdout.splitlines())


def test_the_inferred_tick_is_the_grid_the_snapshot_prices_sit_on():
    from dom.venues.binance_usdm.recording_scan import _grid

    prices = [f"{61659.70 - 0.1 * i:.2f}" for i in range(60)]  # "61659.70", "61659.60", ...
    assert _grid(prices, 2) == "0.1"
    assert _grid(["0.08034", "0.08010"] * 30, 5) == "0.00024"  # the coarsest grid they all sit on
    assert _grid(prices[:10], 2) == "0.01"  # too few levels to tell: the finest decimal place
    assert _grid([str(100 + 5 * i) for i in range(60)], 0) == "5"


def test_lost_trades_are_counted_not_silent(shared_data, tmp_path):
    """A lost aggTrade (ids not checked) once went unnoticed. Binance numbers its trades without
    holes: three prints cut from the real recording are three trades missing in one gap."""
    import gzip

    lines = gzip.open(shared_data / USDM, "rb").read().splitlines(keepends=True)
    out, n = [], 0
    for line in lines:
        if b"@trade" in line:
            n += 1
            if 5000 <= n < 5003:
                continue
        out.append(line)
    cut = tmp_path / "cut.gz"
    with gzip.open(cut, "wb") as f:
        f.writelines(out)
    s = Replay(cut).run()
    assert (s.trade_gaps, s.trades_missed, s.gaps) == (1, 3, 0)
    assert Replay(shared_data / USDM).run().trade_gaps == 0


def test_a_repeated_trade_is_dropped():
    from dom.core.engine import Engine
    from dom.core.types import TakerSide, Trade
    from dom.core.units import Instrument

    eng = Engine([Instrument("BTCUSDT", "0.1", "0.001")], trade_ids=True)
    for tid in (10, 11, 11, 13):
        eng.feed(Trade("BTCUSDT", 600000, 5, TakerSide.BUY, tid, 1, 1))
    s = eng["BTCUSDT"].stats
    assert (s.trades, s.trade_duplicates, s.trade_gaps, s.trades_missed) == (3, 1, 1, 1)
