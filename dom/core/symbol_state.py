"""What the engine keeps per symbol and what observers plug into: ``SymbolState`` (the book, its
sequencer, state and statistics, the observers), the ``Observer`` hooks and their do-nothing
``ObserverBase``, and ``LevelChange``. ``dom.core.engine`` drives them and re-exports these names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from dom.core.book import OrderBook
from dom.core.sequencer import Rule, Sequencer
from dom.core.types import BookDelta, BookSide, BookTicker, FeedState, MarkPrice, Output, Trade
from dom.core.units import Instrument

LevelChange = tuple[BookSide, int, int, int]
"""``(side, px_ticks, qty_before, qty_after)`` for one level touched by a delta."""


class Observer(Protocol):
    """Something that watches one symbol: a detector, a profile, a statistic.

    Each hook returns the outputs it produces (usually alerts; often an empty list).
    """

    def on_delta(self, sym: "SymbolState", delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]: ...

    def on_trade(self, sym: "SymbolState", trade: Trade) -> list[Output]: ...

    def on_sync_lost(self, sym: "SymbolState", ts_ns: int) -> list[Output]: ...

    def on_synced(self, sym: "SymbolState", ts_ns: int) -> list[Output]: ...


class ObserverBase:
    """Convenience base: every hook does nothing. ``needs_book = False`` marks an observer that
    also works on a symbol followed by its top of book only (it then gets ``on_ticker``)."""

    needs_book = True

    def on_ticker(self, sym: "SymbolState", ticker: BookTicker) -> list[Output]:
        return []

    def on_delta(self, sym: "SymbolState", delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        return []

    def on_trade(self, sym: "SymbolState", trade: Trade) -> list[Output]:
        return []

    def on_sync_lost(self, sym: "SymbolState", ts_ns: int) -> list[Output]:
        return []

    def on_synced(self, sym: "SymbolState", ts_ns: int) -> list[Output]:
        return []


@dataclass
class SymbolStats:
    depth_messages: int = 0
    applied: int = 0
    buffered: int = 0
    duplicates: int = 0
    gaps: int = 0
    resyncs: int = 0
    crossed: int = 0
    stale_snapshots: int = 0
    confirmed_snapshots: int = 0  # a snapshot at the book's own id with its exact levels: nothing to do
    ignored_depth: int = 0  # depth events while only the top of book is followed
    trades: int = 0
    tickers: int = 0
    last_exchange_ns: int = 0
    last_recv_ns: int = 0
    checksum_ok: int = 0
    checksum_failed: int = 0
    trade_gaps: int = 0  # where a venue numbers its trades without holes: breaks in the ids
    trades_missed: int = 0  # ids skipped over (trades dom never saw)
    trade_duplicates: int = 0  # ids already seen (dropped)


@dataclass
class SymbolState:
    """Everything the engine knows about one symbol. Observers may read it, never write it."""

    symbol: str
    instrument: Instrument
    rule: Rule
    book: OrderBook = field(default_factory=OrderBook)
    seq: Sequencer = field(init=False)
    state: FeedState = FeedState.SYNCING
    snapshot_requested: bool = False
    stats: SymbolStats = field(default_factory=SymbolStats)
    mark: MarkPrice | None = None
    last_ticker: BookTicker | None = None
    last_trade: Trade | None = None
    observers: list[Observer] = field(default_factory=list)
    top_only: bool = False  # depth not followed (state TOP): top-of-book observers only
    top_observers: list = field(default_factory=list)  # the observers with needs_book False
    top_sampled_ns: int = 0  # exchange time of the last ticker they saw
    trade_hooks: list = field(default_factory=list)  # what the engine calls for each trade (trade_hooks)
    delta_hooks: list = field(default_factory=list)  # what it calls for each applied depth message (delta_hooks)

    def __post_init__(self) -> None:
        self.seq = Sequencer(self.symbol, self.rule)

    @property
    def synced(self) -> bool:
        return self.state is FeedState.SYNCED


def _hooks(observers: Sequence[Observer], event: str) -> list:
    """Each observer's ``on_<event>``, bound once (no method lookup), or what its ``<event>_hook()``
    gives in its place (the same work, e.g. in C without the frame), in the observers' order; none
    for those that keep ``ObserverBase``'s (nothing to do)."""
    method = "on_" + event
    base = getattr(ObserverBase, method)
    out = []
    for ob in observers:
        if getattr(type(ob), method, None) is base:
            continue
        hook = getattr(ob, event + "_hook", None)
        out.append(hook() if hook is not None else getattr(ob, method))
    return out


def trade_hooks(observers: Sequence[Observer]) -> list:
    """What the engine calls for each trade of a synced or syncing book, ``hook(sym, trade) ->
    list[Output]`` (``_hooks``: ``on_trade`` or ``trade_hook()``)."""
    return _hooks(observers, "trade")


def delta_hooks(observers: Sequence[Observer]) -> list:
    """What the engine calls for each depth message it applied with observers, ``hook(sym, delta,
    changes) -> list[Output]`` (``_hooks``: ``on_delta`` or ``delta_hook()``, e.g. a check in C that
    most messages need nothing, without the frame)."""
    return _hooks(observers, "delta")


ObserverFactory = Callable[[SymbolState], list[Observer]]
