"""Momentum bursts: a symbol trading far more than usual while its price moves far more than
usual, both at once (issue #16: a small cap's 1-3 % in minutes after news).

Over the last ``burst_window_s`` seconds (exchange time, ending at the newest event):

* volume: the taker volume is at least ``burst_volume_mult`` x the usual volume of such a
  window (the mean volume per second over the ``burst_baseline_s`` seconds before it, empty
  seconds counted);
* move: the mid moved (log return) at least ``burst_move_sigma`` x the root mean square of the
  symbol's ``burst_window_s``-second moves over the same baseline, and at least
  ``burst_min_move_bps`` (a quiet symbol's tiny sigma does not make every tick a burst).

Nothing is said before ``burst_warmup_s`` seconds of history. An episode starts (``new``) when
both hold; its baseline is then frozen (the burst itself would lift it), and it ends (``end``)
once the window's volume has fallen under ``burst_end_mult`` x that baseline, with the whole move
since the window in which it started, its peak, the volume and how long it lasted. The
direction is the move's; the alert's side is the side being taken (asks for up, bids for down).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Sequence

from dom.core import accel
from dom.core.detectors.params import DetectorParams
from dom.core.engine import LevelChange, ObserverBase, SymbolState
from dom.core.types import Alert, AlertKind, AlertState, BookDelta, BookSide, BookTicker, FeedState, Output, Trade

_SEC = 1_000_000_000
_SYNCED = FeedState.SYNCED
_TOP = FeedState.TOP


class _Episode:
    __slots__ = ("id", "t0", "up", "mid0", "peak", "base", "volume", "vol_x0", "move0", "sigma")

    def __init__(self, id: str, t0: int, up: bool, mid0: int, base: float, vol_x: float, move: float,
                 sigma: float) -> None:
        self.id, self.t0, self.up, self.mid0, self.base = id, t0, up, mid0, base
        self.peak = mid0
        self.volume = 0
        self.vol_x0, self.move0, self.sigma = vol_x, move, sigma


_HOOKED = ("on_trade", "on_delta", "_mid", "_clock", "_judge")
"""What ``BurstHook`` does in C for the usual event: a subclass that changes any keeps the Python methods."""


def _c_rule(p: DetectorParams) -> bool:
    """Does C read ``_judge``'s rule as Python does with these params (an int warm-up, numbers C
    holds exactly as doubles)? Else only a window under a burst's volume is taken in C."""
    def num(x: Any) -> bool:
        return type(x) is float or type(x) is int and -(1 << 53) <= x <= 1 << 53
    return type(p.burst_warmup_s) is int and 0 <= p.burst_warmup_s <= 1 << 40 and num(p.burst_volume_mult) \
        and num(p.burst_min_move_bps) and num(p.burst_move_sigma)


