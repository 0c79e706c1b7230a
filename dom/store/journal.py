"""The trade journal: a local SQLite file (stdlib sqlite3) under the user's data directory.

Writes happen in transactions; an existing file is never recreated or truncated. A corrupted or
locked database is a :class:`JournalError` with a clear message, and no entry is lost.
Path: ``$DOM_DATA_DIR/journal.sqlite``, else ``<user data dir>/dom/journal.sqlite``. The file is
created 0600 (an older, wider one is narrowed to that) and a data directory dom creates is 0700.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dom.errors import JournalError

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ns INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('long', 'short')),
    entry TEXT NOT NULL,
    exit TEXT,
    contracts TEXT NOT NULL,
    contract_size TEXT NOT NULL DEFAULT '1',
    leverage TEXT NOT NULL DEFAULT '1',
    tag TEXT NOT NULL DEFAULT '',
    rationale TEXT NOT NULL DEFAULT '',
    outcome TEXT,
    outcome_pct TEXT,
    context TEXT NOT NULL DEFAULT '{}'
)
"""
FIELDS = ("id", "ts_ns", "symbol", "side", "entry", "exit", "contracts", "contract_size", "leverage", "tag",
          "rationale", "outcome", "outcome_pct", "context")


def default_path() -> Path:
    base = os.environ.get("DOM_DATA_DIR")
    if base:
        return Path(base) / "journal.sqlite"
    from platformdirs import user_data_dir

    return Path(user_data_dir("dom")) / "journal.sqlite"


def _dec(name: str, v: Any) -> Decimal:
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise JournalError(f"{name}: not a number: {v!r}") from None
    if not d.is_finite():
        raise JournalError(f"{name}: not a finite number: {v!r}")
    return d


class Journal:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        try:
            if self.path.exists():
                st = self.path.stat()
                if st.st_mode & 0o077 and st.st_uid == os.getuid():  # private: trades, sizes, notes
                    os.chmod(self.path, 0o600)
                self.db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=1.0)
            else:
                if not self.path.parent.exists():
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    os.chmod(self.path.parent, 0o700)
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
                self.db = sqlite3.connect(self.path, timeout=1.0)
            with self.db:
                self.db.execute(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None
        except OSError as e:
            raise JournalError(f"cannot open the journal {self.path}: {e.strerror}") from None

    def _explain(self, e: Exception) -> str:
        msg = str(e)
        if "locked" in msg:
            return f"the journal {self.path} is locked by another program; try again when it is closed"
        if "not a database" in msg or "malformed" in msg:
            return f"the journal {self.path} is not a readable SQLite database (corrupted?); it was left untouched"
        return f"journal {self.path}: {msg}"

    def close(self) -> None:
        self.db.close()

    def add(self, symbol: str, side: str, entry: Any, contracts: Any, exit: Any = None, leverage: Any = 1,
            contract_size: Any = 1, tag: str = "", rationale: str = "", context: dict | None = None) -> int:
        if side not in ("long", "short"):
            raise JournalError("side: long or short")
        e, n, cs, lev = _dec("entry", entry), _dec("contracts", contracts), _dec("contract_size", contract_size), _dec("leverage", leverage)
        if e <= 0 or n <= 0 or cs <= 0 or lev <= 0:
            raise JournalError("entry, contracts, contract size and leverage must be positive")
        outcome = pct = None
        if exit is not None:
            x = _dec("exit", exit)
            sign = 1 if side == "long" else -1
            outcome = str((x - e) * n * cs * sign)
            pct = str(((x - e) / e * 100 * sign).quantize(Decimal("0.0001")))
        row = (time.time_ns(), symbol.upper(), side, str(e), None if exit is None else str(_dec("exit", exit)),
               str(n), str(cs), str(lev), tag, rationale, outcome, pct, json.dumps(context or {}, sort_keys=True))
        try:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO trades (ts_ns, symbol, side, entry, exit, contracts, contract_size, leverage, tag,"
                    " rationale, outcome, outcome_pct, context) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None
        return int(cur.lastrowid)

    def _rows(self, where: str = "", args: tuple = ()) -> list[dict[str, Any]]:
        try:
            cur = self.db.execute(f"SELECT {', '.join(FIELDS)} FROM trades {where} ORDER BY id", args)
            return [dict(zip(FIELDS, r)) for r in cur.fetchall()]
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None

    def list(self) -> list[dict[str, Any]]:
        return self._rows()

    def show(self, trade_id: int) -> dict[str, Any]:
        rows = self._rows("WHERE id = ?", (trade_id,))
        if not rows:
            raise JournalError(f"no trade #{trade_id} in {self.path}")
        return rows[0]

    def export(self, fmt: str) -> str:
        rows = self.list()
        if fmt == "jsonl":
            return "".join(json.dumps(r) + "\n" for r in rows)
        if fmt == "csv":
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(rows)
            return buf.getvalue()
        raise JournalError(f"export format: csv or jsonl, not {fmt!r}")

    def summary(self) -> list[dict[str, Any]]:
        by: dict[str, dict[str, Any]] = {}
        for r in self.list():
            s = by.setdefault(r["tag"] or "(untagged)", {"tag": r["tag"] or "(untagged)", "trades": 0, "closed": 0,
                                                         "wins": 0, "outcome": Decimal(0)})
            s["trades"] += 1
            if r["outcome"] is not None:
                s["closed"] += 1
                o = Decimal(r["outcome"])
                s["outcome"] += o
                s["wins"] += o > 0
        return [dict(s, outcome=str(s["outcome"]), win_rate=round(s["wins"] / s["closed"], 3) if s["closed"] else None)
                for s in by.values()]
