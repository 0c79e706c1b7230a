"""Webhook sink: POST each alert (Alert JSON v1, or a text template for chat relays).

Bounded retries with jittered exponential backoff on 5xx, 429 (waiting at least its Retry-After,
up to 30 s), timeouts and refused connections; an alert that still fails after them counts as
``failed`` (a drop beyond the retry budget). One worker sends in order, so an episode's
new/update/end arrive in order. The auth header's value
comes from an environment variable and is never logged; the URL is shown as ``scheme://host/…``
(chat services put their secret in it). The chat relays (:mod:`dom.sinks.chat`) are this sink
with their own body.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Mapping

import aiohttp
import orjson

from dom.errors import SinkConfigError, SinkError
from dom.sinks.base import Sink, log
from dom.sinks.spec import redact_url, scrub


class _Retry(Exception):
    def __init__(self, msg: str, after: float = 0.0) -> None:
        super().__init__(msg)
        self.after = after


MAX_RETRY_AFTER_S = 30.0
"""A 429's Retry-After is honoured up to this (the queue meanwhile fills and drops, counted)."""


def _retry_after(value: str | None) -> float:
    try:
        after = float(value or 0)
    except ValueError:  # an HTTP date: not worth parsing, the backoff applies
        return 0.0
    return min(after, MAX_RETRY_AFTER_S) if after > 0 else 0.0  # nan and negatives: no


class WebhookSink(Sink):
    kind = "webhook"

    def __init__(self, url: str, queue_size: int = 10_000, filter=None, timeout_s: float = 5.0, retries: int = 3,
                 backoff_s: float = 0.2, header: str = "", token_env: str = "", template: str = "",
                 template_format: str = "json_text", env: Mapping[str, str] | None = None) -> None:
        super().__init__(queue_size, filter)
        env = os.environ if env is None else env
        self.url = url
        self.name = f"{self.kind}:{redact_url(url)}"
        self.timeout_s, self.retries, self.backoff_s = float(timeout_s), int(retries), float(backoff_s)
        if not (self.timeout_s > 0 and self.retries >= 0 and self.backoff_s >= 0):
            raise SinkConfigError(f"{self.name}: timeout_s > 0, retries >= 0 and backoff_s >= 0")
        self.template = template
        if template_format not in ("json_text", "text"):
            raise SinkConfigError("webhook template_format: json_text or text")
        self.template_format = template_format
        self.headers: dict[str, str] = {}
        self.secrets: tuple[str, ...] = (url,)
        if header or token_env:
            if not (header and token_env):
                raise SinkConfigError("webhook: header and token_env go together")
            token = env.get(token_env)
            if token is None:
                raise SinkConfigError(f"webhook: environment variable {token_env} is not set")
            self.headers[header] = token
            self.secrets += (token,)
        self.retried = 0
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        await super().start()

    def render(self, alert: dict) -> str:
        """The alert through ``template`` (``str.format`` over its top-level fields)."""
        fields = {k: v for k, v in alert.items() if not isinstance(v, dict)}
        try:
            return self.template.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError) as e:
            raise SinkError(f"template: {type(e).__name__}: {e}") from None

    def body(self, alert: dict) -> tuple[bytes, str]:
        if not self.template:
            return orjson.dumps(alert), "application/json"
        text = self.render(alert)
        if self.template_format == "text":
            return text.encode(), "text/plain; charset=utf-8"
        return orjson.dumps({"text": text}), "application/json"

    async def send(self, alert: dict) -> None:
        assert self._session is not None
        data, ctype = self.body(alert)
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            try:
                async with self._session.post(self.url, data=data, headers={**self.headers, "Content-Type": ctype}) as r:
                    if r.status < 300:
                        return
                    if r.status < 500 and r.status != 429:
                        raise SinkError(f"HTTP {r.status}")  # the receiver refuses it: do not retry
                    after = _retry_after(r.headers.get("Retry-After")) if r.status == 429 else 0.0
                    raise _Retry(f"HTTP {r.status}", after)
            except (_Retry, aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
                if attempt == self.retries:
                    why = scrub(str(e), self.secrets) or type(e).__name__
                    raise SinkError(f"gave up after {self.retries + 1} attempts: {why}") from None
                self.retried += 1
                log.info("%s: retry %d after %s", self.name, attempt + 1, type(e).__name__)
                await asyncio.sleep(max(delay * (0.5 + random.random()), getattr(e, "after", 0.0)))
                delay *= 2
        raise SinkError("not sent")  # unreachable: retries >= 0 makes at least one attempt

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
