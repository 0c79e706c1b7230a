"""Context from any ccxt.pro venue: ``fetch_funding_rate``, ``fetch_open_interest`` and
``fetch_ticker`` where the venue has them, on the feed's own exchange object and the polite
schedule of ``dom.venues.polling``. No ccxt dict or float leaves this module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dom.core.context.market import OpenInterest, Ticker24h
from dom.core.context.params import ContextParams
from dom.core.types import Event, MarkPrice
from dom.venues.polling import MS as _MS
from dom.venues.polling import ContextDecodeError, Poller, dec, lots, near


class CcxtContextPoller(Poller):
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
            sym, near(inst.tick_size, f["markPrice"]), near(inst.tick_size, f.get("indexPrice") or f["markPrice"]),
            near("0.00000001", f.get("fundingRate") or 0), int(nxt) * _MS, int(f.get("timestamp") or 0) * _MS,
            self.clock()))

    async def _oi(self, sym: str) -> list[Event]:
        o = await self._call("open_interest", sym, "fetch_open_interest")
        if not o or o.get("openInterestAmount") is None:
            return []
        inst = self.instruments[sym]
        return self._one(lambda: OpenInterest(sym, lots(inst, o["openInterestAmount"]),
                                              int(o.get("timestamp") or 0) * _MS, self.clock()))

    async def _ticker(self, sym: str) -> list[Event]:
        t = await self._call("ticker", sym, "fetch_ticker")
        if not t or t.get("last") is None:
            return []
        inst = self.instruments[sym]
        px = lambda k: near(inst.tick_size, t.get(k) if t.get(k) is not None else t["last"])
        return self._one(lambda: Ticker24h(
            sym, px("last"), px("open"), px("high"), px("low"), lots(inst, t.get("baseVolume") or 0),
            dec(t.get("quoteVolume") or 0), 0, int(t.get("timestamp") or 0) * _MS, self.clock()))
