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
    rv = s.add_parser("review", help="closed trades by setup, side, hour, BTC regime, funding and live "
                      "alert at entry: win rate, average R, expectancy; equity curve and R distribution",
                      description="Review closed trades. BTC regime from the reference's move the "
                      "screen stored at entry (|move| < 0.3%% calm, < 1%% normal, else volatile).")
    rv.add_argument("--json", action="store_true", help="one JSON object for other tools")
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
        elif args.action == "review":
            _review(j, args.json)
        else:
            for s in j.summary():
                print(f"{s['tag']:16} trades {s['trades']:4}  closed {s['closed']:4}  win rate "
                      f"{s['win_rate'] if s['win_rate'] is not None else '-':>5}  outcome {s['outcome']}")
    finally:
        j.close()
    return 0


def _review(j, as_json: bool) -> None:
    from dom.core.context.review import histogram_lines, review, sparkline

    doc = review(j.closed_for_review())
    if as_json:
        print(json.dumps(doc))
        return
    t = doc["total"]
    if not t["trades"]:
        print("no closed trades yet (dom journal exit ID --price P closes one)")
        return
    print(f"{t['trades']} closed trades, win rate {t['win_rate']}, average R {t['avg_r']} "
          f"({t['with_stop']} with a stop), P&L {t['pnl']}")
    names = {"tag": "setup", "side": "side", "hour_utc": "hour (UTC)", "btc_vol": "BTC regime at entry",
             "funding": "funding at entry", "alert": "alert live at entry"}
    for dim, groups in doc["by"].items():
        print(f"\nby {names[dim]}")
        for k, g in groups.items():
            print(f"  {k:18} {g['trades']:4} trades  win {g['win_rate'] if g['win_rate'] is not None else '-':>5}  "
                  f"avg R {g['avg_r'] if g['avg_r'] is not None else '-':>6}  P&L {g['pnl']}")
    curve = [Decimal(x) for x in doc["equity_curve"]]
    print(f"\nequity curve ({curve[0]} .. {curve[-1]})\n  {sparkline(curve)}")
    lines = histogram_lines(doc["r_histogram"])
    if lines:
        print("\nR distribution")
        for line in lines:
            print("  " + line)
