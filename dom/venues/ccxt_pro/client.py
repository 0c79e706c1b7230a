"""Any ccxt.pro venue as a dom feed (``--venue ccxt:okx``, ``ccxt:bybit``, ``ccxt:binanceusdm``).

ccxt.pro keeps its own book (checksum-verified where the venue sends one: ccxt's ``checksum``
option stays on) and yields whole books. This feed diffs consecutive books into
:class:`BookDelta` events with synthetic, gap-free sequence ids (a fresh book after any error is
a :class:`BookSnapshot`), and copies trades out of ccxt's shared, mutable caches at once. ccxt's
floats are converted once, exactly, through their shortest repr into ticks and lots; no ccxt
dict, list or float leaves this module. ``import ccxt.pro`` costs ~0.7 s, so it happens in
``prepare``.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable
from typing import Any

from dom.core.types import BookDelta, BookSnapshot, Event, FeedState, FeedStatus, TakerSide, Trade
from dom.core.units import Instrument
from dom.errors import FeedError, UnitsError
from dom.venues.base import FeedStats
from dom.venues.tasks import run_together

_MS = 1_000_000


def _num(x: float | str) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    return repr(x)


class CcxtProFeed:
    def __init__(
        self,
        exchange_id: str,
        symbols: list[str],
        emit: Callable[[list[Event]], None],
        *,
        endpoint: str | None = None,
        reconnect: tuple[float, float, float] = (0.2, 0.5, 30.0),
        depth_limit: int | None = None,
        on_status: Callable[[str, FeedState, str], None] | None = None,
    ) -> None:
        self.exchange_id = exchange_id
        self.venue = f"ccxt:{exchange_id}"
        self.wanted = symbols
        self.symbols: list[str] = []
        self.emit = emit
        self.endpoint = endpoint
        self.reconnect = reconnect
        self.depth_limit = depth_limit
        self.on_status = on_status or (lambda e, s, d: None)
        self.instruments: dict[str, Instrument] = {}
        self.unified: dict[str, str] = {}  # our symbol (venue id) -> ccxt unified symbol
        self.stats = FeedStats()
        self.ex: Any = None
        self._ccxt: Any = None
        self._seq: dict[str, int] = {}
        self._prev: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
        self._fresh: set[str] = set()
        self._checksums: dict[str, int] | None = None  # symbol -> the last book message's checksum
        self._rewatch: set[str] = set()  # books to subscribe afresh (the engine lost sync)

    # ------------------------------------------------------------------------------ set-up
    async def prepare(self) -> dict[str, Instrument]:
        import ccxt
        import ccxt.pro

        self._ccxt = ccxt
        cls = getattr(ccxt.pro, self.exchange_id, None)
        if cls is None:
            raise FeedError(f"ccxt.pro has no exchange {self.exchange_id!r}")
        self.ex = cls({"enableRateLimit": True})
        if self.endpoint:
            self._point_at(self.endpoint)
        self._tap_checksums()
        try:
            markets = await self.ex.load_markets()
        except ccxt.BaseError as e:
            await self.close()
            raise FeedError(f"{self.venue}: cannot load markets: {type(e).__name__}: {str(e)[:200]}") from None
        by_id = {m["id"].upper(): m for m in markets.values() if m.get("id")}
        out: dict[str, Instrument] = {}
        for s in self.wanted or []:
            m = markets.get(s) or by_id.get(s.upper())
            if m is None:
                await self.close()
                raise FeedError(f"unknown symbol on {self.venue}: {s}")
            sym = m["id"].upper()
            try:
                out[sym] = Instrument(
                    sym, _num(m["precision"]["price"]), _num(m["precision"]["amount"]),
                    contract_size=_num(m.get("contractSize") or 1), base=m.get("base", ""),
                    inverse=bool(m.get("inverse")),  # coin-margined: a size is contracts of a fixed USD value
                )
            except (TypeError, KeyError, UnitsError) as e:
                await self.close()
                raise FeedError(f"{self.venue}: {s}: no usable tick/lot size ({e})") from None
            self.unified[sym] = m["symbol"]
        if not out:
            await self.close()
            swaps = sorted(m["symbol"] for m in markets.values()
                           if isinstance(m.get("symbol"), str) and m.get("swap") and m.get("active") is not False)
            some = ", ".join(swaps[:5]) + (f" ... ({len(swaps)} perpetuals)" if len(swaps) > 5 else "")
            raise FeedError(f"{self.venue}: name at least one symbol" + (f", e.g. {some}" if swaps else ""))
        self.instruments = out
        self.symbols = list(out)
        return out

    def _point_at(self, endpoint: str) -> None:
        """Point the ccxt.pro client at another server (the built-in market, a testnet). How
        each exchange's URLs are rewritten lives in ``ccxt_pro/endpoints/<family>.py``."""
        family = "binance" if self.exchange_id.startswith("binance") else self.exchange_id
        try:
            mod = importlib.import_module(f"dom.venues.ccxt_pro.endpoints.{family}")
        except ModuleNotFoundError as e:
            if e.name != f"dom.venues.ccxt_pro.endpoints.{family}":
                raise
            raise FeedError(f"--endpoint is not supported for {self.venue} (dom knows how to point "
                            "ccxt.pro at another server for: binance*, bybit, okx, bitget)") from None
        mod.point(self.ex, endpoint)

    def _tap_checksums(self) -> None:
        """Where ccxt.pro does not check the venue's checksum (OKX), note each book message's as
        ccxt receives it, to send with the book it makes: the engine checks it with the native
        adapter's verifier. Read before ccxt applies the message, so the note and ccxt's book
        always describe the same last message."""
        from dom.venues.ccxt_pro import SELF_VERIFIED

        if self.exchange_id not in SELF_VERIFIED:
            return
        codec = importlib.import_module(SELF_VERIFIED[self.exchange_id] + ".codec")
        of, inner, notes = codec.book_message_checksum, self.ex.handle_message, {}
        self._checksums = notes

        def handle(client: Any, message: Any) -> Any:
            found = of(message)
            if found is not None:
                notes[found[0].upper()] = found[1]
            return inner(client, message)

        self.ex.handle_message = handle

    async def close(self) -> None:
        if self.ex is not None:
            await self.ex.close()
            self.ex = None

    def request_snapshot(self, symbol: str) -> None:
        """The engine lost sync: send the next book whole, subscribed afresh where dom checks the
        checksum itself (ccxt's book may be the wrong one)."""
        self._fresh.add(symbol)
        if self._checksums is not None and symbol in self._prev:
            self._rewatch.add(symbol)

    # ---------------------------------------------------------------------------------- run
    async def run(self) -> None:
        tasks = [asyncio.create_task(self._books(s)) for s in self.symbols]
        tasks += [asyncio.create_task(self._trades(s)) for s in self.symbols]
        try:
            await run_together(tasks)
        finally:
            await self.close()

    async def _retrying(self, what: str, sym: str, body: Callable[[], Any]) -> None:
        ccxt = self._ccxt
        delay = self.reconnect[0]
        while True:
            try:
                await body()
                delay = self.reconnect[0]
            except ccxt.ChecksumError as e:
                # Watched again after a pause, never at once: ccxt's classes reject the pending
                # watch (Bitget's also unsubscribes), and a watch made before that settles fails
                # again without yielding: a loop that held the event loop while memory grew.
                self._lost(sym, FeedState.CHECKSUM_FAILED, f"{what}: {e}")
                await asyncio.sleep(self.reconnect[0])
            except (ccxt.NetworkError, ccxt.ExchangeError) as e:
                self._lost(sym, FeedState.DISCONNECTED, f"{what}: {type(e).__name__}: {str(e)[:160]}")
                await asyncio.sleep(delay)
                delay = min(max(delay * 2, self.reconnect[1]), self.reconnect[2])
            except ccxt.BaseError as e:
                # Whatever else ccxt raises for one stream (its Bitget class answers a checksum
                # failure by unsubscribing, which fails the pending watch with UnsubscribeError):
                # that book is lost and watched again, never the whole feed.
                self._lost(sym, FeedState.RESYNCING, f"{what}: {type(e).__name__}: {str(e)[:160]}")
                await asyncio.sleep(delay)
                delay = min(max(delay * 2, self.reconnect[1]), self.reconnect[2])
            except (UnitsError, TypeError, ValueError, KeyError, AttributeError, OverflowError) as e:
                # A value ccxt passed on that is not a price or size on this instrument's grid:
                # a bad frame, counted; the book is sent whole next time.
                self.stats.bad_frames += 1
                if len(self.stats.bad_examples) < 5:
                    self.stats.bad_examples.append(f"{what}: {type(e).__name__}: {str(e)[:120]}")
                self._fresh.add(sym)
                await asyncio.sleep(0)

    def _lost(self, sym: str, state: FeedState, detail: str) -> None:
        self.stats.reconnects += 1
        self.on_status(self.venue, state, detail)
        self._fresh.add(sym)
        self.emit([FeedStatus(sym, state, detail, 0, time.time_ns())])

    async def _books(self, sym: str) -> None:
        async def once() -> None:
            if sym in self._rewatch:
                self._rewatch.discard(sym)
                self.stats.snapshots += 1
                try:
                    await self.ex.un_watch_order_book(self.unified[sym])
                except self._ccxt.BaseError:
                    pass  # (not subscribed any more: the watch below subscribes)
                if self._checksums is not None:
                    self._checksums.pop(sym, None)
            ob = await self.ex.watch_order_book(self.unified[sym], self.depth_limit)
            self._on_book(sym, ob)

        await self._retrying("order book", sym, once)

    def _on_book(self, sym: str, ob: Any) -> None:
        now = time.time_ns()
        inst = self.instruments[sym]
        px, lots = inst.price.to_int, inst.qty.to_int
        bids = {px(_num(p)): lots(_num(q)) for p, q, *_ in ob["bids"]}
        asks = {px(_num(p)): lots(_num(q)) for p, q, *_ in ob["asks"]}
        ts = (ob.get("timestamp") or 0) * _MS
        self.stats.frames += 1
        checksum = self._checksums.pop(sym, None) if self._checksums is not None else None
        prev = self._prev.get(sym)
        seq = self._seq.get(sym, 0) + 1
        self._seq[sym] = seq
        self._prev[sym] = (bids, asks)
        if prev is None or sym in self._fresh:
            self._fresh.discard(sym)
            self.stats.snapshots += 1
            self.emit([BookSnapshot(sym, tuple(bids.items()), tuple(asks.items()), seq, ts, now, checksum)])
            return
        db = _diff(prev[0], bids)
        da = _diff(prev[1], asks)
        if db or da:
            self.emit([BookDelta(sym, db, da, seq, seq, seq - 1, ts, now, checksum)])
        else:
            self._seq[sym] = seq - 1

    async def _trades(self, sym: str) -> None:
        seen: set[str] = set()
        params = {"name": "aggTrade"} if self.exchange_id.startswith("binance") else {}

        async def once() -> None:
            trades = await self.ex.watch_trades(self.unified[sym], None, None, params)
            now = time.time_ns()
            inst = self.instruments[sym]
            out: list[Event] = []
            for t in list(trades):  # ccxt's cache is shared and mutable: copy now
                tid = str(t.get("id"))
                if tid in seen:
                    continue
                seen.add(tid)
                out.append(Trade(
                    sym, inst.price.to_int(_num(t["price"])), inst.qty.to_int(_num(t["amount"])),
                    TakerSide.BUY if t.get("side") == "buy" else TakerSide.SELL,
                    int(tid) if tid.isdigit() else len(seen), (t.get("timestamp") or 0) * _MS, now,
                ))
            if len(seen) > 50_000:
                seen.clear()
                seen.update(str(t.get("id")) for t in trades)
            if out:
                self.emit(out)

        await self._retrying("trades", sym, once)


def _diff(old: dict[int, int], new: dict[int, int]) -> tuple[tuple[int, int], ...]:
    out = [(p, q) for p, q in new.items() if old.get(p) != q]
    out += [(p, 0) for p in old if p not in new]
    return tuple(out)
