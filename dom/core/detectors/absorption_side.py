"""What the absorption detector keeps of the trades into one side of the book (absorption.py reads
it through the methods below only).

Held per side: the times of its trades (the rate samples), its rate window of ``(t, q)`` with
their total, per price a window of the trades over ``W`` with its total, per price the volume
threshold the detector computed (kept until the side's baselines move, and at most ``THR_MAX``
prices: past them the cache starts again); the edge no window stands beyond; the price of the
side's last trade. ``_Side`` is the pure-Python form; ``dom.core._native.AbsSide``
(``_native_abs.c``) holds the same in C structures keyed by integer price and is its exact twin
(``tests/core/detectors/test_absorption_side.py`` runs them one against the other trade by
trade). ``make_side`` picks C when the accelerator is built (not with ``DOM_PURE_PYTHON=1``).

A C side handed what it does not take (a size or a time that is not an exact int within its
limits) returns ``NotImplemented`` with nothing changed; ``as_twin`` then gives the same state as
a ``_Side``, which the detector uses from there on.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from dom.core import accel
from dom.core.types import BookSide

_FAR = 1 << 62
THR_MAX = 4096  # thresholds cached a side (the same in _native_abs.c)


class _Window:
    """Trades into one level over the last W seconds, and their total."""

    __slots__ = ("q", "total")

    def __init__(self) -> None:
        self.q: deque[tuple[int, int]] = deque()
        self.total = 0


def _prune(w: Any, lo: int) -> int:
    q = w.q
    while q and q[0][0] <= lo:
        w.total -= q.popleft()[1]
    return w.total


_NONE = object()  # (a price's threshold not cached)


class _Side:
    __slots__ = ("bid", "edge", "frac", "last_px", "rate_ns", "side", "thr", "times", "w", "w_ns", "win")

    def __init__(self, side: BookSide, bid: bool, rate_ns: int, w_ns: int, frac: float) -> None:
        self.side, self.bid = side, bid
        self.rate_ns, self.w_ns, self.frac = rate_ns, w_ns, frac
        self.times: deque[int] = deque()
        self.w = _Window()  # all takers into the side, rate window
        self.last_px: int | None = None
        self.win: dict[int, _Window] = {}
        self.thr: dict[int, int | None] = {}  # price -> the volume threshold there (see thr_set)
        self.edge = -_FAR if bid else _FAR

    @property
    def levels(self) -> int:
        return len(self.win)

    def trade(self, px: int, T: int, q: int, track: bool) -> int:
        """A trade of ``q`` at ``px``, time ``T``: into the side's times and rate window (pruned to
        ``T - rate_ns``); a new price beyond the edge drops the windows it went through; into the
        window at ``px`` (pruned to ``T - w_ns``). Returns that window's total ``vw``, except with
        ``track`` (no episode at ``px``): -1 when the level is not to be followed (its cached
        threshold None, or ``vw`` under ``frac`` of it), ``-2 - vw`` when no threshold is cached."""
        self.times.append(T)
        tq, sw = (T, q), self.w
        sw.q.append(tq)
        sw.total += q
        _prune(sw, T - self.rate_ns)
        bid = self.bid
        if px != self.last_px:
            self.last_px = px
            if px < self.edge if bid else px > self.edge:  # some window may stand beyond px
                win = self.win
                for k in [k for k in win if (k > px if bid else k < px)]:
                    del win[k]
                self.edge = (max(win, default=-_FAR) if bid else min(win, default=_FAR))
        w = self.win.get(px)
        if w is None:
            w = self.win[px] = _Window()
            if px > self.edge if bid else px < self.edge:
                self.edge = px
        w.q.append(tq)
        w.total += q
        vw = _prune(w, T - self.w_ns)
        if not track:
            return vw
        thr = self.thr.get(px, _NONE)
        if thr is _NONE:
            return -2 - vw
        return -1 if thr is None or vw < self.frac * thr else vw

    def rate_count(self, lo: int) -> int:
        """The side's trade times after those <= ``lo`` are pruned from the oldest: their number."""
        st = self.times
        while st and st[0] <= lo:
            st.popleft()
        return len(st)

    def side_prune(self, lo: int) -> int:
        return _prune(self.w, lo)

    def side_volume_after(self, lo: int) -> int:
        """The rate window's total less its oldest trades at or before ``lo`` (not pruned)."""
        v = self.w.total
        for t, x in self.w.q:
            if t > lo:
                break
            v -= x
        return v

    def prune_at(self, px: int, lo: int) -> int:
        w = self.win.get(px)
        return _prune(w, lo) if w else 0

    def count_since(self, px: int, lo: int) -> int:
        """Trades into ``px`` after ``lo`` (walked from the newest)."""
        n = 0
        w = self.win.get(px)
        for t, _ in reversed(w.q if w else ()):
            if t <= lo:
                break
            n += 1
        return n

    def volume_since(self, px: int, lo: int) -> int:
        v = 0
        w = self.win.get(px)
        for t, x in reversed(w.q if w else ()):
            if t <= lo:
                break
            v += x
        return v

    def largest(self, px: int) -> int | None:
        w = self.win.get(px)
        return max(x for _, x in w.q) if w and w.q else None

    def first_time(self, px: int) -> int | None:
        w = self.win.get(px)
        return w.q[0][0] if w and w.q else None

    def drop_stale(self, lo: int) -> None:
        """Levels that stopped trading (empty, or their last trade at or before ``lo``) dropped."""
        win = self.win
        for px in [px for px, w in win.items() if not w.q or w.q[-1][0] <= lo]:
            del win[px]

    def clear_thr(self) -> None:
        self.thr.clear()

    def thr_get(self, px: int, default: Any) -> Any:
        return self.thr.get(px, default)

    def thr_set(self, px: int, thr: int | None) -> None:
        """The threshold at ``px`` cached; with ``THR_MAX`` prices cached and ``px`` not one of
        them, the cache starts again (a bound: any entry can be computed again the same)."""
        cache = self.thr
        if px not in cache and len(cache) >= THR_MAX:
            cache.clear()
        cache[px] = thr

    def reset(self) -> None:
        """A resync: the windows, the edge and the last price forgotten (times and rate window stay)."""
        self.win.clear()
        self.edge = -_FAR if self.bid else _FAR
        self.last_px = None

    def state(self) -> tuple:
        win = {px: (tuple(w.q), w.total) for px, w in self.win.items()}
        return tuple(self.times), tuple(self.w.q), self.w.total, win, dict(self.thr), self.edge, self.last_px


def as_twin(s: Any, bid: bool, rate_ns: int, w_ns: int, frac: float) -> _Side:
    """A ``_Side`` holding what side ``s`` (C or Python) holds."""
    times, sw, total, win, thr, edge, last_px = s.state()
    t = _Side(s.side, bid, rate_ns, w_ns, frac)
    t.times.extend(times)
    t.w.q.extend(sw)
    t.w.total = total
    for px, (q, tot) in win.items():
        w = t.win[px] = _Window()
        w.q.extend(q)
        w.total = tot
    t.thr.update(thr)
    t.edge, t.last_px = edge, last_px
    return t


def make_side(side: BookSide, rate_ns: int, w_ns: int, frac: float) -> Any:
    """The C side when the accelerator is there (and takes these windows), else ``_Side``."""
    bid = side is BookSide.BID
    native = accel.native
    if native is not None and 0 <= rate_ns <= 1 << 61 and 0 <= w_ns <= 1 << 61:
        return native.AbsSide(side, bid, rate_ns, w_ns, float(frac))
    return _Side(side, bid, rate_ns, w_ns, frac)
