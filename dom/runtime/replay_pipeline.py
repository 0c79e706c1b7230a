"""A replay's pipeline with one engine: the detectors' (``dom replay`` without ``--check``).

:class:`Pipeline` keeps two engines when the detectors read through the exchange-time merge:
``engine`` applies every event in arrival order (the book on screen, the statuses as they
happen) and ``detect`` applies them again in merge order for the detectors. A replay's summary
needs no screen: its counts, final books and statuses come out the same from the detectors'
engine, which sees every event of a symbol's depth stream (and of its trade stream) in the same
order, only later:

- a depth stream never overtakes itself in the merge, and snapshots and feed statuses are
  barriers (they release what the merge holds for their symbol first), so the book, the
  sequencer and the feed state go through the same changes; after :meth:`flush` they are the
  same, and so are the counts;
- a gap or crossed book caused by a delta is reported when the merge releases that delta, not
  when it arrived: :attr:`cause` names the event whose outputs are being routed, so a replay can
  date the status by the delta's arrival (``dom.runtime.replay`` keeps the arrival of each
  delta and puts the statuses back in arrival order);
- a snapshot that repeats the book at its own id (a continuous recording's segment opens with
  one) never reached the detectors' engine: here it is recognised at arrival as the arrival-order
  engine would have, on the book as it stands with what the merge holds for the symbol applied
  (a scratch copy), and kept from the merge in the same way.

Statuses and alerts reach the listeners in merge order. The screen's per-symbol rates are not
kept (nothing in a replay reads them).

With the C merge (:func:`dom.core.merge.time_merge`), :meth:`OneEnginePipeline.feeder` is its
``pump``: :meth:`OneEnginePipeline.feed` in one C call, a ticker or trade of a followed symbol
handled as ``Engine.feed`` handles it without its frames (``dom/core/_native_mrg.c``); and
``Replay.run`` gives it a block of lines at once (its ``lines``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from dom.core.engine import Engine, SymbolState
from dom.core.merge import time_merge
from dom.core.sequencer import Sequencer
from dom.core.types import Alert, BookSnapshot, Event, FeedState
from dom.core.units import Instrument
from dom.runtime.pipeline import Pipeline


class OneEnginePipeline(Pipeline):
    """A :class:`Pipeline` (detectors, ``hold_ms > 0``, no other observer, no market context)
    whose one engine is the detectors': ``engine`` and ``detect`` are the same object."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if self._detectors is None or self.hold_ns <= 0 or self._factories or self.context is not None:
            raise ValueError("one engine needs detectors behind the merge and nothing else")
        self.cause: Event | None = None  # the event whose outputs are being routed
        self._pump: Any = None  # the C merge's pump with this pipeline's context (see feeder)
        self.pump_ctx: tuple | None = None  # that context (a replay's loop gives it to merge.lines)

    def open(self, instruments: dict[str, Instrument]) -> Engine:
        eng = Engine(instruments, self.rule, observers=self._detectors, verify=self.verify,
                     trade_ids=self.trade_ids)
        self.engine = self.detect = eng
        self.merge = merge = time_merge(self.hold_ns)
        self.rates = {}
        pump = getattr(merge, "pump", None)
        # The C merge feeds a line's events in one call: push, then each release to the engine,
        # a ticker of a symbol whose depth is followed set on the Engine's state without its feed.
        self.pump_ctx = None if pump is None else (
            eng.feed, eng.symbols if type(eng) is Engine else None, BookSnapshot, self._repeats_book,
            self, self._route, eng, FeedState.SYNCED, Alert)
        self._pump = None if pump is None else partial(pump, self.pump_ctx)
        return eng

    def feeder(self) -> Callable[[Iterable[Event]], None]:
        """What takes a line's events: :meth:`feed`, or the C merge's pump doing the same."""
        return self._pump if self._pump is not None else self.feed

    def follow_depth(self, symbol: str, on: bool, ts_ns: int = 0) -> None:
        raise NotImplementedError("a replay's one-engine pipeline follows every symbol's depth")

    def feed(self, events: Iterable[Event]) -> None:
        det, merge = self.detect, self.merge
        if det is None or merge is None:
            return
        if self._pump is not None:
            self._pump(events)
            return
        push, feed, route = merge.push, det.feed, self._route
        for ev in events:
            if type(ev) is BookSnapshot and self._repeats_book(ev):
                continue
            for e in push(ev):
                out = feed(e)
                if out:
                    self.cause = e
                    for o in out:
                        route(o)

    def flush(self) -> None:
        det, merge = self.detect, self.merge
        if det is None or merge is None:
            return
        for e in merge.flush():
            out = det.feed(e)
            if out:
                self.cause = e
                for o in out:
                    self._route(o)

    def _repeats_book(self, s: BookSnapshot) -> bool:
        """Would the arrival-order engine take ``s`` as the book it already has (and give it to
        no one)? Counted as that engine counts it."""
        det, merge = self.detect, self.merge
        assert det is not None and merge is not None
        st = det.symbols.get(s.symbol)
        if st is None or st.top_only or st.state is not FeedState.SYNCED or s.last_id < 0:
            return False  # (the arrival-order engine is SYNCED only where this one is)
        held = merge.held_depth(s.symbol)
        now = _ahead(st, held, self.rule, self.verify, self.trade_ids) if held else st
        if not (now.state is FeedState.SYNCED and s.last_id == now.seq.last_id and _same_levels(now, s)):
            return False
        st.stats.confirmed_snapshots += 1
        return True


def _ahead(st: SymbolState, held: list, rule: Any, verify: Any, trade_ids: bool) -> SymbolState:
    """A scratch copy of ``st`` (book, sequencer, state) with the deltas ``held`` applied: the
    symbol as the arrival-order engine has it."""
    eng = Engine({st.symbol: st.instrument}, rule, verify=verify, trade_ids=trade_ids)
    cp = eng[st.symbol]
    bids, asks = st.book.copy_levels()
    cp.book.apply_snapshot(list(bids.items()), list(asks.items()))
    seq = Sequencer(st.symbol, st.seq.rule)
    for name in Sequencer.__slots__:
        setattr(seq, name, getattr(st.seq, name))
    seq.buffer = deque(st.seq.buffer)
    cp.seq, cp.state, cp.snapshot_requested = seq, st.state, st.snapshot_requested
    for d in held:
        eng.feed(d)
    return cp


def _same_levels(st: SymbolState, s: BookSnapshot) -> bool:
    bids, asks = st.book.copy_levels()
    return bids == {p: q for p, q in s.bids if q} and asks == {p: q for p, q in s.asks if q}
