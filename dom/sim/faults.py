"""Fault controls of the local exchange, for tests and demos.

    srv.faults.close()                 # close every websocket with a close frame
    srv.faults.abort()                 # drop every websocket without a close frame
    srv.faults.gap("BTCUSDT")          # never send the next depth event of a symbol (pu gap)
    srv.faults.stale_snapshot("BTCUSDT")   # next REST depth is an old one (older than the stream)
    srv.faults.snapshot_errors(3, 503)     # next 3 REST depth requests fail
    srv.faults.stall(5)                # sockets stay open, nothing is sent for 5 s
    srv.faults.skew(300)               # /market frames arrive 300 ms after /public ones
    srv.faults.malformed(2)            # next 2 /public frames are truncated JSON
    srv.faults.burst(5, 4)             # for 5 s the market runs 4x faster (a message burst)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dom.sim.server import SimServer


class Faults:
    def __init__(self, srv: "SimServer") -> None:
        self.srv = srv
        self._gaps: dict[str, int] = {}
        self._stale: set[str] = set()
        self._snap_errors = 0
        self._snap_status = 503
        self._stall_until = 0.0
        self.skew_ms = 0.0
        self._malformed = 0
        self._burst_until = 0.0
        self._burst = 1
        self.injected: list[str] = []  # what was done, in order
        self._inject: list[tuple[str, bytes]] = []
        self._rejected: dict[str, tuple[int, int, str]] = {}
        self._silent: dict[str, float] = {}
        self.snapshot_requests: dict[str, int] = {}

    def _note(self, what: str) -> None:
        self.injected.append(what)

    def close(self) -> None:
        import asyncio

        self._note("close")
        for c in list(self.srv.conns):
            asyncio.ensure_future(c.ws.close(code=1001, message=b"server going away"))

    def abort(self) -> None:
        self._note("abort")
        for c in list(self.srv.conns):
            tr = c.request.transport
            if tr is not None:
                tr.abort()

    def gap(self, symbol: str, count: int = 1) -> None:
        self._note(f"gap {symbol}")
        self._gaps[symbol.upper()] = self._gaps.get(symbol.upper(), 0) + count

    def take_gap(self, symbol: str) -> bool:
        n = self._gaps.get(symbol, 0)
        if n:
            self._gaps[symbol] = n - 1
            return True
        return False

    def stale_snapshot(self, symbol: str) -> None:
        self._note(f"stale_snapshot {symbol}")
        self._stale.add(symbol.upper())

    def take_stale(self, symbol: str) -> bool:
        if symbol in self._stale:
            self._stale.discard(symbol)
            return True
        return False

    def snapshot_errors(self, n: int, status: int = 503) -> None:
        self._note(f"snapshot_errors {n} {status}")
        self._snap_errors, self._snap_status = n, status

    def reject_snapshots(self, symbol: str, status: int = 400, code: int = -1121,
                         msg: str = "Invalid symbol.") -> None:
        """Every depth snapshot of ``symbol`` answered with this error (until cleared with
        status 0), as Binance answers for a delisted symbol."""
        self._note(f"reject_snapshots {symbol} {status} {code}")
        if status:
            self._rejected[symbol.upper()] = (status, code, msg)
        else:
            self._rejected.pop(symbol.upper(), None)

    def rejection(self, symbol: str) -> tuple[int, int, str] | None:
        return self._rejected.get(symbol)

    def take_snapshot_error(self) -> int | None:
        if self._snap_errors > 0:
            self._snap_errors -= 1
            return self._snap_status
        return None

    def silence(self, symbol: str, seconds: float) -> None:
        """No depth for ``symbol`` for ``seconds`` (its trades and every other symbol go on)."""
        self._note(f"silence {symbol} {seconds}")
        self._silent[symbol.upper()] = time.monotonic() + seconds

    def silenced(self, symbol: str) -> bool:
        until = self._silent.get(symbol)
        return until is not None and time.monotonic() < until

    def stall(self, seconds: float) -> None:
        self._note(f"stall {seconds}")
        self._stall_until = time.monotonic() + seconds

    def stalled(self) -> bool:
        return time.monotonic() < self._stall_until

    def skew(self, ms: float) -> None:
        self._note(f"skew {ms}")
        self.skew_ms = float(ms)

    def malformed(self, n: int = 1) -> None:
        self._note(f"malformed {n}")
        self._malformed += n

    def inject(self, frames: list[bytes], endpoint: str = "public") -> None:
        """Send these frames as they are (hostile ones: wrong types, huge numbers, deep nesting)
        to every client of ``endpoint`` with the next published step."""
        self._note(f"inject {len(frames)} on {endpoint}")
        self._inject.extend((endpoint, f) for f in frames)

    def take_injected(self) -> list[tuple[str, bytes]]:
        out, self._inject = self._inject, []
        return out

    def mangle(self, raw: bytes, endpoint: str, kind: str = "") -> bytes:
        if self._malformed and endpoint in ("public", "any") and kind == "depth":
            self._malformed -= 1
            return raw[: len(raw) // 2]
        return raw

    def burst(self, seconds: float, factor: int = 4) -> None:
        self._note(f"burst {seconds} x{factor}")
        self._burst_until = time.monotonic() + seconds
        self._burst = max(1, int(factor))

    def burst_factor(self) -> int:
        return self._burst if time.monotonic() < self._burst_until else 1
