"""The C merge's pump and lines (dom.core._native.TimeMerge.pump / .lines): the one-engine
pipeline's loop, and a replay's over a block of lines, in one call, against the Python loop over
the pure-Python merge: the same outputs (with the same cause), the same counts and states, on
random markets with gaps, duplicates, repeated and skipped trade ids, statuses and snapshots, out
of order by up to 60 ms; and the real recording's replay, whole and damaged."""

from __future__ import annotations

import gzip
from functools import partial
import random
from pathlib import Path
from types import SimpleNamespace

import pytest

from dom.config import load_config
from dom.core import accel
from dom.core.detectors import make_observers
from dom.core.detectors.params import DetectorParams
from dom.core.merge import TimeMerge
from dom.core.sequencer import Rule
from dom.core.symbol_state import ObserverBase
from dom.core.types import (
    Alert,
    AlertKind,
    AlertState,
    BookDelta,
    BookSide,
    BookSnapshot,
    BookTicker,
    FeedState,
    FeedStatus,
    MarkPrice,
    StatusChange,
    TakerSide,
    Trade,
)
from dom.core.units import Instrument
from dom.runtime import replay_pipeline
from dom.runtime.pipeline import ListenerBase
from dom.runtime.replay import Replay
from dom.runtime.replay_pipeline import OneEnginePipeline

native = accel.native
pytestmark = pytest.mark.skipif(native is None, reason="the C accelerator is not built")
MS = 1_000_000
SYMS = ("AAA", "BBB", "CCC")
USDM = Path(__file__).resolve().parents[3] / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


def state(m) -> tuple:
    return (m.late, m.forced, m.held, m.clock)


# ------------------------------------------------------------------------ the pump (one engine)

PARAMS = DetectorParams.from_mapping(load_config().detectors)
INST = {s: Instrument(s, "0.1", "0.001") for s in SYMS[:2]}


class Seen(ListenerBase):
    def __init__(self, pipe):
        self.pipe = pipe
        self.out: list = []

    def on_alert(self, a: Alert) -> None:
        self.out.append(("alert", repr(a), id(self.pipe.cause)))

    def on_status(self, s: StatusChange) -> None:
        self.out.append(("status", repr(s), id(self.pipe.cause)))


def _pipe(monkeypatch, c_merge: bool, detectors=None):
    """A replay pipeline over INST with the merge in C or (``c_merge`` false) the Python TimeMerge;
    ``detectors``: a factory of a symbol's observers (default: the engine's own, PARAMS)."""
    if not c_merge:
        monkeypatch.setattr(replay_pipeline, "time_merge", lambda hold: TimeMerge(hold))
    pipe = OneEnginePipeline("t", Rule.USDM, detectors=detectors or make_observers(PARAMS), context=None,
                             hold_ms=250, trade_ids=True)
    pipe.open(INST)
    monkeypatch.undo()
    seen = Seen(pipe)
    pipe.subscribe(seen)
    return pipe, seen


def _market(seed: int) -> list[list]:
    """Lines of events: a snapshot, then deltas in sequence (with a gap, a duplicate, an unknown
    symbol), trades with ids that repeat and skip, tickers, statuses, out of order by up to 60 ms."""
    rng = random.Random(seed)
    lines: list[list] = []
    t = 10**12
    u = {s: 100 for s in SYMS}
    tid = {s: 1 for s in SYMS}
    for s in SYMS:
        lines.append([BookSnapshot(s, tuple((1000 - i, 5 + i) for i in range(20)),
                                   tuple((1001 + i, 5 + i) for i in range(20)), 100, t, t)])
    for _ in range(1500):
        t += rng.choice((0, 1, 3, 20)) * MS
        s = rng.choice(SYMS)
        ts = t - rng.choice((0, 0, 0, 10, 60)) * MS
        r = rng.random()
        if r < 0.25:
            first = u[s] + 1 + (1 if rng.random() < 0.01 else 0)  # (a gap now and then)
            last = first + rng.randrange(3)
            px = 1000 + rng.randrange(-3, 4)
            d = BookDelta(s, ((px, rng.randrange(0, 50)),), ((px + 5, rng.randrange(1, 50)),), first, last,
                          u[s], ts, t)
            u[s] = last
            lines.append([d, d] if rng.random() < 0.01 else [d])
        elif r < 0.45:
            k = rng.choice((1, 1, 1, 0, 2, -1))
            tid[s] += k
            side = TakerSide.BUY if rng.random() < 0.5 else TakerSide.SELL
            lines.append([Trade(s, 1000 + rng.randrange(-3, 4), rng.randrange(1, 400), side, tid[s], ts, t)
                          for _ in range(rng.choice((1, 1, 2)))])
        elif r < 0.97:
            lines.append([BookTicker(s, 1, 999, 3, 1001, 4, ts, t)])
        elif r < 0.985:
            lines.append([MarkPrice(s, 1000, 1000, 0, 0, ts, t)])
        else:
            lines.append([FeedStatus(s, FeedState.DISCONNECTED, "x", ts, t)])
            lines.append([BookSnapshot(s, ((990, 3),), ((1010, 3),), u[s], t, t)])
    return lines


