"""Depth and trades of each symbol in exchange-time order, whatever order they arrived in.

A venue sends a symbol's depth and its trades on separate streams (on Binance, separate
connections), so how the two interleave on arrival is the network's doing: a trade that happened
before a depth update can arrive after it, and the next run, or a replay, interleaves them
differently. The detectors must not depend on that. :class:`TimeMerge` holds each symbol's
deltas and trades until the exchange clock (the newest exchange time seen on any stream) is
``hold_ns`` past them, then releases them in the order of the key::

    (exchange time, trades before depth at the same time, order within the stream)

A depth update stamped T holds what traded up to T, so at equal times the trade goes first. A
stream never overtakes itself: an event stamped earlier than one before it on the same stream
takes that one's time (a depth stream reordered would break its sequence). The key depends only
on the events themselves and on each stream's own order, which a connection keeps, so every
driver that delivers the same streams releases the same sequence.

An event older than what its symbol already released is *late*: it goes through at once, in
arrival order, and is counted. A snapshot, a feed status or a delta or trade without exchange
time first releases everything held for its symbol, then goes through: those are barriers (a
snapshot or a disconnect divides the stream, whatever the times say). Marks and tickers go
straight through (the detectors do not read them); a mark's time advances the clock, so a quiet
symbol's events are released within a mark interval. The exception: symbols in ``held_tickers``
(followed by their top of book only, where bursts read the mid from the tickers) have their
tickers held and ordered with their trades like depth.

Bounded: a symbol holds at most ``max_held`` events; past that its oldest goes out at once
(``forced`` counts them), so a feed whose exchange times stop moving cannot fill memory.

Pure and deterministic: no clock but the events' own times.

:func:`time_merge` gives the C type ``dom.core._native.TimeMerge`` when the accelerator is built
(the same heaps of the same tuples, sifted as heapq sifts them: the same releases), and this
class, its pure-Python twin, otherwise or for a hold or bound that is not a plain int in int64.
The C type adds ``pump``: a replay line's events through the merge and into the detectors' engine
in one call (:class:`dom.runtime.replay_pipeline.OneEnginePipeline`).
"""

from __future__ import annotations

import heapq
from typing import Any

from dom.core import accel
from dom.core.types import BookDelta, BookTicker, MarkPrice, Trade

_TRADE, _DEPTH, _TICKER = 0, 1, 2
_I64 = 1 << 63


def time_merge(hold_ns: int, max_held: int = 4096) -> Any:
    """A :class:`TimeMerge`: the C one when the accelerator is built and both are plain ints in
    int64, else this module's (the same releases, the same counts)."""
    native = accel.native
    if (native is not None and type(hold_ns) is int and type(max_held) is int and 0 <= hold_ns < _I64
            and 1 <= max_held < _I64):
        return native.TimeMerge(hold_ns, max_held, (BookTicker, MarkPrice, Trade, BookDelta))
    return TimeMerge(hold_ns, max_held)


