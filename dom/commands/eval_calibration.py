"""``dom eval --calibration``: the real recordings' book and tape statistics beside the randomized
markets' (dom/calibration.py), and whether the randomized range spans each real value."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

from dom.calibration import ASK, BID, BookStats, quantile

# Binance USDⓈ-M recordings with depth diffs, a REST snapshot and trades (PROVENANCE.md there).
RECORDINGS = (("hftbacktest/usdm/btcusdt_20240808.gz", "real BTCUSDT (depth@0ms, raw trades, 345 s)"),
              ("cryptofeed/BINANCE_FUTURES.ws.1.0", "real small caps (depth@100ms, aggTrade, 30 s)"))
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

# (key in BookStats.result(), label): the rows compared; a dotted key reads a nested value.
ROWS = (
    ("band_p90_over_median.p50", "band P90/median, p50 of snapshots"),
    ("band_p90_over_median.p90", "band P90/median, p90"),
    ("band_max_over_median.p50", "band max/median, p50"),
    ("band_max_over_median.p90", "band max/median, p90"),
    ("wall_baseline_3p90_over_median.min", "3xP90-at-distance / median, min d"),
    ("wall_baseline_3p90_over_median.max", "3xP90-at-distance / median, max d"),
    ("touch_over_far_median", "median size 0-4 / 20-49 ticks"),
    ("refill_msgs_per_s_after_depletion", "refill msgs/s at a depleted level"),
    ("added_per_s_after_depletion_band_medians", "added/s there, band medians"),
    ("null_control.near_rate", "null control near rate"),
    ("null_control.far_rate", "null control far rate"),
    ("null_control.precision_est", "null control precision_est"),
    ("refill_timing.per_s", "possible refills/s at traded levels"),
    ("refill_timing.timed_share", "  share timed with a depletion >= 0.3"),
    ("refill_timing.timed_share_busy", "  the same, books with >= 5 of them/s"),
    ("prints_per_s", "prints/s"),
    ("print_size_band_medians.p50", "print size p50, band medians"),
    ("print_size_band_medians.p99", "print size p99, band medians"),
    ("quoting.join_best_share", "adds near the touch: share to the best"),
    ("quoting.reshown_s.p50", "emptied price shown again, p50 s"),
    ("depth_msgs_per_s", "depth messages/s"),
    ("levels_per_depth_msg_p50", "levels per depth message, p50"),
)


def get(d: dict, key: str) -> Any:
    for part in key.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    return d


def feed_events(stats: dict[str, BookStats], events: list[tuple]) -> None:
    """Events ``(t_ns, order, symbol, kind, payload)`` sorted by exchange time (trades before the
    depth message of the same millisecond)."""
    events.sort(key=lambda e: (e[0], e[1]))
    for t, _, sym, kind, a in events:
        st = stats[sym]
        if kind == "depth":
            st.depth(t, a[0], a[1])
        elif kind == "trade":
            st.trade(t, a[0], a[1], a[2])


def recording_stats(path: Path) -> dict[str, dict]:
    """Per symbol of a Binance recording: its statistics from its first snapshot on."""
    from dom.core.types import BookDelta, TakerSide, Trade
    from dom.store import recording as rec
    from dom.venues.binance_usdm.codec import BinanceDecoder
    from dom.venues.binance_usdm.recording_scan import open_recording

    rp = open_recording(path)
    dec = BinanceDecoder(rp.instruments)
    snaps: dict[str, Any] = {}
    decoded: list[tuple[str, Any]] = []
    agg = False  # aggTrade prints, not raw fills (a cryptofeed recording's meta does not say)
    for fr in rp.frames():
        if not isinstance(fr, rec.Frame):
            continue
        agg = agg or b'"aggTrade"' in fr.raw
        try:
            if fr.snapshot_symbol is not None:
                # "": a bare REST body, the recording's single symbol
                sym = fr.snapshot_symbol or (next(iter(rp.instruments)) if len(rp.instruments) == 1 else "")
                if sym in rp.instruments and sym not in snaps:
                    snaps[sym] = dec.decode_snapshot(sym, fr.raw, fr.recv_ns)
                continue
            for ev in dec.decode(fr.raw, fr.recv_ns):
                decoded.append((ev.symbol, ev))
        except Exception:  # noqa: BLE001 - a frame the decoder refuses is not a statistic
            continue
    stats = {s: BookStats(raw_fills=rp.raw_trades and not agg) for s in snaps}
    events: list[tuple] = []
    for sym, ev in decoded:
        snap = snaps.get(sym)
        if snap is None:
            continue
        if isinstance(ev, BookDelta) and ev.last_id > snap.last_id:
            events.append((ev.ts_exchange_ns, 1, sym, "depth", (ev.bids, ev.asks)))
        elif isinstance(ev, Trade) and ev.ts_exchange_ns >= snap.ts_exchange_ns:
            events.append((ev.ts_exchange_ns, 0, sym, "trade", (ev.px_ticks, ev.qty_lots, ev.taker is TakerSide.BUY)))
    for sym, snap in snaps.items():
        stats[sym].snapshot(snap.ts_exchange_ns, snap.bids, snap.asks)
    feed_events(stats, events)
    return {s: st.result() for s, st in stats.items()}


def market_stats(seed: int, minutes: float, quoting: bool = False) -> Iterator[tuple[str, dict, dict]]:
    """Per symbol of the randomized market of ``seed``: ``(symbol, draw, statistics)``; ``quoting``:
    the market applies its drawn organic quoting."""
    from dom.core.types import BookDelta, TakerSide, Trade
    from dom.sim.market import Market
    from dom.sim.randomize import draw
    from dom.venues.binance_usdm.codec import BinanceDecoder

    d = draw(seed, quoting=quoting)
    m = Market(seed=seed, draw=d, tickers=False)
    dec = BinanceDecoder(m.instruments)
    stats = {s: BookStats() for s in m.syms}
    for s in m.syms:
        bids, asks, _ = m.published_book(s)
        stats[s].snapshot(m.now, bids.items(), asks.items())
    events: list[tuple] = []
    end = m.now + int(minutes * 60e9)
    while m.now < end:
        for msg in m.advance():
            for ev in dec.decode(msg.raw, msg.t_ns):
                if isinstance(ev, BookDelta):
                    events.append((msg.t_ns, 1, ev.symbol, "depth", (ev.bids, ev.asks)))
                elif isinstance(ev, Trade):
                    events.append((ev.ts_exchange_ns, 0, ev.symbol, "trade",
                                   (ev.px_ticks, ev.qty_lots, ev.taker is TakerSide.BUY)))
    feed_events(stats, events)
    for s, st in stats.items():
        yield s, d.as_dict(), st.result()


def run_calibration(args: argparse.Namespace, seeds: list[int]) -> int:
    import orjson

    data = Path(args.data) if args.data else DEFAULT_DATA
    real: dict[str, dict] = {}
    missing = []
    for rel, label in RECORDINGS:
        p = data / rel
        if not p.exists():
            missing.append(str(p))
            continue
        for sym, res in recording_stats(p).items():
            real[f"{sym} ({label})"] = res
    sim: list[dict] = []
    for i, seed in enumerate(seeds):
        for sym, drawn, res in market_stats(seed, args.minutes, args.quoting):
            sim.append({"seed": seed, "symbol": sym, "params": drawn, "stats": res})
        print(f"\r  market {i + 1}/{len(seeds)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rows = []
    for key, label in ROWS:
        vals = [v for v in (get(s["stats"], key) for s in sim) if v is not None]
        lo, hi = (min(vals), max(vals)) if vals else (None, None)
        reals = {name: get(r, key) for name, r in real.items()}
        spans = {name: (None if v is None or lo is None else lo <= v <= hi) for name, v in reals.items()}
        rows.append({"statistic": key, "label": label, "real": reals, "randomized_min": lo,
                     "randomized_p50": quantile(vals, 0.5), "randomized_max": hi, "spans": spans})
    timing = [s["stats"]["refill_timing"] for s in sim]
    n_possible = sum(x["possible_refills"] for x in timing)
    pooled = {"possible_refills": n_possible, "timed_share": round(sum(x["timed"] for x in timing) / n_possible, 3)
              if n_possible else None}
    for ms in (100, 250, 500):  # the same, per depth interval
        by = [s["stats"]["refill_timing"] for s in sim if s["params"].get("depth_ms") == ms]
        n = sum(x["possible_refills"] for x in by)
        pooled[f"timed_share_{ms}ms"] = round(sum(x["timed"] for x in by) / n, 3) if n else None
    res = {"data": str(data), "missing": missing, "seeds": [seeds[0], seeds[-1]], "minutes_per_market": args.minutes,
           "real": real, "randomized": sim, "rows": rows,
           "refill_timing_pooled": pooled}
    if args.json:
        print(orjson.dumps(res).decode())
        return 0
    for p in missing:
        print(f"dom eval --calibration: {p} not found, skipped (see PROVENANCE.md in the data folder)")
    names = list(real)
    print(f"dom eval --calibration: {len(names)} real symbol(s) from {data}; randomized markets of seeds "
          f"{args.seeds} ({len(sim)} symbols, {args.minutes:g} min each{', organic quoting on' if args.quoting else ''})")
    fmt = lambda v: "-" if v is None else f"{v:.3g}" if isinstance(v, float) else str(v)  # noqa: E731
    short = [n.split(" (")[0] for n in names]
    print(f"{'statistic':38}" + "".join(f" {s:>10}" for s in short) + f" {'rand min':>9} {'p50':>8} {'max':>8}  spans")
    for r in rows:
        miss = [s for s, n in zip(short, names) if r["spans"][n] is False]
        print(f"{r['label']:38}" + "".join(f" {fmt(r['real'][n]):>10}" for n in names)
              + f" {fmt(r['randomized_min']):>9} {fmt(r['randomized_p50']):>8} {fmt(r['randomized_max']):>8}  "
              + ("yes" if not miss else "NO: " + ", ".join(miss)))
    for n in names:
        r = real[n]
        extra = (f"; raw fills as one print per taker order (merged over 100 ms: {fmt(r['prints_100ms_per_s'])}/s, "
                 f"p99 {fmt(r['print_100ms_size_band_medians']['p99'])} band medians)" if "prints_100ms_per_s" in r else "")
        print(f"  {n.split(' (')[0]}: {n.split(' (', 1)[1][:-1]}: {r['seconds']:g} s measured, "
              f"{r['depletions']} depletions, {r['refill_timing']['possible_refills']} possible refills{extra}")
    print(f"  randomized, all symbols pooled: {pooled['possible_refills']} possible refills, "
          f"{fmt(pooled['timed_share'])} timed with a depletion (100 / 250 / 500 ms depth: "
          + " / ".join(fmt(pooled[f"timed_share_{ms}ms"]) for ms in (100, 250, 500)) + ")")
    print("(band: +/- min(1% of mid, 50 ticks); sizes in band medians; 'spans': the real value lies within the "
          "randomized min..max; a recording of 30 s with a few dozen prints says little about refills)")
    return 0
