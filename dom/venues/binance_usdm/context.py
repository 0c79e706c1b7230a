"""Binance USDⓈ-M context over REST: ``/fapi/v1/premiumIndex`` for every symbol in one request
(the ``markPrice`` stream carries funding in between), ``/fapi/v1/openInterest`` and
``/fapi/v1/ticker/24hr`` per symbol (weight 1 each), on the polite schedule of
``dom.venues.polling``. Binance's context field names live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dom.core.context.market import OpenInterest, Ticker24h
from dom.core.types import Event, MarkPrice
from dom.core.units import Instrument
from dom.venues.polling import MS as _MS
from dom.venues.polling import ContextDecodeError, RestPoller, dec, lots, near


def _ms(v: Any) -> int:
    """A time in ms (0 when absent) as ns; anything else is a bad body."""
    if v is None or v == 0:
        return 0
    if type(v) is not int or not 0 < v < 1 << 43:
        raise ContextDecodeError(f"not a time in ms: {str(v)[:40]!r}")
    return v * _MS


def parse_premium(inst: Instrument, d: dict, recv_ns: int) -> MarkPrice:
    """One ``premiumIndex`` object -> MarkPrice (funding rate in 1e-8 units)."""
    try:
        return MarkPrice(
            inst.symbol, near(inst.tick_size, d["markPrice"]), near(inst.tick_size, d.get("indexPrice") or d["markPrice"]),
            near("0.00000001", d.get("lastFundingRate") or "0"), _ms(d.get("nextFundingTime")),
            _ms(d.get("time")), recv_ns,
        )
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed premiumIndex: {type(e).__name__} {str(e)[:80]}") from None


def parse_open_interest(inst: Instrument, d: dict, recv_ns: int) -> OpenInterest:
    try:
        return OpenInterest(inst.symbol, lots(inst, d["openInterest"]), _ms(d.get("time")), recv_ns)
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed openInterest: {type(e).__name__} {str(e)[:80]}") from None


def parse_ticker(inst: Instrument, d: dict, recv_ns: int) -> Ticker24h:
    try:
        px = lambda k: near(inst.tick_size, d[k])
        return Ticker24h(
            inst.symbol, px("lastPrice"), px("openPrice"), px("highPrice"), px("lowPrice"),
            lots(inst, d["volume"]), dec(d["quoteVolume"]), int(d.get("count") or 0),
            _ms(d.get("closeTime")), recv_ns,
        )
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed ticker/24hr: {type(e).__name__} {str(e)[:80]}") from None


class BinanceContextPoller(RestPoller):
    def schedules(self):
        p = self.params
        return [("premium", p.poll_premium_s, self._premium), ("open_interest", p.poll_open_interest_s, self._oi),
                ("ticker", p.poll_ticker_s, self._ticker)]

    def _parse(self, fn: Callable[[Instrument, dict, int], Event], doc: Any) -> list[Event]:
        return self.parse_rows(fn, doc if isinstance(doc, list) else [doc])

    async def _premium(self, _sym: str) -> list[Event]:
        doc = await self._get("/fapi/v1/premiumIndex")
        return self._parse(parse_premium, doc) if doc is not None else []

    async def _oi(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/openInterest?symbol={sym}")
        return self._parse(parse_open_interest, doc) if doc is not None else []

    async def _ticker(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/ticker/24hr?symbol={sym}")
        return self._parse(parse_ticker, doc) if doc is not None else []
