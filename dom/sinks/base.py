"""Alert sinks: each with its own bounded queue and task, so a slow or failing sink never stalls
the feed or another sink. ``submit`` never blocks; a full queue drops and counts.

    sink = JsonlSink("-")          # or build_sinks(["jsonl:-", "jsonl:alerts.jsonl", "slack:URL"])
    await sink.start(); sink.submit(alert_dict); await sink.aclose(deadline_s)
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Mapping

from dom.sinks.filters import FILTER_KEYS, AlertFilter, filter_from
from dom.sinks.spec import SINK_KEYS, scrub, sink_table

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

    def __init__(self, queue_size: int = 10_000, filter: AlertFilter | None = None) -> None:
        self.stats = SinkStats()
        self.filter = filter
        self._queue: asyncio.Queue[dict] | None = None
        self._queue_size = queue_size
        self._task: asyncio.Task | None = None
        self._inflight = False

    async def start(self) -> None:
        self._queue = asyncio.Queue(maxsize=self._queue_size)
        self._task = asyncio.create_task(self._worker(), name=f"dom-sink-{self.name}")

    def accepts(self, alert: dict) -> bool:
        return self.filter is None or self.filter.allow(alert, time.monotonic())

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
            self._inflight = True
            try:
                await self.send(alert)
                self.stats.sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a sink's failure is counted and logged, never fatal
                self.stats.failed += 1
                why = scrub(str(e), getattr(self, "secrets", ()))  # never a URL's secret path or a token
                log.warning("%s: alert %s not delivered: %s", self.name, alert.get("id"), why)
            finally:
                self._inflight = False
                q.task_done()

    async def send(self, alert: dict) -> None:
        raise NotImplementedError

    async def aclose(self, deadline_s: float = 2.0) -> None:
        """Deliver what is queued within ``deadline_s``, then stop."""
        if self._queue is not None and self._task is not None:
            try:
                await asyncio.wait_for(self._queue.join(), deadline_s)
            except asyncio.TimeoutError:  # what could not be delivered in time is counted
                self.stats.dropped += self._queue.qsize() + (1 if self._inflight else 0)
            self._task.cancel()
            # Bounded: on Python 3.11 a cancellation that races with a completed await inside a
            # client library (asyncio.wait_for) can be swallowed, and the worker would wait for
            # the next alert for ever; seen as a collector that never exited after SIGTERM.
            await asyncio.wait({self._task}, timeout=1.0)
        await self.close()

    async def close(self) -> None:
        pass


def build_sinks(specs: list[str | dict[str, Any]], env: Mapping[str, str] | None = None) -> list[Sink]:
    """CLI spec strings (``jsonl:-``, ``jsonl:PATH``, ``webhook:URL``, ``exec:CMD ARG...``,
    ``telegram:``, ``discord:URL``, ``slack:URL``) or TOML ``[[sinks]]`` tables (``type`` plus its
    keys and the filter keys), checked by :func:`dom.sinks.spec.sink_table` (the config loader
    runs the same check, so a config that loads builds)."""
    env = os.environ if env is None else env
    return [_build(sink_table(spec, f"sinks[{i}]", env), env) for i, spec in enumerate(specs)]


def _build(t: dict[str, Any], env: Mapping[str, str]) -> Sink:
    kind = t["type"]
    flt = filter_from(t, "sink") if FILTER_KEYS & set(t) else None
    kw = {k: t[k] for k in SINK_KEYS[kind]}
    common = {"queue_size": t["queue_size"], "filter": flt}
    if kind == "jsonl":
        from dom.sinks.jsonl import JsonlSink

        return JsonlSink(kw["path"], **common)
    if kind == "webhook":
        from dom.sinks.webhook import WebhookSink

        return WebhookSink(**kw, **common, env=env)
    if kind == "nats":
        from dom.sinks.nats import NatsSink

        return NatsSink(kw["url"], **common)
    if kind == "exec":
        from dom.sinks.exec_hook import ExecSink

        return ExecSink(**kw, **common, env=env)
    from dom.sinks.chat import DiscordSink, SlackSink, TelegramSink

    cls = {"telegram": TelegramSink, "discord": DiscordSink, "slack": SlackSink}[kind]
    return cls(**kw, **common, env=env)
