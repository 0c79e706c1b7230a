"""A recording served as the built-in market (``dom sim --replay FILE --speed N``).

The local exchange server (``dom.sim.server``) serves whatever a market object publishes; this one
publishes the frames of a recording instead of a simulated order flow, paced by their receive
times, over the same websocket endpoints: depth and bookTicker on ``/public``, trades and marks on
``/market`` (a recording's raw ``@trade`` frames go to ``@aggTrade`` subscribers: the decoder reads
both). So the live client, REST snapshot included, runs on real data:

- the clock waits until a client has subscribed to depth and trades (at most ``wait_s``), so a
  client that connects first sees every frame;
- frames keep the recorded order across the two connections (``SimServer._send_in_order``);
- a REST depth request is answered with the recording's next snapshot, when the replay reaches
  it (a real REST answer also comes later than the request); after the last one, HTTP 503;
- exchangeInfo lists the recording's instruments; the context endpoints say the recording holds
  none (HTTP 404).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from dom.core.units import Instrument
from dom.sim.market import STEP_NS, Msg
from dom.store import recording as rec
from dom.venues.binance_usdm.recording_scan import open_recording, route

@dataclass(frozen=True)
class RecordedSpec:
    """What exchangeInfo says of a recorded symbol (the fields ``dom.sim.rest`` reads)."""

    symbol: str
    tick_size: str
    lot_size: str
    base: str = ""
    sector: str = ""  # (a recording does not say)


@dataclass
class RecordedSymbol:
    spec: RecordedSpec
    inst: Instrument


class RecordedMarket:
    has_context = False
    ordered = True  # the server keeps the recorded order across connections

    def __init__(self, path: str | Path, symbols: list[str] | None = None, wait_s: float = 10.0) -> None:
        rp = open_recording(path, symbols=symbols)  # instruments: meta file, exchangeInfo or inferred
        self.path = rp.path
        self.venue = rp.venue
        self.trades_as_agg = rp.raw_trades  # a recording of raw trades only serves them as aggTrade
        self.instruments: dict[str, Instrument] = rp.instruments
        self.syms = {s: RecordedSymbol(RecordedSpec(s, i.tick_size, i.lot_size, i.base), i)
                     for s, i in self.instruments.items()}
        self._frames: Iterator = rp.frames()
        self._pending: rec.Frame | None = None
        self._single = next(iter(self.instruments)) if len(self.instruments) == 1 else None
        self.labels: list[dict] = []
        self.steps = 0
        self.start_ns = self.now = 0  # recording time (receive clock), set by the first frame
        self.ended = False
        self.frames_sent = 0
        self.snapshots_served = 0
        self._snapshots: dict[str, list[bytes]] = {s: [] for s in self.instruments}
        self._waiting: dict[str, list[asyncio.Future]] = {s: [] for s in self.instruments}
        self.wait_s = wait_s
        self.waited_s = 0.0

    # ------------------------------------------------------------------------- server hooks
    def ready(self, kinds: set[str], dt_s: float) -> bool:
        """Start once depth and trades are subscribed (or ``wait_s`` has passed)."""
        if self.steps or {"depth", "aggTrade"} <= kinds:
            return True
        self.waited_s += dt_s
        return self.waited_s >= self.wait_s

    def advance(self) -> list[Msg]:
        """The next 50 ms of the recording, as the venue published it."""
        out: list[Msg] = []
        if self.ended:
            return out
        if self.steps == 0:
            first = self._next()
            if first is None:
                self._end()
                return out
            self.start_ns = self.now = first.recv_ns
            self._pending = first
        self.steps += 1
        self.now += STEP_NS
        while True:
            fr = self._pending or self._next()
            self._pending = None
            if fr is None:
                self._end()
                break
            if fr.recv_ns > self.now:
                self._pending = fr
                break
            self._publish(fr, out)
        return out

    def _next(self) -> rec.Frame | None:
        for fr in self._frames:
            if isinstance(fr, rec.Frame):
                return fr
        return None

    def _publish(self, fr: rec.Frame, out: list[Msg]) -> None:
        if fr.snapshot_symbol is not None:
            sym = fr.snapshot_symbol or self._single
            if sym in self._snapshots:
                self._snapshots[sym].append(fr.raw)
                self._answer(sym)
            return
        r = route(fr.raw, self.trades_as_agg)
        if r is None:
            return
        endpoint, name, data, ms = r
        out.append(Msg(endpoint, name, data, ms * 1_000_000 if ms else self.now))
        self.frames_sent += 1

    def _answer(self, sym: str) -> None:
        body = self._snapshots[sym][-1]
        for fut in self._waiting[sym]:
            if not fut.done():
                fut.set_result(body)
                self.snapshots_served += 1
        self._waiting[sym].clear()

    def _end(self) -> None:
        self.ended = True
        for futs in self._waiting.values():
            for fut in futs:
                if not fut.done():
                    fut.set_result(None)
            futs.clear()

    async def next_snapshot(self, symbol: str) -> bytes | None:
        """The recording's next snapshot of ``symbol`` (None once the recording has ended)."""
        if self.ended:
            return None
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting[symbol].append(fut)
        return await fut

    def published_book(self, symbol: str):
        raise NotImplementedError("a recording's book is what its frames say: replay it to see it")

    def close_labels(self) -> None:
        pass