class BurstDetector(ObserverBase):
    def __init__(self, sym: SymbolState, p: DetectorParams) -> None:
        self.p = p
        self.inst = sym.instrument
        self.w = p.burst_window_s
        self.w_ns = p.burst_window_s * _SEC
        self.hist_s = max(p.burst_baseline_s, p.burst_window_s + 1)
        self.trades: deque[tuple[int, int]] = deque()  # (T, lots) within the window
        self.wsum = 0
        self.mids: deque[tuple[int, int]] = deque()  # (t, bid+ask) over the window (one before it kept)
        self.sec = -1  # the current second
        self.sec_vol = 0
        self.vols: deque[int] = deque()  # finished seconds' volumes, oldest first
        self.vol_sum = 0
        self.closes: deque[int] = deque()  # finished seconds' last mid2 (0: none yet)
        self.sq: deque[float] = deque()  # squared window moves, one per finished second
        self.sq_sum = 0.0
        self.sq_n = 0
        self.last_mid = 0
        self.ep: _Episode | None = None
        # Under this window volume no burst can start (_judge says nothing): burst_volume_mult x the
        # usual window, infinite until the warm-up is over or while the usual window is empty; it
        # changes only when a second closes, so it is set there.
        self.need = math.inf

    # ------------------------------------------------------------------------------- hooks
    def trade_hook(self) -> Any:
        """What the engine calls for each trade (symbol_state.trade_hooks): ``on_trade``, or where the
        accelerator is built the same work in C for the usual trade (``BurstHook``, _native_bst.c:
        within the current second, no episode, the window under a burst's volume or ``_judge``'s
        rule starting none); ``on_trade`` for the rest."""
        return self._hook(0, Trade, (Trade.ts_exchange_ns, Trade.qty_lots), self.on_trade)

    def delta_hook(self) -> Any:
        """What the engine calls for each applied depth message: ``on_delta``, or ``BurstHook`` (the
        mid noted and the windows slid in C for the usual message)."""
        return self._hook(1, BookDelta, (BookDelta.ts_exchange_ns,), self.on_delta)

    def _hook(self, mode: int, ev_cls: type, ev_fields: tuple, own: Any) -> Any:
        native = accel.native
        cls = type(self)
        if native is None or any(getattr(cls, m) is not getattr(BurstDetector, m) for m in _HOOKED) \
                or type(self.w_ns) is not int or not 0 <= self.w_ns < 1 << 61:
            return own
        args = (mode, self, own, self.trades, self.mids, ev_cls, ev_fields, self.w_ns)
        if _c_rule(self.p):  # (_judge's rule read in full in C too: _native_bst_rule.c)
            args += ((self.p, _SYNCED, _TOP),)
        return native.BurstHook(*args)

    def on_trade(self, sym: SymbolState, trade: Trade) -> list[Output]:
        t = trade.ts_exchange_ns
        self._clock(t)
        if t // _SEC < self.sec:
            return []  # (a trade of an earlier second, after it was closed: too late to count)
        self.sec_vol += trade.qty_lots
        self.trades.append((t, trade.qty_lots))
        self.wsum += trade.qty_lots
        if self.ep is not None:
            self.ep.volume += trade.qty_lots
        return self._judge(sym, t)

    needs_book = False  # a symbol followed by its top of book only: mids from on_ticker

    def on_delta(self, sym: SymbolState, delta: BookDelta, changes: Sequence[LevelChange]) -> list[Output]:
        return self._mid(sym, delta.ts_exchange_ns, sym.book.mid2())

    def on_ticker(self, sym: SymbolState, ticker: BookTicker) -> list[Output]:
        b, a = ticker.bid_px, ticker.ask_px
        return self._mid(sym, ticker.ts_exchange_ns, a + b if 0 < b < a else None)

    def _mid(self, sym: SymbolState, t: int, m: int | None) -> list[Output]:
        self._clock(t)
        if m is not None and m > 0 and m != self.last_mid:
            self.last_mid = m
            self.mids.append((t, m))
        return self._judge(sym, t)

    def on_sync_lost(self, sym: SymbolState, ts_ns: int) -> list[Output]:
        out: list[Output] = []
        if self.ep is not None:
            out.append(self._alert(sym, self.ep, AlertState.END, ts_ns, end="unknown_resync"))
            self.ep = None
        self.mids.clear()  # the mid across a gap is not a move
        self.last_mid = 0
        return out

    # ------------------------------------------------------------------------------ clock
    def _clock(self, t: int) -> None:
        """Close the seconds before ``t``'s (empty ones count as zero volume) and slide the window."""
        s = t // _SEC
        if s > self.sec:
            if self.sec >= 0:
                skipped = min(s - self.sec, self.hist_s + 1)
                try:
                    for i in range(skipped):
                        self._close_second(self.sec_vol if i == 0 else 0)
                finally:
                    self._usual()  # (whatever the seconds closed, need follows them)
            self.sec = s
            self.sec_vol = 0
        lo = t - self.w_ns
        tr = self.trades
        while tr and tr[0][0] <= lo:
            self.wsum -= tr.popleft()[1]
        md = self.mids
        while len(md) > 1 and md[1][0] <= lo:
            md.popleft()

    def _close_second(self, vol: int) -> None:
        self.vols.append(vol)
        self.vol_sum += vol
        if len(self.vols) > self.hist_s:
            self.vol_sum -= self.vols.popleft()
        close = self.last_mid
        self.closes.append(close)
        if len(self.closes) > self.w:
            before = self.closes.popleft()
            if before > 0 and close > 0:
                r = math.log(close / before)
                self.sq.append(r * r)
                self.sq_sum += r * r
                if len(self.sq) > self.hist_s:
                    self.sq_sum -= self.sq.popleft()
                self.sq_n += 1
                if self.sq_n % self.hist_s == 0 or self.sq_sum < 0:
                    # A running float sum that only adds and subtracts drifts (below zero after a
                    # huge move has left the window): summed afresh once per window.
                    self.sq_sum = math.fsum(self.sq)

    def _usual(self) -> None:
        """``need`` from the seconds closed: what _judge's rule returns nothing under (a window
        volume under it says nothing whatever else holds; at or over it, or not comparable, the
        rule is read in full)."""
        p = self.p
        if len(self.vols) < p.burst_warmup_s or len(self.sq) < p.burst_warmup_s // 2:
            self.need = math.inf
            return
        base = self.vol_sum / len(self.vols) * self.w
        self.need = math.inf if base <= 0 else p.burst_volume_mult * base

    # ------------------------------------------------------------------------------ rule
    def _judge(self, sym: SymbolState, t: int) -> list[Output]:
        ep = self.ep
        if ep is None and self.wsum < self.need:
            return []  # (the usual message: not the volume of a burst)
        p = self.p
        if ep is not None:
            if self.last_mid:
                ep.peak = max(ep.peak, self.last_mid) if ep.up else min(ep.peak, self.last_mid)
            if self.wsum < p.burst_end_mult * ep.base and t - ep.t0 >= self.w_ns:
                self.ep = None
                return [self._alert(sym, ep, AlertState.END, t)]
            return []
        if (sym.state is not _SYNCED and sym.state is not _TOP) or len(self.vols) < p.burst_warmup_s or len(self.sq) < p.burst_warmup_s // 2:
            return []
        # The usual window: the baseline seconds before the current window.
        base = self.vol_sum / len(self.vols) * self.w
        if base <= 0 or self.wsum < p.burst_volume_mult * base or not self.mids or not self.last_mid:
            return []
        mid0 = self.mids[0][1]
        move = math.log(self.last_mid / mid0)
        sigma = math.sqrt(self.sq_sum / len(self.sq))
        if abs(move) * 1e4 < p.burst_min_move_bps or abs(move) < p.burst_move_sigma * sigma:
            return []
        up = move > 0
        side = BookSide.ASK if up else BookSide.BID
        ep = self.ep = _Episode(f"{sym.symbol}:burst:{side.value}:{t}", t, up, mid0, base, self.wsum / base,
                                move, sigma)
        ep.peak = self.last_mid
        ep.volume = self.wsum
        return [self._alert(sym, ep, AlertState.NEW, t)]

    def _alert(self, sym: SymbolState, ep: _Episode, state: AlertState, t: int, end: str | None = None) -> Alert:
        inst = self.inst
        now = self.last_mid or ep.mid0
        move_bps = math.log(now / ep.mid0) * 1e4
        peak_bps = math.log(ep.peak / ep.mid0) * 1e4
        ev: dict = {
            "direction": "up" if ep.up else "down",
            "window_s": self.w,
            "volume_x": round(ep.vol_x0, 2),
            "move_sigma": round(abs(ep.move0) / ep.sigma, 2) if ep.sigma > 0 else None,
            "sigma_bps": round(ep.sigma * 1e4, 3),
            "baseline_lots": int(round(ep.base)),
            "volume_lots": ep.volume,
            "from_px": ep.mid0 // 2,  # the mid the move is measured from (to the tick below)
            "move_bps": round(move_bps, 1),
            "peak_move_bps": round(peak_bps, 1),
            "duration_s": round((t - ep.t0) / _SEC, 1),
        }
        if state is AlertState.END:
            ev["end"] = end or "volume_faded"
        side = BookSide.ASK if ep.up else BookSide.BID
        px = (now + (1 if ep.up else 0)) // 2  # the mid, rounded toward the move
        way = "up" if ep.up else "down"
        if state is AlertState.NEW:
            msg = f"burst: {way} {move_bps / 100:+.2f}% in {self.w} s on {ep.vol_x0:.1f}x the usual volume"
        else:
            msg = (f"burst ended: {way} {move_bps / 100:+.2f}% (peak {peak_bps / 100:+.2f}%) in "
                   f"{(t - ep.t0) / _SEC:.0f} s, {inst.qty_str(ep.volume)} traded")
        p = self.p
        score = min(1.0, _toward(ep.vol_x0, p.burst_volume_mult),
                    _toward(abs(ep.move0) / ep.sigma, p.burst_move_sigma) if ep.sigma > 0 else 1.0)
        return Alert(ep.id, t, sym.symbol, AlertKind.BURST, state, side, px, ep.volume, score, msg, ev)


def _toward(x: float, need: float) -> float:
    """How far ``x`` is toward twice its threshold ``need`` (a score's part); a threshold of 0 (a
    knob set to 0 in the configuration) is met by anything: 1."""
    return x / (2 * need) if need > 0 else 1.0
