"""`dom record -o DIR/` writes hftbacktest's collector layout, and hftbacktest's own converter
reads it as it is (no KeyError 'e' on a wrapped snapshot any more); `dom replay DIR` reads it back
and prints the live run's alerts."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

DOM = [sys.executable, "-m", "dom"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    out = tmp_path_factory.mktemp("rec") / "day"
    r = subprocess.run([*DOM, "record", "-o", f"{out}/", "--duration", "8", "BTCUSDT", "KITEUSDT"],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    return out, r


def test_one_file_per_symbol_and_day_with_bare_snapshots(recorded):
    out, _ = recorded
    files = sorted(p.name for p in out.glob("*.gz"))
    assert [f.split("_")[0] for f in files] == ["btcusdt", "kiteusdt"]
    import gzip

    with gzip.open(out / files[0], "rb") as f:
        lines = f.read().splitlines()
    snaps = [l for l in lines if b'"lastUpdateId"' in l]
    assert snaps and all(l.split(b" ", 1)[1].startswith(b'{"lastUpdateId"') for l in snaps)
    assert all(b"kiteusdt@" not in l for l in lines)  # one symbol per file
    meta = orjson.loads((out / (files[0] + ".meta.json")).read_bytes())
    assert meta["symbols"] == ["BTCUSDT"]


def test_hftbacktest_converts_the_files_as_they_are(recorded):
    import gzip
    from decimal import Decimal

    from hftbacktest import (BUY_EVENT, DEPTH_CLEAR_EVENT, DEPTH_EVENT, DEPTH_SNAPSHOT_EVENT, LOCAL_EVENT,
                             TRADE_EVENT)
    from hftbacktest.data.utils import binancefutures

    out, _ = recorded
    for f in sorted(out.glob("*.gz")):
        data = binancefutures.convert(str(f), combined_stream=True, opt="t")
        kinds = data["ev"] & 0xFF
        assert (kinds == DEPTH_EVENT).sum() > 100, f
        assert (kinds == DEPTH_SNAPSHOT_EVENT).sum() > 0 and (kinds == DEPTH_CLEAR_EVENT).sum() > 0, f
        assert ((data["ev"] & BUY_EVENT) != 0).any()
        assert (data["px"] > 0).all() and (data["local_ts"] > 0).all()
        # Trades: hftbacktest reads the raw @trade stream, which dom records beside aggTrade;
        # every fill is there (the same volume as the aggTrades dom follows).
        agg = Decimal(0)
        with gzip.open(f, "rb") as g:
            for line in g:
                if b"@aggTrade" in line:
                    agg += Decimal(orjson.loads(line.split(b" ", 1)[1])["data"]["q"])
        # (hftbacktest lists an event twice when exchange and local order differ: count the
        # local-side copies once)
        traded = data["qty"][(kinds == TRADE_EVENT) & ((data["ev"] & LOCAL_EVENT) != 0)]
        assert len(traded) > 0 and abs(float(agg) - float(traded.sum())) < 1e-6 * max(1.0, float(agg)), f


def test_dom_replays_the_directory_as_the_live_run_saw_it(recorded):
    out, live = recorded
    r = subprocess.run([*DOM, "replay", str(out)], capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    finals = lambda text: [l for l in text.splitlines() if l.startswith("final ")]  # noqa: E731
    assert finals(r.stderr) == finals(live.stderr) and len(finals(r.stderr)) == 2
    assert r.stdout == live.stdout
