"""How hard a symbol is moving right now, against its own recent past: the traded volume of the
last ``window_s`` seconds as a multiple of its usual volume per window, and the price move over
the same seconds in units of its usual move. Pure: fed trades and mids with exchange times.

A measurement for the scanner (a small cap's 1-3 % in minutes after news shows as both numbers
high at once), not an alert rule: thresholds on it are not chosen or scored here.
"""

from __future__ import annotations

import math
from collections import deque

_S = 1_000_000_000


class BurstMeter:
    """Per-second buckets (volume in lots, last mid) over ``history_s`` seconds."""

    def __init__(self, window_s: int = 10, history_s: int = 600) -> None:
        self.window_s = window_s
        self.history_s = history_s
        self.secs: deque[list] = deque()  # [second, volume, last mid]

    def _bucket(self, ts_ns: int) -> list | None:
        sec = ts_ns // _S
        b = self.secs
        if b and sec < b[-1][0]:
            return None  # (out of order: too late to count)
        if not b or sec > b[-1][0]:
            b.append([sec, 0, b[-1][2] if b else None])
            while b and b[0][0] <= sec - self.history_s:
                b.popleft()
        return b[-1]

    def trade(self, ts_ns: int, lots: int) -> None:
        bk = self._bucket(ts_ns)
        if bk is not None:
            bk[1] += lots

    def mid(self, ts_ns: int, mid: float) -> None:
        bk = self._bucket(ts_ns)
        if bk is not None:
            bk[2] = mid

    def measure(self) -> tuple[float, float] | None:
        """``(volume x, move sigma)``: the last ``window_s`` seconds' volume over the median of
        the earlier windows', and that window's price move (log of its closing mid over the
        previous window's) over the root mean square of the earlier windows' moves. Windows end
        at the newest second. None with fewer than 6 earlier windows."""
        if not self.secs:
            return None
        w = self.window_s
        end = self.secs[-1][0]
        vols: dict[int, int] = {}
        close: dict[int, float] = {}
        for sec, v, m in self.secs:  # oldest first: a window's close is its last mid
            k = (end - sec) // w
            vols[k] = vols.get(k, 0) + v
            if m is not None and m > 0:
                close[k] = m
        moves = {k: math.log(close[k] / close[k + 1]) for k in close if k + 1 in close}
        past_vols = sorted(v for k, v in vols.items() if k > 0)
        past_moves = [x for k, x in moves.items() if k > 0]
        if len(past_vols) < 6 or len(past_moves) < 5 or 0 not in moves:
            return None
        usual = past_vols[len(past_vols) // 2]
        rms = math.sqrt(sum(x * x for x in past_moves) / len(past_moves))
        vol_x = vols.get(0, 0) / usual if usual > 0 else (99.0 if vols.get(0, 0) else 0.0)
        return vol_x, (abs(moves[0]) / rms if rms > 0 else 0.0)
