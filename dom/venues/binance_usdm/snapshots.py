"""REST depth snapshots for the native client: one recovery per symbol, concurrent, polite.

Each symbol that needs a snapshot gets its own task with its own backoff (100 ms doubling to
5 s), so a symbol whose snapshot keeps failing never holds up the others. Every request first
takes its weight from a token bucket under Binance's REST limit (``/fapi/v1/depth``: weight 2 up
to 50 levels, 5 to 100, 10 to 500, 20 to 1000; 2,400 a minute per IP: snapshots take at most 1,800).
Answers are handled as Binance documents them:

- 200: the snapshot goes to the engine (a body that does not decode is retried);
- 429 / 418: every request waits ``Retry-After`` (at least 1 s), then the symbol retries;
- 400 with code -1121 ("Invalid symbol"), or 4xx three times in a row: the symbol is switched
  off with the venue's reason (a ``closed`` status), never retried;
- 5xx, timeouts, refused connections: retried with the symbol's backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

from dom.core.types import FeedState, FeedStatus
from dom.venues.base import FeedStats
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError

INVALID_SYMBOL = -1121
LIMIT_PER_MINUTE = 1800  # of Binance's 2,400 a minute per IP: the context poller asks the rest


def depth_weight(limit: int) -> int:
    return 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20


class WeightGate:
    """A token bucket of request weight per minute, plus a pause every request honours."""

    def __init__(self, per_minute: int = LIMIT_PER_MINUTE) -> None:
        self.per_s = per_minute / 60.0
        self.capacity = float(per_minute) / 4  # a burst of 15 s worth
        self.tokens = self.capacity
        self.at = 0.0
        self.paused_until = 0.0

    async def take(self, weight: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_s) if self.at else self.tokens
            self.at = now
            if self.tokens >= weight:
                self.tokens -= weight
                return
            await asyncio.sleep((weight - self.tokens) / self.per_s)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, asyncio.get_running_loop().time() + seconds)


class SnapshotFetcher:
    def __init__(self, rest: str, limit: int, stats: FeedStats, emit: Callable[[list], None],
                 on_status: Callable[[str, FeedState, str], None],
                 on_body: Callable[[int, str, bytes], None] | None = None, per_minute: int = LIMIT_PER_MINUTE) -> None:
        self.rest = rest
        self.limit = limit
        self.stats = stats
        self.emit = emit
        self.on_status = on_status
        self.on_body = on_body
        self.gate = WeightGate(per_minute)
        self.session: aiohttp.ClientSession | None = None
        self.decoder: BinanceDecoder | None = None
        self.off: dict[str, str] = {}  # symbols switched off, with the venue's reason
        self.requests: dict[str, int] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._last: dict[str, str] = {}  # the last client error per symbol, for the reason

    def request(self, symbol: str) -> None:
        """Start recovering ``symbol`` unless it already is (or was switched off)."""
        if symbol in self.off:
            return
        t = self._tasks.get(symbol)
        if t is None or t.done():
            self._tasks[symbol] = asyncio.get_running_loop().create_task(self._recover(symbol),
                                                                         name=f"dom-snapshot-{symbol}")

    def forget(self, symbol: str) -> None:
        """Stop recovering ``symbol`` (its depth is no longer followed)."""
        t = self._tasks.pop(symbol, None)
        if t is not None:
            t.cancel()

    async def close(self) -> None:
        for t in self._tasks.values():
            t.cancel()
        if self._tasks:  # bounded (see dom.sinks.base.Sink.aclose)
            await asyncio.wait(list(self._tasks.values()), timeout=1.0)
        self._tasks.clear()

    async def _recover(self, sym: str) -> None:
        delay, client_errors = 0.1, 0
        while True:
            verdict = await self._fetch(sym)
            if verdict == "ok":
                return
            if verdict == "client_error":
                client_errors += 1
                if client_errors >= 3:
                    self._switch_off(sym, f"snapshot refused 3 times ({self._last.get(sym, '')})")
                    return
            elif verdict == "off":
                return
            else:
                client_errors = 0
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _fetch(self, sym: str) -> str:
        assert self.session is not None and self.decoder is not None
        await self.gate.take(depth_weight(self.limit))
        self.requests[sym] = self.requests.get(sym, 0) + 1
        url = f"{self.rest}/fapi/v1/depth?symbol={sym}&limit={self.limit}"
        try:
            async with self.session.get(url) as r:
                body = await r.read()
                status, retry = r.status, r.headers.get("Retry-After")
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            return self._failed(sym, f"snapshot failed ({e.__class__.__name__}), retrying")
        if status in (418, 429):
            try:
                wait = max(1.0, float(retry)) if retry else 1.0
            except ValueError:
                wait = 1.0
            self.gate.pause(wait)
            return self._failed(sym, f"snapshot HTTP {status} (rate limit): every request waits {wait:g} s")
        if 400 <= status < 500:
            code, msg = _binance_error(body)
            self._last[sym] = f"HTTP {status}" + (f" {code} {msg}" if code is not None else "")
            if code == INVALID_SYMBOL:
                self._switch_off(sym, f"the venue says: {msg or 'invalid symbol'}")
                return "off"
            self._failed(sym, f"snapshot HTTP {status}, retrying")
            return "client_error"
        if status != 200:
            return self._failed(sym, f"snapshot HTTP {status}, retrying")
        now = time.time_ns()
        try:
            snap = self.decoder.decode_snapshot(sym, body, now)
        except DecodeError as e:
            return self._failed(sym, f"bad snapshot ({e}), retrying")
        self.stats.snapshots += 1
        if self.on_body is not None:
            self.on_body(now, sym, body)
        self._tasks.pop(sym, None)  # the engine may ask again at once (a stale snapshot): let it
        self.emit([snap])
        return "ok"

    def _failed(self, sym: str, detail: str) -> str:
        self.stats.snapshot_errors += 1
        self.on_status("rest", FeedState.RESYNCING, f"{sym} {detail}")
        return "retry"

    def _switch_off(self, sym: str, reason: str) -> None:
        self.off[sym] = reason
        self.on_status("rest", FeedState.CLOSED, f"{sym} switched off: {reason}")
        self.emit([FeedStatus(sym, FeedState.CLOSED, f"switched off: {reason}", 0, time.time_ns())])


def _binance_error(body: bytes) -> tuple[int | None, str]:
    """Binance's ``{"code": -1121, "msg": "Invalid symbol."}``, if that is what the body is."""
    try:
        doc: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, ""
    if isinstance(doc, dict) and type(doc.get("code")) is int:
        return doc["code"], str(doc.get("msg", ""))[:120]
    return None, ""
