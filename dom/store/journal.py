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
EXITS = """
CREATE TABLE IF NOT EXISTS exits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_id INTEGER NOT NULL REFERENCES trades(id),
    ts_ns INTEGER NOT NULL,
    price TEXT NOT NULL,
    contracts TEXT NOT NULL,
    fee TEXT NOT NULL DEFAULT '0',
    note TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '{}'
)
"""
# Columns added after the first release; an older journal gets them on opening (ALTER TABLE).
ADDED = (("stop", "TEXT"), ("equity", "TEXT"), ("r", "TEXT"), ("pnl_pct_equity", "TEXT"))
FIELDS = ("id", "ts_ns", "symbol", "side", "entry", "exit", "contracts", "contract_size", "leverage", "tag",
          "rationale", "outcome", "outcome_pct", "context", "stop", "equity", "r", "pnl_pct_equity")
EXIT_FIELDS = ("id", "trade_id", "ts_ns", "price", "contracts", "fee", "note", "context")


def default_path() -> Path:
    base = os.environ.get("DOM_DATA_DIR")
    if base:
        return Path(base) / "journal.sqlite"
    from platformdirs import user_data_dir

    return Path(user_data_dir("dom")) / "journal.sqlite"


def _dec(name: str, v: Any) -> Decimal:
    """A number as typed, exactly; bounded (``1e999999`` overflowed the P&L arithmetic)."""
    text = str(v)
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise JournalError(f"{name}: not a number: {v!r}") from None
    if not d.is_finite():
        raise JournalError(f"{name}: not a finite number: {v!r}")
    if len(text) > 40 or (d and not -18 <= d.adjusted() <= 18) or d.as_tuple().exponent < -18:
        raise JournalError(f"{name}: out of range (at most 18 digits either side of the point): {v!r}")
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
                self.db.execute(EXITS)
                have = {r[1] for r in self.db.execute("PRAGMA table_info(trades)")}
                for col, typ in ADDED:
                    if col not in have:
                        self.db.execute(f"ALTER TABLE trades ADD COLUMN {col} {typ}")
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
            contract_size: Any = 1, tag: str = "", rationale: str = "", context: dict | None = None,
            stop: Any = None, equity: Any = None) -> int:
        if side not in ("long", "short"):
            raise JournalError("side: long or short")
        e, n, cs, lev = _dec("entry", entry), _dec("contracts", contracts), _dec("contract_size", contract_size), _dec("leverage", leverage)
        if e <= 0 or n <= 0 or cs <= 0 or lev <= 0:
            raise JournalError("entry, contracts, contract size and leverage must be positive")
        st = None if stop is None else _dec("stop", stop)
        eq = None if equity is None else _dec("equity", equity)
        if (st is not None and st <= 0) or (eq is not None and eq <= 0):
            raise JournalError("stop and equity must be positive")
        if st is not None and (st - e) * (1 if side == "long" else -1) >= 0:
            raise JournalError(f"a {side}'s stop must be on the losing side of the entry")
        outcome = pct = None
        if exit is not None:
            x = _dec("exit", exit)
            sign = 1 if side == "long" else -1
            outcome = str((x - e) * n * cs * sign)
            pct = str(((x - e) / e * 100 * sign).quantize(Decimal("0.0001")))
        row = (time.time_ns(), symbol.upper(), side, str(e), None if exit is None else str(_dec("exit", exit)),
               str(n), str(cs), str(lev), tag, rationale, outcome, pct, json.dumps(context or {}, sort_keys=True),
               None if st is None else str(st), None if eq is None else str(eq))
        try:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO trades (ts_ns, symbol, side, entry, exit, contracts, contract_size, leverage, tag,"
                    " rationale, outcome, outcome_pct, context, stop, equity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    row)
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None
        return int(cur.lastrowid)

    # ---------------------------------------------------------------------------------- exits
    def exits(self, trade_id: int) -> list[dict[str, Any]]:
        try:
            cur = self.db.execute(f"SELECT {', '.join(EXIT_FIELDS)} FROM exits WHERE trade_id = ? ORDER BY id",
                                  (trade_id,))
            return [dict(zip(EXIT_FIELDS, r)) for r in cur.fetchall()]
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None

    def realized(self, trade_id: int):
        """The trade's result so far (``dom.core.context.pnl.Realized``)."""
        from dom.core.context.pnl import Exit, realize

        t = self.show(trade_id)
        xs = [Exit(Decimal(x["price"]), Decimal(x["contracts"]), Decimal(x["fee"])) for x in self.exits(trade_id)]
        return realize(t["side"], Decimal(t["entry"]), Decimal(t["contracts"]), Decimal(t["contract_size"]), xs,
                       None if t["stop"] is None else Decimal(t["stop"]),
                       None if t["equity"] is None else Decimal(t["equity"]))

    def exit(self, trade_id: int, price: Any, contracts: Any = None, fraction: Any = None, fee: Any = 0,
             note: str = "", context: dict | None = None) -> Any:
        """Close ``contracts`` (or ``fraction`` of the position; default: all that is open) at
        ``price``; the trade's outcome columns become the realized result. Returns it."""
        from dom.core.context.pnl import Exit, realize

        t = self.show(trade_id)
        before = self.realized(trade_id)
        if before.open == 0:
            raise JournalError(f"trade #{trade_id} is already closed")
        px, f = _dec("price", price), _dec("fee", fee)
        if px <= 0 or f < 0:
            raise JournalError("price must be positive and the fee not negative")
        if contracts is not None and fraction is not None:
            raise JournalError("give contracts or a fraction, not both")
        if fraction is not None:
            fr = _dec("fraction", fraction)
            if not 0 < fr <= 1:
                raise JournalError("fraction: above 0, at most 1")
            n = Decimal(t["contracts"]) * fr
        else:
            n = before.open if contracts is None else _dec("contracts", contracts)
        if n <= 0 or n > before.open:
            raise JournalError(f"contracts: above 0, at most the {before.open} still open")
        xs = [Exit(Decimal(x["price"]), Decimal(x["contracts"]), Decimal(x["fee"])) for x in self.exits(trade_id)]
        after = realize(t["side"], Decimal(t["entry"]), Decimal(t["contracts"]), Decimal(t["contract_size"]),
                        [*xs, Exit(px, n, f)], None if t["stop"] is None else Decimal(t["stop"]),
                        None if t["equity"] is None else Decimal(t["equity"]))
        e = Decimal(t["entry"])
        sign = 1 if t["side"] == "long" else -1
        move = ((after.avg_exit - e) / e * 100 * sign).quantize(Decimal("0.0001"))
        try:
            with self.db:
                self.db.execute("INSERT INTO exits (trade_id, ts_ns, price, contracts, fee, note, context)"
                                " VALUES (?,?,?,?,?,?,?)", (trade_id, time.time_ns(), str(px), str(n), str(f), note,
                                                              json.dumps(context or {}, sort_keys=True)))
                self.db.execute("UPDATE trades SET exit = ?, outcome = ?, outcome_pct = ?, r = ?, pnl_pct_equity = ?"
                                " WHERE id = ?",
                                (str(after.avg_exit), str(after.pnl), str(move),
                                 None if after.r is None else str(after.r),
                                 None if after.pct_equity is None else str(after.pct_equity), trade_id))
        except sqlite3.DatabaseError as e:
            raise JournalError(self._explain(e)) from None
        return after

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

    # --------------------------------------------------------------------------------- review
    def closed_for_review(self) -> list[Any]:
        """Every trade with a result, as ``dom.core.context.review.Closed`` (conditions at entry
        from the context the screen stored: the reference's move, funding, live alert kinds)."""
        from dom.core.context.review import Closed

        out = []
        for t in self.list():
            if t["outcome"] is None:
                continue
            try:
                ctx = json.loads(t["context"] or "{}")
            except ValueError:
                ctx = {}
            ctx = ctx if isinstance(ctx, dict) else {}
            move = ctx.get("reference_move_pct")
            vol = ""
            if isinstance(move, (int, float)):
                vol = "calm" if abs(move) < 0.3 else "normal" if abs(move) < 1.0 else "volatile"
            rate = ctx.get("funding_rate")
            funding = ""
            if isinstance(rate, str):
                try:
                    fr = Decimal(rate)
                    funding = "positive" if fr > 0 else "negative" if fr < 0 else "flat"
                except InvalidOperation:
                    funding = ""
            kinds = tuple(sorted({a.get("kind") for a in ctx.get("alerts", []) if isinstance(a, dict)
                                  and isinstance(a.get("kind"), str)}))
            r = Decimal(t["r"]) if t["r"] is not None else None
            out.append(Closed(t["tag"], t["side"], time.gmtime(t["ts_ns"] / 1e9).tm_hour, Decimal(t["outcome"]), r,
                              vol, funding, kinds))
        return out
