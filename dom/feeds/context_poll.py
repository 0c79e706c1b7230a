"""Polling the market context politely: funding/mark/index, open interest and the 24 h ticker.

    poller = context_poller(feed, emit, params)   # None for a replay (it has no venue to ask)
    task = asyncio.create_task(poller.run())

Native Binance USDⓈ-M (and the built-in market): ``/fapi/v1/openInterest`` and
``/fapi/v1/ticker/24hr`` per symbol (weight 1 each), ``/fapi/v1/premiumIndex`` for all symbols in
one request (the ``markPrice`` stream carries funding in between). ccxt.pro venues: the matching
ccxt calls where the venue has them (``fetch_funding_rate``, ``fetch_open_interest``,
``fetch_ticker``), on the feed's own exchange object.

Politeness: requests go one at a time, spread evenly over each interval; one shared gate stops
every request after an error, for a delay that doubles up to ``poll_backoff_max_s`` (at least
``Retry-After`` on HTTP 429/418) and resets on the next success. The poller runs in its own task
and only hands finished events to ``emit``: a slow or failing venue never holds up ingest.
Venue field names stay in this module; events are :class:`MarkPrice`, :class:`OpenInterest`,
:class:`Ticker24h` with integer ticks and lots.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import aiohttp
import orjson

from dom.core.context.market import OpenInterest, Ticker24h
from dom.core.context.params import ContextParams
from dom.core.types import Event, MarkPrice
from dom.core.units import Instrument
from dom.errors import FeedError, UnitsError
from dom.feeds.tasks import run_together

log = logging.getLogger("dom.feeds.context_poll")
_MS = 1_000_000


class ContextDecodeError(FeedError):
    """A context body that is not what the venue sends."""


# ---------------------------------------------------------------------------------- parsing
def _dec(v: Any) -> Decimal:
    if isinstance(v, float):
        v = repr(v)
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise ContextDecodeError(f"not a number: {v!r}") from None
    if not d.is_finite():
        raise ContextDecodeError(f"not a finite number: {v!r}")
    return d


def _near(step: str, v: Any) -> int:
    """Nearest whole number of ``step`` (mark/index prices carry more decimals than the tick;
    context is shown, never fed to the book)."""
    return int((_dec(v) / Decimal(step)).to_integral_value(rounding=ROUND_HALF_EVEN))


def _lots(inst: Instrument, v: Any) -> int:
    text = v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)
    try:
        return inst.lots(text)
    except UnitsError:
        return _near(inst.lot_size, v)


def parse_premium(inst: Instrument, d: dict, recv_ns: int) -> MarkPrice:
    """One ``premiumIndex`` object -> MarkPrice (funding rate in 1e-8 units)."""
    try:
        return MarkPrice(
            inst.symbol, _near(inst.tick_size, d["markPrice"]), _near(inst.tick_size, d.get("indexPrice") or d["markPrice"]),
            _near("0.00000001", d.get("lastFundingRate") or "0"), int(d.get("nextFundingTime") or 0) * _MS,
            int(d.get("time") or 0) * _MS, recv_ns,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ContextDecodeError(f"malformed premiumIndex: {type(e).__name__} {e}") from None


def parse_open_interest(inst: Instrument, d: dict, recv_ns: int) -> OpenInterest:
    try:
        return OpenInterest(inst.symbol, _lots(inst, d["openInterest"]), int(d.get("time") or 0) * _MS, recv_ns)
    except (KeyError, TypeError, ValueError) as e:
        raise ContextDecodeError(f"malformed openInterest: {type(e).__name__} {e}") from None


def parse_ticker(inst: Instrument, d: dict, recv_ns: int) -> Ticker24h:
    try:
        px = lambda k: _near(inst.tick_size, d[k])  # noqa: E731
        return Ticker24h(
            inst.symbol, px("lastPrice"), px("openPrice"), px("highPrice"), px("lowPrice"),
            _lots(inst, d["volume"]), _dec(d["quoteVolume"]), int(d.get("count") or 0),
            int(d.get("closeTime") or 0) * _MS, recv_ns,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ContextDecodeError(f"malformed ticker/24hr: {type(e).__name__} {e}") from None


# ----------------------------------------------------------------------------------- polling
@dataclass
class PollStats:
    requests: int = 0
    ok: int = 0
    errors: int = 0
    rate_limited: int = 0
    bad_bodies: int = 0
    last_error: str = ""
    backoff_s: float = 0.0


class _Gate:
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


class _Poller:
    """The schedule shared by the venue-specific pollers: each kind of request loops over the
    symbols, one request every ``interval / len(symbols)`` seconds; the first round back to back."""

    def __init__(self, symbols: list[str], instruments: dict[str, Instrument], emit: Callable[[list[Event]], None],
                 params: ContextParams, clock: Callable[[], int] = time.time_ns, backoff_min_s: float = 1.0) -> None:
        self.symbols = list(symbols)
        self.instruments = instruments
        self.emit = emit
        self.params = params
        self.clock = clock
        self.stats = PollStats()
        self.gate = _Gate(params.poll_backoff_max_s, backoff_min_s)

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
        targets = self.symbols if name != "premium" else [""]
        step = every / max(1, len(targets))
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


class BinanceContextPoller(_Poller):
    def __init__(self, rest: str, symbols: list[str], instruments: dict[str, Instrument],
                 emit: Callable[[list[Event]], None], params: ContextParams, *,
                 session: aiohttp.ClientSession | None = None, **kw: Any) -> None:
        super().__init__(symbols, instruments, emit, params, **kw)
        self.rest = rest.rstrip("/")
        self._session = session
        self._own_session = session is None

    def schedules(self):
        p = self.params
        return [("premium", p.poll_premium_s, self._premium), ("open_interest", p.poll_open_interest_s, self._oi),
                ("ticker", p.poll_ticker_s, self._ticker)]

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _get(self, path: str) -> Any | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        url = self.rest + path
        self.stats.requests += 1
        try:
            async with self._session.get(url) as r:
                body = await r.read()
                status, retry = r.status, r.headers.get("Retry-After")
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
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

    def _parse(self, fn: Callable[[Instrument, dict, int], Event], doc: Any) -> list[Event]:
        now = self.clock()
        out: list[Event] = []
        for d in doc if isinstance(doc, list) else [doc]:
            inst = self.instruments.get(d.get("symbol", "")) if isinstance(d, dict) else None
            if inst is None:
                continue
            try:
                out.append(fn(inst, d, now))
            except ContextDecodeError as e:
                self.stats.bad_bodies += 1
                self.stats.last_error = str(e)
        return out

    async def _premium(self, _sym: str) -> list[Event]:
        doc = await self._get("/fapi/v1/premiumIndex")
        return self._parse(parse_premium, doc) if doc is not None else []

    async def _oi(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/openInterest?symbol={sym}")
        return self._parse(parse_open_interest, doc) if doc is not None else []

    async def _ticker(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/ticker/24hr?symbol={sym}")
        return self._parse(parse_ticker, doc) if doc is not None else []


class CcxtContextPoller(_Poller):
    """The same schedule through a ccxt.pro exchange object (the feed's), where it has the call."""

    def __init__(self, feed: Any, emit: Callable[[list[Event]], None], params: ContextParams, **kw: Any) -> None:
        super().__init__(feed.symbols, feed.instruments, emit, params, **kw)
        self.feed = feed

    def schedules(self):
        p = self.params
        has = getattr(self.feed.ex, "has", {}) or {}
        out = []
        if has.get("fetchFundingRate"):
            out.append(("funding", p.poll_premium_s, self._funding))
        if has.get("fetchOpenInterest"):
            out.append(("open_interest", p.poll_open_interest_s, self._oi))
        if has.get("fetchTicker"):
            out.append(("ticker", p.poll_ticker_s, self._ticker))
        return out

    async def _call(self, what: str, sym: str, name: str) -> dict | None:
        ccxt, ex = self.feed._ccxt, self.feed.ex
        if ex is None:
            return None
        self.stats.requests += 1
        try:
            doc = await getattr(ex, name)(self.feed.unified[sym])
        except ccxt.NotSupported as e:
            self._failed(what, f"not supported: {str(e)[:80]}")
            return None
        except (ccxt.DDoSProtection, ccxt.RateLimitExceeded) as e:
            self.stats.rate_limited += 1
            self._failed(what, f"rate limit: {type(e).__name__}")
            return None
        except ccxt.BaseError as e:
            self._failed(what, f"{type(e).__name__}: {str(e)[:120]}")
            return None
        self.stats.ok += 1
        self.gate.succeeded()
        return doc if isinstance(doc, dict) else None

    def _one(self, build: Callable[[], Event]) -> list[Event]:
        try:
            return [build()]
        except (ContextDecodeError, KeyError, TypeError, ValueError) as e:
            self.stats.bad_bodies += 1
            self.stats.last_error = f"{type(e).__name__}: {e}"
            return []

    async def _funding(self, sym: str) -> list[Event]:
        f = await self._call("funding", sym, "fetch_funding_rate")
        if not f or f.get("markPrice") is None:
            return []
        inst = self.instruments[sym]
        nxt = f.get("nextFundingTimestamp") or f.get("fundingTimestamp") or 0
        return self._one(lambda: MarkPrice(
            sym, _near(inst.tick_size, f["markPrice"]), _near(inst.tick_size, f.get("indexPrice") or f["markPrice"]),
            _near("0.00000001", f.get("fundingRate") or 0), int(nxt) * _MS, int(f.get("timestamp") or 0) * _MS,
            self.clock()))

    async def _oi(self, sym: str) -> list[Event]:
        o = await self._call("open_interest", sym, "fetch_open_interest")
        if not o or o.get("openInterestAmount") is None:
            return []
        inst = self.instruments[sym]
        return self._one(lambda: OpenInterest(sym, _lots(inst, o["openInterestAmount"]),
                                              int(o.get("timestamp") or 0) * _MS, self.clock()))

    async def _ticker(self, sym: str) -> list[Event]:
        t = await self._call("ticker", sym, "fetch_ticker")
        if not t or t.get("last") is None:
            return []
        inst = self.instruments[sym]
        px = lambda k: _near(inst.tick_size, t.get(k) if t.get(k) is not None else t["last"])  # noqa: E731
        return self._one(lambda: Ticker24h(
            sym, px("last"), px("open"), px("high"), px("low"), _lots(inst, t.get("baseVolume") or 0),
            _dec(t.get("quoteVolume") or 0), 0, int(t.get("timestamp") or 0) * _MS, self.clock()))


def context_poller(feed: Any, emit: Callable[[list[Event]], None], params: ContextParams,
                   **kw: Any) -> _Poller | None:
    """The poller for ``feed``'s venue, or None (a replay has no venue to ask)."""
    from dom.feeds.binance_usdm import BinanceUsdmFeed
    from dom.feeds.ccxt_pro import CcxtProFeed

    if isinstance(feed, BinanceUsdmFeed):
        return BinanceContextPoller(feed.rest, feed.symbols, feed.instruments, emit, params, **kw)
    if isinstance(feed, CcxtProFeed):
        return CcxtContextPoller(feed, emit, params, **kw)
    return None
