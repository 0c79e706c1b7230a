"""The runtime: feed -> engine -> sinks and listeners, on one asyncio event loop.

    rt = Runtime(feed, venue="binanceusdm", observers=factory, sinks=[...])
    rt.add_listener(listener)          # on_status(change), on_alert(alert, alert_dict), on_conn(...)
    await rt.start()                   # exchangeInfo, instruments, the engine
    await rt.run(duration=None)        # until stop() or the duration; then sinks are flushed

The feed calls ``emit(events)`` from its receive loop; the engine runs inline (it is pure and
fast), so nothing queues between the socket and the book. Snapshot requests go back to the feed,
alerts to every sink (each with its own bounded queue and task) and to the listeners. The same
runtime serves ``dom run`` (headless) and the TUI, which reads ``rt.engine`` at its own frame
rate. No signal handlers are installed here: the CLI does that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from dom.alert_json import alert_to_dict
from dom.core.engine import Engine, ObserverFactory
from dom.core.sequencer import Rule
from dom.core.types import Alert, BookDelta, Event, FeedState, MarkPrice, SnapshotRequest, StatusChange, Trade


class Listener(Protocol):
    def on_status(self, change: StatusChange) -> None: ...

    def on_alert(self, alert: Alert, doc: dict) -> None: ...

    def on_conn(self, endpoint: str, state: FeedState, detail: str) -> None: ...


@dataclass
class SymbolRates:
    """Per-symbol ingest figures for status lines and the status bar."""

    messages: int = 0
    lags_ms: deque = field(default_factory=lambda: deque(maxlen=2000))

    def lag_pct(self, q: float) -> float | None:
        if not self.lags_ms:
            return None
        s = sorted(self.lags_ms)
        return s[min(len(s) - 1, int(q * len(s)))]


class Runtime:
    def __init__(
        self,
        feed: Any,
        venue: str,
        observers: ObserverFactory | None = None,
        sinks: list[Any] | None = None,
        context: Any = None,
        context_params: Any = None,
    ) -> None:
        self.feed = feed
        self.venue = venue
        self.observers = observers
        self.sinks = list(sinks or [])
        self.listeners: list[Any] = []
        self.engine: Engine | None = None
        self.rates: dict[str, SymbolRates] = {}
        self.alerts = 0
        self.started_ns = 0
        self._stop = asyncio.Event()
        feed.emit = self.emit
        feed.on_status = self._on_conn
        # Trading context (optional): a MarketContext fed by a polite REST poller.
        self.context = context
        self.context_params = context_params
        self.poller: Any = None

    def add_listener(self, listener: Any) -> None:
        self.listeners.append(listener)

    async def start(self) -> None:
        instruments = await self.feed.prepare()
        self.engine = Engine(instruments, Rule.USDM, observers=self.observers)
        self.rates = {s: SymbolRates() for s in instruments}
        for s in self.sinks:
            await s.start()
        if self.context is not None:
            from dom.core.context.params import ContextParams
            from dom.feeds.context_poll import context_poller

            self.poller = context_poller(self.feed, self.emit_context, self.context_params or ContextParams())
        self.started_ns = time.time_ns()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, duration: float | None = None, flush_deadline: float = 2.0) -> None:
        if self.engine is None:
            await self.start()
        feed_task = asyncio.create_task(self.feed.run(), name="dom-feed")
        stop_task = asyncio.create_task(self._stop.wait())
        poll_task = asyncio.create_task(self.poller.run(), name="dom-context") if self.poller else None
        if poll_task is not None:  # the context is extra: its failure never stops the feed
            poll_task.add_done_callback(_poller_done)
        try:
            done, _ = await asyncio.wait(
                {feed_task, stop_task}, timeout=duration, return_when=asyncio.FIRST_COMPLETED
            )
            if feed_task in done:
                feed_task.result()  # a fatal feed error surfaces here
        finally:
            tasks = {feed_task, stop_task} | ({poll_task} if poll_task else set())
            for t in tasks:
                t.cancel()
            # Bounded: a shutdown must never hang on a feed that does not let go.
            await asyncio.wait(tasks, timeout=3.0)
            for s in self.sinks:
                await s.aclose(flush_deadline)

    # ------------------------------------------------------------------------------ ingest
    def emit(self, events: list[Event]) -> None:
        eng = self.engine
        if eng is None:
            return
        rates = self.rates
        for ev in events:
            r = rates.get(ev.symbol)
            if r is not None and isinstance(ev, (BookDelta, Trade)):
                r.messages += 1
                if ev.ts_exchange_ns and type(ev) is BookDelta:
                    # Exchange time -> received, which is when the book is applied (inline, just
                    # after the frame arrived); in a replay, the recorded lag.
                    r.lags_ms.append((ev.ts_recv_ns - ev.ts_exchange_ns) / 1e6)
            for o in eng.feed(ev):
                if isinstance(o, SnapshotRequest):
                    self.feed.request_snapshot(o.symbol)
                elif isinstance(o, StatusChange):
                    for li in self.listeners:
                        li.on_status(o)
                elif isinstance(o, Alert):
                    self._on_alert(o)

    def emit_context(self, events: list[Any]) -> None:
        """Context events from the poller: marks to the engine (unless the stream's is newer),
        open interest and tickers to the context."""
        eng = self.engine
        if eng is None or self.context is None:
            return
        for ev in events:
            if isinstance(ev, MarkPrice):
                st = eng.symbols.get(ev.symbol)
                if st is not None and (st.mark is None or ev.ts_exchange_ns >= st.mark.ts_exchange_ns):
                    eng.feed(ev)
            else:
                self.context.apply(ev)

    def _on_alert(self, a: Alert) -> None:
        assert self.engine is not None
        self.alerts += 1
        doc = alert_to_dict(a, self.venue, self.engine[a.symbol].instrument)
        for s in self.sinks:
            s.submit(doc)
        for li in self.listeners:
            li.on_alert(a, doc)

    def _on_conn(self, endpoint: str, state: FeedState, detail: str) -> None:
        for li in self.listeners:
            li.on_conn(endpoint, state, detail)

    # ------------------------------------------------------------------------------- views
    def sink_drops(self) -> int:
        return sum(s.stats.dropped for s in self.sinks)

    def sink_failures(self) -> int:
        return sum(s.stats.failed for s in self.sinks)


def _poller_done(t: asyncio.Task) -> None:
    if not t.cancelled() and t.exception() is not None:
        logging.getLogger("dom.runtime").warning("context poller stopped: %r", t.exception())


def book_line(st: Any) -> str:
    """One line describing a symbol's book; identical for live runs, recordings and replays."""
    inst = st.instrument
    bb, ba = st.book.best_bid(), st.book.best_ask()
    bid = f"{inst.px_str(bb[0])} x {inst.qty_str(bb[1])}" if bb else "-"
    ask = f"{inst.px_str(ba[0])} x {inst.qty_str(ba[1])}" if ba else "-"
    return f"{st.symbol} {st.state.value} u={st.seq.last_id} bid {bid} ask {ask} levels {len(st.book.bids)}/{len(st.book.asks)}"
