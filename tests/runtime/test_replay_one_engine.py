"""A replay's one engine (the detectors', behind the merge) gives the summary, the statuses and
the alerts the two engines gave (an arrival-order engine for the summary and one for the
detectors): on recordings with gaps, a crossed book, duplicates and resyncs, over one symbol and
several, and on a snapshot that repeats the book while the merge holds deltas."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson

from dom.config import load_config
from dom.core.detectors import make_observers
from dom.core.detectors.params import DetectorParams
from dom.core.engine import Engine
from dom.core.types import Alert, BookDelta, BookSnapshot, StatusChange, TakerSide, Trade
from dom.core.units import Instrument
from dom.runtime.pipeline import ListenerBase, Pipeline
from dom.runtime.replay import Replay
from dom.runtime.replay_pipeline import OneEnginePipeline

USDM = "hftbacktest/usdm/btcusdt_20240808.gz"
CF = "cryptofeed/BINANCE_FUTURES.ws.1.0"
PARAMS = DetectorParams.from_mapping(load_config().detectors)


def _both(path: Path) -> tuple[tuple, tuple]:
    """(summary without timings, alerts, statuses, final books) with one engine and with two."""
    out = []
    for one in (True, False):
        seen: list = []
        rp = Replay(path, observers=make_observers(PARAMS), hold_ms=PARAMS.merge_hold_ms, one_engine=one)
        s = rp.run(seen.append).to_dict()
        del s["elapsed_s"], s["messages_per_s"]
        assert type(rp.pipeline) is (OneEnginePipeline if one else Pipeline)
        alerts = [repr(o) for o in seen if isinstance(o, Alert)]
        statuses = sorted((o.symbol, i, repr(o)) for i, o in enumerate(seen) if isinstance(o, StatusChange))
        per_symbol = [(sym, r) for sym, _, r in statuses]  # each symbol's statuses in their order
        books = {sym: (st.state, st.seq.last_id, st.book.copy_levels(), st.stats)
                 for sym, st in rp.engine.symbols.items()}
        out.append((s, alerts, per_symbol, books))
    return out[0], out[1]


def _book_line(inst: Instrument, st, recv_ns: int) -> bytes:
    """A bare REST snapshot line of ``st``'s book as it is (what a resync would fetch)."""
    bids, asks = st.book.copy_levels()
    body = {"lastUpdateId": st.seq.last_id, "E": recv_ns // 1_000_000, "T": recv_ns // 1_000_000,
            "bids": [[inst.px_str(p), inst.qty_str(q)] for p, q in sorted(bids.items(), reverse=True)],
            "asks": [[inst.px_str(p), inst.qty_str(q)] for p, q in sorted(asks.items())]}
    return b"%d %s\n" % (recv_ns, orjson.dumps(body))


def _damaged_usdm(src: Path, out: Path) -> dict:
    """The BTCUSDT recording with depth message 2000 removed (a gap) and the book re-sent before
    message 2100, a bid through the asks added to message 4000 (crossed) and the book re-sent
    before 4100, and message 5000 twice (a duplicate). Returns where the gap and the crossing
    show up (line numbers in the damaged file)."""
    lines = gzip.open(src, "rb").read().splitlines(keepends=True)
    depth = [i for i, l in enumerate(lines) if b"@depth" in l[:80]]
    rp = Replay(src, observers=None)
    eng = Engine(rp.instruments, rp.rule)
    inst = rp.instruments["BTCUSDT"]
    books: dict[int, bytes] = {}
    deltas = 0
    for line_no, recv, events in rp.decoded():
        for ev in events if not isinstance(events, str) else ():
            eng.feed(ev)
            if type(ev) is BookDelta:
                deltas += 1
                if deltas in (2100, 4100):  # the book after message 2099 / 4099 (0-based)
                    books[deltas] = _book_line(inst, eng["BTCUSDT"], recv)
    lines[depth[4000]] = lines[depth[4000]].replace(b'"b":[', b'"b":[["70000.00","0.001"],', 1)
    edited: list[bytes] = []
    at: dict[str, int] = {}
    for i, line in enumerate(lines):
        if i == depth[2000]:
            continue
        if i == depth[2100]:
            edited.append(books[2100])
        if i == depth[4100]:
            edited.append(books[4100])
        edited.append(line)
        if i == depth[2001]:
            at["gap"] = len(edited)
        if i == depth[4000]:
            at["crossed"] = len(edited)
        if i == depth[5000]:
            edited.append(line)
    with gzip.open(out, "wb") as f:
        f.writelines(edited)
    return at


