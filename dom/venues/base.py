"""What every venue adapter provides, and what the drivers may rely on.

A venue is one folder, ``dom/venues/<name>/``: a pure codec (``codec.py``: wire frames <-> core
events, and the encoder the built-in market serves), its sequencing rule and checksum verifier,
instrument metadata, the live client (``client.py``: websockets/REST, imported only when a live
source is built) and the context poller (``context.py``). The rest of dom sees a venue only
through :class:`Venue` and :class:`LiveClient`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dom.core.context.params import ContextParams
from dom.core.sequencer import Rule
from dom.core.types import Event, FeedState
from dom.core.units import Instrument
from dom.errors import FeedError


def endpoint_pair(endpoint: str | None, rest: str, ws: str) -> tuple[str, str]:
    """``--endpoint`` -> (REST base, websocket base): ``http(s)://host:port`` gives the same host
    over ``ws(s)://``; no endpoint gives the venue's production pair ``rest``, ``ws``."""
    if not endpoint:
        return rest, ws
    e = endpoint.rstrip("/")
    if e.startswith("https://"):
        return e, "wss://" + e[len("https://"):]
    if e.startswith("http://"):
        return e, "ws://" + e[len("http://"):]
    raise FeedError(f"endpoint must start with http:// or https://: {endpoint!r}")


@dataclass
class FeedStats:
    """What a live client counts; the status bar and ``dom run``'s last line show it."""

    frames: int = 0
    bytes: int = 0
    bad_frames: int = 0
    reconnects: int = 0
    stale: int = 0
    snapshots: int = 0
    snapshot_errors: int = 0
    last_frame_ns: int = 0
    bad_examples: list[str] = field(default_factory=list)


class LiveClient(Protocol):
    """A connection to a venue (or a recording played as one): frames in, events out.

    The driver sets ``emit`` (events, in arrival order) and ``on_status`` (connection news) before
    ``run``; the pipeline asks for snapshots through ``request_snapshot``."""

    venue: str
    endpoint: str
    stats: FeedStats
    instruments: dict[str, Instrument]
    emit: Callable[[list[Event]], None]
    on_status: Callable[[str, FeedState, str], None]

    async def prepare(self) -> dict[str, Instrument]: ...

    async def run(self) -> None: ...

    def request_snapshot(self, symbol: str) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class VenueInfo:
    """What ``dom venues`` says about a venue."""

    name: str
    title: str
    native: bool
    sequence: str  # how the book's continuity is verified ("" if it is not)
    checksum: str  # the venue's checksum dom verifies ("" if none)
    context: str  # what context is polled or streamed
    symbol_form: str  # e.g. "BTCUSDT"
    note: str = ""
    trade_ids: bool = False  # trade ids run without holes, so a hole is a lost trade
    whole_venue: bool = False  # all-market streams: the scanner can follow depth only where opened


class Venue(Protocol):
    info: VenueInfo
    rule: Rule

    def verifier(self) -> Callable[..., bool] | None:
        """The pure checksum check the engine runs after each update that carries one."""

    def decoder(self, instruments: dict[str, Instrument]) -> Any:
        """The pure codec's decoder: ``decode(raw, recv_ns) -> list[Event]``."""

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any) -> LiveClient:
        """The live client (imports its network libraries when called)."""

    def context_poller(self, client: LiveClient, emit: Callable[[list[Event]], None],
                       params: ContextParams) -> Any | None:
        """The venue's context poller for a live client, or None."""
