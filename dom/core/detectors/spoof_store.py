"""What pulled liquidity keeps per message, behind one interface: its candidates (each with its size
and distance histories), the mids of the last second and the size increases (``adds``).

``PullState`` is the pure-Python implementation; ``_native.PullStore`` (``_native_pstore.c``) holds the
same in C structures keyed by (side, price) as integers, with the same methods giving the same
results (``test_spoof_store.py`` holds them against each other). ``pull_state`` picks C where the
accelerator is built. Sides are the two objects handed at construction (``BookSide.BID``, ``.ASK``);
times, prices and sizes are ints (the C type takes exact ints within +-2^61 and sizes of at least 0,
and raises TypeError / ValueError on anything else, changing nothing).

Candidates keep the order they were added in (a dict's): ``sweep`` and ``seen_band`` visit them in it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from dom.core import accel
from dom.core.detectors.spoof_state import _Cand, sweep_py
from dom.core.detectors.spoof_stats import band_hits, mid_range

_SEC = 1_000_000_000


class PullState:
    __slots__ = ("adds", "ask", "bid", "cands", "mids")

    def __init__(self, bid: Any, ask: Any) -> None:
        self.bid, self.ask = bid, ask
        self.cands: dict[tuple[Any, int], _Cand] = {}
        self.mids: deque[tuple[int, int]] = deque()  # (t, 2 x mid) over the last second
        self.adds = {bid: deque(), ask: deque()}  # (t, px, added) size increases, each side

    def __len__(self) -> int:
        """How many candidates."""
        return len(self.cands)

    def clear(self) -> None:
        """Everything forgotten (a lost sync)."""
        self.cands.clear()
        self.mids.clear()
        for dq in self.adds.values():
            dq.clear()

    # ------------------------------------------------------------------------------- mids
    def mid(self, now: int, m2: int | None) -> None:
        """A depth message at ``now``: twice its mid kept (None: no mid), those at or before
        ``now`` - 1 s dropped."""
        mids = self.mids
        if m2 is not None:
            mids.append((now, m2))
        cut = now - _SEC
        while mids and mids[0][0] <= cut:
            mids.popleft()

    def mid_range(self, before: int) -> int:
        """The range (half ticks) of the mids kept before ``before`` (0: none)."""
        return mid_range(self.mids, before)

    # ------------------------------------------------------------------------------- adds
    def add(self, side: Any, t: int, px: int, added: int) -> None:
        """A size increase of ``added`` at ``px`` at ``t``."""
        self.adds[side].append((t, px, added))

    def expire(self, horizon: int) -> None:
        """The size increases before ``horizon`` dropped."""
        for dq in self.adds.values():
            while dq and dq[0][0] < horizon:
                dq.popleft()

    def moved(self, side: Any, lo: int, hi: int, px: int, r: int) -> int:
        """The size added on ``side`` from ``lo`` to ``hi`` (times, inclusive) within ``r`` ticks of
        ``px`` but not at it (a pulled order moved there)."""
        return sum(a for t, p, a in self.adds[side] if lo <= t <= hi and p != px and abs(p - px) <= r)

    def added(self, side: Any) -> list[tuple[int, int, int]]:
        """The size increases kept on ``side``, oldest first."""
        return list(self.adds[side])

    # ------------------------------------------------------------------------- candidates
    def has(self, side: Any, px: int) -> bool:
        return (side, px) in self.cands

    def new(self, side: Any, px: int, now: int, d: int, q: int, step: int) -> None:
        """A new candidate at ``px`` (``d`` ticks from its side's best, its level ``q``; ``step``: its
        largest one-message increase, steps.py)."""
        c = self.cands[side, px] = _Cand(side, px, now, d, q)
        c.step = step
        c.sizes.append((now, q))
        c.dists.append((now, d))

    def seen(self, side: Any, px: int, t: int, q: int) -> bool:
        """The candidate at ``px`` (if any) shows ``q`` at ``t``: False when there is none."""
        c = self.cands.get((side, px))
        if c is None:
            return False
        c.seen(t, q)
        return True

    def seen_band(self, side: Any, lo: int, hi: int, levels: dict[int, int], now: int) -> None:
        """Each candidate of ``side`` within ``lo..hi`` whose level is in ``levels`` shows it at ``now``."""
        for c in self.cands.values():
            if c.side is side and lo <= c.px <= hi:
                q = levels.get(c.px)
                if q is not None:
                    c.seen(now, q)

    def hits(self, band: list[tuple[int, int]], t: int, side: Any) -> list[tuple[int, int]]:
        """The band's levels, in order, up to ``t`` or at a candidate's price (spoof_stats.band_hits)."""
        return band_hits(band, t, self.cands, side)

    def facts(self, side: Any, px: int, now: int) -> tuple | None:
        """What a drop's judgement reads of the candidate at ``px`` (None: none): (pending, its
        largest size kept, its last distance, its distance a second before ``now`` (the last one
        at or before then, else the oldest kept), its largest distance kept, its first distance,
        when it was first seen, its step)."""
        c = self.cands.get((side, px))
        if c is None:
            return None
        dists = c.dists
        cut = now - _SEC
        ago = dists[0][1]
        for t, x in dists:
            if t > cut:
                break
            ago = x
        return (c.pending, max(q for _, q in c.sizes), dists[-1][1], ago, max(x for _, x in dists), c.d0,
                c.first_ns, c.step)

    def mark(self, side: Any, px: int) -> None:
        """The candidate at ``px`` is pending (a pull awaits judgement)."""
        self.cands[side, px].pending = True

    def remove(self, side: Any, px: int) -> None:
        """The candidate at ``px`` forgotten (none: nothing)."""
        self.cands.pop((side, px), None)

    def sweep(self, bb: int | None, ba: int | None, tb: int | None, ta: int | None, hb: int, ha: int,
              bl: dict[int, int], al: dict[int, int], now: int, approach: int, old: int) -> tuple[int, int]:
        """Each candidate brought up to the message (``spoof_state.sweep_py``), those no longer one
        removed; the others' price range (``1 << 62, -(1 << 62)`` when none is left)."""
        cands = self.cands
        dead, lo, hi = sweep_py(cands, self.bid, bb, ba, tb, ta, hb, ha, bl, al, now, approach, old)
        if dead is not None:
            for c in dead:
                del cands[c.side, c.px]
        return lo, hi

    def state(self) -> tuple:
        """All it holds, as plain values (the tests compare implementations with it): the candidates
        ``{(side, px): (first_ns, d0, peak, sizes, dists, pending, step)}`` in order, the mids, the
        size increases ``{side: [...]}``."""
        return ({k: (c.first_ns, c.d0, c.peak, list(c.sizes), list(c.dists), c.pending, c.step)
                 for k, c in self.cands.items()},
                list(self.mids), {self.bid: list(self.adds[self.bid]), self.ask: list(self.adds[self.ask])})


def pull_state(bid: Any, ask: Any) -> Any:
    """``_native.PullStore`` where the accelerator is built, else ``PullState``."""
    native = accel.native
    cls = getattr(native, "PullStore", None) if native is not None else None
    return (cls or PullState)(bid, ask)
