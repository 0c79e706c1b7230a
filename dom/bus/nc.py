"""Connecting to the bus: a client that reconnects for ever, and the alert stream.

    bus = await connect(url, "dom-alerts")   # waits for a server that is not up yet
    await ensure_streams(bus.js)             # idempotent: every publisher calls it
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from dom.bus.subjects import ALERT_STREAM
from dom.errors import DomError

log = logging.getLogger("dom.bus")
ALERT_MAX_AGE_S = 24 * 3600
DEDUPE_WINDOW_S = 600  # a retried alert within ten minutes is dropped by the server


@dataclass
class BusConn:
    nc: Any
    js: Any
    url: str
    disconnects: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.nc.close(), 3.0)
        except Exception:  # closing a client whose server is gone: nothing left to do
            pass


async def connect(url: str, name: str, wait_s: float = 30.0) -> BusConn:
    """Connect to ``url``, retrying for ``wait_s`` if the server is not up yet; once connected the
    client reconnects for ever (every 0.25 s) and keeps up to 8 MB of publishes while it does."""
    import nats

    holder: dict[str, BusConn] = {}

    async def disconnected() -> None:
        if "b" in holder:
            holder["b"].disconnects += 1

    async def reconnected() -> None:
        if "b" in holder:
            holder["b"].reconnects += 1

    async def error(e: Exception) -> None:
        if "b" in holder:
            b = holder["b"]
            b.errors = (b.errors + [f"{type(e).__name__}: {e}"])[-20:]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        try:
            # Bounded: with reconnects allowed, nats-py's first connect to a server that is not
            # there retries inside for ever (a consumer pointed at a dead URL sat idle).
            attempt = nats.connect(url, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.25,
                                   connect_timeout=2, allow_reconnect=True, ping_interval=2,
                                   max_outstanding_pings=2, pending_size=8 * 1024 * 1024,
                                   disconnected_cb=disconnected, reconnected_cb=reconnected, error_cb=error)
            nc = await asyncio.wait_for(attempt, max(1.0, deadline - loop.time()) + 2.0)
            break
        except Exception as e:
            if loop.time() > deadline:
                why = f"{type(e).__name__}: {e}" if str(e) else "no answer"
                raise DomError(f"cannot reach the bus at {url}: {why}") from None
            await asyncio.sleep(0.5)
    b = BusConn(nc, nc.jetstream(timeout=2.0), url)
    holder["b"] = b
    return b


async def ensure_streams(js: Any) -> None:
    """The alert stream (created if missing; kept 24 h, retries within 10 min deduplicated)."""
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import BadRequestError

    cfg = StreamConfig(name=ALERT_STREAM, subjects=["dom.alerts.>"], storage=StorageType.FILE,
                       max_age=ALERT_MAX_AGE_S, duplicate_window=DEDUPE_WINDOW_S)
    try:
        await js.add_stream(cfg)
    except BadRequestError:  # it exists with other settings (an older dom): use it as it is
        pass