def _state(pipe) -> list:
    eng = pipe.detect
    return [(s, repr(st.stats), st.state, id(st.last_ticker), id(st.last_trade), st.seq.last_id)
            for s, st in eng.symbols.items()]


@pytest.mark.parametrize("seed", range(8))
def test_the_pump_gives_what_the_python_loop_gives_over_the_twin(monkeypatch, seed):
    lines = _market(seed)
    runs = []
    for c_merge in (True, False):
        pipe, seen = _pipe(monkeypatch, c_merge)
        assert (pipe._pump is not None) is c_merge
        for evs in lines:
            pipe.feeder()(evs)
        pipe.flush()
        runs.append((seen.out, _state(pipe), state(pipe.merge)))
    assert runs[0] == runs[1]
    assert any(k == "status" for k, _, _ in runs[0][0])


def test_the_pump_refuses_a_context_it_cannot_read(monkeypatch):
    pipe, _ = _pipe(monkeypatch, True)
    m = pipe.merge
    for ctx in (None, (), pipe.pump_ctx[:8], (1,) * 9, pipe.pump_ctx[:1] + ([],) + pipe.pump_ctx[2:]):
        with pytest.raises(TypeError):
            m.pump(ctx, [])
    with pytest.raises(TypeError):
        m.pump(pipe.pump_ctx)
    with pytest.raises(TypeError):
        m.pump(pipe.pump_ctx, 5)
    summ, tally = SimpleNamespace(lines=3, messages=2, snapshots=0), SimpleNamespace(line_no=0)
    lctx = (summ, tally, {}, BookDelta)
    with pytest.raises(TypeError):
        m.lines(pipe.pump_ctx, lctx[:3], [], 0)
    with pytest.raises(TypeError):
        m.lines(pipe.pump_ctx, lctx, (), 0)
    with pytest.raises(ValueError):
        m.lines(pipe.pump_ctx, lctx, [], -1)
    with pytest.raises(OverflowError):
        m.lines(pipe.pump_ctx, lctx, [], 2**70)
    assert m.lines(pipe.pump_ctx, lctx, [(1, 2, "bad line"), (2, 3, [])], 0) == 0  # (left to the caller)
    assert m.lines(pipe.pump_ctx, lctx, [1, 2], 1) == 1
    assert (summ.lines, summ.messages, tally.line_no) == (3, 2, 0)
    assert m.lines(pipe.pump_ctx, lctx, [(1, 2, "bad line"), (7, 3, []), (9, 3, []), 5], 1) == 3
    assert (summ.lines, summ.messages, tally.line_no) == (5, 4, 9)  # (the counts written back)
    with pytest.raises(AttributeError):  # (a summary without its counts)
        m.lines(pipe.pump_ctx, (object(), tally, {}, BookDelta), [(1, 2, [])], 0)
    with pytest.raises(TypeError):
        m.lines(pipe.pump_ctx, (SimpleNamespace(lines="x", messages=0), tally, {}, BookDelta), [(1, 2, [])], 0)


def _damaged(src: Path, out: Path) -> Path:
    """The recording's first 40,000 lines with a depth message removed (a gap), one sent twice, a
    line of junk, a cut line, a trade line twice (a repeated id)."""
    lines = gzip.open(src, "rb").read().splitlines(keepends=True)[:40_000]
    depth = [i for i, l in enumerate(lines) if b"@depth" in l[:80]]
    trades = [i for i, l in enumerate(lines) if b"@trade" in l[:80]]
    lines[trades[300]] += lines[trades[300]]
    lines[depth[1500]] += lines[depth[1500]]
    lines[depth[900]] = lines[depth[900]][:60] + b"\n"
    lines[depth[700]] = b"junk\n"
    del lines[depth[400]]
    with gzip.open(out, "wb") as f:
        f.writelines(lines)
    return out