class TimeMerge:
    __slots__ = ("hold_ns", "max_held", "clock", "late", "forced", "held", "_heaps", "_order",
                 "_frontier", "_seq", "held_tickers")

    def __init__(self, hold_ns: int, max_held: int = 4096) -> None:
        if hold_ns < 0:
            raise ValueError("hold_ns must be >= 0")
        if max_held < 1:
            raise ValueError("max_held must be >= 1")
        self.hold_ns = hold_ns
        self.max_held = max_held
        self.forced = 0  # events released early because their symbol held max_held
        self.clock = 0  # the newest exchange time seen on any stream
        self.late = 0  # events that came after their symbol had released a newer one
        self.held_tickers: set[str] = set()  # symbols whose tickers are held like depth
        self.held = 0  # events held now
        # symbol -> heap of (ts, kind, seq, event)
        self._heaps: dict[str, list[tuple[int, int, int, Any]]] = {}
        # (head ts, symbol) of symbols holding events; entries may be stale (checked on pop)
        self._order: list[tuple[int, str]] = []
        # symbol -> key of the last released event
        self._frontier: dict[str, tuple[int, int, int]] = {}
        self._seq: dict[tuple[str, int], tuple[int, int]] = {}  # stream -> (count, latest time)

    def push(self, ev: Any) -> list[Any]:
        """Take one event; return the events it releases, in order (possibly none)."""
        kind = type(ev)
        if kind is BookTicker or kind is MarkPrice:
            sym = ev.symbol
            if kind is BookTicker and sym in self.held_tickers:
                k = _TICKER
            else:
                # Straight through; its time moves the clock (the usual event: one test of the
                # oldest held head before any list is made for a release).
                ts = ev.ts_exchange_ns
                if ts > self.clock:
                    self.clock = ts
                    order = self._order
                    if order and order[0][0] <= ts - self.hold_ns:
                        out = self._release_due()
                        out.append(ev)
                        return out
                return [ev]
        elif kind is Trade:
            sym, k = ev.symbol, _TRADE
        elif kind is BookDelta:
            sym, k = ev.symbol, _DEPTH
        else:
            sym = ev.symbol if hasattr(ev, "symbol") else None
            out = self._release_symbol(sym) if sym is not None else self.flush()
            out.append(ev)
            return out
        ts = ev.ts_exchange_ns
        if ts <= 0:
            out = self._release_symbol(sym)
            out.append(ev)
            return out
        stream = (sym, k)
        n, last_ts = self._seq.get(stream, (0, 0))
        if ts < last_ts:
            ts = last_ts  # the stream's own order first
        self._seq[stream] = (n + 1, ts)
        item = (ts, k, n, ev)
        # (Keys are unique within a symbol (n counts its stream), so comparing the items decides
        # on their first three fields and never reaches the events.)
        front = self._frontier.get(sym)
        if front is not None and item < front:
            self.late += 1
            return [ev]
        heap = self._heaps.get(sym)
        if heap is None:
            heap = self._heaps[sym] = []
        order = self._order
        if not heap or item < heap[0]:
            heapq.heappush(order, (ts, sym))
        heapq.heappush(heap, item)
        self.held += 1
        if ts > self.clock:
            self.clock = ts
        out = self._release_due() if order[0][0] <= self.clock - self.hold_ns else []
        if len(heap) > self.max_held:
            item = heapq.heappop(heap)
            self._frontier[sym] = item[:3]
            self.held -= 1
            self.forced += 1
            out.append(item[3])
            if heap:
                heapq.heappush(order, (heap[0][0], sym))
        return out

    def _release_due(self) -> list[Any]:
        out: list[Any] = []
        limit = self.clock - self.hold_ns
        order, heaps, pop = self._order, self._heaps, heapq.heappop
        while order and order[0][0] <= limit:
            ts, sym = pop(order)
            heap = heaps.get(sym)
            if not heap or heap[0][0] != ts:
                continue  # stale entry: the symbol's head changed since
            item = pop(heap)
            out.append(item[3])
            while heap and heap[0][0] <= limit:
                item = pop(heap)
                out.append(item[3])
            self._frontier[sym] = item[:3]
            if heap:
                heapq.heappush(order, (heap[0][0], sym))
        self.held -= len(out)
        return out

    def _release_symbol(self, sym: str) -> list[Any]:
        heap = self._heaps.get(sym)
        out: list[Any] = []
        if heap:
            while heap:
                item = heapq.heappop(heap)
                out.append(item[3])
            self._frontier[sym] = item[:3]
        self.held -= len(out)
        return out

    def held_depth(self, sym: str) -> list[Any]:
        """The deltas ``sym`` holds now, in their stream's order (nothing is released)."""
        return [item[3] for item in sorted(self._heaps.get(sym, ())) if item[1] == _DEPTH]

    def flush(self) -> list[Any]:
        """Release everything held (the end of a recording), symbol by symbol in key order."""
        out: list[Any] = []
        for sym in sorted(self._heaps):
            out += self._release_symbol(sym)
        self._order.clear()
        return out
