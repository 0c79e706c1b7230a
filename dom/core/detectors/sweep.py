"""Sweeps: one aggressive run that takes several price levels within a moment (issue #16).

A *run* is the trades of one taker side whose exchange times lie within ``sweep_window_ms`` of
the run's first trade and whose prices never step back (buyers: each trade at or above the last;
sellers: at or below). A run that reaches ``sweep_min_levels`` distinct prices, at least
``sweep_min_notional`` traded, and a size at or above the ``sweep_size_pct`` percentile of the
symbol's runs over the last ``sweep_baseline_s`` seconds (an outsized run for this symbol: on
real BTCUSDT 13 % of all runs take three or more 0.1-dollar levels, a median 78,000 USDT, so a
level count alone says little there) is a sweep: ``new`` the moment it reaches all three (so a
client sees it at once), ``end`` when the run is over (a trade of that side outside the window or against the
direction, or any event later than the window) with the whole run in the evidence: levels taken,
first and last price, ticks spanned, size, notional, trades and how long it took.

Nothing is said before ``sweep_warmup_runs`` runs have been seen. Trades only: a venue's aggregated prints (Binance's aggTrade is one taker order at one price)
are enough, and the book is not read. Like every detector it says nothing while the book is not
synced, so that every alert of a run sits on a book the client could see.
"""

from __future__ import annotations

from typing import Any, Sequence

from dom.core import accel
from dom.core.detectors.params import DetectorParams
from dom.core.detectors.rolling import RollingSamples
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import Alert, AlertKind, AlertState, BookDelta, BookSide, BookTicker, FeedState, Output, TakerSide, Trade

_MS = 1_000_000
_FAR = 1 << 62
_SYNCED = FeedState.SYNCED
_TOP = FeedState.TOP
_BUY = TakerSide.BUY


class _Run:
    __slots__ = ("first_t", "last_t", "first_px", "last_px", "levels", "qty", "notional", "trades", "id")

    def __init__(self, t: int, px: int, qty: int, notional: float) -> None:
        self.first_t = self.last_t = t
        self.first_px = self.last_px = px
        self.levels = 1
        self.qty = qty
        self.notional = notional
        self.trades = 1
        self.id: str | None = None  # set once announced


_RUN_SLOTS = tuple(getattr(_Run, f) for f in ("first_t", "last_t", "first_px", "last_px", "levels", "qty", "notional",
                                               "trades", "id"))
_HOOKED = ("on_trade", "on_delta", "_tick", "_notional", "_is_sweep", "_outsized", "_expire", "_close")
"""What ``SweepHook`` does in C: a subclass that changes any of them keeps the Python methods."""


class SweepDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.p = p
        self.inst = sym.instrument
        self.window = p.sweep_window_ms * _MS
        inst = sym.instrument
        # Quote notional of one lot (x the price in ticks, unless inverse: its contracts are a fixed amount).
        self.lot = float(inst.contract_size) * inst.qty.to_float(1)
        self.tick = 0.0 if inst.inverse else inst.price.to_float(1)
        # taker is buyer -> its open run (keyed by a bool, which hashes in C where the enum's hash is
        # a Python call; in the order the runs were opened, which is the order they close in)
        self.runs: dict[bool, _Run] = {}
        self.deadline = _FAR  # the earliest time a run's window has passed (none open: never)
        self.sizes = RollingSamples()  # (first trade time, size) of the runs closed lately
        self.horizon = p.sweep_baseline_s * 1_000_000_000
        self.floor: int | float = self._outsized()  # (the sizes change only when a run closes)

    # ------------------------------------------------------------------------------- hooks
    def trade_hook(self) -> Any:
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade``, or where the
        accelerator is built the same work in C (``SweepHook``, _native_swp.c: the runs followed,
        opened and closed without a frame; ``on_trade`` for anything that makes an alert)."""
        return self._hook(0, Trade, (Trade.ts_exchange_ns, Trade.taker, Trade.px_ticks, Trade.qty_lots),
                          self.on_trade)

    def delta_hook(self) -> Any:
        """What the engine calls for each applied depth message: ``on_delta``, or ``SweepHook`` (the
        runs whose window has passed closed in C; ``on_delta`` when one of them was announced)."""
        return self._hook(1, BookDelta, (BookDelta.ts_exchange_ns,), self.on_delta)

    def _hook(self, mode: int, ev_cls: type, ev_fields: tuple, own: Any) -> Any:
        native = accel.native
        cls, p = type(self), self.p
        if native is None or any(getattr(cls, m) is not getattr(SweepDetector, m) for m in _HOOKED) \
                or type(self.lot) is not float or type(self.tick) is not float \
                or not all(type(v) is int and abs(v) < 1 << 61 for v in (self.window, self.horizon,
                                                                        p.sweep_min_levels, p.sweep_warmup_runs)) \
                or not all(type(v) is float or type(v) is int and abs(v) < 1 << 53
                           for v in (p.sweep_min_notional, p.sweep_size_pct)) \
                or not 0 <= p.sweep_size_pct <= 100 or self.window < 0:
            return own
        return native.SweepHook(mode, self, own, self.runs, self.sizes, _Run, _RUN_SLOTS, ev_cls, ev_fields, _SYNCED,
                                _TOP, _BUY, self.window, self.horizon, p.sweep_min_levels, p.sweep_min_notional,
                                p.sweep_size_pct, p.sweep_warmup_runs, self.lot, self.tick)

    def on_trade(self, sym: SymbolState, trade: Trade) -> list[Output]:
        out: list[Output] = []
        t = trade.ts_exchange_ns
        if t > self.deadline:
            self._expire(sym, t, out)
        if sym.state is not _SYNCED and sym.state is not _TOP:  # (TOP: followed by its top of book)
            return out
        buy = trade.taker is _BUY
        px = trade.px_ticks
        run = self.runs.get(buy)
        if run is not None:
            onward = px >= run.last_px if buy else px <= run.last_px
            if onward and t - run.first_t <= self.window and t >= run.last_t:
                if px != run.last_px:
                    run.levels += 1
                    run.last_px = px
                run.last_t = t
                run.qty += trade.qty_lots
                run.notional += self._notional(px, trade.qty_lots)
                run.trades += 1
                if run.id is None and self._is_sweep(run):
                    out.append(self._alert(sym, buy, run, AlertState.NEW, t))
                return out
            self._close(sym, buy, run, t, out)
        run = self.runs[buy] = _Run(t, px, trade.qty_lots, self._notional(px, trade.qty_lots))
        self.deadline = min(self.deadline, t + self.window)
        if self._is_sweep(run):  # (min_levels 1: every trade)
            out.append(self._alert(sym, buy, run, AlertState.NEW, t))
        return out

    needs_book = False  # trades alone; the clock also moves with best bid/ask updates

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        return self._tick(sym, delta.ts_exchange_ns)

    def on_ticker(self, sym: SymbolState, ticker: BookTicker) -> list[Output]:
        return self._tick(sym, ticker.ts_exchange_ns)

    def _tick(self, sym: SymbolState, t: int) -> list[Output]:
        if t <= self.deadline:
            return []
        out: list[Output] = []
        self._expire(sym, t, out)
        return out

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = []
        for buy, run in list(self.runs.items()):
            if run.id is not None:
                out.append(self._alert(sym, buy, run, AlertState.END, ts_ns, end="unknown_resync"))
        self.runs.clear()
        self.deadline = _FAR
        return out

    # ------------------------------------------------------------------------------- runs
    def _notional(self, px: int, qty: int) -> float:
        return qty * self.lot * (px * self.tick if self.tick else 1.0)

    def _is_sweep(self, run: _Run) -> bool:
        p = self.p
        if run.levels < p.sweep_min_levels or run.notional < p.sweep_min_notional:
            return False
        return run.qty >= self.floor

    def _outsized(self) -> int | float:
        """The size from which a run is outsized: the percentile of the recent runs' sizes."""
        s = self.sizes.sorted
        if not s or len(s) < self.p.sweep_warmup_runs:  # (warm-up 0: no run seen yet is still none)
            return float("inf")
        return s[min(len(s) - 1, int(self.p.sweep_size_pct / 100 * len(s)))]

    def _expire(self, sym: SymbolState, t: int, out: list[Output]) -> None:
        """Close the runs whose window has passed by exchange time ``t``."""
        for buy, run in list(self.runs.items()):
            if t - run.first_t > self.window:
                self._close(sym, buy, run, t, out)

    def _close(self, sym: SymbolState, buy: bool, run: _Run, t: int, out: list[Output]) -> None:
        runs = self.runs
        del runs[buy]
        other = runs.get(not buy)
        self.deadline = (other.first_t if other is not None else _FAR - self.window) + self.window
        self.sizes.add(run.first_t, run.qty)
        self.sizes.expire(run.first_t - self.horizon)
        self.floor = self._outsized()
        if run.id is not None:
            out.append(self._alert(sym, buy, run, AlertState.END, max(run.last_t, min(t, run.first_t + self.window))))

    def _alert(self, sym: SymbolState, buy: bool, run: _Run, state: AlertState, t: int,
               end: str | None = None) -> Alert:
        book_side = BookSide.ASK if buy else BookSide.BID  # the side that was taken
        if run.id is None:
            run.id = f"{sym.symbol}:sweep:{book_side.value}:{run.first_px}:{run.first_t}"
        inst = self.inst
        span = abs(run.last_px - run.first_px)
        ev = {
            "direction": "up" if buy else "down",
            "levels": run.levels,
            "first_px": run.first_px,
            "last_px": run.last_px,
            "span_ticks": span,
            "size_lots": run.qty,
            "notional": round(run.notional, 2),
            "trades": run.trades,
            "duration_ms": (run.last_t - run.first_t) // _MS,
            "window_ms": self.p.sweep_window_ms,
            "outsized_from_lots": (None if (o := self._outsized()) == float("inf") else int(o)),
            "runs_in_baseline": len(self.sizes),
        }
        if end is not None:
            ev["end"] = end
        elif state is AlertState.END:
            ev["end"] = "run_over"
        verb = "sweep" if state is AlertState.NEW else "sweep ended"
        who = "buyers" if buy else "sellers"
        msg = (f"{verb}: {who} took {run.levels} levels {inst.px_str(run.first_px)} -> {inst.px_str(run.last_px)}, "
               f"{inst.qty_str(run.qty)} in {(run.last_t - run.first_t) // _MS} ms")
        score = min(1.0, run.levels / (2.0 * max(1, self.p.sweep_min_levels)))
        return Alert(run.id, t, sym.symbol, AlertKind.SWEEP, state, book_side, run.last_px, run.qty, score, msg, ev)