@pytest.mark.skipif(not USDM.exists(), reason="the real recording is not here")
def test_the_replay_of_the_real_recording_whole_and_damaged_is_the_twins(monkeypatch, tmp_path):
    for path in (USDM, _damaged(USDM, tmp_path / "damaged.gz")):
        runs = []
        for c_merge in (True, False):
            if not c_merge:
                monkeypatch.setattr(replay_pipeline, "time_merge", lambda hold: TimeMerge(hold))
            seen: list = []
            rp = Replay(path, observers=make_observers(PARAMS), hold_ms=PARAMS.merge_hold_ms)
            s = rp.run(seen.append).to_dict()
            monkeypatch.undo()
            assert (rp.pipeline._pump is not None) is c_merge
            del s["elapsed_s"], s["messages_per_s"]
            runs.append((s, [repr(o) for o in seen]))
        assert runs[0] == runs[1]
        if path != USDM:
            assert runs[0][0]["gaps"] and runs[0][0]["bad_lines"] and runs[0][0]["gap_details"]


class Loud(ObserverBase):
    """An observer with an alert and a status for every trade (and nothing else)."""

    def on_trade(self, sym, t):
        a = Alert(f"a{t.trade_id}", t.ts_exchange_ns, sym.symbol, AlertKind.WALL, AlertState.NEW, BookSide.BID,
                  t.px_ticks, t.qty_lots, 1.0, "x")
        return [a, StatusChange(sym.symbol, FeedState.STALE, f"t{t.trade_id}", t.ts_recv_ns)]


@pytest.mark.parametrize("seed", range(4))
def test_a_trades_alerts_reach_the_listeners_only_while_its_symbol_is_synced(monkeypatch, seed):
    lines = _market(seed)
    runs = []
    for c_merge in (True, False):
        pipe, seen = _pipe(monkeypatch, c_merge, lambda st: [Loud()])
        for evs in lines:
            pipe.feeder()(evs)
        pipe.flush()
        runs.append((seen.out, _state(pipe)))
    assert runs[0] == runs[1]
    kinds = {k for k, _, _ in runs[0][0]}
    statuses = sum(k == "status" and "STALE" in r for k, r, _ in runs[0][0])
    alerts = sum(k == "alert" for k, _, _ in runs[0][0])
    assert kinds == {"alert", "status"} and 0 < alerts < statuses  # (some trades came while unsynced)


@pytest.mark.skipif(not USDM.exists(), reason="the real recording is not here")
def test_a_status_of_a_line_without_a_delta_is_dated_by_that_line(monkeypatch, tmp_path):
    """A crossed REST snapshot (a bid above the asks) sent again mid-file: its CROSSED status is
    dated by its own line, from the counts lines() writes back before routing it."""
    lines = gzip.open(USDM, "rb").read().splitlines(keepends=True)[:30_000]
    snap = next(i for i, l in enumerate(lines) if b'"lastUpdateId"' in l)
    recv, body = lines[snap].split(b" ", 1)
    crossed = body.replace(b'"bids":[', b'"bids":[["70000.00","1.000"],', 1)
    lines.insert(20_000, b"%d %s" % (int(recv) + 1, crossed))
    path = tmp_path / "crossed.gz"
    with gzip.open(path, "wb") as f:
        f.writelines(lines)
    runs = []
    for c_merge in (True, False):
        if not c_merge:
            monkeypatch.setattr(replay_pipeline, "time_merge", lambda hold: TimeMerge(hold))
        rp = Replay(path, observers=make_observers(PARAMS), hold_ms=PARAMS.merge_hold_ms)
        s = rp.run().to_dict()
        monkeypatch.undo()
        del s["elapsed_s"], s["messages_per_s"]
        runs.append(s)
    assert runs[0] == runs[1]
    assert any(g.startswith("line 20001: ") for g in runs[0]["gap_details"]), runs[0]["gap_details"]


class GapEvery(ObserverBase):
    """A GAP status on every 500th trade: the tally dates it by the line being read when it is routed."""

    def on_trade(self, sym, t):
        return [StatusChange(sym.symbol, FeedState.GAP, f"t{t.trade_id}", t.ts_recv_ns)] if t.trade_id % 500 == 0 else []


@pytest.mark.skipif(not USDM.exists(), reason="the real recording is not here")
def test_a_status_from_a_trade_is_dated_by_the_line_being_read(monkeypatch):
    runs = []
    for c_merge in (True, False):
        if not c_merge:
            monkeypatch.setattr(replay_pipeline, "time_merge", lambda hold: TimeMerge(hold))
        rp = Replay(USDM, observers=lambda st: [GapEvery()], hold_ms=250)
        s = rp.run().to_dict()
        monkeypatch.undo()
        del s["elapsed_s"], s["messages_per_s"]
        runs.append(s)
    assert runs[0] == runs[1]
    assert len(runs[0]["gap_details"]) > 20