def test_one_engine_equals_two_on_gaps_a_crossed_book_duplicates_and_resyncs(shared_data, tmp_path):
    at = _damaged_usdm(shared_data / USDM, tmp_path / "damaged.gz")
    one, two = _both(tmp_path / "damaged.gz")
    s = one[0]
    assert (s["gaps"], s["crossed"], s["resyncs"], s["duplicates"]) == (1, 1, 2, 1)
    # Dated by the line each delta arrived on (the merge released it a quarter second later).
    assert s["gap_details"][0].startswith(f"line {at['gap']}: gap at u=")
    assert s["gap_details"][1].startswith(f"line {at['crossed']}: book crossed")
    assert len(one[1]) >= 10  # alerts before, between and after the damage
    assert one == two


def test_one_engine_equals_two_over_several_symbols_with_gaps(shared_data, tmp_path):
    src = shared_data / CF
    for sib in src.parent.glob("BINANCE_FUTURES.*"):
        if sib.name != src.name:
            (tmp_path / sib.name).write_bytes(sib.read_bytes())
    lines = src.read_bytes().splitlines(keepends=True)
    gone = []
    for sym in (b"sushiusdt", b"ctkusdt", b"akrousdt"):
        depth = [i for i, l in enumerate(lines) if b'"stream":"%s@depth' % sym in l]
        gone.append(depth[len(depth) // 2])
    (tmp_path / src.name).write_bytes(b"".join(l for i, l in enumerate(lines) if i not in gone))
    one, two = _both(tmp_path / src.name)
    assert one[0]["gaps"] == 3 and len(one[0]["gap_details"]) == 3
    lines_of = [int(d.split(":")[0].split()[1]) for d in one[0]["gap_details"]]
    assert lines_of == sorted(lines_of)  # one file: arrival order is line order
    assert one == two


INST = Instrument("BTCUSDT", "0.1", "0.001")
S = 1_000_000_000


def _delta(last: int, bid: int, ts: int) -> BookDelta:
    return BookDelta("BTCUSDT", ((bid, 5),), (), last, last, last - 1, ts, ts)


def _feed_all(pipe: Pipeline, repeat: BookSnapshot) -> int:
    """Sync, two deltas the merge still holds, then ``repeat``: how many events it then holds."""
    pipe.open({"BTCUSDT": INST})
    pipe.feed([BookSnapshot("BTCUSDT", ((600000, 4),), ((600010, 5),), 10, S, S)])
    pipe.feed([_delta(11, 600001, S + 1_000_000), Trade("BTCUSDT", 600010, 1, TakerSide.BUY, 1, S + 2_000_000,
                                                      S + 2_000_000), _delta(12, 600002, S + 3_000_000)])
    pipe.feed([repeat])
    return pipe.merge.held


def test_a_snapshot_repeating_the_book_while_deltas_are_held_is_kept_from_the_merge():
    same = BookSnapshot("BTCUSDT", ((600002, 5), (600001, 5), (600000, 4)), ((600010, 5),), 12, S + 4_000_000,
                        S + 4_000_000)
    other = BookSnapshot("BTCUSDT", ((600002, 5), (600000, 4)), ((600010, 5),), 12, S + 4_000_000, S + 4_000_000)
    for snap, held in ((same, 3), (other, 0)):
        one = OneEnginePipeline("binanceusdm", detectors=make_observers(PARAMS), context=None, hold_ms=250)
        two = Pipeline("binanceusdm", detectors=make_observers(PARAMS), context=None, hold_ms=250)
        assert _feed_all(one, snap) == _feed_all(two, snap) == held  # (a barrier releases what is held)
        confirmed = two.engine["BTCUSDT"].stats.confirmed_snapshots
        assert one.engine["BTCUSDT"].stats.confirmed_snapshots == confirmed == (1 if snap is same else 0)
        one.flush()
        two.flush()
        a, b = one.engine["BTCUSDT"], two.detect["BTCUSDT"]
        assert (a.state, a.seq.last_id, a.book.copy_levels(), a.stats.resyncs) == \
            (b.state, b.seq.last_id, b.book.copy_levels(), b.stats.resyncs)


class _Statuses(ListenerBase):
    def __init__(self) -> None:
        self.seen: list[StatusChange] = []

    def on_status(self, change: StatusChange) -> None:
        self.seen.append(change)


def test_the_one_engine_names_the_delta_whose_gap_it_reports():
    pipe = OneEnginePipeline("binanceusdm", detectors=make_observers(PARAMS), context=None, hold_ms=250)
    log = _Statuses()
    pipe.subscribe(log)
    pipe.open({"BTCUSDT": INST})
    pipe.feed([BookSnapshot("BTCUSDT", ((600000, 4),), ((600010, 5),), 10, S, S)])
    late = _delta(14, 600001, S + 1_000_000)  # pu 13: the book is at 10
    pipe.feed([late])
    assert [c.state.value for c in log.seen] == ["synced"]  # held: nothing yet
    pipe.feed([_delta(15, 600002, S + 400_000_000)])  # the clock passes the hold: released
    assert [c.state.value for c in log.seen] == ["synced", "gap"]
    assert pipe.cause is late


def _frame(sym: str, stream: str, data: dict) -> bytes:
    return orjson.dumps({"stream": f"{sym.lower()}@{stream}", "data": data})


def test_gaps_released_out_of_arrival_order_are_listed_in_arrival_order(tmp_path):
    """Two symbols' gaps arrive A then B; the merge releases B's first (B holds the earliest
    event when the clock moves on, and a symbol's due events go out together)."""
    t0 = 1_723_161_256_000
    meta = {"venue": "binanceusdm", "symbols": ["AAAUSDT", "BBBUSDT"],
            "instruments": {s: {"tick_size": "0.1", "lot_size": "0.001"} for s in ("AAAUSDT", "BBBUSDT")}}
    frames = []
    for sym in ("AAAUSDT", "BBBUSDT"):
        frames.append(_frame(sym, "depthSnapshot", {"lastUpdateId": 10, "E": t0, "T": t0,
                                                    "bids": [["1.0", "1.000"]], "asks": [["1.1", "1.000"]]}))
    for sym, first, last, prev, ms in (("AAAUSDT", 11, 11, 10, 150), ("BBBUSDT", 11, 11, 10, 100),
                                       ("AAAUSDT", 14, 14, 13, 300), ("BBBUSDT", 14, 14, 13, 200)):
        frames.append(_frame(sym, "depth@0ms", {"e": "depthUpdate", "E": t0 + ms, "T": t0 + ms, "s": sym,
                                                "U": first, "u": last, "pu": prev, "b": [["1.0", "2.000"]],
                                                "a": []}))
    frames.append(_frame("AAAUSDT", "bookTicker", {"e": "bookTicker", "u": 15, "s": "AAAUSDT", "b": "1.0",
                                                   "B": "2.000", "a": "1.1", "A": "1.000", "T": t0 + 3000,
                                                   "E": t0 + 3000}))
    path = tmp_path / "two.gz"
    with gzip.open(path, "wb") as f:
        f.writelines(b"%d %s\n" % ((t0 + i) * 1_000_000, fr) for i, fr in enumerate(frames))
    (tmp_path / "two.gz.meta.json").write_bytes(orjson.dumps(meta))
    one, two = _both(path)
    assert [d.split(": ")[0] for d in one[0]["gap_details"]] == ["line 5", "line 6"]
    assert one == two
