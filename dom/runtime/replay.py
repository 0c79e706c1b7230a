"""The replay driver: a recording through the venue's live decoder into the same pipeline.

``Replay(path, ...).run(on_output)`` decodes every frame with the venue's codec (the live
decoder), feeds the events to a :class:`Pipeline`, hands every alert and status change to
``on_output`` in order, and returns a :class:`ReplaySummary`. ``ReplayFeed`` plays the same
frames, paced, as a live client for the screen (``dom tui --replay``). Bad lines (truncated JSON, wrong types, negative sizes,
non-numeric prices) are counted with their line numbers; replay goes on.

Instruments come from the sidecar ``<file>.meta.json`` when present, else from an
``exchangeInfo`` beside a cryptofeed file, else they are inferred from the recording itself: the
tick is the coarsest grid the REST snapshot's prices sit on, from 50 levels up (Binance quotes
BTCUSDT as "61659.70" on a 0.10 tick; with fewer levels, the finest decimal place seen) and the
lot the finest decimal place of its sizes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from dom import venues
from dom.core import accel
from dom.core.check import TopOfBookChecker
from dom.core.engine import Engine, ObserverFactory
from dom.core.types import (
    Alert,
    BookDelta,
    BookSnapshot,
    BookTicker,
    Event,
    FeedState,
    Output,
    StatusChange,
)
from dom.runtime.pipeline import ListenerBase, Pipeline
from dom.runtime.replay_pipeline import OneEnginePipeline
from dom.store import recording as rec
from dom.venues.binance_usdm.codec import DecodeError
from dom.venues.binance_usdm.recording_scan import open_recording

_BLOCK = 512  # lines a block when they are read one by one (decoded_blocks)


@dataclass
class CheckSummary:
    matched: int
    compared: int
    mismatched: int
    inside_range: int
    unreachable: int
    first_mismatches: list[dict] = field(default_factory=list)


@dataclass
class ReplaySummary:
    file: str
    format: str
    venue: str
    symbols: list[str]
    files: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)  # files cut short (what was readable was replayed)
    lines: int = 0
    messages: int = 0
    depth_updates: int = 0
    trades: int = 0
    tickers: int = 0
    snapshots: int = 0
    applied: int = 0
    duplicates: int = 0
    gaps: int = 0
    resyncs: int = 0
    crossed: int = 0
    trade_gaps: int = 0  # breaks in the trade ids
    trades_missed: int = 0
    bad_lines: int = 0
    bad_examples: list[list[Any]] = field(default_factory=list)
    gap_details: list[str] = field(default_factory=list)
    alerts: dict[str, int] = field(default_factory=dict)
    null_control: dict[str, dict[str, Any]] = field(default_factory=dict)  # refills near vs far, per symbol
    books: dict[str, dict[str, Any]] = field(default_factory=dict)
    check: CheckSummary | None = None
    elapsed_s: float = 0.0
    messages_per_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Replay:
    def __init__(
        self,
        path: str | Path | list,
        venue: str | None = None,
        symbols: list[str] | None = None,
        check: bool = False,
        observers: ObserverFactory | None = None,
        hold_ms: int = 250,
        one_engine: bool = True,
    ) -> None:
        """``one_engine``: without ``check``, the detectors' engine (behind the merge) is the
        only one and gives the summary too (:mod:`dom.runtime.replay_pipeline`; the same summary
        and alerts); False keeps the arrival-order engine as well, as a screen has it."""
        info = open_recording(path, venue, symbols)
        self.path = info.path
        self.paths = info.paths
        self.truncated: list[str] = []
        self.format = info.format
        self.venue = info.venue
        self.label = info.label
        self.raw_trades = info.raw_trades
        self.rule = info.rule
        self.instruments = info.instruments
        self._frames = info.frames
        self._pieces = info.pieces
        self.check = check
        self._observers = observers
        self.hold_ms = hold_ms  # the detectors' exchange-time merge ([detectors] merge_hold_ms)
        self.one_engine = one_engine

    def decoded(self) -> Iterator[tuple[int, int, list[Event] | str]]:
        """``(line_no, recv_ns, events)`` for every line, in file order, through the venue's live
        decoder; a line that cannot be used gives its reason as a string instead of events."""
        for block in self.decoded_blocks():
            yield from block

    def decoded_blocks(self) -> Iterator[list[tuple[int, int, list[Event] | str]]]:
        """:meth:`decoded`'s lines a block at a time (lists, in file order)."""
        syms = list(self.instruments)
        single = syms[0] if len(syms) == 1 else None
        dec = venues.get(self.venue).decoder(self.instruments, raw_trades=self.raw_trades)
        decode, bad_line = dec.decode, rec.BadLine

        def one(fr: rec.Frame | rec.BadLine) -> tuple[int, int, list[Event] | str]:
            if isinstance(fr, bad_line):
                if isinstance(fr, rec.Truncated):
                    self.truncated.append(fr.reason)
                return fr.line_no, 0, fr.reason
            try:
                if fr.snapshot_symbol is not None:
                    sym = fr.snapshot_symbol or single
                    if sym is None:
                        return fr.line_no, fr.recv_ns, "bare snapshot in a multi-symbol recording"
                    if sym not in self.instruments:
                        return fr.line_no, fr.recv_ns, []
                    return fr.line_no, fr.recv_ns, [dec.decode_snapshot(sym, fr.raw, fr.recv_ns)]
                return fr.line_no, fr.recv_ns, decode(fr.raw, fr.recv_ns)
            except DecodeError as e:
                return fr.line_no, fr.recv_ns, str(e)

        args = dec.frame_args()
        native = accel.native
        if native is None or args is None:
            frames = iter(self._frames())
            while block := [one(fr) for fr in islice(frames, _BLOCK)]:
                yield block
            return
        # A hftbacktest file's lines a block at a time: the usual bookTicker, trade and depth line
        # decoded in C (what one(frame) gives for it); the others, line by line, as frames.
        lines_of, frames_of = native.rpl_lines, rec.frames_of_block
        for piece in self._pieces():
            if type(piece) is not tuple:
                yield [one(piece)]  # type: ignore[arg-type]
                continue
            n0, lines = piece  # type: ignore[misc]
            block = lines_of(lines, n0, *args)
            if int not in set(map(type, block)):  # (every line decoded in C)
                yield block
                continue
            out = []
            for item in block:
                if type(item) is tuple:
                    out.append(item)
                else:
                    out += [one(fr) for fr in frames_of(item - 1, [lines[item - n0 - 1]])]
            yield out

    def run(self, on_output: Callable[[Output], None] | None = None) -> ReplaySummary:
        """Replay the whole file through a pipeline (no market context: nothing asks for it);
        every alert and status change goes to ``on_output`` in order (with one engine, the
        statuses in the detectors' merge order, as that engine meets them; the summary lists
        the gaps by the line each arrived on, in arrival order, either way)."""
        t0 = time.perf_counter()
        syms = list(self.instruments)
        checkers = {s: TopOfBookChecker() for s in syms} if self.check else {}
        one = self.one_engine and not checkers and self._observers is not None and self.hold_ms > 0
        pipe = self.pipeline = (OneEnginePipeline if one else Pipeline)(
            self.label, self.rule, detectors=self._observers, context=None, hold_ms=self.hold_ms,
            trade_ids=venues.get(self.venue).info.trade_ids)
        eng = self.engine = pipe.open(self.instruments)
        summ = ReplaySummary(str(self.path), self.format, self.venue, syms, [str(p) for p in self.paths])
        tally = _Tally(summ, checkers, on_output)
        pipe.subscribe(tally)
        if one:
            tally.dated = pipe  # type: ignore[assignment]
        arrivals = tally.arrivals
        feed = pipe.feeder()
        # The C merge takes a block's good lines in one call, as the loop below takes them.
        merge_lines = getattr(pipe.merge, "lines", None) if one else None
        fast = (partial(merge_lines, pipe.pump_ctx, (summ, tally, arrivals, BookDelta))
                if merge_lines is not None and getattr(pipe, "pump_ctx", None) is not None else None)
        for block in self.decoded_blocks():
            i, n = 0, len(block)
            while i < n:
                if fast is not None:
                    i = fast(block, i)
                    if i >= n:
                        break
                line_no, _recv, events = block[i]
                i += 1
                summ.lines += 1
                if isinstance(events, str):
                    if _recv:
                        summ.messages += 1
                    tally.bad(line_no, events)
                    continue
                summ.messages += 1
                tally.line_no = line_no
                if events:
                    kind = type(events[0])
                    if kind is BookSnapshot:
                        summ.snapshots += 1
                    elif one and kind is BookDelta:
                        # (the one engine reports a delta's gap when the merge releases it)
                        arrivals[id(events[0])] = (summ.lines, line_no)
                    if one and len(events) > 1:
                        for ev in events:
                            if type(ev) is BookDelta:
                                arrivals[id(ev)] = (summ.lines, line_no)
                if not checkers:
                    feed(events)
                    continue
                for ev in events:
                    pipe.feed((ev,))
                    self._check(eng, checkers, ev)
        pipe.flush()
        tally.finish()
        for c in checkers.values():
            c.finish()
        summ.truncated = list(self.truncated)
        self._fill(summ, eng, checkers, tally.alerts, time.perf_counter() - t0)
        det = pipe.detector_engine
        if det is not None:
            for sym, st in det.symbols.items():
                for ob in st.observers:
                    if hasattr(ob, "null_control"):
                        summ.null_control[sym] = ob.null_control()
        return summ

    @staticmethod
    def _check(eng: Engine, checkers: dict[str, TopOfBookChecker], ev: object) -> None:
        if isinstance(ev, BookTicker):
            checkers[ev.symbol].on_ticker(ev)
            return
        if not isinstance(ev, (BookDelta, BookSnapshot)):
            return
        st = eng[ev.symbol]
        if not st.synced or st.seq.last_id < 0:
            return
        c = checkers[ev.symbol]
        hist = c._hist
        if hist and hist[-1].u == st.seq.last_id:
            return  # nothing applied (duplicate, buffered)
        first = ev.first_id if isinstance(ev, BookDelta) and ev.last_id == st.seq.last_id else None
        c.on_state(st.seq.last_id, first, st.book.best_bid(), st.book.best_ask())

    @staticmethod
    def _fill(summ: ReplaySummary, eng: Engine, checkers: dict, alerts: Counter, elapsed: float) -> None:
        for sym, st in eng.symbols.items():
            s = st.stats
            summ.depth_updates += s.depth_messages
            summ.trades += s.trades
            summ.tickers += s.tickers
            summ.applied += s.applied
            summ.duplicates += s.duplicates
            summ.gaps += s.gaps
            summ.resyncs += s.resyncs
            summ.crossed += s.crossed
            summ.trade_gaps += s.trade_gaps
            summ.trades_missed += s.trades_missed
            inst = st.instrument
            bb, ba = st.book.best_bid(), st.book.best_ask()
            summ.books[sym] = {
                "state": st.state.value,
                "last_update_id": st.seq.last_id,
                "best_bid": inst.px_str(bb[0]) if bb else None,
                "best_bid_size": inst.qty_str(bb[1]) if bb else None,
                "best_ask": inst.px_str(ba[0]) if ba else None,
                "best_ask_size": inst.qty_str(ba[1]) if ba else None,
                "bid_levels": len(st.book.bids),
                "ask_levels": len(st.book.asks),
            }
        if checkers:
            cs = list(checkers.values())
            summ.check = CheckSummary(
                matched=sum(c.matched for c in cs),
                compared=sum(c.compared for c in cs),
                mismatched=sum(c.mismatched for c in cs),
                inside_range=sum(c.inside_range for c in cs),
                unreachable=sum(c.unreachable for c in cs),
                first_mismatches=[
                    {"update_id": m.update_id, "expected": m.expected, "got": m.got}
                    for c in cs
                    for m in c.mismatches[:5]
                ],
            )
        summ.alerts = dict(sorted(alerts.items()))
        summ.elapsed_s = round(elapsed, 3)
        summ.messages_per_s = round(summ.messages / elapsed) if elapsed > 0 else 0.0


