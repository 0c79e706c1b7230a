"""How long a depth change waits for the trades that explain it (DETECTORS.md §2.0).

Trades and depth come on different streams with different delays; a detector that judges a depth
change against "its" trades must wait until the trade stream has caught up.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from itertools import repeat
from typing import Any

from dom.core import accel

_MS = 1_000_000
_WINDOW = 1000  # trades whose lags the P99 is taken over


class AdaptiveSlack:
    """How long depth changes wait for their trades: ``align_slack_ms``, or more when the trade
    stream runs further behind the depth stream (DETECTORS.md §2.0: max(slack, p99 skew)).

    The lag of a trade is how far depth (exchange time) had already moved past it when it
    arrived; its rolling P99 (last 1,000 trades, refreshed every 100) plus 50 ms is the slack.
    Deterministic: exchange times and arrival order only. Most lags are 0 (a trade usually
    arrives before depth has moved past it), so the window keeps its positive lags sorted beside
    it: the P99 is then 0 or an index into them, with no sort of the whole window.

    ``dom.core._native.Slack`` (``_native_trd.c``) is its C twin (``make_slack`` picks it);
    ``tests/core/detectors/test_slack_native.py`` runs one against the other.
    """

    __slots__ = ("floor", "lag", "lags", "last", "n", "ns", "pos")

    def __init__(self, floor_ms: int) -> None:
        self.floor = floor_ms * _MS
        # The window's lags, with zeros standing for the trades before the first (``n``: how many
        # were seen; the first ``_WINDOW - n`` are not in the window): one test a trade for the lag
        # pushed out.
        self.lags: deque[int] = deque(repeat(0, _WINDOW), maxlen=_WINDOW)
        self.pos: list[int] = []  # the window's positive lags, sorted
        self.n = 0
        self.ns = self.floor
        self.lag = 0  # the P99 lag itself
        self.last = -1  # the engine's count of the last trade seen (``on_trade_once``)

    def on_trade_once(self, n: int, depth_t: int, trade_t: int) -> None:
        """``on_trade`` for the engine's ``n``-th trade of the symbol, once however many of the
        detectors sharing this slack report it (written out: one call a trade)."""
        if n == self.last:
            return
        self.last = n
        lag = depth_t - trade_t
        lags = self.lags
        if lags[0]:  # the lag this one pushes out
            del self.pos[bisect_left(self.pos, lags[0])]
        if lag > 0:
            lags.append(lag)
            insort(self.pos, lag)
        else:
            lags.append(0)
        self.n += 1
        if self.n % 100 == 0:
            self._refresh()

    def on_trade(self, depth_t: int, trade_t: int) -> None:
        """A trade, for a slack fed by one caller that does not count trades (each call is a new
        one); the detectors call ``on_trade_once`` with the engine's count."""
        self.on_trade_once(self.last + 1, depth_t, trade_t)

    def state(self) -> tuple:
        """``(floor, lags, n, last, lag, ns)``: the window's lags oldest first (zeros before the
        first trades), what the C twin gives too."""
        return self.floor, tuple(self.lags), self.n, self.last, self.lag, self.ns

    @classmethod
    def from_state(cls, floor: int, lags: tuple, n: int, last: int, lag: int, ns: int) -> AdaptiveSlack:
        """The slack holding ``state()`` (the C slack hands itself over to it so)."""
        s = cls(0)
        s.floor = floor
        s.lags.extend(lags)
        s.pos = sorted(x for x in s.lags if x)
        s.n, s.last, s.lag, s.ns = n, last, lag, ns
        return s

    def _refresh(self) -> None:
        """The P99 of the window: sorted(lags) is its zeros followed by ``pos``."""
        pos = self.pos
        size = self.n if self.n < _WINDOW else _WINDOW  # (the zeros before the first trades are not in it)
        i = int(0.99 * (size - 1))
        zeros = size - len(pos)
        self.lag = 0 if i < zeros else pos[i - zeros]
        self.ns = max(self.floor, self.lag + 50 * _MS)


def make_slack(floor_ms: int) -> Any:
    """The C slack where the accelerator is built (and takes this floor), else ``AdaptiveSlack``."""
    native = accel.native
    if native is not None and type(floor_ms) is int and 0 <= floor_ms <= 1 << 40:
        return native.Slack(floor_ms * _MS, AdaptiveSlack.from_state)
    return AdaptiveSlack(floor_ms)
