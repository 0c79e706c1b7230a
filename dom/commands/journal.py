"""``dom journal add|exit|list|show|export|summary``: the local trade journal."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("journal", help="log and review trades in a local journal (SQLite)",
                       description="The trade journal ($DOM_DATA_DIR/journal.sqlite, else the user data dir).")
    p.add_argument("--db", metavar="FILE", help="journal file (default: the user data dir)")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = s.add_parser("add", help="log a trade")
    a.add_argument("symbol")
    a.add_argument("side", choices=["long", "short"])
    a.add_argument("--entry", required=True)
    a.add_argument("--exit")
    a.add_argument("--contracts", required=True)
    a.add_argument("--contract-size", default="1")
    a.add_argument("--leverage", default="1")
    a.add_argument("--tag", default="", help="setup tag, for the summary")
    a.add_argument("--why", default="", help="rationale")
    a.add_argument("--stop", help="the stop price: results are then also in R (risk multiples)")
    a.add_argument("--equity", help="account equity at entry: results are then also in %% of it")
    x = s.add_parser("exit", help="close all or part of a trade (TP1 half: --fraction 0.5)",
                     description="Record an exit of trade ID: all that is open, --contracts N, or "
                     "--fraction F of the position. The trade's result becomes the realized P&L so "
                     "far (quote currency after fees, %% of equity and R where known).")
    x.add_argument("id", type=int)
    x.add_argument("--price", required=True)
    size = x.add_mutually_exclusive_group()
    size.add_argument("--contracts")
    size.add_argument("--fraction")
    x.add_argument("--fee", default="0", help="fee of this exit, quote currency")
    x.add_argument("--note", default="")
    s.add_parser("list", help="every trade, one line each")
    sh = s.add_parser("show", help="one trade in full")
    sh.add_argument("id", type=int)
    e = s.add_parser("export", help="all trades as CSV or JSON lines on stdout")
    e.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    s.add_parser("summary", help="outcome by setup tag")
    p.set_defaults(func=run)


def _signed(d, places: int) -> str:
    q = d.quantize(Decimal(1).scaleb(-places))
    return f"+{q}" if q > 0 else str(q)


def _money(d) -> str:
    return _signed(d, 2)


def run(args: argparse.Namespace) -> int:
    from dom.store.journal import Journal

    j = Journal(args.db)
    try:
        if args.action == "add":
            n = j.add(args.symbol, args.side, args.entry, args.contracts, exit=args.exit, leverage=args.leverage,
                      contract_size=args.contract_size, tag=args.tag, rationale=args.why, stop=args.stop,
                      equity=args.equity)
            print(f"trade #{n} logged in {j.path}")
        elif args.action == "exit":
            r = j.exit(args.id, args.price, contracts=args.contracts, fraction=args.fraction, fee=args.fee,
                       note=args.note)
            print(f"trade #{args.id}: {r.status}, {r.closed} closed, {r.open} open; realized {_money(r.pnl)}"
                  + (f", {_signed(r.pct_equity, 2)}% of equity" if r.pct_equity is not None else "")
                  + (f", {_signed(r.r, 2)}R" if r.r is not None else ""))
        elif args.action == "list":
            for r in j.list():
                out = f"{r['outcome']} ({r['outcome_pct']}%)" if r["outcome"] is not None else "open"
                if r["r"] is not None:
                    out += f" {_signed(Decimal(r['r']), 2)}R"
                print(f"#{r['id']:<4} {r['symbol']:10} {r['side']:5} {r['contracts']:>8} @ {r['entry']:>10} -> "
                      f"{r['exit'] or '-':>10}  {out:>20}  {r['tag']}")
        elif args.action == "show":
            print(json.dumps(j.show(args.id), indent=2))
        elif args.action == "export":
            print(j.export(args.format), end="")
        else:
            for s in j.summary():
                print(f"{s['tag']:16} trades {s['trades']:4}  closed {s['closed']:4}  win rate "
                      f"{s['win_rate'] if s['win_rate'] is not None else '-':>5}  outcome {s['outcome']}")
    finally:
        j.close()
    return 0
