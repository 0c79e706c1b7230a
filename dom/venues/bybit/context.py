"""Bybit v5 context over REST: ``/v5/market/tickers?category=linear`` answers for every symbol at
once (mark, index, funding and its next time, open interest, 24 h last/open/high/low, volume and
turnover), so one request per interval serves the whole feed (the ``tickers`` stream carries mark
and funding in between). Bybit's context field names live here."""

from __future__ import annotations

from typing import Any

from dom.core.context.market import OpenInterest, Ticker24h
from dom.core.types import Event, MarkPrice
from dom.core.units import Instrument
from dom.venues.polling import MS as _MS
from dom.venues.polling import ContextDecodeError, RestPoller, dec, lots, near


def _ms(v: Any) -> int:
    if v in (None, "", 0, "0"):
        return 0
    text = str(v)
    if not text.isdigit() or len(text) > 14:
        raise ContextDecodeError(f"not a time in ms: {text[:40]!r}")
    return int(text) * _MS


def parse_ticker(inst: Instrument, d: dict, recv_ns: int, ts_ns: int) -> list[Event]:
    """One row of ``/v5/market/tickers`` -> MarkPrice, OpenInterest, Ticker24h."""
    try:
        px = lambda k: near(inst.tick_size, d[k])
        mark = MarkPrice(inst.symbol, px("markPrice"), near(inst.tick_size, d.get("indexPrice") or d["markPrice"]),
                         near("0.00000001", d.get("fundingRate") or "0"), _ms(d.get("nextFundingTime")), ts_ns,
                         recv_ns)
        oi = OpenInterest(inst.symbol, lots(inst, d["openInterest"]), ts_ns, recv_ns)
        day = Ticker24h(inst.symbol, px("lastPrice"), px("prevPrice24h"), px("highPrice24h"), px("lowPrice24h"),
                        lots(inst, d["volume24h"]), dec(d["turnover24h"]), 0, ts_ns, recv_ns)
        return [mark, oi, day]
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed ticker: {type(e).__name__} {str(e)[:80]}") from None


class BybitContextPoller(RestPoller):
    whole_venue = frozenset({"tickers"})

    def schedules(self):
        return [("tickers", self.params.poll_ticker_s, self._tickers)]

    async def _tickers(self, _sym: str) -> list[Event]:
        doc = await self._get("/v5/market/tickers?category=linear")
        if doc is None:
            return []
        result = doc.get("result") if isinstance(doc, dict) else None
        try:
            ts = _ms(doc.get("time")) if isinstance(doc, dict) else 0
        except ContextDecodeError:
            ts = 0
        return self.parse_rows(lambda inst, d, now: parse_ticker(inst, d, now, ts),
                               result.get("list") if isinstance(result, dict) else None)
