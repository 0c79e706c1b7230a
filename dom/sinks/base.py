"""Alert sinks: each with its own bounded queue and task, so a slow or failing sink never stalls
the feed or another sink. ``submit`` never blocks; a full queue drops and counts.

    sink = JsonlSink("-")          # or build_sinks(["jsonl:-", "jsonl:alerts.jsonl"])
    await sink.start(); sink.submit(alert_dict); await sink.aclose(deadline_s)
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from dom.errors import SinkError

log = logging.getLogger("dom.sinks")


@dataclass
class SinkStats:
    submitted: int = 0
    sent: int = 0
    dropped: int = 0
    failed: int = 0
    filtered: int = 0


class Sink:
    name = "sink"

    def __init__(self, queue_size: int = 10_000) -> None:
        self.stats = SinkStats()
        self._queue: asyncio.Queue[dict] | None = None
        self._queue_size = queue_size
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._queue = asyncio.Queue(maxsize=self._queue_size)
        self._task = asyncio.create_task(self._worker(), name=f"dom-sink-{self.name}")

    def accepts(self, alert: dict) -> bool:
        return True

    def submit(self, alert: dict) -> bool:
        """Queue one alert (Alert JSON v1 dict). Never blocks; False when filtered or dropped."""
        self.stats.submitted += 1
        if not self.accepts(alert):
            self.stats.filtered += 1
            return False
        assert self._queue is not None, "start() the sink first"
        try:
            self._queue.put_nowait(alert)
        except asyncio.QueueFull:
            self.stats.dropped += 1
            return False
        return True

    async def _worker(self) -> None:
        assert self._queue is not None
        q = self._queue
        while True:
            alert = await q.get()
            try:
                await self.send(alert)
                self.stats.sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a sink's failure is counted and logged, never fatal
                self.stats.failed += 1
                log.warning("%s: alert %s not delivered: %s", self.name, alert.get("id"), e)
            finally:
                q.task_done()

    async def send(self, alert: dict) -> None:
        raise NotImplementedError

    async def aclose(self, deadline_s: float = 2.0) -> None:
        """Deliver what is queued within ``deadline_s``, then stop."""
        if self._queue is not None and self._task is not None:
            try:
                await asyncio.wait_for(self._queue.join(), deadline_s)
            except asyncio.TimeoutError:
                self.stats.dropped += self._queue.qsize()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.close()

    async def close(self) -> None:
        pass


def build_sinks(specs: list[str | dict[str, Any]]) -> list[Sink]:
    """CLI spec strings (``jsonl:-``, ``jsonl:PATH``) or TOML ``[[sinks]]`` tables."""
    from dom.sinks.jsonl import JsonlSink

    out: list[Sink] = []
    for i, spec in enumerate(specs):
        if isinstance(spec, str):
            kind, _, arg = spec.partition(":")
            if kind == "jsonl":
                out.append(JsonlSink(arg or "-"))
            else:
                raise SinkError(f"unknown sink {spec!r} (supported: jsonl:-, jsonl:PATH)")
        else:
            kind = spec.get("type")
            if kind == "jsonl":
                unknown = set(spec) - {"type", "path", "queue_size"}
                if unknown:
                    raise SinkError(f"unknown key sinks[{i}].{sorted(unknown)[0]}")
                out.append(JsonlSink(spec.get("path", "-"), queue_size=int(spec.get("queue_size", 10_000))))
            else:
                raise SinkError(f"sinks[{i}].type: unknown sink type {kind!r}")
    return out
