"""Alerts into the JetStream stream ``DOM_ALERTS`` on ``dom.alerts.<venue>.<symbol>.<kind>``
(Alert JSON v1, so any NATS client can read them: ``nats sub 'dom.alerts.>'``).

Each alert event carries a ``Nats-Msg-Id`` (``dom.bus.subjects.alert_msg_id``): a publish whose
acknowledgement was lost is retried with the same id and the server keeps one copy. While the
server is down the alerts wait in the sink's bounded queue (``queue_size``; beyond it they are
dropped and counted) and go out, in order, once it is back.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from dom.bus.subjects import alert_msg_id, alert_subject
from dom.sinks.base import Sink


class NatsSink(Sink):
    def __init__(self, url: str = "", queue_size: int = 10_000, filter=None, bus: Any = None,
                 retry_s: float = 0.25) -> None:
        super().__init__(queue_size, filter)
        self.url = url
        self.bus = bus
        self._own = bus is None
        self.retry_s = retry_s
        self.retries = 0
        self.duplicates = 0  # publishes the server had already (a retry after a lost ack)
        self.name = "nats:" + (url or (bus.url if bus is not None else ""))

    async def start(self) -> None:
        from dom.bus.nc import connect, ensure_streams

        if self.bus is None:
            self.bus = await connect(self.url, "dom-alerts")
        await ensure_streams(self.bus.js)
        await super().start()

    async def send(self, alert: dict) -> None:
        subj = alert_subject(str(alert.get("venue", "")), str(alert.get("symbol", "")), str(alert.get("kind", "")))
        data = orjson.dumps(alert)
        hdr = {"Nats-Msg-Id": alert_msg_id(alert)}
        while True:  # until acknowledged: the queue behind us is the bound
            try:
                ack = await self.bus.js.publish(subj, data, headers=hdr, timeout=2.0)
                if ack.duplicate:
                    self.duplicates += 1
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                self.retries += 1
                await asyncio.sleep(self.retry_s)

    async def close(self) -> None:
        if self._own and self.bus is not None:
            await self.bus.close()
