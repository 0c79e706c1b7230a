"""A recording played as a live feed for the screen (``dom tui --replay FILE``), with the
screen's transport: pause, speed, seek either way and to a time, on to the next alert."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dom.core.types import BookSnapshot
from dom.core.units import Instrument
from dom.runtime.replay import Replay

SPEEDS = (1.0, 2.0, 5.0, 10.0, 50.0)


def parse_seek(text: str, now_ns: int) -> int:
    """A moment typed at the seek prompt, as a recording time: ``HH:MM`` or ``HH:MM:SS`` (UTC, on
    the day of ``now_ns``), or ``+N`` / ``-N`` seconds (``m`` after N: minutes) from ``now_ns``.
    Raises ValueError with what is accepted."""
    t = text.strip().lower()
    try:
        if t[:1] in "+-" and len(t) > 1:
            mult = 60 if t.endswith("m") else 1
            n = float(t[1:].rstrip("ms"))
            if not 0 <= n <= 1e7:
                raise ValueError
            return now_ns + (1 if t[0] == "+" else -1) * int(n * mult * 1e9)
        parts = [int(x) for x in t.split(":")]
        if len(parts) not in (2, 3) or not (0 <= parts[0] < 24 and all(0 <= x < 60 for x in parts[1:])):
            raise ValueError
        h, m, sec = (parts + [0])[:3]
        day = now_ns - now_ns % 86_400_000_000_000
        return day + (h * 3600 + m * 60 + sec) * 1_000_000_000
    except ValueError:
        raise ValueError(f"{text!r}: type HH:MM[:SS] (UTC) or +N / -N seconds (Nm: minutes)") from None


class ReplayFeed:
    """A recording played back as a feed for the runtime (``dom tui --replay FILE --speed 10``):
    the same frames, the same decoder, paced by their receive times divided by ``speed``
    (0 = as fast as possible). Snapshots come from the recording itself.

    Transport, for the screen's keys: :meth:`toggle_pause`, :meth:`faster` / :meth:`slower`
    (x1 x2 x5 x10 x50), :meth:`seek` by seconds either way and :meth:`seek_to` a moment,
    :meth:`next_alert` (as fast as possible until the pipeline has one more alert). A book cannot
    be rewound: seeking back starts the recording over, calls ``on_rewind`` (the wiring resets
    the pipeline and the screen's state) and plays through to the moment as fast as possible, so
    books and detectors see every frame. ``start_ns`` opens the recording at a moment the same
    way (``dom journal replay``)."""

    def __init__(self, path: str | Path, speed: float = 1.0, venue: str | None = None,
                 symbols: list[str] | None = None, start_ns: int = 0) -> None:
        self.replay = Replay(path, venue=venue, symbols=symbols)
        self.venue = self.replay.venue
        self.speed = speed
        self.emit: Callable[[list], None] = lambda evs: None
        self.on_status: Callable[..., None] = lambda *a: None
        self.alerts: Callable[[], int] = lambda: 0  # the pipeline's alert count (set by the wiring)
        self.instruments = self.replay.instruments
        self.endpoint = str(self.replay.path)
        self.stats = _ReplayStats()
        self.paused = False
        self.rec_ns = 0  # the recording's time at the last frame played
        self.ended = False
        self._resume: Any = None  # asyncio.Event, made in run()
        self._reanchor = False
        self._ff_until = 0  # fast forward until this recording time
        self._ff_alert: int | None = None  # fast forward until the alert count passes this
        self._rewind_to: int | None = None  # start over and fast forward to this recording time
        self.on_rewind: Callable[[], None] = lambda: None  # the wiring: reset pipeline and screen
        self.first_ns = 0  # the recording's first receive time (0 before it starts)
        self.rewinds = 0  # times it started over (seeking back)
        self._ff_until = max(0, int(start_ns))

    # ---------------------------------------------------------------------------- transport
    def toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self._resume is not None:
            self._resume.set()
        self._reanchor = True

    def faster(self) -> None:
        self.speed = next((x for x in SPEEDS if x > self.speed), SPEEDS[-1])
        self._reanchor = True

    def slower(self) -> None:
        self.speed = next((x for x in reversed(SPEEDS) if x < self.speed), SPEEDS[0])
        self._reanchor = True

    def seek(self, seconds: float) -> None:
        """Jump ``seconds`` forward (played through as fast as possible) or back (started over)."""
        if seconds:
            base = max(self._ff_until, self.rec_ns) if seconds > 0 else self.rec_ns
            self.seek_to(base + int(seconds * 1e9))

    def seek_to(self, rec_ns: int) -> None:
        """Go to a moment of the recording (receive time, ns since the epoch)."""
        if rec_ns >= self.rec_ns and self.ended:
            return  # past the end: nothing more to play
        if rec_ns >= self.rec_ns:
            self._ff_until = max(rec_ns, 1)
            self._rewind_to = None
            if self._resume is not None:
                self._resume.set()  # (a paused replay plays through to there, then waits again)
        else:
            self._rewind_to = max(rec_ns, self.first_ns, 1)
            self._ff_until = 0
            self._ff_alert = None
            if self._resume is not None:
                self._resume.set()

    def next_alert(self) -> None:
        self._ff_alert = self.alerts()
        if self._resume is not None:
            self._resume.set()

    def state_text(self) -> str:
        if self.ended:
            return ""
        if self._ff_until or self._rewind_to is not None or self._ff_alert is not None:
            return "seeking"
        return "paused" if self.paused else f"x{self.speed:g}"

    async def prepare(self) -> dict[str, Instrument]:
        return self.instruments

    def request_snapshot(self, symbol: str) -> None:
        """A recording cannot be asked for a snapshot: its own snapshot lines answer."""

    async def close(self) -> None:
        pass

    def _forwarding(self, recv_ns: int) -> bool:
        if self._ff_until and recv_ns >= self._ff_until:
            self._ff_until = 0
            self._reanchor = True
        if self._ff_alert is not None and self.alerts() > self._ff_alert:
            self._ff_alert = None
            self._reanchor = True
        return bool(self._ff_until) or self._ff_alert is not None

    async def run(self) -> None:
        import asyncio

        from dom.core.types import FeedState

        self._resume = asyncio.Event()
        self.on_status("replay", FeedState.CONNECTED, str(self.replay.path))
        while True:
            await self._play(asyncio.get_running_loop())
            if self._rewind_to is None:
                self.ended = True
                self._ff_until, self._ff_alert = 0, None
                self.on_status("replay", FeedState.CLOSED, "end of recording")
                # Keep the last state on screen until the user quits or seeks back.
                while self._rewind_to is None:
                    self._resume.clear()
                    await self._resume.wait()
                self.on_status("replay", FeedState.CONNECTED, str(self.replay.path))
            self._ff_until, self._rewind_to = self._rewind_to, None
            self.ended = False
            self.rec_ns = self._ff_until  # where it is going (shown while it plays there)
            self.rewinds += 1
            self.on_rewind()

    async def _play(self, loop: Any) -> None:
        """Once through the recording; returns at its end or when a seek back asks to start over."""
        import asyncio

        t0_wall = loop.time()
        t0_rec = None
        for _line, recv_ns, events in self.replay.decoded():
            if self._rewind_to is not None:
                return
            if isinstance(events, str):
                self.stats.bad_frames += 1
                continue
            if t0_rec is None:
                t0_rec = recv_ns
                if not self.first_ns:
                    self.first_ns = recv_ns
            if not (self._forwarding(recv_ns) or self.speed <= 0):
                # Paused: wait here until play, a seek either way or "next alert".
                while self.paused and self._rewind_to is None and not self._forwarding(recv_ns):
                    self._resume.clear()
                    await self._resume.wait()
                if self._rewind_to is not None:
                    return
            if self._forwarding(recv_ns) or self.speed <= 0:
                if self.stats.frames % 500 == 0:
                    await asyncio.sleep(0)
            else:
                if self._reanchor:
                    self._reanchor = False
                    t0_wall, t0_rec = loop.time(), recv_ns
                due = t0_wall + (recv_ns - t0_rec) / 1e9 / self.speed
                delay = due - loop.time()
                if delay > 0.002:
                    await asyncio.sleep(delay)
            self.stats.frames += 1
            self.rec_ns = recv_ns
            if events:
                if type(events[0]) is BookSnapshot:
                    self.stats.snapshots += 1
                self.emit(events)


@dataclass
class _ReplayStats:
    frames: int = 0
    bad_frames: int = 0
    reconnects: int = 0
    snapshots: int = 0
