"""``dom scan --json`` as a user runs it, on the built-in market: one object per refresh, a row
per symbol with every field, ranked, and the relative strength consistent with the row's own
moves and beta (the formula itself is checked by hand in tests/context/test_strength.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DOM = [sys.executable, "-m", "dom"]
FIELDS = {"symbol", "book", "last", "change_5m_pct", "change_1h_pct", "change_24h_pct", "quote_volume_24h", "beta",
          "rs_1h", "rs_24h", "open_interest", "open_interest_change_pct", "funding_rate", "spread_bps", "depth_1pct",
          "slippage_bps", "trend_1m", "rsi14_1m", "trend_5m", "rsi14_5m", "alerts", "alerts_by_kind", "rank",
          "sector", "sector_rank", "burst_volume_x", "burst_move_sigma", "burst_score", "change_4h_pct", "rs_4h",
          "depth_age_s"}
SECTORS = {"BTCUSDT": "Layer-1", "KITEUSDT": "AI", "MOTHUSDT": "Meme", "PIKEUSDT": "Meme", "WRENUSDT": "DeFi"}


def _env() -> dict:
    env = {**os.environ, "DOM_SIM_SPEED": "20"}
    env.pop("DOM_CONFIG", None)
    return env


def test_scan_json_ranks_every_symbol_with_every_field():
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--duration", "16", "--every", "5"], capture_output=True, text=True,
                       timeout=120, env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(docs) >= 3 and all(d["type"] == "scan" and d["venue"] == "sim" for d in docs)
    last = docs[-1]
    rows = last["rows"]
    assert {row["symbol"] for row in rows} == {"BTCUSDT", "KITEUSDT", "MOTHUSDT", "PIKEUSDT", "WRENUSDT"}
    for row in rows:
        assert FIELDS <= set(row), FIELDS - set(row)
        # By default every symbol is followed by its top of book (bookTicker) and trades, its
        # depth and slippage from a REST depth probe in rotation (and how old it is).
        assert row["book"] == "top" and row["spread_bps"] > 0 and row["last"] is not None
        assert row["depth_1pct"] > 0 and row["depth_age_s"] is not None and "slippage_bps" in row
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    # The venue's klines start the bars: trend, RSI and beta from the first refresh.
    assert all(row["trend_5m"] is not None and row["rsi14_5m"] is not None for row in rows)
    assert all(row["beta"] is not None for row in rows if row["symbol"] != "BTCUSDT")
    rs = [row["rs_1h"] for row in rows]
    known = [x for x in rs if x is not None]
    assert known == sorted(known, reverse=True) and rs[:len(known)] == known  # highest first, unknown last
    btc = next(row for row in rows if row["symbol"] == "BTCUSDT")
    assert btc["rs_1h"] is None and btc["rs_4h"] is None and btc["beta"] is None  # the reference against itself
    checked = 0
    for row in rows:
        if row["rs_1h"] is not None and row["rs_1h_window_s"] == btc["change_1h_window_s"] == row["change_1h_window_s"]:
            beta = 1.0 if row["beta"] is None else row["beta"]  # (1 until enough bars for a beta)
            assert row["rs_1h"] == pytest.approx(row["change_1h_pct"] - beta * btc["change_1h_pct"], abs=0.005)
            checked += 1
    assert checked >= 2
    measured = [row for row in rows if row["burst_score"] is not None]
    assert measured, "16 s at speed 20 is five minutes of market: enough windows for the burst figures"
    for row in measured:  # (the measurement itself is checked by hand in tests/context/test_burst.py)
        assert row["burst_score"] == pytest.approx(min(row["burst_volume_x"], row["burst_move_sigma"]), abs=0.011)
    # Sectors: the venue's own labels (the built-in market serves them as Binance does, in
    # exchangeInfo's underlyingSubType), ranked by their symbols' median relative strength.
    assert {row["symbol"]: row["sector"] for row in rows} == SECTORS
    secs = last["sectors"]
    assert [s["sector"] for s in secs] and sorted(s["rank_1h"] for s in secs) == list(range(1, len(secs) + 1))
    for s in secs:
        vals = sorted(row["rs_1h"] for row in rows if row["sector"] == s["sector"])
        med = vals[len(vals) // 2] if len(vals) % 2 else (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2
        assert s["median_rs_1h"] == pytest.approx(med, abs=0.001)
        assert all(row["sector_rank"] == s["rank_1h"] for row in rows if row["sector"] == s["sector"])
    meds = [s["median_rs_1h"] for s in secs]
    assert meds == sorted(meds, reverse=True)
    assert "Layer-1" not in {s["sector"] for s in secs}  # the reference has no strength against itself
    # Rotation: each sector's rank change against its rank as it stood an hour ago (or at the
    # first refresh), and the sector that climbed most (none when none climbed).
    assert last["rank_history_s"] > 0 and all("rank_change_1h" in s for s in secs)
    ups = {s["sector"]: s["rank_change_1h"] for s in secs if (s["rank_change_1h"] or 0) > 0}
    assert last["gained_most_1h"] == (max(ups, key=lambda k: (ups[k], -list(ups).index(k))) if ups else None)


def test_scan_json_with_every_book_has_depth_and_slippage_on_every_row():
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--depth", "all", "--duration", "5", "--every", "4"],
                       capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads(r.stdout.splitlines()[-1])["rows"]
    assert len(rows) == 5
    for row in rows:
        assert row["book"] == "synced" and row["spread_bps"] > 0 and row["depth_1pct"] > 0
        assert row["depth_age_s"] is None  # the live book's


def test_a_pinned_symbol_is_followed_by_its_book_from_the_start():
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--pin", "kiteusdt", "--duration", "5", "--every", "4"],
                       capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {row["symbol"]: row for row in json.loads(r.stdout.splitlines()[-1])["rows"]}
    assert rows["KITEUSDT"]["book"] == "synced" and rows["KITEUSDT"]["depth_age_s"] is None
    assert {row["book"] for s, row in rows.items() if s != "KITEUSDT"} == {"top"}


def test_scan_by_sector_and_on_screen():
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--duration", "3", "--every", "1", "--sector", "meme"],
                       capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    last = json.loads(r.stdout.splitlines()[-1])
    assert sorted(row["symbol"] for row in last["rows"]) == ["MOTHUSDT", "PIKEUSDT"]
    # Without --json: the terminal UI opened on its scanner (no terminal here: it runs and ends).
    r = subprocess.run([*DOM, "scan", "--duration", "4"], capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    r = subprocess.run([*DOM, "scan", "--duration", "1", "--sort", "alerts"], capture_output=True, text=True,
                       timeout=60, env=_env())
    assert r.returncode != 0 and "are for --json" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args,why", [(["--every", "0"], "--every"), (["--stop-pct", "nan"], "--stop-pct"),
                                      (["--stop-pct", "100"], "under 100%"), (["--sort", "x"], "invalid choice"),
                                      (["--pin", "x y"], "not a symbol"), (["--pin", "NOPEUSDT"], "cannot follow the depth")])
def test_bad_scan_options_are_one_clear_line(args, why):
    r = subprocess.run([*DOM, "scan", "--json", "--duration", "1", *args], capture_output=True, text=True,
                       timeout=60, env=_env())
    assert r.returncode != 0 and why in r.stderr and "Traceback" not in r.stderr


def test_scan_on_the_built_in_market_is_the_whole_sectors_preset():
    r = subprocess.run([*DOM, "scan", "--json", "--duration", "6", "--every", "2"], capture_output=True, text=True,
                       timeout=120, env={**_env(), "DOM_SIM_SPEED": "1"})
    assert r.returncode == 0, r.stderr[-2000:]
    last = json.loads(r.stdout.splitlines()[-1])
    rows = last["rows"]
    assert len(rows) == 53 and len({row["symbol"] for row in rows}) == 53
    by_sector: dict[str, int] = {}
    for row in rows:
        by_sector[row["sector"]] = by_sector.get(row["sector"], 0) + 1
    assert by_sector == {"Layer-1": 1, "AI": 9, "Meme": 9, "DeFi": 9, "Gaming": 9, "Layer-2": 8, "RWA": 8}
    # Every symbol at once from the all-market streams (following 53 books would wait on REST
    # snapshots under the venue's weight limit, a few a second): its best bid/ask and trades.
    assert all(row["book"] == "top" and row["spread_bps"] > 0 for row in rows), [row["book"] for row in rows]
    assert sum(row["last"] is not None for row in rows) >= 45


def test_sectors_from_the_config_override_the_venues(tmp_path):
    cfg = tmp_path / "dom.toml"
    cfg.write_text('[sectors]\nKITEUSDT = "Gaming"\nWRENUSDT = "Meme"\n')
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--config", str(cfg), "--duration", "2",
                        "--every", "1"], capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    last = json.loads(r.stdout.splitlines()[-1])
    got = {row["symbol"]: row["sector"] for row in last["rows"]}
    assert got == {**SECTORS, "KITEUSDT": "Gaming", "WRENUSDT": "Meme"}
    assert {s["sector"]: s["symbols"] for s in last["sectors"]}["Meme"] == ["MOTHUSDT", "PIKEUSDT", "WRENUSDT"]
    cfg.write_text("[sectors]\nKITEUSDT = 5\n")
    r = subprocess.run([*DOM, "scan", "--json", "--preset", "mixed", "--config", str(cfg), "--duration", "1"],
                       capture_output=True, text=True, timeout=60, env=_env())
    assert r.returncode != 0 and "sectors.KITEUSDT" in r.stderr and "Traceback" not in r.stderr, r.stderr
