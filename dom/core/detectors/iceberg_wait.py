"""What the iceberg-like detector holds between a depth message and its judgement, and the hot
numbers of the levels it follows (iceberg.py reads them through the methods below only).

Held: the level changes picked from each depth message, waiting for the watermark (``pending``:
``(T, side, px, before, after)``, a message's changes sharing its ``T``); the trades not yet
attributed, per ``(side, px)``, in the order they came (``(T, qty)``); per level followed its
numbers (``_Rec``: volume traded, last trade time, largest and last size shown), shared with the
detector's ``_Level``; the near/far null control (iceberg_control.py: its counts and watches). A
key becomes followed when a judgement attributes trades to it (the one way the detector starts to
follow a level) and stops on ``unfollow`` or ``clear``; the detector's ``levels`` holds the same keys.

``delta`` picks a message's changes: near the touch (within ``NEAR`` ticks of the side's best), or at
a key with trades waiting or followed. ``step`` takes, in order, the waiting changes stamped at or before the
watermark ``mark``, each with the volume of the trades waiting at its key stamped at or before its
time, and judges them (``judge``) until one leaves work to the detector: that one is returned.
``late`` takes the keys whose oldest waiting trade is at or before ``late`` (trades the depth never
showed changing), in the order their queues began, each with the volume of those trades; the
detector judges each with the size the book shows there.

``judge`` is the part of a judgement that needs no rule: the null control, the level's numbers, and
what is left to the detector (``flags``: NEW a level to follow, PUSH its last trade moved earlier
or is its first, OVERRUN trades to count for the overrun rule, ADD a possible refill).

``_Wait`` is the pure-Python form; ``dom.core._native.IceWait`` (``_native_ice.c``) holds the same
in C structures keyed by integer price and is its exact twin
(``tests/core/detectors/test_iceberg_wait.py`` runs them one against the other call by call).
``make_wait`` picks C when the accelerator is built (not with ``DOM_PURE_PYTHON=1``). A C object
handed what it does not take (a side that is neither of the two, a number that is not an exact int
within its limits) returns ``NotImplemented`` with nothing changed; ``as_twin`` then gives the same
state as a ``_Wait`` (the levels' records carried over as they are), which the detector uses from
there on.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Sequence

from dom.core import accel
from dom.core.detectors.changes import pick_at_py
from dom.core.detectors.iceberg_control import NullControl
from dom.core.types import BookSide

_NEVER = 1 << 62
_SECOND = (lambda k: k[1])
NEW, PUSH, OVERRUN, ADD = 1, 2, 4, 8
NEAR = 5  # a change within this many ticks of its side's best is near the touch (ICE_NEAR in _native_ice.h)


class _Rec:
    """A followed level's numbers: volume traded there, its last trade's time (0: none), the
    largest and the last size it showed."""

    __slots__ = ("traded", "last", "max_q", "last_q")

    def __init__(self) -> None:
        self.traded = self.last = self.max_q = self.last_q = 0


class _Wait:
    __slots__ = ("bid", "ask", "window_ns", "overrun", "pending", "trades", "first", "lo", "hi", "recs", "flo",
                 "fhi", "nulls")

    def __init__(self, bid: BookSide, ask: BookSide, window_ns: int, overrun: bool) -> None:
        self.bid, self.ask = bid, ask
        self.window_ns, self.overrun = window_ns, overrun
        self.pending: deque[tuple] = deque()  # (T, side, px, before, after)
        self.trades: dict[tuple[Any, int], deque[tuple[int, int]]] = {}  # (T, qty) not yet attributed
        self.first = _NEVER  # at most the time of the first trade waiting in any of ``trades``
        self.lo, self.hi = _NEVER, -_NEVER  # a price range holding every key of ``trades`` (a filter)
        self.recs: dict[tuple[Any, int], Any] = {}  # the followed levels' numbers
        self.flo, self.fhi = _NEVER, -_NEVER  # ... a price range holding their keys
        self.nulls = NullControl(0)
        self.nulls.window_ns = window_ns

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

    def delta(self, t: int, changes: Sequence, bb: int | None, ba: int | None) -> None:
        """A depth message at time ``t``, the best bid ``bb`` and ask ``ba`` after it (None: the side
        is empty): its changes ``(side, px, before, after)`` near the touch (within ``NEAR`` ticks
        of the side's best, where trades can happen; an empty side: nowhere) or at a key with trades
        waiting or followed wait for the watermark."""
        blo, bhi = (bb - NEAR, bb + NEAR) if bb is not None else (_NEVER, -_NEVER)
        alo, ahi = (ba - NEAR, ba + NEAR) if ba is not None else (_NEVER, -_NEVER)
        for side, px, before, after in pick_at_py(changes, self.bid, blo, bhi, alo, ahi, self.trades, self.lo,
                                                  self.hi, self.recs, self.flo, self.fhi):
            self.pending.append((t, side, px, before, after))

    def judge(self, side: Any, px: int, t: int, before: int, after: int, v: int) -> tuple | None:
        """A depth message's change at ``(side, px)``, time ``t``, sizes ``before`` and ``after``,
        with ``v`` traded there: nothing when the level is not followed and nothing traded; else
        the null control, the level's numbers, and ``(side, px, t, before, after, v, flags, rec)``
        when ``flags`` leave work to the detector (None otherwise)."""
        key = (side, px)
        rec = self.recs.get(key)
        flags = 0
        if rec is None:
            if v == 0:
                return None
            rec = self.recs[key] = _Rec()
            if px < self.flo:
                self.flo = px
            if px > self.fhi:
                self.fhi = px
            flags = NEW
        nulls = self.nulls
        if key in nulls.watch or (v and before > 0 and v >= 0.5 * before):  # (else it does nothing)
            nulls.on_judged(key, t, before, after, v)
        if v:
            rec.traded += v
            if t < rec.last or not rec.last:  # a new level, or its last trade moves earlier
                flags |= PUSH
            rec.last = t
            if self.overrun:
                flags |= OVERRUN
        m = rec.max_q
        if before > m or after > m:
            rec.max_q = before if before > after else after
        rec.last_q = after
        r = v - (before - after)
        if r > 0 and (v > 0 or t - rec.last < self.window_ns):
            flags |= ADD
        return (side, px, t, before, after, v, flags, rec) if flags else None

    def step(self, mark: int) -> tuple | None:
        """The waiting changes up to ``mark`` judged in order, up to the first that leaves work
        to the detector: that one's ``judge``; None when none is left."""
        pend, trades = self.pending, self.trades
        while pend and pend[0][0] <= mark:
            t, side, px, before, after = pend.popleft()
            key = (side, px)
            q = trades.get(key)
            v = 0
            if q is not None:
                while q and q[0][0] <= t:
                    v += q.popleft()[1]
                if not q:
                    del trades[key]  # (no trades waiting there: ``trades`` keeps no empty queue)
            if v or key in self.recs:
                got = self.judge(side, px, t, before, after, v)
                if got is not None:
                    return got
        return None

    def late(self, late: int) -> list | None:
        """The keys with trades waiting up to ``late``, ``(side, px, v)``, those trades taken;
        None when none."""
        if late < self.first:  # no trade is that old
            return None
        lates: list[tuple] = []
        trades = self.trades
        first = _NEVER
        lo, hi = _NEVER, -_NEVER  # the surviving keys' price range
        for key in list(trades):
            q = trades[key]
            if q[0][0] <= late:
                v = 0
                while q and q[0][0] <= late:
                    v += q.popleft()[1]
                lates.append((key[0], key[1], v))
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
        return lates or None

    def unfollow(self, keys: Sequence[tuple[Any, int]]) -> None:
        """The levels at ``keys`` are no longer followed."""
        recs = self.recs
        for key in keys:
            recs.pop(key, None)
        if recs:
            self.flo, self.fhi = min(map(_SECOND, recs)), max(map(_SECOND, recs))
        else:
            self.flo, self.fhi = _NEVER, -_NEVER

    def clear(self) -> None:
        """Forget the waiting changes and trades and the levels followed (a resync); the null
        control goes on."""
        self.pending.clear()
        self.trades.clear()
        self.recs.clear()
        self.first = _NEVER
        self.lo, self.hi = _NEVER, -_NEVER
        self.flo, self.fhi = _NEVER, -_NEVER

    def counts(self) -> dict:
        """The null control's counts (a copy)."""
        return dict(self.nulls.counts)

    def set_counts(self, counts: dict) -> None:
        self.nulls.counts = {k: counts[k] for k in ("depletions", "near_hits", "far_hits")}

    def sizes(self) -> tuple[int, int, int]:
        """(keys held: with trades waiting, followed or watched, trades waiting, changes waiting)."""
        return (len(set(self.recs).union(self.trades, self.nulls.watch)), sum(map(len, self.trades.values())),
                len(self.pending))

    def recs_by_key(self) -> dict:
        return dict(self.recs)

    def state(self) -> tuple:
        """Everything held, in a form both twins give alike: (the waiting changes
        ``(T, side, px, before, after)``, the keys with trades waiting in the order their queues
        began ``(side, px, ((T, qty), ...))``, the followed levels ``(side, px, traded, last,
        max_q, last_q)`` and the null control's watches ``(side, px, near_end, far_start, far_end,
        hits)`` sorted (bids first, by price), the null control's counts)."""
        bid = self.bid

        def order(k):
            return k[0] is not bid, k[1]
        trades = tuple((side, px, tuple(q)) for (side, px), q in self.trades.items())
        recs = tuple((k[0], k[1], r.traded, r.last, r.max_q, r.last_q) for k, r in sorted(self.recs.items(),
                                                                                           key=lambda kr: order(kr[0])))
        w = self.nulls.watch
        watch = tuple((k[0], k[1], *w[k]) for k in sorted(w, key=order))
        c = self.nulls.counts
        return tuple(self.pending), trades, recs, watch, (c["depletions"], c["near_hits"], c["far_hits"])

    @classmethod
    def from_state(cls, bid: BookSide, ask: BookSide, window_ns: int, overrun: bool, state: tuple,
                   recs: dict | None = None) -> _Wait:
        """A ``_Wait`` holding ``state``; ``recs``: the records to keep for the followed levels
        (those the detector's levels share), else new ones."""
        w = cls(bid, ask, window_ns, overrun)
        pend, trades, followed, watch, counts = state
        w.pending.extend(pend)
        for side, px, q in trades:
            for T, qty in q:
                w.trade(side, px, T, qty)
        for side, px, traded, last, max_q, last_q in followed:
            rec = recs[(side, px)] if recs is not None else _Rec()
            rec.traded, rec.last, rec.max_q, rec.last_q = traded, last, max_q, last_q
            w.recs[(side, px)] = rec
        w.unfollow(())  # (the followed keys' price range)
        for side, px, *nums in watch:
            w.nulls.watch[(side, px)] = list(nums)
        w.nulls.counts = dict(zip(("depletions", "near_hits", "far_hits"), counts))
        return w


def make_wait(bid: BookSide, ask: BookSide, window_ns: int, overrun: bool) -> Any:
    """The C form where the accelerator is built and takes the window, else ``_Wait``."""
    native = accel.native
    if native is not None:
        try:
            return native.IceWait(bid, ask, window_ns, overrun)
        except (TypeError, ValueError, OverflowError):
            pass
    return _Wait(bid, ask, window_ns, overrun)


def as_twin(w: Any) -> _Wait:
    """``w`` as a ``_Wait`` with the same state and the same records (``w`` itself when it is one)."""
    if isinstance(w, _Wait):
        return w
    return _Wait.from_state(w.bid, w.ask, w.window_ns, w.overrun, w.state(), w.recs_by_key())
