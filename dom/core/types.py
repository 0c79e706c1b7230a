"""Normalized events and outputs: the contract between the I/O edges and the pure core.

Everything here is a frozen, slotted dataclass holding integers: prices in ticks and sizes in
lots of the instrument (see ``dom.core.units``). Venue field names and decimal strings never
appear here; the feeds convert once, at the edge.

Every event carries two clocks, as hftbacktest does: ``ts_exchange_ns`` (the venue's matching or
event time) and ``ts_recv_ns`` (when the frame reached us).
"""

from __future__ import annotations

import enum
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Union

def fast_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an ``__init__`` that stores each field through its slot
    descriptor: the generated one goes through ``object.__setattr__`` per field, about three
    times slower, and the feeds build one event per frame. Same signature, same defaults, same
    instance (still frozen: assignment raises ``FrozenInstanceError``)."""
    fs = fields(cls)
    if any(f.default_factory is not MISSING or not f.init for f in fs):
        raise TypeError(f"{cls.__name__}: only plain fields with plain defaults")
    env: dict[str, Any] = {}
    params, body = [], []
    for i, f in enumerate(fs):
        env[f"_set{i}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            env[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        body.append(f"    _set{i}(self, {f.name})")
    src = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    ns: dict[str, Any] = {}
    exec(src, env, ns)  # noqa: S102 - source built above from the class's own field names
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)  # (for inspect and type-driven tools)
    cls.__init__ = init  # type: ignore[misc]
    return cls


Level = tuple[int, int]
"""One price level: ``(px_ticks, qty_lots)``. A quantity of 0 in a delta deletes the level."""


class BookSide(enum.Enum):
    BID = "bid"
    ASK = "ask"

    # Members are singletons compared by identity: hash them by identity too, in C. Enum's own
    # ``__hash__`` is Python code (hash of the name), and detectors key dicts by (side, px).
    __hash__ = object.__hash__

    @property
    def opposite(self) -> "BookSide":
        return BookSide.ASK if self is BookSide.BID else BookSide.BID


class TakerSide(enum.Enum):
    """The aggressor of a trade. A BUY taker lifts the asks; a SELL taker hits the bids."""

    BUY = "buy"
    SELL = "sell"

    @property
    def maker_side(self) -> BookSide:
        return BookSide.ASK if self is TakerSide.BUY else BookSide.BID


class FeedState(enum.Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    SYNCING = "syncing"
    SYNCED = "synced"
    GAP = "gap"
    RESYNCING = "resyncing"
    STALE = "stale"
    CHECKSUM_FAILED = "checksum_failed"
    CROSSED = "crossed"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"
    TOP = "top"  # depth not followed: the best bid/ask (bookTicker) and trades only


@fast_init
@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """A full book (e.g. the REST depth response, or a venue's in-stream snapshot). ``last_id`` is
    the venue's lastUpdateId (OKX ``seqId``, Bybit ``u``); ``checksum`` as for :class:`BookDelta`."""

    symbol: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    last_id: int
    ts_exchange_ns: int
    ts_recv_ns: int
    checksum: int | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class BookDelta:
    """One venue depth packet: absolute sizes per level, with its sequence ids.

    ``first_id``/``last_id``/``prev_id`` are Binance's ``U``/``u``/``pu``; ``prev_id`` is -1 where
    the venue sends none (spot). Other venues map their ids onto them (see ``dom.core.sequencer``).
    ``checksum`` is the venue's checksum of the book after this packet, where it sends one (OKX,
    Bitget, Kraken); the engine verifies it with the venue's function.
    """

    symbol: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    first_id: int
    last_id: int
    prev_id: int
    ts_exchange_ns: int
    ts_recv_ns: int
    checksum: int | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class Trade:
    """One public trade (or one aggregated trade: ``first_id..last_id`` fills)."""

    symbol: str
    px_ticks: int
    qty_lots: int
    taker: TakerSide
    trade_id: int
    ts_exchange_ns: int
    ts_recv_ns: int
    first_id: int = -1
    last_id: int = -1


@fast_init
@dataclass(frozen=True, slots=True)
class BookTicker:
    """Best bid/ask at a given update id (used to check the book, not to build it)."""

    symbol: str
    update_id: int
    bid_px: int
    bid_qty: int
    ask_px: int
    ask_qty: int
    ts_exchange_ns: int
    ts_recv_ns: int


@fast_init
@dataclass(frozen=True, slots=True)
class MarkPrice:
    """Mark price and funding. Rates are integers in units of 1e-8 (0.0001 = 10_000)."""

    symbol: str
    mark_px_ticks: int
    index_px_ticks: int
    funding_rate_e8: int
    next_funding_ns: int
    ts_exchange_ns: int
    ts_recv_ns: int


@fast_init
@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed's state for one symbol (``symbol`` "" means the whole connection)."""

    symbol: str
    state: FeedState
    detail: str = ""
    ts_exchange_ns: int = 0
    ts_recv_ns: int = 0


Event = Union[BookSnapshot, BookDelta, Trade, BookTicker, MarkPrice, FeedStatus]


# ----------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """The core asks the feed for a fresh snapshot of ``symbol`` (initial sync or resync)."""

    symbol: str
    reason: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The book of ``symbol`` changed state (synced, gap, crossed, ...)."""

    symbol: str
    state: FeedState
    detail: str
    ts_ns: int


class AlertKind(enum.Enum):
    WALL = "wall"
    ICEBERG = "iceberg"
    ABSORPTION = "absorption"
    SPOOF = "spoof"
    BURST = "burst"
    SWEEP = "sweep"


class AlertState(enum.Enum):
    NEW = "new"
    UPDATE = "update"
    END = "end"


@dataclass(frozen=True, slots=True)
class Alert:
    """A detector's finding. Turned into Alert JSON v1 at the edge (``dom.alert_json``).

    ``evidence`` holds plain numbers (ints in ticks/lots, or floats for ratios) and short strings.
    Keys ending in ``_lots`` or ``_ticks`` are converted to decimal strings at the edge.
    """

    id: str
    ts_ns: int
    symbol: str
    kind: AlertKind
    state: AlertState
    side: BookSide
    px_ticks: int
    qty_lots: int
    score: float
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


Output = Union[SnapshotRequest, StatusChange, Alert]
