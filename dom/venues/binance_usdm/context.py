"""Binance USDⓈ-M context over REST: ``/fapi/v1/premiumIndex`` for every symbol in one request
(the ``markPrice`` stream carries funding in between), ``/fapi/v1/openInterest`` and
``/fapi/v1/ticker/24hr`` per symbol (weight 1 each), on the polite schedule of
``dom.venues.polling``. Binance's context field names live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dom.core.context.market import DepthProbe, OpenInterest, Ticker24h
from dom.core.types import Event, MarkPrice
from dom.core.units import Instrument
from dom.errors import FeedError
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


PROBE_LIMIT = 100  # levels a side of a depth probe (weight 5)
PROBE_STEP_S = 0.4  # at most one probe every 0.4 s: 750 of the 2,400 weight a minute
WHOLE_TICKER_OVER = 40  # symbols past which one /ticker/24hr for all (weight 40) beats one each


class BinanceContextPoller(RestPoller):
    """``probe``: a decoder (``decode_snapshot``) and a set of the symbols whose depth is followed
    (whole-venue mode): the others get a REST depth probe in rotation, for the scanner's depth
    and slippage columns."""

    def __init__(self, *a: Any, probe: tuple[Any, set[str]] | None = None, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.probe = probe
        if len(self.symbols) > WHOLE_TICKER_OVER:
            self.whole_venue = frozenset({"premium", "ticker"})

    def schedules(self):
        p = self.params
        out = [("premium", p.poll_premium_s, self._premium), ("open_interest", p.poll_open_interest_s, self._oi),
               ("ticker", p.poll_ticker_s, self._ticker)]
        if self.probe is not None:
            out.append(("depth", max(60.0, PROBE_STEP_S * len(self.symbols)), self._depth))
        return out

    def _parse(self, fn: Callable[[Instrument, dict, int], Event], doc: Any) -> list[Event]:
        return self.parse_rows(fn, doc if isinstance(doc, list) else [doc])

    async def _premium(self, _sym: str) -> list[Event]:
        doc = await self._get("/fapi/v1/premiumIndex")
        return self._parse(parse_premium, doc) if doc is not None else []

    async def _oi(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/openInterest?symbol={sym}")
        return self._parse(parse_open_interest, doc) if doc is not None else []

    async def _ticker(self, sym: str) -> list[Event]:
        doc = await self._get(f"/fapi/v1/ticker/24hr?symbol={sym}" if sym else "/fapi/v1/ticker/24hr")
        return self._parse(parse_ticker, doc) if doc is not None else []

    async def _depth(self, sym: str) -> list[Any]:
        assert self.probe is not None
        decoder, followed = self.probe
        if sym in followed:  # its own book says more
            return []
        doc = await self._get(f"/fapi/v1/depth?symbol={sym}&limit={PROBE_LIMIT}")
        if doc is None:
            return []
        try:
            snap = decoder.decode_snapshot(sym, doc, self.clock())
        except FeedError as e:
            self.stats.bad_bodies += 1
            self._failed("depth", str(e)[:120])
            return []
        return [DepthProbe(sym, tuple(sorted(snap.bids, reverse=True)), tuple(sorted(snap.asks)),
                           snap.ts_exchange_ns, snap.ts_recv_ns)]