# ------------------------------------------------------- the tickers' counts, written in runs

def _watched(monkeypatch, c_merge: bool):
    """A pipeline whose feed, route, snapshot check and trade hooks note every symbol's ticker
    count and last ticker when they run: what Python code sees mid-call (the C pump writes a run
    of tickers once, before any of them)."""
    pipe, seen = _pipe(monkeypatch, c_merge)
    eng, notes = pipe.detect, []

    def note(where: str) -> None:
        notes.append((where, [(s, st.stats.tickers, id(st.last_ticker)) for s, st in eng.symbols.items()]))

    feed, route, repeats = eng.feed, pipe._route, pipe._repeats_book

    def feed_noted(ev):
        if type(ev) not in (BookTicker, Trade):  # (what the C pump gives the engine's feed)
            note("feed")
        return feed(ev)

    def route_noted(o):
        note("route")
        return route(o)

    def repeats_noted(s):
        note("repeats")
        return repeats(s)

    def hook_noted(st, t):
        note("hook")
        return []

    for st in eng.symbols.values():
        st.trade_hooks = [*st.trade_hooks, hook_noted]
    eng.feed, pipe._route, pipe._repeats_book = feed_noted, route_noted, repeats_noted
    if c_merge:
        ctx = pipe.pump_ctx
        pipe.pump_ctx = (feed_noted, ctx[1], ctx[2], repeats_noted, ctx[4], route_noted, *ctx[6:])
        pipe._pump = partial(pipe.merge.pump, pipe.pump_ctx)
    return pipe, seen, notes


def _market_resnapped(seed: int) -> list[list]:
    """_market's lines with a snapshot (at its symbol's last update id) after every 40th ticker
    line: the pump's snapshot check then runs right after a run of tickers, in the same call."""
    out, last_u, n = [], {}, 0
    for evs in _market(seed):
        out.append(evs)
        for e in evs:
            if type(e) in (BookDelta, BookSnapshot):
                last_u[e.symbol] = e.last_id
        if type(evs[0]) is BookTicker and evs[0].symbol in last_u:
            n += 1
            if n % 40 == 0:  # (on a line of its own, or on the ticker's line after it)
                s, t = evs[0].symbol, evs[0].ts_recv_ns
                snap = BookSnapshot(s, ((990, 3),), ((1010, 3),), last_u[s], t, t)
                if n % 80:
                    out.append([snap])
                else:
                    out[-1] = [*evs, snap]
    return out


@pytest.mark.parametrize("seed", range(4))
def test_python_code_run_by_the_pump_sees_every_ticker_counted(monkeypatch, seed):
    lines = _market_resnapped(seed)
    runs = []
    for c_merge in (True, False):
        pipe, seen, notes = _watched(monkeypatch, c_merge)
        after = []
        for evs in lines:
            pipe.feeder()(evs)
            after.append(_state(pipe))  # (and after each call)
        pipe.flush()
        runs.append((notes, after, seen.out, _state(pipe)))
    assert runs[0] == runs[1]
    kinds = {w for w, _ in runs[0][0]}
    assert kinds == {"feed", "route", "repeats", "hook"}
    assert len(runs[0][0]) > 500


@pytest.mark.parametrize("seed", range(3))
def test_lines_run_in_one_call_count_the_tickers_as_the_pump(monkeypatch, seed):
    """merge.lines over a block of lines (a bad line in the middle: left to the caller): the same
    notes, outputs and states as the Python loop, the counts written back before the bad line."""
    lines = _market_resnapped(seed)
    items = [(i + 1, 0, evs) for i, evs in enumerate(lines)]
    items.insert(700, (700.5, 0, "bad line"))
    runs = []
    for c_merge in (True, False):
        pipe, seen, notes = _watched(monkeypatch, c_merge)
        summ, tally = SimpleNamespace(lines=0, messages=0, snapshots=0), SimpleNamespace(line_no=0)
        at_bad = None
        if c_merge:
            lctx = (summ, tally, {}, BookDelta)
            i = pipe.merge.lines(pipe.pump_ctx, lctx, items, 0)
            assert items[i][2] == "bad line"
            at_bad = _state(pipe)
            assert pipe.merge.lines(pipe.pump_ctx, lctx, items, i + 1) == len(items)
        else:
            for no, _, evs in items:
                if isinstance(evs, str):
                    at_bad = _state(pipe)
                    continue
                pipe.feed(evs)
        pipe.flush()
        runs.append((notes, at_bad, seen.out, _state(pipe)))
    assert runs[0] == runs[1]
    assert sum(1 for evs in lines for e in evs if type(e) is BookTicker) > 500
