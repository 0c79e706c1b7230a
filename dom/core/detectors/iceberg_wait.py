"""What the iceberg-like detector holds between a depth message and its judgement (iceberg.py reads
it through the methods below only).

Held: the level changes picked from each depth message, waiting for the watermark (``pending``:
``(T, side, px, before, after)``, a message's changes sharing its ``T``); the trades not yet
attributed, per ``(side, px)``, in the order they came (``(T, qty)``); the keys of the levels the
detector follows (``followed``: a key becomes followed when a judgement attributes trades to it,
the one way the detector starts to follow a level, and stops on ``unfollow`` or ``clear``). The
detector's ``levels`` holds the same keys.

``delta`` picks a message's changes: near the touch (within each side's window), or at a key with
trades waiting or followed. ``drain`` takes, in order, the waiting changes stamped at or before the
watermark ``mark``, each with the volume of the trades waiting at its key stamped at or before its
time, and returns those to judge (trades attributed, or the key followed); then the keys whose
oldest waiting trade is at or before ``late`` (trades the depth never showed changing: judged with
the level unchanged), in the order their queues began, each with the volume of those trades.

``_Wait`` is the pure-Python form; ``dom.core._native.IceWait`` (``_native_ice.c``) holds the same
in C structures keyed by integer price and is its exact twin
(``tests/core/detectors/test_iceberg_wait.py`` runs them one against the other call by call).
``make_wait`` picks C when the accelerator is built (not with ``DOM_PURE_PYTHON=1``). A C object
handed what it does not take (a side that is neither of the two, a number that is not an exact int
within its limits) returns ``NotImplemented`` with nothing changed; ``as_twin`` then gives the same
state as a ``_Wait``, which the detector uses from there on.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Sequence

from dom.core import accel
from dom.core.detectors.changes import pick_at_py
from dom.core.types import BookSide

_NEVER = 1 << 62
_SECOND = (lambda k: k[1])


class _Wait:
    __slots__ = ("bid", "ask", "pending", "trades", "first", "lo", "hi", "followed", "flo", "fhi")

    def __init__(self, bid: BookSide, ask: BookSide) -> None:
        self.bid, self.ask = bid, ask
        self.pending: deque[tuple[int, list]] = deque()  # (T, [(side, px, before, after)]), a message's picks
        self.trades: dict[tuple[Any, int], deque[tuple[int, int]]] = {}  # (T, qty) not yet attributed
        self.first = _NEVER  # at most the time of the first trade waiting in any of ``trades``
        self.lo, self.hi = _NEVER, -_NEVER  # a price range holding every key of ``trades`` (a filter)
        self.followed: set[tuple[Any, int]] = set()
        self.flo, self.fhi = _NEVER, -_NEVER  # ... of ``followed``

    def trade(self, side: Any, px: int, T: int, qty: int) -> None:
        """A trade of ``qty`` at ``(side, px)`` (the maker's side), time ``T``: waiting there."""
        key = (side, px)
        q = self.trades.get(key)
        if q is None:
            q = self.trades[key] = deque()
            if T < self.first:
                self.first = T
            if px < self.lo:
                self.lo = px
            if px > self.hi:
                self.hi = px
        q.append((T, qty))

    def delta(self, t: int, changes: Sequence, blo: int, bhi: int, alo: int, ahi: int) -> None:
        """A depth message at time ``t``: its changes ``(side, px, before, after)`` within the
        side's window (``blo..bhi`` for a bid, else ``alo..ahi``) or at a key with trades waiting or
        followed wait for the watermark."""
        picked = pick_at_py(changes, self.bid, blo, bhi, alo, ahi, self.trades, self.lo, self.hi,
                            self.followed, self.flo, self.fhi)
        if picked:
            self.pending.append((t, picked))

    def _follow(self, key: tuple[Any, int]) -> None:
        self.followed.add(key)
        px = key[1]
        if px < self.flo:
            self.flo = px
        if px > self.fhi:
            self.fhi = px

    def drain(self, mark: int, late: int) -> tuple[list, list] | None:
        """The changes waiting up to ``mark`` to judge, ``(side, px, T, before, after, v)``, and
        the keys with trades waiting up to ``late``, ``(side, px, v)``; None when neither."""
        items: list[tuple] = []
        pend, trades, followed = self.pending, self.trades, self.followed
        while pend and pend[0][0] <= mark:
            t, picked = pend.popleft()
            for side, px, before, after in picked:
                key = (side, px)
                q = trades.get(key)
                v = 0
                if q is not None:
                    while q and q[0][0] <= t:
                        v += q.popleft()[1]
                    if not q:
                        del trades[key]  # (no trades waiting there: ``trades`` keeps no empty queue)
                if v:
                    if key not in followed:
                        self._follow(key)
                    items.append((side, px, t, before, after, v))
                elif key in followed:
                    items.append((side, px, t, before, after, 0))
        lates: list[tuple] = []
        if late >= self.first:  # some trade may be that old: look
            first = _NEVER
            lo, hi = _NEVER, -_NEVER  # the surviving keys' price range
            for key in list(trades):
                q = trades[key]
                if q[0][0] <= late:
                    v = 0
                    while q and q[0][0] <= late:
                        v += q.popleft()[1]
                    lates.append((key[0], key[1], v))
                    if v and key not in followed:
                        self._follow(key)
                    if not q:
                        del trades[key]
                        continue
                if q[0][0] < first:
                    first = q[0][0]
                if key[1] < lo:
                    lo = key[1]
                if key[1] > hi:
                    hi = key[1]
            self.first = first
            self.lo, self.hi = lo, hi
        return (items, lates) if items or lates else None

    def unfollow(self, keys: Sequence[tuple[Any, int]]) -> None:
        """The levels at ``keys`` are no longer followed."""
        f = self.followed
        for key in keys:
            f.discard(key)
        if f:
            self.flo, self.fhi = min(map(_SECOND, f)), max(map(_SECOND, f))
        else:
            self.flo, self.fhi = _NEVER, -_NEVER

    def clear(self) -> None:
        """Forget everything (a resync)."""
        self.pending.clear()
        self.trades.clear()
        self.followed.clear()
        self.first = _NEVER
        self.lo, self.hi = _NEVER, -_NEVER
        self.flo, self.fhi = _NEVER, -_NEVER

    def sizes(self) -> tuple[int, int, int]:
        """(keys held: with trades waiting or followed, trades waiting, changes waiting)."""
        return (len(self.followed.union(self.trades)), sum(map(len, self.trades.values())),
                sum(len(p) for _, p in self.pending))

    def state(self) -> tuple:
        """Everything held, in a form both twins give alike: (the waiting changes
        ``(T, side, px, before, after)``, the keys with trades waiting in the order their queues
        began ``(side, px, ((T, qty), ...))``, the followed keys sorted (bids first, by price))."""
        pend = tuple((t, side, px, before, after) for t, picked in self.pending for side, px, before, after in picked)
        trades = tuple((side, px, tuple(q)) for (side, px), q in self.trades.items())
        bid = self.bid
        followed = tuple(sorted(self.followed, key=lambda k: (k[0] is not bid, k[1])))
        return pend, trades, followed

    @classmethod
    def from_state(cls, bid: BookSide, ask: BookSide, state: tuple) -> _Wait:
        w = cls(bid, ask)
        pend, trades, followed = state
        for t, side, px, before, after in pend:
            if w.pending and w.pending[-1][0] == t:
                w.pending[-1][1].append((side, px, before, after))
            else:
                w.pending.append((t, [(side, px, before, after)]))
        for side, px, q in trades:
            for T, qty in q:
                w.trade(side, px, T, qty)
        for key in followed:
            w._follow(key)
        return w


def make_wait(bid: BookSide, ask: BookSide) -> Any:
    """The C form where the accelerator is built, else ``_Wait``."""
    native = accel.native
    if native is not None:
        return native.IceWait(bid, ask)
    return _Wait(bid, ask)


def as_twin(w: Any) -> _Wait:
    """``w`` as a ``_Wait`` with the same state (``w`` itself when it is one)."""
    if isinstance(w, _Wait):
        return w
    return _Wait.from_state(w.bid, w.ask, w.state())
