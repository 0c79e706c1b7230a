"""``dom journal add|exit|list|show|export|summary|review|replay``: the local trade journal."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


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
    rp = s.add_parser("replay", help="open the replay screen at a trade's entry (minus --before seconds)",
                      description="Replay the market around trade ID: the recording its entry links to "
                      "(the continuous recording, --record, or the file replayed when it was logged), "
                      "opened --before seconds ahead of the entry, on the trade's symbol, with the "
                      "transport keys (space, < >, [ ], g, }).")
    rp.add_argument("id", type=int)
    rp.add_argument("--before", type=float, default=30.0, metavar="S", help="start S seconds before the entry (default 30)")
    rp.add_argument("--speed", type=float, default=1.0, help="replay speed once there (default 1)")
    rp.add_argument("--dir", metavar="DIR", help="the continuous recording's directory (default: the entry's, "
                    "else [record] dir)")
    rp.add_argument("--config", metavar="FILE", help="config file (default: $DOM_CONFIG, else the user config dir)")
    p.set_defaults(func=run)


def _signed(d, places: int) -> str:
    q = d.quantize(Decimal(1).scaleb(-places))
    return f"+{q}" if q > 0 else str(q)


def _money(d) -> str:
    return _signed(d, 2)


def _pct(x) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _r(x) -> str:
    return "-" if x is None else f"{x:+.2f}R"


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
        elif args.action == "replay":
            return _replay(j, args)
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
    print(f"{t['trades']} closed trades: win rate {_pct(t['win_rate'])}, average {_r(t['avg_r'])} "
          f"({t['with_stop']} with a stop), expectancy {_money(Decimal(t['expectancy']))} a trade, "
          f"P&L {_money(Decimal(t['pnl']))}")
    names = {"tag": "setup", "side": "side", "hour_utc": "hour (UTC)", "btc_vol": "BTC regime at entry",
             "funding": "funding at entry", "alert": "alert live at entry"}
    for dim, groups in doc["by"].items():
        print(f"\nby {names[dim]:<20}  trades    win   avg R  expectancy         P&L")
        for k, g in groups.items():
            print(f"  {k:20} {g['trades']:6} {_pct(g['win_rate']):>6} {_r(g['avg_r']):>7} "
                  f"{_money(Decimal(g['expectancy'])):>11} {_money(Decimal(g['pnl'])):>11}")
    curve = [Decimal(x) for x in doc["equity_curve"]]
    print(f"\nequity curve ({_money(curve[0])} .. {_money(curve[-1])})\n  {sparkline(curve)}")
    lines = histogram_lines(doc["r_histogram"])
    if lines:
        print("\nR distribution")
        for line in lines:
            print("  " + line)


def _replay(j, args: argparse.Namespace) -> int:
    """Find the recording of the trade's moment, then open the replay screen there."""
    import math

    from dom.config import load_config, validate
    from dom.errors import JournalError
    from dom.runtime.continuous import RingTap
    from dom.runtime.wiring import tui

    if not (math.isfinite(args.before) and args.before >= 0) or not (math.isfinite(args.speed) and args.speed >= 0):
        raise JournalError("--before and --speed must be finite and >= 0")
    cfg = load_config(args.config)
    validate(cfg)
    m = trade_moment(j, args.id, args.before, args.dir, RingTap(cfg).directory(), cfg.record.keep_hours)
    print(f"trade #{args.id} {m.symbol} {m.side} @ {m.entry}, {m.when}: replaying from "
          f"{args.before:g} s before ({len(m.paths)} file(s))")
    return tui(cfg, replay=m.paths, speed=args.speed, start_ns=m.start_ns, focus=m.symbol)


@dataclass
class Moment:
    symbol: str
    side: str
    entry: str
    when: str  # the entry's moment, UTC
    at_ns: int  # the entry's moment, receive time of the recording
    start_ns: int  # where the replay opens
    paths: list[str]  # the recording's files or segments, in order


def trade_moment(j, trade_id: int, before_s: float, directory: str | None, ring_dir: str,
                 keep_hours: float = 0) -> Moment:
    """Where and from when to replay trade ``trade_id``: the files it was logged on (a replay),
    else the continuous recording's segments covering ``before_s`` ahead of its entry (the
    entry's own ring, ``directory``, or ``ring_dir``). A clear JournalError when none does."""
    import time

    from dom.errors import JournalError
    from dom.store.ring import covering

    t = j.show(trade_id)
    try:
        ctx = json.loads(t.get("context") or "{}")
    except ValueError:
        ctx = {}
    link = ctx.get("recording") if isinstance(ctx, dict) and isinstance(ctx.get("recording"), dict) else {}
    at = link.get("recv_ns")
    at = at if isinstance(at, int) and not isinstance(at, bool) and 0 < at < 1 << 62 else t["ts_ns"]
    start = at - int(before_s * 1e9)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at / 1e9))
    if isinstance(link.get("paths"), list) and link["paths"] and not directory:
        paths = [p for p in link["paths"] if isinstance(p, str)]
        missing = [p for p in paths if not Path(p).exists()]
        if missing or not paths:
            raise JournalError(f"trade #{trade_id} was logged on {', '.join(missing) or 'a replay'}, which is gone")
    else:
        where = directory or (link.get("dir") if isinstance(link.get("dir"), str) else "") or ring_dir
        paths = [str(p) for p in covering(where, start)]
        if not paths:
            keep = f" (it keeps [record] keep_hours = {keep_hours:g} h)" if keep_hours else ""
            raise JournalError(f"no recording of trade #{trade_id} ({t['symbol']}, {when}) in {where}{keep}: "
                               "the continuous recording is on with dom tui --record")
    return Moment(t["symbol"], t["side"], t["entry"], when, at, start, paths)
