"""The pipeline: one synchronous object every driver feeds (live, replay, built-in market, bus).

    pipe = Pipeline("binanceusdm", Rule.USDM, detectors=make_observers(params))
    pipe.open(instruments)            # builds the engine (books, sequencers, observers)
    pipe.subscribe(listener)          # on_status(change), on_alert(alert), on_conn(endpoint, state, detail)
    pipe.on_snapshot_request = fetch  # the driver's answer to "this book needs a snapshot"
    pipe.feed(events)                 # normalized events, in arrival order
    pipe.feed_context(events)         # marks, open interest, 24 h tickers from a context poller

It owns the :class:`Engine`, the market context (bars, correlation to the reference symbol, open
interest, funding) and the risk desk (sizing, exits, the walk through the book), and routes every
output: snapshot requests to the driver, status changes and alerts to the listeners (sinks, the
screen, a summary). It does no I/O and reads no clock, so the same events give the same outputs
whichever driver delivers them. Drivers only move events in and answer snapshot requests.

Two engines. ``engine`` applies every event as it arrives: the book on screen, the statuses,
snapshot requests, the tape and the context. The detectors run on a second engine, ``detect``,
fed the same events in exchange-time order (:class:`dom.core.merge.TimeMerge`): a symbol's depth
and trades come on separate connections, and their interleaving on arrival is the network's, so
detectors fed in arrival order would alert differently in every run and replay. The price is
that alerts come up to ``hold_ms`` of exchange time later than the book they describe.
``hold_ms=0`` runs the detectors on ``engine`` in arrival order (one engine, as before).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from dom.alert_json import alert_to_dict
from dom.core.context.params import ContextParams
from dom.core.engine import TOP_SAMPLE_NS, Engine, ObserverFactory, SymbolState, Verify
from dom.core.merge import TimeMerge, time_merge
from dom.core.sequencer import Rule
from dom.core.types import (
    Alert,
    BookDelta,
    BookSnapshot,
    BookTicker,
    Event,
    FeedState,
    MarkPrice,
    SnapshotRequest,
    StatusChange,
    Trade,
)
from dom.core.units import Instrument

if TYPE_CHECKING:
    from dom.core.context.desk import TradeDesk
    from dom.core.context.market import MarketContext


class Listener(Protocol):
    def on_status(self, change: StatusChange) -> None: ...

    def on_alert(self, alert: Alert) -> None: ...

    def on_conn(self, endpoint: str, state: FeedState, detail: str) -> None: ...


class ListenerBase:
    """Convenience base: every hook does nothing."""

    def on_status(self, change: StatusChange) -> None:
        pass

    def on_alert(self, alert: Alert) -> None:
        pass

    def on_conn(self, endpoint: str, state: FeedState, detail: str) -> None:
        pass


CLOCK_OFF_MS = 60_000  # stamps a minute or more from their arrival: the clocks disagree
AHEAD_MS = 1_000  # a stamp a second or more in our future: the venue's clock is ahead, not a lag


def lag_words(p50_ms: float | None, name: str = "lag") -> str:
    """A status line's lag: the median of receive minus exchange time, or why there is none.

    A venue whose clock runs ahead of ours (the built-in market at speed > 1, or a wrong system
    clock) stamps messages in our future; a negative "lag" of seconds would read as a fast feed."""
    if p50_ms is None:
        return f"{name} -"
    if p50_ms <= -AHEAD_MS or p50_ms >= CLOCK_OFF_MS:
        return f"exchange clock {abs(p50_ms) / 1000:.0f} s {'ahead' if p50_ms < 0 else 'behind'}"
    return f"{name} {p50_ms:.0f} ms"


@dataclass
class SymbolRates:
    """Per-symbol ingest figures for status lines and the status bar."""

    messages: int = 0
    lags_ms: deque = field(default_factory=lambda: deque(maxlen=2000))
    depth_recv_ns: deque = field(default_factory=lambda: deque(maxlen=64))  # receive times of depth

    def depth_interval_ns(self) -> int | None:
        """The median time between depth messages lately (None before there are 16)."""
        t = self.depth_recv_ns
        if len(t) < 16:
            return None
        gaps = sorted(b - a for a, b in zip(t, list(t)[1:]))
        return gaps[len(gaps) // 2]

    def lag_pct(self, q: float) -> float | None:
        if not self.lags_ms:
            return None
        s = sorted(self.lags_ms)
        return s[min(len(s) - 1, int(q * len(s)))]


class Pipeline:
    def __init__(
        self,
        venue: str,
        rule: Rule = Rule.USDM,
        detectors: ObserverFactory | None = None,
        context: ContextParams | None = None,
        observers: Iterable[ObserverFactory] = (),
        trade_ids: bool = False,
        verify: Verify | None = None,
        hold_ms: int = 250,
        sectors: dict[str, str] | None = None,
    ) -> None:
        """``detectors``: the alerting observers; ``context``: the ``[context]`` settings, or None
        for no market context (the built-in market's evaluation needs none); ``observers``: more
        per-symbol observers (the screen's tape, level changes and heatmap history);
        ``trade_ids``: the venue numbers its trades without holes (holes are counted, repeats
        dropped); ``verify``: the venue's checksum function, where it sends checksums;
        ``hold_ms``: how far (exchange time) the detectors' merge of depth and trades waits for
        a late event (0: no merge, detectors in arrival order); ``sectors``: symbol -> sector
        label over the venue's own (``[sectors]``)."""
        self.venue = venue
        self.sectors = dict(sectors or {})
        self.rule = rule
        self.params = context if context is not None else ContextParams()
        self.context: MarketContext | None = None
        if context is not None:
            self.context = self._market_context()
        self._desk: TradeDesk | None = None  # made when first asked for (a replay never does)
        if hold_ms < 0:
            raise ValueError("hold_ms must be >= 0")
        self.hold_ns = int(hold_ms) * 1_000_000
        self._detectors = detectors
        merged = detectors is not None and self.hold_ns > 0
        self._factories = [f for f in ((None if merged else detectors), *observers) if f is not None]
        self.engine: Engine | None = None
        self.detect: Engine | None = None  # the detectors' engine (None: they run on ``engine``)
        self.merge: TimeMerge | None = None  # (or the C TimeMerge: dom.core.merge.time_merge)
        self.trade_ids = trade_ids
        self.verify = verify
        self.listeners: list[Any] = []
        self.rates: dict[str, SymbolRates] = {}
        self.alerts = 0
        self.on_snapshot_request: Callable[[str], None] = lambda symbol: None
        self._ticker_pushed: dict[str, int] = {}  # top-of-book symbols: the last ticker the merge got

    # ------------------------------------------------------------------------------ set-up
    def open(self, instruments: dict[str, Instrument]) -> Engine:
        if self.sectors:
            instruments = {s: replace(i, sector=self.sectors[s]) if s in self.sectors else i
                           for s, i in instruments.items()}
        self.engine = Engine(instruments, self.rule, observers=self._observers, verify=self.verify,
                             trade_ids=self.trade_ids)
        if self._detectors is not None and self.hold_ns > 0:
            self.detect = Engine(instruments, self.rule, observers=self._detectors, verify=self.verify,
                                 trade_ids=self.trade_ids)
            self.merge = time_merge(self.hold_ns)  # (the C one when built: the same releases)
        self.rates = {s: SymbolRates() for s in instruments}
        return self.engine

    def follow_depth(self, symbol: str, on: bool, ts_ns: int = 0) -> None:
        """Follow ``symbol``'s whole book (``on``) or only its top of book and trades (a
        whole-venue scan subscribes depth for the symbols opened or pinned): both engines, and
        the merge holds the symbol's tickers while they feed its bursts."""
        if self.engine is None:
            return
        for o in self.engine.follow_depth(symbol, on, ts_ns):
            self._route(o)
        if self.detect is not None:
            for o in self.detect.follow_depth(symbol, on, ts_ns):
                if type(o) is Alert:
                    self._route(o)
        if self.merge is not None:
            if on:
                self.merge.held_tickers.discard(symbol)
            else:
                self.merge.held_tickers.add(symbol)

    def reset(self) -> None:
        """Start again from nothing (a replay seeking back): fresh books, detectors, merge and
        market context for the same instruments. The alert count goes on."""
        instruments = self.instruments
        if self.context is not None:
            self.context = self._market_context()
        self.open(instruments)

    def _market_context(self) -> MarketContext:
        from dom.core.context.market import MarketContext  # (only where there is a context)

        p = self.params
        return MarketContext(p.reference, p.weakness_window_s, p.weakness_drop_pct, p.oi_window_s)

    @property
    def desk(self) -> TradeDesk:
        """The risk desk (sizing, exits, the walk through the book) for the screen's plans."""
        if self._desk is None:
            from dom.core.context.desk import TradeDesk  # (imports the context's modules: not for a replay)

            self._desk = TradeDesk(self.params)
        return self._desk

    @property
    def detector_engine(self) -> Engine | None:
        """The engine whose symbol states hold the detectors."""
        return self.detect if self.detect is not None else self.engine

    def _observers(self, st: SymbolState) -> list:
        out: list = []
        for f in self._factories:
            out += f(st)
        if self.context is not None:
            out += self.context.observers(st)
        return out

    def subscribe(self, listener: Any) -> None:
        self.listeners.append(listener)

    @property
    def instruments(self) -> dict[str, Instrument]:
        eng = self.engine
        return {s: st.instrument for s, st in eng.symbols.items()} if eng is not None else {}

    # ------------------------------------------------------------------------------ ingest
    def feed(self, events: Iterable[Event]) -> None:
        eng = self.engine
        if eng is None:
            return
        rates = self.rates
        merge, det = self.merge, self.detect
        for ev in events:
            kind = type(ev)
            if kind is BookDelta or kind is Trade:
                r = rates.get(ev.symbol)
                if r is not None:
                    r.messages += 1
                    if kind is BookDelta:
                        r.depth_recv_ns.append(ev.ts_recv_ns)
                        if ev.ts_exchange_ns:
                            # Exchange time -> received, which is when the book is applied
                            # (inline, just after the frame arrived); in a replay, the recorded lag.
                            r.lags_ms.append((ev.ts_recv_ns - ev.ts_exchange_ns) / 1e6)
            st = eng.symbols.get(ev.symbol) if kind is BookSnapshot else None
            confirmed = st.stats.confirmed_snapshots if st is not None else 0
            for o in eng.feed(ev):
                self._route(o)
            if st is not None and st.stats.confirmed_snapshots != confirmed:
                # The book as it is (a recording's segment boundary): nothing for the detectors'
                # engine either, whose book may be a merge-hold behind.
                continue
            if merge is not None:
                if kind is BookTicker and ev.symbol in merge.held_tickers:
                    # a top-of-book symbol: the detectors sample its mid (as the engine does)
                    last = self._ticker_pushed.get(ev.symbol, 0)
                    if ev.ts_exchange_ns - last < TOP_SAMPLE_NS:
                        continue
                    self._ticker_pushed[ev.symbol] = ev.ts_exchange_ns
                for e in merge.push(ev):
                    for o in det.feed(e):
                        if type(o) is Alert:
                            self._route(o)

    def feeder(self) -> Callable[[Iterable[Event]], None]:
        """What takes a line's events (a replay's loop binds it once): :meth:`feed` here."""
        return self.feed

    def flush(self) -> None:
        """The feed ended (a recording is through): the detectors get what the merge holds."""
        if self.merge is not None and self.detect is not None:
            for e in self.merge.flush():
                for o in self.detect.feed(e):
                    if type(o) is Alert:
                        self._route(o)

    def _route(self, o: Any) -> None:
        if isinstance(o, Alert):
            self.alerts += 1
            for li in self.listeners:
                li.on_alert(o)
        elif isinstance(o, StatusChange):
            for li in self.listeners:
                li.on_status(o)
        elif isinstance(o, SnapshotRequest):
            self.on_snapshot_request(o.symbol)

    def feed_context(self, events: Iterable[Any]) -> None:
        """Context events from a poller: marks to the engine (unless the stream's is newer),
        open interest and tickers to the market context."""
        eng = self.engine
        if eng is None or self.context is None:
            return
        for ev in events:
            if isinstance(ev, MarkPrice):
                st = eng.symbols.get(ev.symbol)
                if st is not None and (st.mark is None or ev.ts_exchange_ns >= st.mark.ts_exchange_ns):
                    eng.feed(ev)
                    if self.detect is not None:
                        self.detect.feed(ev)
            else:
                self.context.apply(ev)

    def connection(self, endpoint: str, state: FeedState, detail: str) -> None:
        """Connection news from a client, for the listeners (the book states come as events).
        A closed feed (a recording is through) sends no more: the merge releases what it holds."""
        if state is FeedState.CLOSED:
            self.flush()
        for li in self.listeners:
            li.on_conn(endpoint, state, detail)

    # ------------------------------------------------------------------------------- views
    def alert_doc(self, alert: Alert) -> dict:
        """Alert JSON v1 for ``alert`` (decimal strings, this pipeline's venue)."""
        assert self.engine is not None
        return alert_to_dict(alert, self.venue, self.engine[alert.symbol].instrument)

    def context_doc(self, symbol: str) -> dict[str, Any]:
        """The symbol's trading context as plain values (``dom run --context``)."""
        from dom.runtime.context_doc import context_doc

        assert self.engine is not None
        return context_doc(self, symbol)


class SinkFanout(ListenerBase):
    """Alerts to every sink as Alert JSON v1 (built once per alert)."""

    def __init__(self, pipeline: Pipeline, sinks: list[Any]) -> None:
        self.pipeline = pipeline
        self.sinks = sinks

    def on_alert(self, alert: Alert) -> None:
        if self.sinks:
            doc = self.pipeline.alert_doc(alert)
            for s in self.sinks:
                s.submit(doc)


def book_line(st: Any) -> str:
    """One line describing a symbol's book; identical for live runs, recordings and replays."""
    inst = st.instrument
    bb, ba = st.book.best_bid(), st.book.best_ask()
    bid = f"{inst.px_str(bb[0])} x {inst.qty_str(bb[1])}" if bb else "-"
    ask = f"{inst.px_str(ba[0])} x {inst.qty_str(ba[1])}" if ba else "-"
    lost = f" trades lost {st.stats.trades_missed} in {st.stats.trade_gaps} gaps" if st.stats.trade_gaps else ""
    return (f"{st.symbol} {st.state.value} u={st.seq.last_id} bid {bid} ask {ask} "
            f"levels {len(st.book.bids)}/{len(st.book.asks)}{lost}")