class _Tally(ListenerBase):
    """What a replay counts from the pipeline's outputs: alerts by kind, gaps with their line."""

    def __init__(self, summ: ReplaySummary, checkers: dict, on_output: Callable[[Output], None] | None) -> None:
        self.summ = summ
        self.checkers = checkers
        self.on_output = on_output
        self.alerts: Counter[str] = Counter()
        self.line_no = 0
        # With one engine: the pipeline (its ``cause``), each delta's arrival (id -> (order, line);
        # an id is looked up only while its delta is alive, and set anew when another delta arrives
        # at the same address, so the map stays as small as the deltas alive at once), and the
        # gaps as (order, line, detail), put in arrival order at the end.
        self.dated: OneEnginePipeline | None = None
        self.arrivals: dict[int, tuple[int, int]] = {}
        self._gaps: list[tuple[int, int, str]] = []

    def bad(self, n: int, reason: str) -> None:
        self.summ.bad_lines += 1
        if len(self.summ.bad_examples) < 10:
            self.summ.bad_examples.append([n, reason])

    def on_status(self, o: StatusChange) -> None:
        if o.state is FeedState.GAP or o.state is FeedState.CROSSED:
            if self.dated is not None:
                at = self.arrivals.get(id(self.dated.cause)) if type(self.dated.cause) is BookDelta else None
                order, line = at if at is not None else (self.summ.lines, self.line_no)
                self._gaps.append((order, line, o.detail))
            else:
                self.summ.gap_details.append(f"line {self.line_no}: {o.detail}")
            if self.checkers:
                self.checkers[o.symbol].on_gap()
        if self.on_output is not None:
            self.on_output(o)

    def finish(self) -> None:
        if self._gaps:
            self._gaps.sort(key=lambda g: g[0])  # (stable: one line's statuses keep their order)
            self.summ.gap_details += [f"line {line}: {detail}" for _, line, detail in self._gaps]
            self._gaps.clear()

    def on_alert(self, a: Alert) -> None:
        self.alerts[a.kind.value] += 1
        if self.on_output is not None:
            self.on_output(a)
