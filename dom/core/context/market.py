"""Market context per symbol: open interest and its change, the 24 h ticker, price bars for the
correlation against a reference (BTCUSDT by default). Pure: fed events with exchange times.

    ctx = MarketContext(reference="BTCUSDT")
    engine = Engine(instruments, observers=lambda st: ctx.observers(st))   # bars from book mids
    ctx.apply(OpenInterest("KITEUSDT", 40_000_000, ts, ts))                 # from the polling feed
    ctx.correlation("KITEUSDT", 60)    # (corr, beta) on 1 m returns, or None
    ctx.weakness()                     # "BTC -2.1% in 15 m" or None

Funding, mark and index come as :class:`~dom.core.types.MarkPrice` events into the engine
(``SymbolState.mark``); everything else the panel shows lives here.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dom.core.context.burst import BurstMeter
from dom.core.context.correlation import Series, corr_beta
from dom.core.types import BookDelta, BookTicker, Output

_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class OpenInterest:
    """Open interest of one symbol, in lots of its instrument."""

    symbol: str
    oi_lots: int
    ts_exchange_ns: int
    ts_recv_ns: int


@dataclass(frozen=True, slots=True)
class Ticker24h:
    """The venue's rolling 24 h statistics. Prices in ticks, volume in lots, quote volume exact."""

    symbol: str
    last_px: int
    open_px: int
    high_px: int
    low_px: int
    volume_lots: int
    quote_volume: Decimal
    trades: int
    ts_exchange_ns: int
    ts_recv_ns: int

    @property
    def change_pct(self) -> float | None:
        return (self.last_px / self.open_px - 1) * 100 if self.open_px > 0 else None


@dataclass(frozen=True, slots=True)
class DepthProbe:
    """The top levels of a REST depth snapshot of a symbol whose book is not followed (a
    whole-venue scan): its depth and slippage columns, as of ``ts_exchange_ns``. Bids best
    first, asks best first; ``(px_ticks, qty_lots)``."""

    symbol: str
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]
    ts_exchange_ns: int
    ts_recv_ns: int


@dataclass(frozen=True, slots=True)
class BarHistory:
    """Closed bars of a symbol from the venue (klines), to start its 1 m or 5 m series with
    history: ``(bar index, close in ticks)``, oldest first; the bar index is the bar's open time
    // ``bar_s``."""

    symbol: str
    bar_s: int
    closes: tuple[tuple[int, int], ...]
    ts_exchange_ns: int
    ts_recv_ns: int


ContextEvent = OpenInterest | Ticker24h | DepthProbe | BarHistory


@dataclass
class SymbolContext:
    symbol: str
    oi: deque = field(default_factory=lambda: deque(maxlen=4096))  # (ts_exchange_ns, lots)
    ticker: Ticker24h | None = None
    bars_1m: Series = field(default_factory=lambda: Series(60, maxlen=240))
    bars_5m: Series = field(default_factory=lambda: Series(300, maxlen=240))
    last_ns: int = 0  # exchange time of the newest thing seen
    burst: BurstMeter = field(default_factory=BurstMeter)  # the last 10 s against the last 10 min
    probe: DepthProbe | None = None  # the last REST depth probe (whole-venue scan, book not followed)

    def series(self, bar_s: int) -> Series:
        return self.bars_1m if bar_s == 60 else self.bars_5m

    @property
    def open_interest(self) -> int | None:
        return self.oi[-1][1] if self.oi else None

    def oi_change(self, window_s: int) -> tuple[float, int] | None:
        """(% change, seconds covered) of the open interest over up to ``window_s`` seconds."""
        if len(self.oi) < 2:
            return None
        t_end, now = self.oi[-1]
        base_t, base = self.oi[0]
        for t, v in reversed(self.oi):
            if t_end - t >= window_s * _S:
                base_t, base = t, v
                break
        if base <= 0 or t_end == base_t:
            return None
        return (now / base - 1) * 100, (t_end - base_t) // _S


class BarsObserver:
    """An engine observer recording the book's mid into 1 m and 5 m bars (exchange time)."""

    needs_book = False  # a symbol followed by its top of book only: mids from on_ticker

    def __init__(self, ctx: SymbolContext) -> None:
        self.ctx = ctx

    def on_delta(self, sym, delta: BookDelta, changes: Sequence) -> list[Output]:
        return self._mid(delta.ts_exchange_ns, sym.book.mid2())

    def on_ticker(self, sym, ticker: BookTicker) -> list[Output]:
        b, a = ticker.bid_px, ticker.ask_px
        return self._mid(ticker.ts_exchange_ns, a + b if 0 < b < a else None)

    def _mid(self, ts: int, m: int | None) -> list[Output]:
        if m is not None and ts > 0:
            self.ctx.bars_1m.add(ts, float(m))
            self.ctx.bars_5m.add(ts, float(m))
            self.ctx.burst.mid(ts, float(m))
            self.ctx.last_ns = max(self.ctx.last_ns, ts)
        return []

    def on_trade(self, sym, trade) -> list[Output]:
        if trade.ts_exchange_ns > 0:
            self.ctx.burst.trade(trade.ts_exchange_ns, trade.qty_lots)
        return []

    def on_sync_lost(self, sym, ts_ns: int) -> list[Output]:
        return []

    def on_synced(self, sym, ts_ns: int) -> list[Output]:
        return []


