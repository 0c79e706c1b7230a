"""Polling the market context politely, for every venue: the shared schedule and gate.

Each venue's poller (``dom/venues/<venue>/context.py``) says what it asks and how often; this
module spreads the requests: one at a time, evenly over each interval, and one shared gate stops
every request after an error, for a delay that doubles up to ``poll_backoff_max_s`` (at least
``Retry-After`` on HTTP 429/418) and resets on the next success. A poller runs in its own task
and only hands finished events to ``emit``: a slow or failing venue never holds up ingest.
Numbers from context bodies are converted here, exactly (``Decimal``), to integer ticks and lots.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from dom.core.context.params import ContextParams
from dom.core.types import Event
from dom.core.units import Instrument
from dom.errors import FeedError, UnitsError
from dom.venues.tasks import run_together

log = logging.getLogger("dom.venues.polling")
MS = 1_000_000


class ContextDecodeError(FeedError):
    """A context body that is not what the venue sends."""


# ---------------------------------------------------------------------------------- parsing
def dec(v: Any) -> Decimal:
    """A number from a context body, exactly: a decimal string, an int or a float (through its
    shortest repr); bounded in length and exponent (``"1e-999999999"`` would hang a division)."""
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise ContextDecodeError(f"not a number: {str(v)[:60]!r}")
    text = repr(v) if isinstance(v, float) else str(v)
    if len(text) > 40:
        raise ContextDecodeError(f"not a number: {text[:60]!r}")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ContextDecodeError(f"not a number: {text!r}") from None
    if not d.is_finite() or not -40 <= d.as_tuple().exponent <= 40:
        raise ContextDecodeError(f"not a finite number in range: {text!r}")
    return d


def near(step: str, v: Any) -> int:
    """Nearest whole number of ``step`` (mark/index prices carry more decimals than the tick;
    context is shown, never fed to the book)."""
    return int((dec(v) / Decimal(step)).to_integral_value(rounding=ROUND_HALF_EVEN))


def lots(inst: Instrument, v: Any) -> int:
    text = v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)
    try:
        return inst.lots(text)
    except UnitsError:
        return near(inst.lot_size, v)


@dataclass
class PollStats:
    requests: int = 0
    ok: int = 0
    errors: int = 0
    rate_limited: int = 0
    bad_bodies: int = 0
    last_error: str = ""
    backoff_s: float = 0.0


class Gate:
    """One request at a time; after an error, nobody asks until the backoff has passed."""

    def __init__(self, max_s: float, min_s: float = 1.0) -> None:
        self.lock = asyncio.Lock()
        self.resume_at = 0.0
        self.delay = 0.0
        self.max_s = max_s
        self.min_s = min_s

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        while (left := self.resume_at - loop.time()) > 0:
            await asyncio.sleep(left)

    def failed(self, at_least: float = 0.0) -> float:
        self.delay = min(self.max_s, max(self.min_s, self.delay * 2, at_least))
        self.resume_at = asyncio.get_running_loop().time() + self.delay
        return self.delay

    def succeeded(self) -> None:
        self.delay = 0.0


class Poller:
    """The schedule shared by the venue-specific pollers: each kind of request loops over the
    symbols, one request every ``interval / len(symbols)`` seconds (at least ``min_step_s``: 300
    symbols polled every 10 s would be 30 requests a second); the first round back to back.
    A schedule named in ``whole_venue`` asks once per interval for every symbol at once."""

    whole_venue: frozenset[str] = frozenset({"premium"})
    min_step_s = 0.1  # a schedule asks at most 10 times a second: with many symbols, rounds stretch

    def __init__(self, symbols: list[str], instruments: dict[str, Instrument], emit: Callable[[list[Event]], None],
                 params: ContextParams, clock: Callable[[], int] = time.time_ns, backoff_min_s: float = 1.0) -> None:
        self.symbols = list(symbols)
        self.instruments = instruments
        self.emit = emit
        self.params = params
        self.clock = clock
        self.stats = PollStats()
        self.gate = Gate(params.poll_backoff_max_s, backoff_min_s)

    def schedules(self) -> list[tuple[str, float, Callable[[str], Any]]]:
        raise NotImplementedError

    async def run(self) -> None:
        try:
            await run_together(asyncio.create_task(self._loop(name, every, once), name=f"dom-context-{name}")
                               for name, every, once in self.schedules())
        finally:
            await self.close()

    async def close(self) -> None:
        pass

    async def _loop(self, name: str, every: float, once: Callable[[str], Any]) -> None:
        targets = [""] if name in self.whole_venue else self.symbols
        step = max(every / max(1, len(targets)), self.min_step_s)
        first = True  # the first round goes straight through (one request at a time): the panel fills at once
        while True:
            for sym in targets:
                await self.gate.wait()
                async with self.gate.lock:
                    await self.gate.wait()
                    events = await once(sym)
                if events:
                    self.emit(events)
                if not first:
                    await asyncio.sleep(step)
            if first:
                first = False
                await asyncio.sleep(step)

    def _failed(self, what: str, detail: str, at_least: float = 0.0) -> None:
        self.stats.errors += 1
        self.stats.last_error = f"{what}: {detail}"
        self.stats.backoff_s = self.gate.failed(at_least)
        log.info("context %s failed (%s); pausing requests %.1f s", what, detail, self.stats.backoff_s)


class RestPoller(Poller):
    """A poller over a venue's public REST API: one JSON GET at a time through the shared gate
    (429/418 honour ``Retry-After``; any failure pauses every request of this poller)."""

    def __init__(self, rest: str, symbols: list[str], instruments: dict[str, Instrument],
                 emit: Callable[[list[Event]], None], params: ContextParams, *,
                 session: Any = None, **kw: Any) -> None:
        super().__init__(symbols, instruments, emit, params, **kw)
        self.rest = rest.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _get(self, path: str) -> Any | None:
        import aiohttp
        import orjson

        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        url = self.rest + path
        self.stats.requests += 1
        try:
            async with self._session.get(url) as r:
                body = await r.read()
                status, retry = r.status, r.headers.get("Retry-After")
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            self._failed(path, f"{type(e).__name__}")
            return None
        if status in (418, 429):
            self.stats.rate_limited += 1
            try:
                wait = float(retry) if retry else 0.0
            except ValueError:
                wait = 0.0
            self._failed(path, f"HTTP {status} (rate limit)", wait)
            return None
        if status != 200:
            self._failed(path, f"HTTP {status}")
            return None
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            self.stats.bad_bodies += 1
            self._failed(path, "invalid JSON")
            return None
        self.stats.ok += 1
        self.gate.succeeded()
        return doc

    def parse_rows(self, fn: Callable[[Instrument, dict, int], Any], rows: Any, key: str = "symbol") -> list[Event]:
        """The rows of a body that name a followed symbol (under ``key``) through
        ``fn(instrument, row, now)``, which gives an event or a list of them; a bad row is counted
        and skipped, a body that is not a list of rows counted as bad."""
        if not isinstance(rows, list):
            self.stats.bad_bodies += 1
            self.stats.last_error = f"expected a list of rows, got {type(rows).__name__}"
            return []
        now = self.clock()
        out: list[Event] = []
        for d in rows[:10_000]:
            inst = self.instruments.get(d.get(key, "")) if isinstance(d, dict) else None
            if inst is None:
                continue
            try:
                got = fn(inst, d, now)
            except ContextDecodeError as e:
                self.stats.bad_bodies += 1
                self.stats.last_error = str(e)
                continue
            out += got if isinstance(got, list) else [got]
        return out
