"""Wiring for the bus (docs/BUS.md): ``dom collect`` and the alert stream a ``--bus`` consumer
reads. The source side of ``--bus`` (:class:`dom.bus.client.BusClient`) is chosen in
:func:`dom.runtime.wiring.open_source`, with every other source.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import deque
from typing import Any

from dom.errors import ConfigError
from dom.runtime.wiring import StderrListener, _signals_stop, build_pipeline, open_source


def _ts() -> str:
    return time.strftime("%H:%M:%S")


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n), 0 <= i < n <= 1024."""
    i, sep, n = text.partition("/")
    if not (sep and i.isdigit() and n.isdigit() and len(text) <= 11):
        raise ConfigError(f"--shard takes i/n (e.g. 0/4), not {text[:20]!r}")
    a, b = int(i), int(n)
    if not 0 <= a < b <= 1024:
        raise ConfigError(f"--shard {a}/{b}: need 0 <= i < n <= 1024")
    return a, b


async def collect(cfg: Any, bus_url: str, shard: tuple[int, int], duration: float | None) -> int:
    """``dom collect``: follow a shard of a venue's symbols and publish what the books apply,
    the trades, statuses and marks on the bus, the books in the bucket and the alerts to the
    alert stream (plus any ``--sink``)."""
    from dom.bus.nc import connect
    from dom.bus.publisher import Publisher
    from dom.runtime.live import LiveDriver
    from dom.sinks.base import build_sinks
    from dom.sinks.nats import NatsSink

    bus = await connect(bus_url, f"dom-collect-{shard[0]}-{shard[1]}")
    extra = build_sinks(cfg.sinks) if cfg.sinks else []
    try:
        async with open_source(cfg, shard=shard) as src:
            label = f"{shard[0]}/{shard[1]}"
            pub = Publisher(bus, src.name, label)
            pipe = build_pipeline(cfg, src, observers=(pub.observers,))
            pipe.subscribe(pub)
            pipe.subscribe(StderrListener())
            sinks = [NatsSink(bus=bus), *extra]
            drv = LiveDriver(src.client, pipe, sinks, poller_for=src.venue.context_poller,
                             stale_after_s=cfg.feed.book_stale_after_s)
            await drv.start()
            inner = src.client.emit

            def emit(events: list) -> None:
                inner(events)
                pub.marks(events)

            src.client.emit = emit
            await pub.start()
            syms = sorted(pipe.engine.symbols)
            print(f"{_ts()} collector {label} of {src.name}: {len(syms)} symbols ({', '.join(syms[:8])}"
                  f"{', ...' if len(syms) > 8 else ''}) -> {bus_url}", file=sys.stderr)
            try:
                with _signals_stop(drv):
                    await drv.run(duration, flush_deadline=cfg.run.flush_deadline_s)
            finally:
                await pub.close(cfg.run.flush_deadline_s)
            print(f"{_ts()} done: {pub.published} messages published, {pub.dropped} dropped, "
                  f"{pub.snapshots} books written, {pipe.alerts} alerts; bus reconnects {bus.reconnects}",
                  file=sys.stderr)
    finally:
        await bus.close()
    return 0


class AlertStream:
    """The alert stream of one venue, from the moment of attaching, into sinks: each message
    once (by stream sequence; the collectors' retries were already dropped by the server's
    message-id window, and a repeat id is skipped here too)."""

    def __init__(self, bus: Any, venue: str, sinks: list[Any]) -> None:
        from dom.bus.subjects import token

        self.bus = bus
        self.filter = f"dom.alerts.{token(venue)}.>"
        self.sinks = sinks
        self.delivered = 0
        self.repeats = 0
        self._seen: set[str] = set()
        self._order: deque = deque()

    async def run(self) -> None:
        import orjson

        from dom.bus.nc import ensure_streams
        from dom.bus.subjects import ALERT_STREAM

        js = self.bus.js
        while True:
            try:
                await ensure_streams(js)
                nxt = (await js.stream_info(ALERT_STREAM)).state.last_seq + 1
                break
            except Exception:
                await asyncio.sleep(0.5)
        while True:
            try:
                m = await js.get_msg(ALERT_STREAM, seq=nxt, subject=self.filter, next=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # nothing newer yet (or the server is away): look again
                await asyncio.sleep(0.1)
                continue
            nxt = m.seq + 1
            mid = (m.headers or {}).get("Nats-Msg-Id", "")
            if mid:
                if mid in self._seen:
                    self.repeats += 1
                    continue
                self._seen.add(mid)
                self._order.append(mid)
                if len(self._order) > 100_000:
                    self._seen.discard(self._order.popleft())
            try:
                doc = orjson.loads(m.data)
            except orjson.JSONDecodeError:
                continue
            if type(doc) is not dict:
                continue
            self.delivered += 1
            for s in self.sinks:
                s.submit(doc)


@contextlib.asynccontextmanager
async def alert_stream(src: Any, sinks: list[Any]):
    """While the block runs, the bus's alerts for ``src``'s venue go to ``sinks``."""
    reader = AlertStream(src.client.bus, src.name, sinks)
    task = asyncio.create_task(reader.run(), name="dom-bus-alerts")
    try:
        yield reader
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)  # bounded (see dom.sinks.base.Sink.aclose)
