import csv
import io
import json
from decimal import Decimal
import sqlite3
import subprocess
import sys

import pytest

from dom.errors import JournalError
from dom.store.journal import Journal


def test_round_trip_add_list_export_summary(tmp_path):
    j = Journal(tmp_path / "j.sqlite")
    a = j.add("kiteusdt", "long", "1.00", 10, exit="1.05", contract_size=100, leverage=5, tag="breakout", rationale="BTC firm")
    j.add("MOTHUSDT", "short", "0.2500", 1000, exit="0.2550", tag="fade")
    j.add("PIKEUSDT", "long", "0.08", 5000)
    rows = j.list()
    assert [r["symbol"] for r in rows] == ["KITEUSDT", "MOTHUSDT", "PIKEUSDT"]
    assert j.show(a)["outcome"] == "50.00" and j.show(a)["outcome_pct"] == "5.0000"
    assert rows[1]["outcome"] == "-5.0000" and rows[2]["outcome"] is None
    exported = list(csv.DictReader(io.StringIO(j.export("csv"))))
    assert [r["symbol"] for r in exported] == ["KITEUSDT", "MOTHUSDT", "PIKEUSDT"]
    assert [json.loads(l)["id"] for l in j.export("jsonl").splitlines()] == [1, 2, 3]
    tags = {s["tag"]: s for s in j.summary()}
    assert tags["breakout"]["win_rate"] == 1.0 and tags["fade"]["outcome"] == "-5.0000"
    j.close()
    assert len(Journal(tmp_path / "j.sqlite").list()) == 3  # persisted


def test_corrupted_file_is_a_clear_error_and_left_untouched(tmp_path):
    p = tmp_path / "j.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    before = p.read_bytes()
    with pytest.raises(JournalError, match="not a readable SQLite database"):
        Journal(p)
    assert p.read_bytes() == before


def test_locked_database_is_a_clear_error_and_loses_nothing(tmp_path):
    p = tmp_path / "j.sqlite"
    j = Journal(p)
    j.add("KITEUSDT", "long", "1", 1)
    other = sqlite3.connect(p)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(JournalError, match="locked"):
        j.add("KITEUSDT", "long", "1", 2)
    other.rollback()
    other.close()
    assert len(j.list()) == 1


