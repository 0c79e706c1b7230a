"""Exact top-of-book check against the venue's own bookTicker stream.

A bookTicker carries the update id ``u`` at which its best bid/ask held. It can be compared with
our book only when ``u`` falls between two applied depth events ``k`` and ``k+1``
(``u_k <= u < U_{k+1}``); inside an aggregated ``[U, u)`` range the state it describes was never
visible to us. Tickers and depth arrive on different streams, so a ticker may come before or
after the depth event that settles it: we keep a short history of top-of-book states and a list
of tickers still waiting for the next depth event.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from dom.core.types import BookTicker, Level

_HISTORY = 4096


@dataclass(slots=True)
class _State:
    u: int
    next_first: int | None  # U of the next applied depth event (None while current)
    bid: Level | None
    ask: Level | None


@dataclass
class Mismatch:
    update_id: int
    expected: tuple[int, int, int, int]
    got: tuple[Level | None, Level | None]


@dataclass
class TopOfBookChecker:
    """Feed it book states (after each applied depth event) and tickers, in arrival order."""

    matched: int = 0
    mismatched: int = 0
    inside_range: int = 0  # ticker inside an aggregated [U,u) range: not comparable
    unreachable: int = 0  # before sync, across a gap, or after the last depth event
    mismatches: list[Mismatch] = field(default_factory=list)
    _hist: deque[_State] = field(default_factory=lambda: deque(maxlen=_HISTORY))
    _pending: list[BookTicker] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return self.matched + self.mismatched

    def on_state(self, u: int, first_id: int | None, bid: Level | None, ask: Level | None) -> None:
        """The book now stands at update id ``u``, reached by a delta starting at ``first_id``
        (``None`` when reached by a snapshot or a batch: the previous state's end is unknown)."""
        if self._hist:
            prev = self._hist[-1]
            if first_id is None:
                self._drop_pending()
                self._hist.clear()
            else:
                prev.next_first = first_id
        self._hist.append(_State(u, None, bid, ask))
        if self._pending:
            pending, self._pending = self._pending, []
            for t in pending:
                self.on_ticker(t)

    def on_gap(self) -> None:
        """The book lost sync: nothing recorded so far can settle a ticker any more."""
        self._drop_pending()
        self._hist.clear()

    def _drop_pending(self) -> None:
        self.unreachable += len(self._pending)
        self._pending.clear()

    def on_ticker(self, t: BookTicker) -> None:
        hist = self._hist
        if not hist or t.update_id < hist[0].u:
            self.unreachable += 1
            return
        # Tickers are nearly always about recent states: walk back from the newest.
        st = hist[-1]
        if st.u > t.update_id:
            for st in reversed(hist):
                if st.u <= t.update_id:
                    break
        if st.next_first is None:
            self._pending.append(t)
            return
        if t.update_id >= st.next_first:
            self.inside_range += 1
            return
        got = (st.bid, st.ask)
        if st.bid == (t.bid_px, t.bid_qty) and st.ask == (t.ask_px, t.ask_qty):
            self.matched += 1
        else:
            self.mismatched += 1
            if len(self.mismatches) < 20:
                self.mismatches.append(
                    Mismatch(t.update_id, (t.bid_px, t.bid_qty, t.ask_px, t.ask_qty), got)
                )

    def finish(self) -> None:
        """End of input: tickers still waiting for a next depth event cannot be settled."""
        self._drop_pending()