def aligned_returns(ref: Series, other: Series) -> tuple[list[float], list[float]]:
    """Log returns of two bar series over the bars they share (aligned by bar index)."""
    if not ref.closes or not other.closes:
        return [], []
    end = min(ref.bar, other.bar)
    start = max(ref.bar - len(ref.closes) + 1, other.bar - len(other.closes) + 1)
    if end - start < 1:
        return [], []

    def cut(s: Series) -> list[float]:
        first = s.bar - len(s.closes) + 1
        c = list(s.closes)[start - first : end - first + 1]
        return [math.log(b / a) for a, b in zip(c, c[1:]) if a > 0 and b > 0]

    return cut(ref), cut(other)


def move_pct(s: Series, window_s: int) -> tuple[float, int] | None:
    """(% move, seconds covered) over the last ``window_s`` seconds, or all the bars there are."""
    c = s.closes
    if len(c) < 2:
        return None
    bars = min(len(c) - 1, max(1, window_s // s.bar_s))
    a, b = c[-1 - bars], c[-1]
    return ((b / a - 1) * 100, bars * s.bar_s) if a > 0 else None


class MarketContext:
    """Per-symbol context plus the reference symbol's bars, shared by the runtime and the UI."""

    def __init__(self, reference: str = "BTCUSDT", weakness_window_s: int = 900,
                 weakness_drop_pct: float = 2.0, oi_window_s: int = 900) -> None:
        self.reference = reference
        self.weakness_window_s = weakness_window_s
        self.weakness_drop_pct = weakness_drop_pct
        self.oi_window_s = oi_window_s
        self.symbols: dict[str, SymbolContext] = {}

    def get(self, symbol: str) -> SymbolContext:
        c = self.symbols.get(symbol)
        if c is None:
            c = self.symbols[symbol] = SymbolContext(symbol)
        return c

    def observers(self, st) -> list[BarsObserver]:
        return [BarsObserver(self.get(st.symbol))]

    def apply(self, ev: ContextEvent) -> None:
        c = self.get(ev.symbol)
        if isinstance(ev, OpenInterest):
            if not c.oi or ev.ts_exchange_ns > c.oi[-1][0]:
                c.oi.append((ev.ts_exchange_ns, ev.oi_lots))
        elif isinstance(ev, Ticker24h):
            if c.ticker is None or ev.ts_exchange_ns >= c.ticker.ts_exchange_ns:
                c.ticker = ev
        elif isinstance(ev, DepthProbe):
            if c.probe is None or ev.ts_recv_ns >= c.probe.ts_recv_ns:
                c.probe = ev
        elif isinstance(ev, BarHistory) and ev.bar_s in (60, 300):
            # bars hold twice the mid in ticks (book mids): a close counts as a mid
            c.series(ev.bar_s).backfill([(b, 2.0 * px) for b, px in ev.closes])
            return  # (history: it says nothing about now)
        c.last_ns = max(c.last_ns, ev.ts_exchange_ns)

    # ------------------------------------------------------------------------------ views
    def correlation(self, symbol: str, bar_s: int) -> tuple[float, float] | None:
        """(correlation, beta) of ``symbol``'s returns on the reference's, or None (too few bars)."""
        if symbol not in self.symbols or self.reference not in self.symbols:
            return None
        ref = self.symbols[self.reference].series(bar_s)
        xs, ys = aligned_returns(ref, self.symbols[symbol].series(bar_s))
        return corr_beta(xs, ys)

    def bars(self, symbol: str, bar_s: int) -> int:
        """How many bars ``symbol`` shares with the reference (for "n/a (3/6 bars)")."""
        if symbol not in self.symbols or self.reference not in self.symbols:
            return 0
        xs, _ = aligned_returns(self.symbols[self.reference].series(bar_s), self.symbols[symbol].series(bar_s))
        return len(xs) + 1 if xs else 0

    def reference_move(self, window_s: int | None = None) -> tuple[float, int] | None:
        if self.reference not in self.symbols:
            return None
        return move_pct(self.symbols[self.reference].bars_1m, window_s or self.weakness_window_s)

    def weakness(self) -> str | None:
        """"BTC -2.1% in 15 m" when the reference is at least ``weakness_drop_pct`` below its
        highest 1 m bar of the window (or of what there is of it), timed from that high."""
        if self.reference not in self.symbols:
            return None
        c = list(self.symbols[self.reference].bars_1m.closes)
        window = c[-1 - max(1, self.weakness_window_s // 60):]
        if len(window) < 2:
            return None
        i = max(range(len(window) - 1), key=lambda k: (window[k], k))  # the latest high
        if window[i] <= 0:
            return None
        move = (window[-1] / window[i] - 1) * 100
        if move > -abs(self.weakness_drop_pct):
            return None
        name = self.reference.removesuffix("USDT").removesuffix("USD") or self.reference
        return f"{name} {move:+.1f}% in {len(window) - 1 - i} m"
