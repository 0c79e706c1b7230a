import csv
import io
import json
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
