"""The engine: normalized events in, outputs out (``Engine.feed(event) -> list[Output]``).

It keeps, per symbol, the book and its sequencer, and drives the observers (detectors, volume
profile, tape statistics) that plug in through :class:`Observer`. It never does I/O: when it
needs a snapshot it says so with a :class:`SnapshotRequest`, and the feed fetches one.

While a symbol's book is not synced, observers see no book deltas and detectors must emit
nothing (they are told with ``on_sync_lost``/``on_synced``).

A symbol can be followed by its top of book only (``follow_depth(symbol, False)``: a whole-venue
scanner subscribes depth only for the symbols a user opens). Its state is ``TOP``; depth events
are ignored; trades and best bid/ask updates (``on_ticker``, sampled every ``TOP_SAMPLE_NS``) go
to the observers that need no book (``needs_book = False``: bursts, sweeps, the context's bars),
whose alerts pass.

Venues that checksum their book (OKX, Bitget, Kraken) put the checksum on the snapshot or delta; the
engine, given the venue's pure ``verify(book, instrument, checksum) -> bool`` at construction (the
core imports no venue), checks it after applying the event and before any observer sees it. A
mismatch is handled as a gap: ``CHECKSUM_FAILED``, the book unsynced, a snapshot requested.
"""

from __future__ import annotations

from typing import Callable, Sequence

from dom.core.book import OrderBook
from dom.core.sequencer import APPLY, Rule, Verdict
from dom.core.symbol_state import (
    LevelChange,
    Observer,
    ObserverBase,
    ObserverFactory,
    SymbolState,
    SymbolStats,
    delta_hooks,
    trade_hooks,
)
from dom.core.types import (
    Alert,
    BookDelta,
    BookSnapshot,
    BookTicker,
    Event,
    FeedState,
    FeedStatus,
    MarkPrice,
    Output,
    SnapshotRequest,
    StatusChange,
    Trade,
)
from dom.core.units import Instrument

# The observers' side (dom.core.symbol_state) is importable from here, as it always was.
__all__ = ["TOP_SAMPLE_NS", "Engine", "LevelChange", "Observer", "ObserverBase", "ObserverFactory",
           "SymbolState", "SymbolStats", "Verify"]

_SYNCED = FeedState.SYNCED

TOP_SAMPLE_NS = 250_000_000
"""A symbol followed by its top of book: its observers see its best bid/ask at most every 250 ms
of exchange time (a whole venue's bookTickers come thousands a second; a burst's 3 s window and
1 m bars need no more)."""

Verify = Callable[[OrderBook, Instrument, int], bool]
"""A venue's checksum check: does ``book`` (in ``instrument``'s units) match ``checksum``?"""


