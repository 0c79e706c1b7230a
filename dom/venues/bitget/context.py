"""Bitget v2 context over REST: ``/api/v2/mix/market/tickers?productType=USDT-FUTURES`` answers
for every contract at once (last, 24 h open/high/low, base and quote volume, open interest as
``holdingAmount``, mark, index, funding). Mark and funding also come on the ``ticker`` stream.
Bitget's context field names live here."""

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


def parse_ticker(inst: Instrument, d: dict, recv_ns: int) -> list[Event]:
    try:
        ts = _ms(d.get("ts"))
        px = lambda k: near(inst.tick_size, d[k])
        oi = OpenInterest(inst.symbol, lots(inst, d["holdingAmount"]), ts, recv_ns)
        day = Ticker24h(inst.symbol, px("lastPr"), px("open24h"), px("high24h"), px("low24h"),
                        lots(inst, d["baseVolume"]), dec(d["quoteVolume"]), 0, ts, recv_ns)
        return [oi, day]
    except ContextDecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile body trips is a bad body
        raise ContextDecodeError(f"malformed ticker: {type(e).__name__} {str(e)[:80]}") from None


class BitgetContextPoller(RestPoller):
    whole_venue = frozenset({"tickers"})

    def schedules(self):
        return [("tickers", self.params.poll_ticker_s, self._tickers)]

    async def _tickers(self, _sym: str) -> list[Event]:
        doc = await self._get("/api/v2/mix/market/tickers?productType=USDT-FUTURES")
        if doc is None:
            return []
        return self.parse_rows(parse_ticker, doc.get("data") if isinstance(doc, dict) else None)
