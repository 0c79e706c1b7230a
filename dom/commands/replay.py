"""``dom replay FILE``: replay a recording through the live parse path; summary and checks."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="replay a recording (hftbacktest/dom or cryptofeed format)",
        description="Replay a recording through the same parse code and engine as a live feed. "
        "Alerts go to stdout as Alert JSON v1 lines; the summary goes to stderr "
        "(or to stdout as one JSON object with --json).",
    )
    p.add_argument("file", nargs="+",
                   help="recording(s): .gz or plain, dom/hftbacktest or cryptofeed format; several files (or a "
                   "directory) are replayed in order as one, the update-id chain continuing across them")
    p.add_argument("--venue", choices=["binanceusdm", "binance"], help="default: from the meta file, else detected")
    p.add_argument("--symbol", action="append", metavar="S", help="replay only this symbol (repeatable)")
    p.add_argument("--check", action="store_true",
                   help="compare the book with every reachable bookTicker; exit 1 on a mismatch or when nothing "
                   "could be compared")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    p.add_argument("--no-alerts", action="store_true", help="run without detectors")
    p.set_defaults(func=run)


def _detectors(args: argparse.Namespace):
    """The configured detectors (None with --no-alerts) and the merge window they read through."""
    if args.no_alerts:
        return None, 0
    from dom.config import load_config
    from dom.core.detectors import make_observers
    from dom.core.detectors.params import DetectorParams

    params = DetectorParams.from_mapping(load_config().detectors)
    return make_observers(params), max(0, params.merge_hold_ms)


def run(args: argparse.Namespace) -> int:
    import orjson

    from dom.alert_json import alert_to_line
    from dom.core.types import Alert
    from dom.runtime.replay import Replay

    observers, hold = _detectors(args)
    from dom.errors import RecordingError

    other = _other_venue(args.file)
    if other is not None:
        return _check_other(args, other, observers)
    files = args.file[0] if len(args.file) == 1 else args.file
    rp = Replay(files, venue=args.venue, symbols=args.symbol, check=args.check, observers=observers,
                hold_ms=hold)
    out = sys.stdout.buffer

    def on_output(o) -> None:
        if isinstance(o, Alert) and not args.json:
            out.write(alert_to_line(o, rp.label, rp.instruments[o.symbol]) + b"\n")

    s = rp.run(on_output)
    out.flush()
    if args.json:
        print(orjson.dumps(s.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        _print_summary(s, rp.engine)
    if s.truncated:
        raise RecordingError("; ".join(s.truncated) + " (the summary above covers what was readable)")
    if s.check is not None and s.check.mismatched:
        return 1
    if s.check is not None and s.check.compared == 0:
        print("dom: --check compared nothing: the recording has no bookTicker at a depth update id "
              "(dom record writes them; older recordings may not)", file=sys.stderr)
        return 1
    return 0


def _print_summary(s, engine) -> None:
    w = sys.stderr.write
    w(f"{' + '.join(s.files) or s.file} ({s.format}, {s.venue}, {', '.join(s.symbols)})\n")
    w(
        f"messages: {s.messages:,}  depth updates: {s.depth_updates:,} (applied {s.applied:,}, "
        f"duplicates {s.duplicates})  trades: {s.trades:,}  bookTickers: {s.tickers:,}  snapshots: {s.snapshots}\n"
    )
    w(f"gaps: {s.gaps}  resyncs: {s.resyncs}  crossed: {s.crossed}  trade id gaps: {s.trade_gaps}"
      + (f" ({s.trades_missed:,} trades missing)" if s.trades_missed else "") + "\n")
    for d in s.gap_details[:10]:
        w(f"  {d}\n")
    if s.bad_lines:
        w(f"bad lines: {s.bad_lines}\n")
        for n, reason in s.bad_examples:
            w(f"  line {n}: {reason}\n")
    for sym, b in s.books.items():
        w(
            f"{sym}: {b['state']}  best bid {b['best_bid']} x {b['best_bid_size']}  "
            f"best ask {b['best_ask']} x {b['best_ask_size']}  (u={b['last_update_id']})\n"
        )
    if s.alerts:
        w("alerts: " + ", ".join(f"{k} {v}" for k, v in s.alerts.items()) + "\n")
    if s.check is not None:
        c = s.check
        w(
            f"bookTicker checks: {c.matched}/{c.compared} matched "
            f"({c.inside_range} inside an aggregated update range, {c.unreachable} unreachable)\n"
        )
        for m in c.first_mismatches:
            w(f"  mismatch at u={m['update_id']}: ticker {m['expected']} book {m['got']}\n")
    w(f"elapsed {s.elapsed_s:.3f} s, {s.messages_per_s:,.0f} messages/s\n")
    from dom.runtime.pipeline import book_line

    for st in engine.symbols.values():
        w(f"final {book_line(st)}\n")


def _other_venue(files: list[str]) -> str | None:
    """okx / bitget / bybit / kraken for their recordings (cryptofeed samples, Bybit history)."""
    from pathlib import Path

    from dom.venues.sniff import sniff_venue

    if len(files) != 1:
        return None
    try:
        return sniff_venue(Path(files[0]))
    except ValueError:
        return None


def _check_other(args: argparse.Namespace, venue: str, observers) -> int:
    """A recording of a native checksum venue: every frame through its codec and the engine with
    the venue's checksum; alerts on stdout; what the venue's own integrity data says."""
    from pathlib import Path

    import orjson

    from dom.alert_json import alert_to_line
    from dom.errors import RecordingError
    from dom.venues.checks import check_file

    path = Path(args.file[0])
    if not path.is_file():
        raise RecordingError(f"no such recording: {path}")
    out = sys.stdout.buffer

    def on_alert(a, inst) -> None:
        if not args.json:
            out.write(alert_to_line(a, venue, inst) + b"\n")

    c = check_file(path, venue, observers=observers, on_alert=on_alert)
    out.flush()
    if args.json:
        print(orjson.dumps(c.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        w = sys.stderr.write
        w(f"{path} ({venue}, {', '.join(c.symbols)})\n")
        w(f"frames: {c.frames:,}  snapshots: {c.snapshots}  deltas: {c.deltas:,} (applied {c.applied:,}, "
          f"duplicates {c.duplicates})  trades: {c.trades:,}\n")
        w(f"checksums: {c.checksums_matched}/{c.checksums_compared} matched\n")
        w(f"gaps: {c.gaps}  crossed: {c.crossed}  decode errors: {c.decode_errors}  bad lines: {c.bad_lines}\n")
        for f in c.failures[:10]:
            w(f"  line {f['line']}: {f['symbol']} {f['state']}: {f['detail']}\n")
        if c.alerts:
            w("alerts: " + ", ".join(f"{k} {v}" for k, v in sorted(c.alerts.items())) + "\n")
        for sym, ok in c.synced_at_end.items():
            w(f"final {sym} {'synced' if ok else 'not synced'}\n")
    if args.check and (c.checksums_matched != c.checksums_compared or c.gaps or c.crossed):
        return 1
    return 0