class Engine:
    """Books, sequencing and observers for many symbols."""

    def __init__(
        self,
        instruments: dict[str, Instrument] | Sequence[Instrument],
        rule: Rule = Rule.USDM,
        observers: ObserverFactory | None = None,
        verify: Verify | None = None,
        trade_ids: bool = False,
    ) -> None:
        if not isinstance(instruments, dict):
            instruments = {i.symbol: i for i in instruments}
        self.rule = rule
        self.verify = verify
        self.trade_ids = trade_ids  # the venue's trade ids run without holes (Binance's do)
        self._observer_factory = observers
        self.symbols: dict[str, SymbolState] = {}
        for inst in instruments.values():
            self.add_symbol(inst)

    def add_symbol(self, inst: Instrument) -> SymbolState:
        st = SymbolState(inst.symbol, inst, self.rule)
        if self._observer_factory is not None:
            st.observers = list(self._observer_factory(st))
            st.top_observers = [o for o in st.observers if not getattr(o, "needs_book", True)]
            st.trade_hooks = trade_hooks(st.observers)
            st.delta_hooks = delta_hooks(st.observers)
        self.symbols[inst.symbol] = st
        return st

    def __getitem__(self, symbol: str) -> SymbolState:
        return self.symbols[symbol]

    # ------------------------------------------------------------------------------ dispatch
    def feed(self, ev: Event) -> list[Output]:
        st = self.symbols.get(ev.symbol)
        if st is None:
            return []
        kind = type(ev)  # the frequent ones by exact type first (the checks below take subclasses)
        if st.top_only:
            return self._on_top(st, ev)
        if kind is BookDelta:
            return self._on_delta(st, ev)  # type: ignore[arg-type]
        if kind is BookTicker:
            st.last_ticker = ev  # type: ignore[assignment]
            st.stats.tickers += 1
            return []
        if kind is Trade:
            return self._on_trade(st, ev)  # type: ignore[arg-type]
        if isinstance(ev, BookDelta):
            return self._on_delta(st, ev)
        if isinstance(ev, Trade):
            return self._on_trade(st, ev)
        if isinstance(ev, BookSnapshot):
            return self._on_snapshot(st, ev)
        if isinstance(ev, BookTicker):
            st.last_ticker = ev
            st.stats.tickers += 1
            return []
        if isinstance(ev, MarkPrice):
            st.mark = ev
            return []
        if isinstance(ev, FeedStatus):
            return self._on_status(st, ev)
        return []

    # ----------------------------------------------------------------------- top of book only
    def follow_depth(self, symbol: str, on: bool, ts_ns: int = 0) -> list[Output]:
        """Follow ``symbol``'s depth (``on``: the book syncs from the next deltas and a snapshot,
        as at start) or only its top of book (state ``TOP``: the book is dropped, the observers
        that need it get ``on_sync_lost``). Nothing happens if it is already so."""
        st = self.symbols.get(symbol)
        if st is None or st.top_only is (not on):
            return []
        if on:
            st.top_only = False
            st.seq.reset()
            st.snapshot_requested = False
            return self._set_state(st, FeedState.SYNCING, "depth followed", ts_ns)
        was_synced = st.synced
        st.top_only = True
        out = self._set_state(st, FeedState.TOP, "depth not followed: best bid/ask and trades", ts_ns)
        for ob in st.observers:  # the top-of-book observers go on
            if getattr(ob, "needs_book", True):
                out += ob.on_sync_lost(st, ts_ns)
        if was_synced or st.book.bids or st.book.asks:
            st.book = OrderBook()
        st.seq.reset()
        st.snapshot_requested = False
        return out

    def _on_top(self, st: SymbolState, ev: Event) -> list[Output]:
        kind = type(ev)
        out: list[Output] = []
        if kind is BookTicker or isinstance(ev, BookTicker):
            st.last_ticker = ev  # type: ignore[assignment]
            st.stats.tickers += 1
            t = ev.ts_exchange_ns
            if t > st.stats.last_exchange_ns:
                st.stats.last_exchange_ns = t
            if t - st.top_sampled_ns >= TOP_SAMPLE_NS:  # the observers sample the mid
                st.top_sampled_ns = t
                for ob in st.top_observers:
                    out += ob.on_ticker(st, ev)
        elif kind is Trade or isinstance(ev, Trade):
            if not self._count_trade(st, ev):  # type: ignore[arg-type]
                return []
            for ob in st.top_observers:
                out += ob.on_trade(st, ev)
        elif isinstance(ev, MarkPrice):
            st.mark = ev
        elif isinstance(ev, (BookDelta, BookSnapshot)):
            st.stats.ignored_depth += 1  # an unsubscribed stream's last frames
        elif isinstance(ev, FeedStatus) and ev.state in (FeedState.DISCONNECTED, FeedState.STALE, FeedState.CLOSED):
            for ob in st.top_observers:
                out += ob.on_sync_lost(st, ev.ts_recv_ns)
        return out

    # -------------------------------------------------------------------------------- depth
    def _on_delta(self, st: SymbolState, d: BookDelta) -> list[Output]:
        stats = st.stats
        stats.depth_messages += 1
        stats.last_exchange_ns = d.ts_exchange_ns
        stats.last_recv_ns = d.ts_recv_ns
        result = st.seq.on_delta(d)
        if result is APPLY:  # the sequencer gives every APPLY as this one tuple: one identity test
            return self._apply(st, d)
        verdict, gap = result
        if verdict is Verdict.DUPLICATE:
            stats.duplicates += 1
            return []
        if verdict is Verdict.BUFFERED:
            stats.buffered += 1
            return self._request_snapshot(st, "initial sync", d.ts_recv_ns)
        # A gap: the book can no longer be trusted.
        stats.gaps += 1
        assert gap is not None
        if st.rule.in_stream:
            detail = f"gap at id {gap.at_last_id}: follows {gap.got}, the book is at {gap.expected}"
        else:
            detail = f"gap at u={gap.at_last_id}: expected pu={gap.expected}, got pu={gap.got}"
        out = self._set_state(st, FeedState.GAP, detail, d.ts_recv_ns)
        out += self._lose_sync(st, d.ts_recv_ns)
        out += self._request_snapshot(st, detail, d.ts_recv_ns, force=True)
        return out

    def _apply(self, st: SymbolState, d: BookDelta) -> list[Output]:
        st.stats.applied += 1
        changes: list[LevelChange] = []
        # (the observers' changes: bids, then asks; without observers, none are collected)
        bad = st.book.apply_checked(d.bids, d.asks, changes if st.observers else None)
        if bad is not None:
            return self._crossed(st, str(bad), d.ts_recv_ns)
        if d.checksum is not None and self.verify is not None and not self._checksum_ok(st, d.checksum):
            return self._checksum_failed(st, d.checksum, f"update {d.last_id}", d.ts_recv_ns)
        out: list[Output] = []
        for hook in st.delta_hooks:  # (the observers' on_delta, bound once: see delta_hooks)
            out += hook(st, d, changes)
        return out

    def _checksum_ok(self, st: SymbolState, checksum: int) -> bool:
        assert self.verify is not None
        if self.verify(st.book, st.instrument, checksum):
            st.stats.checksum_ok += 1
            return True
        st.stats.checksum_failed += 1
        return False

    def _checksum_failed(self, st: SymbolState, checksum: int, where: str, ts: int) -> list[Output]:
        """Handled as a gap: the book is wrong from here on, whatever the sequence ids say."""
        detail = f"checksum mismatch after {where}: venue sent {checksum}"
        st.seq.reset()
        out = self._set_state(st, FeedState.CHECKSUM_FAILED, detail, ts)
        out += self._lose_sync(st, ts)
        out += self._request_snapshot(st, detail, ts, force=True)
        return out

    def _crossed(self, st: SymbolState, detail: str, ts: int) -> list[Output]:
        st.stats.crossed += 1
        st.seq.reset()
        out = self._set_state(st, FeedState.CROSSED, detail, ts)
        out += self._lose_sync(st, ts)
        out += self._request_snapshot(st, detail, ts, force=True)
        return out

    def _on_snapshot(self, st: SymbolState, s: BookSnapshot) -> list[Output]:
        if (st.state is FeedState.SYNCED and s.last_id >= 0 and s.last_id == st.seq.last_id
                and _same_levels(st.book, s)):
            # The book as it is, at the id it is at (a continuous recording's segment opens with
            # one): not a resync. The observers see nothing, exactly as the live session did.
            st.stats.confirmed_snapshots += 1
            return []
        st.snapshot_requested = False
        res = st.seq.on_snapshot(s)
        if not res.synced:
            st.stats.stale_snapshots += 1
            out = self._set_state(st, FeedState.RESYNCING, res.reason, s.ts_recv_ns)
            return out + self._request_snapshot(st, res.reason, s.ts_recv_ns, force=True)
        book = st.book
        book.apply_snapshot(s.bids, s.asks)
        for d in res.apply:
            st.stats.applied += 1
            book.apply_delta(d.bids, d.asks)
        bad = book.check()
        if bad is not None:
            return self._crossed(st, str(bad), s.ts_recv_ns)
        if s.checksum is not None and self.verify is not None and not self._checksum_ok(st, s.checksum):
            return self._checksum_failed(st, s.checksum, f"snapshot {s.last_id}", s.ts_recv_ns)
        out: list[Output] = []
        if st.state is FeedState.SYNCED and st.rule.in_stream:
            # An in-stream snapshot replacing a live book (Bybit resends one, a resubscription
            # brings one): observers never see the jump as deltas.
            out += self._lose_sync(st, s.ts_recv_ns)
        if st.state is not FeedState.SYNCING:
            st.stats.resyncs += 1
        out += self._set_state(st, FeedState.SYNCED, f"snapshot {s.last_id}", s.ts_recv_ns)
        for ob in st.observers:
            out += ob.on_synced(st, s.ts_recv_ns)
        return out

    def _request_snapshot(self, st: SymbolState, reason: str, ts: int, force: bool = False) -> list[Output]:
        if st.snapshot_requested and not force:
            return []
        st.snapshot_requested = True
        return [SnapshotRequest(st.symbol, reason)]

    # ------------------------------------------------------------------------------- trades
    def _count_trade(self, st: SymbolState, t: Trade) -> bool:
        """Count ``t`` (holes and repeats where ids run without holes); False: a repeat, dropped."""
        stats = st.stats
        last = st.last_trade
        if self.trade_ids and last is not None:
            if t.trade_id <= last.trade_id:
                stats.trade_duplicates += 1
                return False
            if t.trade_id != last.trade_id + 1:
                stats.trade_gaps += 1
                stats.trades_missed += t.trade_id - last.trade_id - 1
        stats.trades += 1
        st.last_trade = t
        return True

    def _on_trade(self, st: SymbolState, t: Trade) -> list[Output]:
        if not self._count_trade(st, t):
            return []
        out: list[Output] = []
        for hook in st.trade_hooks:  # (the observers' on_trade, bound once: see trade_hooks)
            out += hook(st, t)
        if st.state is not _SYNCED:
            out = [o for o in out if not isinstance(o, Alert)]
        return out

    # ------------------------------------------------------------------------------- status
    def _on_status(self, st: SymbolState, s: FeedStatus) -> list[Output]:
        """Connection-level news from the feed (disconnect, stale, checksum failure)."""
        if s.state in (FeedState.DISCONNECTED, FeedState.STALE, FeedState.CHECKSUM_FAILED, FeedState.CLOSED):
            out = self._set_state(st, s.state, s.detail, s.ts_recv_ns)
            out += self._lose_sync(st, s.ts_recv_ns)
            st.seq.reset()
            st.snapshot_requested = False
            return out
        if s.state in (FeedState.CONNECTING, FeedState.CONNECTED, FeedState.RESYNCING) and not st.synced:
            return self._set_state(st, s.state, s.detail, s.ts_recv_ns)
        return []

    def _set_state(self, st: SymbolState, state: FeedState, detail: str, ts: int) -> list[Output]:
        st.state = state
        return [StatusChange(st.symbol, state, detail, ts)]

    def _lose_sync(self, st: SymbolState, ts: int) -> list[Output]:
        out: list[Output] = []
        for ob in st.observers:
            out += ob.on_sync_lost(st, ts)
        return out


def _same_levels(book: OrderBook, s: BookSnapshot) -> bool:
    bids, asks = book.copy_levels()
    return (bids == {p: q for p, q in s.bids if q} and asks == {p: q for p, q in s.asks if q})
