"""Alert sinks: each with its own bounded queue and task, so a slow or failing sink never stalls
the feed or another sink. ``submit`` never blocks; a full queue drops and counts.

    sink = JsonlSink("-")          # or build_sinks(["jsonl:-", "jsonl:alerts.jsonl"])
    await sink.start(); sink.submit(alert_dict); await sink.aclose(deadline_s)
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import time
from dataclasses import dataclass
from typing import Any

from dom.errors import SinkError
from dom.sinks.filters import FILTER_KEYS, AlertFilter, filter_from

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
                log.warning("%s: alert %s not delivered: %s", self.name, alert.get("id"), e)
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
            await asyncio.gather(self._task, return_exceptions=True)
        await self.close()

    async def close(self) -> None:
        pass


SINK_KEYS = {
    "jsonl": {"path"},
    "webhook": {"url", "timeout_s", "retries", "backoff_s", "header", "token_env", "template", "template_format"},
    "exec": {"argv", "timeout_s", "concurrency"},
}


def build_sinks(specs: list[str | dict[str, Any]]) -> list[Sink]:
    """CLI spec strings (``jsonl:-``, ``jsonl:PATH``, ``webhook:URL``, ``exec:CMD ARG...``) or
    TOML ``[[sinks]]`` tables (``type`` plus its keys and the filter keys)."""
    out: list[Sink] = []
    for i, spec in enumerate(specs):
        if isinstance(spec, str):
            kind, sep, arg = spec.partition(":")
            if not sep or kind not in SINK_KEYS:
                raise SinkError(f"unknown sink {spec!r} (use jsonl:-, jsonl:PATH, webhook:URL or exec:COMMAND)")
            table: dict[str, Any] = {"type": kind}
            if kind == "jsonl":
                table["path"] = arg or "-"
            elif kind == "webhook":
                table["url"] = arg
            else:
                table["argv"] = shlex.split(arg)
            out.append(_build(table, f"--sink {spec}"))
        elif isinstance(spec, dict):
            out.append(_build(spec, f"sinks[{i}]"))
        else:
            raise SinkError(f"sinks[{i}]: expected a table")
    return out


def _build(t: dict[str, Any], where: str) -> Sink:
    kind = t.get("type")
    if kind not in SINK_KEYS:
        raise SinkError(f"{where}.type: unknown sink type {kind!r} (jsonl, webhook, exec)")
    allowed = SINK_KEYS[kind] | FILTER_KEYS | {"type", "queue_size"}
    for k in t:
        if k not in allowed:
            raise SinkError(f"unknown key {where}.{k}")
    flt = filter_from(t, where) if FILTER_KEYS & set(t) else None
    qs = t.get("queue_size", 10_000)
    if not isinstance(qs, int) or qs < 1:
        raise SinkError(f"{where}.queue_size: expected a positive integer")
    if kind == "jsonl":
        from dom.sinks.jsonl import JsonlSink

        return JsonlSink(str(t.get("path", "-")), queue_size=qs, filter=flt)
    if kind == "webhook":
        from dom.sinks.webhook import WebhookSink

        url = t.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SinkError(f"{where}.url: expected an http(s) URL")
        return WebhookSink(url, queue_size=qs, filter=flt, **{k: t[k] for k in SINK_KEYS["webhook"] - {"url"} if k in t})
    from dom.sinks.exec_hook import ExecSink

    argv = t.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise SinkError(f"{where}.argv: expected a non-empty list of strings")
    return ExecSink(argv, queue_size=qs, filter=flt, **{k: t[k] for k in ("timeout_s", "concurrency") if k in t})
