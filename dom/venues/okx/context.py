"""OKX v5 context over REST, for every swap at once: ``/api/v5/public/open-interest`` (contracts)
and ``/api/v5/market/tickers`` (last, 24 h open/high/low, volume in contracts and in base
currency). Mark price and funding come on the stream. OKX's context field names live here."""

from __future__ import annotations

from typing import Any

from dom.core.context.market import OpenInterest, Ticker24h
from dom.core.types import Event
from dom.core.units import Instrument
from dom.venues.polling import MS as _MS
from dom.venues.polling import ContextDecodeError, RestPoller, dec, lots, near


def _ms(v: Any) -> int:
    text = str(v or "0")
    if not text.isdigit() or len(text) > 14:
        raise ContextDecodeError(f"not a time in ms: {text[:40]!r}")
    return int(text) * _MS


def parse_open_interest(inst: Instrument, d: dict, recv_ns: int) -> OpenInterest:
    try:
        return OpenInterest(inst.symbol, lots(inst, d["oi"]), _ms(d.get("ts")), recv_ns)
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed open-interest: {type(e).__name__} {str(e)[:80]}") from None


def parse_ticker(inst: Instrument, d: dict, recv_ns: int) -> Ticker24h:
    try:
        px = lambda k: near(inst.tick_size, d[k])
        return Ticker24h(inst.symbol, px("last"), px("open24h"), px("high24h"), px("low24h"),
                         lots(inst, d["vol24h"]), dec(d["volCcy24h"]) * dec(d["last"]), 0, _ms(d.get("ts")),
                         recv_ns)
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed ticker: {type(e).__name__} {str(e)[:80]}") from None


class OkxContextPoller(RestPoller):
    whole_venue = frozenset({"open_interest", "tickers"})

    def schedules(self):
        p = self.params
        return [("open_interest", p.poll_open_interest_s, self._oi), ("tickers", p.poll_ticker_s, self._tickers)]

    def _rows(self, fn, doc: Any) -> list[Event]:
        return self.parse_rows(fn, doc.get("data") if isinstance(doc, dict) else None, key="instId")

    async def _oi(self, _sym: str) -> list[Event]:
        doc = await self._get("/api/v5/public/open-interest?instType=SWAP")
        return self._rows(parse_open_interest, doc) if doc is not None else []

    async def _tickers(self, _sym: str) -> list[Event]:
        doc = await self._get("/api/v5/market/tickers?instType=SWAP")
        return self._rows(parse_ticker, doc) if doc is not None else []
