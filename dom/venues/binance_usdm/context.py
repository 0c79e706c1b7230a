"""Binance USDⓈ-M context over REST: ``/fapi/v1/premiumIndex`` for every symbol in one request
(the ``markPrice`` stream carries funding in between), ``/fapi/v1/openInterest`` and
``/fapi/v1/ticker/24hr`` per symbol (weight 1 each), on the polite schedule of
``dom.venues.polling``. Binance's context field names live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dom.core.context.market import BarHistory, DepthProbe, OpenInterest, Ticker24h
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


HISTORY_BARS = 240  # klines a series keeps (weight 2 a request)
HISTORY_ONCE_S = 10.0 ** 9  # a schedule that runs its first round only


def parse_klines(inst: Instrument, rows: Any, bar_s: int, now_ns: int) -> BarHistory | None:
    """``GET /fapi/v1/klines`` rows -> the closed bars' closes (the bar still open is left to the
    live series); None for a body that is not kline rows."""
    if not isinstance(rows, list) or len(rows) > 1500:
        return None
    out = []
    try:
        for r in rows:
            t_open, close, t_close = r[0], r[4], r[6]
            if type(t_open) is not int or type(t_close) is not int or not 0 < t_open < t_close < 1 << 43:
                return None
            if t_close * _MS >= now_ns:
                continue  # not closed yet
            px = near(inst.tick_size, close)
            if px <= 0:
                return None
            out.append((t_open // (bar_s * 1000), px))
    except (ContextDecodeError, IndexError, KeyError, TypeError):
        return None
    return BarHistory(inst.symbol, bar_s, tuple(out), now_ns, now_ns)


PROBE_LIMIT = 100  # levels a side of a depth probe (weight 5)
PROBE_STEP_S = 0.4  # at most one probe every 0.4 s: 750 of the 2,400 weight a minute
WHOLE_TICKER_OVER = 40  # symbols past which one /ticker/24hr for all (weight 40) beats one each


class BinanceContextPoller(RestPoller):
    """``probe``: a decoder (``decode_snapshot``) and a set of the symbols whose depth is followed
    (whole-venue mode): the others get a REST depth probe in rotation, for the scanner's depth
    and slippage columns."""

    def __init__(self, *a: Any, probe: tuple[Any, set[str]] | None = None, history: bool = True, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.probe = probe
        self.history = history
        self._soon: set[Any] = set()  # probes asked outside the rotation
        if len(self.symbols) > WHOLE_TICKER_OVER:
            self.whole_venue = frozenset({"premium", "ticker"})

    def schedules(self):
        p = self.params
        out = [("premium", p.poll_premium_s, self._premium), ("open_interest", p.poll_open_interest_s, self._oi),
               ("ticker", p.poll_ticker_s, self._ticker)]
        if self.probe is not None:
            out.append(("depth", max(60.0, PROBE_STEP_S * len(self.symbols)), self._depth))
        if self.history:  # once, at start: trend, RSI and beta from the first minute
            out.append(("klines", HISTORY_ONCE_S, self._klines))
        return out

    async def _klines(self, sym: str) -> list[Any]:
        out: list[Any] = []
        for interval, bar_s in (("1m", 60), ("5m", 300)):
            doc = await self._get(f"/fapi/v1/klines?symbol={sym}&interval={interval}&limit={HISTORY_BARS}")
            if doc is not None:
                ev = parse_klines(self.instruments[sym], doc, bar_s, self.clock())
                if ev is None:
                    self.stats.bad_bodies += 1
                elif ev.closes:
                    out.append(ev)
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

    def probe_soon(self, sym: str) -> None:
        """A depth probe for ``sym`` now, outside the rotation (its book was just let go: its row
        would otherwise have no depth until its turn comes round)."""
        if self.probe is None or sym not in self.instruments:
            return
        import asyncio

        async def once() -> None:
            await self.gate.wait()
            async with self.gate.lock:
                events = await self._depth(sym)
            if events:
                self.emit(events)

        task = asyncio.get_running_loop().create_task(once(), name=f"dom-probe-{sym}")
        self._soon.add(task)
        task.add_done_callback(self._soon.discard)

    async def close(self) -> None:
        for t in list(self._soon):
            t.cancel()
        await super().close()

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