def test_cli(tmp_path):
    env = {"DOM_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    dom = [sys.executable, "-m", "dom", "journal"]
    r = subprocess.run([*dom, "add", "KITEUSDT", "long", "--entry", "1.00", "--exit", "1.05", "--contracts", "10",
                        "--contract-size", "100", "--tag", "breakout"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "trade #1 logged" in r.stdout
    r = subprocess.run([*dom, "list"], capture_output=True, text=True, env=env)
    assert "KITEUSDT" in r.stdout and "50.00" in r.stdout
    r = subprocess.run([*dom, "add", "X", "long", "--entry", "abc", "--contracts", "1"], capture_output=True, text=True, env=env)
    assert r.returncode != 0 and r.stderr.strip() == "dom: error: entry: not a number: 'abc'"


def _cli(db, *args):
    return subprocess.run([sys.executable, "-m", "dom", "journal", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=60)


def test_tp1_half_then_the_rest_at_breakeven_is_the_playbooks_hand_computation(tmp_path):
    """Equity 5,000, risk 1%: 10 contracts of 100 units long at 1.00, stop 0.95 (risk 50). Half
    out at TP1 1.05 (+25), the rest at breakeven (0): +25.00, +0.5% of equity, +0.5 R."""
    db = tmp_path / "j.sqlite"
    assert _cli(db, "add", "PIPPINUSDT", "long", "--entry", "1.00", "--contracts", "10", "--contract-size", "100",
                "--stop", "0.95", "--equity", "5000").returncode == 0
    half = _cli(db, "exit", "1", "--price", "1.05", "--fraction", "0.5")
    assert half.returncode == 0 and "partial" in half.stdout and "+25.00," in half.stdout
    rest = _cli(db, "exit", "1", "--price", "1.00")
    assert rest.returncode == 0, rest.stderr
    assert "closed" in rest.stdout and "+25.00, +0.50% of equity, +0.50R" in rest.stdout
    j = Journal(db)
    t, xs = j.show(1), j.exits(1)
    assert [(x["price"], x["contracts"]) for x in xs] == [("1.05", "5.0"), ("1.00", "5.0")]
    assert (t["outcome"], t["r"], t["pnl_pct_equity"], t["exit"]) == ("25.000", "0.5", "0.500", "1.025")
    again = _cli(db, "exit", "1", "--price", "1.0")
    assert again.returncode == 2 and "already closed" in again.stderr


def test_a_short_with_fees_and_a_refused_over_exit(tmp_path):
    j = Journal(tmp_path / "j.sqlite")
    n = j.add("WIFUSDT", "short", "2.00", 4, stop="2.10", equity="1000")
    with pytest.raises(JournalError, match="at most"):
        j.exit(n, "1.90", contracts=5)
    r = j.exit(n, "1.90", contracts=4, fee="0.10")
    # (2.00 - 1.90) x 4 = 0.40, minus 0.10 fee; risk 0.10 x 4 = 0.40
    assert (r.pnl, r.r, r.pct_equity, r.status) == (Decimal("0.30"), Decimal("0.75"), Decimal("0.03"), "closed")
    with pytest.raises(JournalError, match="losing side"):
        j.add("WIFUSDT", "short", "2.00", 4, stop="1.90")


def test_an_old_journal_opens_with_its_trades_and_gains_exits(tmp_path):
    """A journal written before exits existed: its rows stay, the new columns and table appear."""
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.execute("""CREATE TABLE trades (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ns INTEGER NOT NULL,
        symbol TEXT NOT NULL, side TEXT NOT NULL, entry TEXT NOT NULL, exit TEXT, contracts TEXT NOT NULL,
        contract_size TEXT NOT NULL DEFAULT '1', leverage TEXT NOT NULL DEFAULT '1', tag TEXT NOT NULL DEFAULT '',
        rationale TEXT NOT NULL DEFAULT '', outcome TEXT, outcome_pct TEXT, context TEXT NOT NULL DEFAULT '{}')""")
    con.execute("INSERT INTO trades (ts_ns, symbol, side, entry, contracts) VALUES (1, 'BTCUSDT', 'long', '100', '2')")
    con.commit()
    con.close()
    j = Journal(db)
    assert j.show(1)["symbol"] == "BTCUSDT" and j.show(1)["stop"] is None
    r = j.exit(1, "110")
    assert r.pnl == Decimal("20") and r.r is None and r.pct_equity is None


def test_review_of_40_generated_trades(tmp_path):
    """40 trades (deterministic): the review's totals, groups and R histogram equal what the
    generator knows; the printed review has every breakdown, the curve and the distribution."""
    import random

    rng = random.Random(40)
    db = tmp_path / "j.sqlite"
    j = Journal(db)
    want_pnl, want_wins, want_r, by_tag = Decimal(0), 0, [], {}
    for i in range(40):
        side = rng.choice(["long", "short"])
        tag = rng.choice(["breakout", "absorption", "iceberg"])
        entry = Decimal("1.00")
        stop = entry - Decimal("0.05") if side == "long" else entry + Decimal("0.05")
        move = Decimal(rng.randint(-6, 12)) / 100  # favourable move in price units
        exit_px = entry + move if side == "long" else entry - move
        n = j.add("TESTUSDT", side, entry, 10, contract_size=100, stop=stop, equity=5000, tag=tag,
                  context={"reference_move_pct": rng.choice([0.1, 0.5, 2.0]), "funding_rate": "0.00010000",
                           "alerts": [{"kind": "wall"}] if i % 3 == 0 else []})
        j.exit(n, exit_px)
        pnl = move * 10 * 100
        want_pnl += pnl
        want_wins += pnl > 0
        want_r.append(pnl / Decimal(50))
        by_tag[tag] = by_tag.get(tag, 0) + 1
    r = _cli(db, "review", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["total"]["trades"] == 40 and Decimal(doc["total"]["pnl"]) == want_pnl
    assert doc["total"]["win_rate"] == round(want_wins / 40, 3)
    assert doc["total"]["avg_r"] == float(round(sum(want_r) / 40, 3))
    assert {k: g["trades"] for k, g in doc["by"]["tag"].items()} == by_tag
    assert doc["by"]["funding"]["positive"]["trades"] == 40
    assert doc["by"]["alert"]["wall"]["trades"] == 14
    assert sum(doc["r_histogram"].values()) == 40 and Decimal(doc["equity_curve"][-1]) == want_pnl
    text = _cli(db, "review").stdout
    for head in ("by setup", "by side", "by hour (UTC)", "by BTC regime at entry", "by funding at entry",
                 "by alert live at entry", "equity curve", "R distribution"):
        assert head in text, head
    assert any(set(line.strip()) <= set(" ▁▂▃▄▅▆▇█") and len(line.strip()) == 40 for line in text.splitlines())


def test_review_screen_snapshot(tmp_path, snapshot):
    """The printed review of 40 generated trades, entry times fixed (hours of the day spread),
    as a snapshot: breakdowns, equity curve, R distribution."""
    import random

    rng = random.Random(7)
    db = tmp_path / "j.sqlite"
    j = Journal(db)
    for i in range(40):
        side = rng.choice(["long", "short"])
        entry = Decimal("2.000")
        stop = entry - Decimal("0.040") if side == "long" else entry + Decimal("0.040")
        move = Decimal(rng.randint(-50, 110)) / 1000
        n = j.add("TESTUSDT", side, entry, 20, contract_size=10, stop=stop, equity=2000,
                  tag=rng.choice(["vah-reject", "iceberg-fade", "burst"]),
                  context={"reference_move_pct": rng.choice([0.05, 0.6, 1.8]),
                           "funding_rate": rng.choice(["0.00010000", "-0.00020000"]),
                           "alerts": [{"kind": rng.choice(["wall", "absorption"])}] if i % 2 else []})
        if i % 4 == 0:  # TP1 half, then the rest
            j.exit(n, entry + move * (1 if side == "long" else -1) * 2, fraction="0.5")
        j.exit(n, entry + move * (1 if side == "long" else -1), fee="0.01")
    j.db.execute("UPDATE trades SET ts_ns = 1796000000000000000 + id * 2437000000000")  # ~40 min apart
    j.db.commit()
    j.close()
    r = _cli(db, "review")
    assert r.returncode == 0, r.stderr
    assert r.stdout == snapshot


@pytest.mark.parametrize("price", ["1e999999", "1e-999999999", "NaN", "-1", "Infinity", "1" * 50])
def test_a_hostile_number_is_one_clear_error(tmp_path, price):
    j = Journal(tmp_path / "j.sqlite")
    n = j.add("X", "long", "1", 1, stop="0.9", equity=100)
    with pytest.raises(JournalError):
        j.exit(n, price)
    assert j.realized(n).open == 1  # nothing recorded
