"""The status bar and the frame figures behind it.

    venue | SYMBOL | book synced (gaps 0, resyncs 0) | books 5/5 | 812 msg/s | lag 4 ms |
    dropped 0 frames 0 alerts | x1 | LOCKED | ? help

``msg/s`` counts the depth updates and trades the engine received (all symbols); ``lag`` is
exchange time to screen: at each frame that shows new data for the symbol, the wall clock minus
the newest event's exchange time (median of the last frames; a replay shows the recorded
exchange-to-receive lag instead, marked "rec"). Dropped frames are frame ticks that came too
late to run; dropped alerts are alerts a sink's queue could not take. Parts are dropped from the
right when the terminal is narrow.
"""

from __future__ import annotations

import time

from collections import deque
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from dom.runtime.pipeline import AHEAD_MS, CLOCK_OFF_MS, lag_words
from dom.runtime.view import UiModel
from dom.ui.palette import Palette
from dom.ui.strips import LineStrip


class FrameStats:
    """Per-frame measurements; ``clock`` is a wall clock in ns (None: no timing, as in tests)."""

    def __init__(self, clock: Callable[[], int] | None, fps: float) -> None:
        self.clock = clock
        self.interval_ns = int(1e9 / fps) if fps > 0 else 0
        self.frames = 0
        self.dropped = 0
        self.rate: float | None = None
        self.lags_ms: deque[float] = deque(maxlen=60)
        self._last_frame = 0
        self._rate_at = (0, 0)  # (wall ns, message count)
        self._seen_ns = 0

    def tick(self, model: UiModel, symbol: str) -> None:
        self.frames += 1
        if self.clock is None:
            return
        now = self.clock()
        if self._last_frame and self.interval_ns:
            late = (now - self._last_frame) // self.interval_ns
            if late >= 2:
                self.dropped += int(late) - 1
        self._last_frame = now
        eng = model.engine
        if eng is None:
            return
        count = sum(st.stats.depth_messages + st.stats.trades for st in eng.symbols.values())
        t0, c0 = self._rate_at
        if not t0 or count < c0:  # (fewer than before: a replay started over)
            self._rate_at = (now, count)
        elif now - t0 >= 1_000_000_000:
            self.rate = (count - c0) * 1e9 / (now - t0)
            self._rate_at = (now, count)
        st = eng.symbols.get(symbol)
        if st is not None and st.stats.last_exchange_ns != self._seen_ns:
            self._seen_ns = st.stats.last_exchange_ns
            if self._seen_ns:
                self.lags_ms.append((now - self._seen_ns) / 1e6)

    def lag_text(self, model: UiModel, symbol: str) -> str:
        if not self.lags_ms:
            return "lag -"
        lag = sorted(self.lags_ms)[len(self.lags_ms) // 2]
        if -AHEAD_MS < lag < CLOCK_OFF_MS:
            return lag_words(lag)
        rt = model.stats  # a replay: exchange time is the recording's; show its recorded lag
        r = rt.rates.get(symbol) if rt is not None else None
        p50 = r.lag_pct(0.5) if r is not None else None
        if p50 is None or p50 <= -AHEAD_MS or p50 >= CLOCK_OFF_MS:
            # Received seconds ahead of or minutes behind the exchange's stamp, as it came: not a
            # recording but a venue whose clock and ours disagree (the built-in market at speed
            # > 1, or a system clock that is off). There is no lag to show: say why.
            return lag_words(p50)
        # A recorder whose clock ran behind the exchange's recorded a negative lag: say so
        # rather than show a lag below zero.
        return f"lag {p50:.0f} ms rec" if p50 >= 0 else f"rec clock {-p50:.0f} ms behind"


class StatusBar(Widget):
    DEFAULT_CSS = "StatusBar { height: 1; dock: bottom; background: $panel; }"

    def __init__(self, model: UiModel, frames: FrameStats | None = None, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.frames = frames or FrameStats(None, 20)
        self.palette = Palette()
        self.symbol = ""
        self.locked = False
        self.group = 1
        self._next: tuple | None = None  # worked out by update_line for the next paint
        self._strip: tuple | None = None  # (content, palette, strip) last painted
        self._changes = 0  # counts the lines update_line asked to repaint
        self._lines: tuple = ((), [])  # (key, lines) of the last render_lines (see there)

    def parts(self) -> list[tuple[str, int]]:
        """(text, priority) pieces, shown left to right; the highest priority numbers go first."""
        m = self.model
        eng = m.engine
        if eng is None or self.symbol not in eng.symbols:
            return [(f" {m.venue}", 0), ("connecting...", 0), ("? help", 1)]
        st = eng[self.symbol]
        fr = self.frames
        synced = sum(1 for s in eng.symbols.values() if s.synced)
        top = sum(1 for s in eng.symbols.values() if s.top_only)  # whole-venue mode: by best bid/ask only
        books = f"{synced}/{len(eng.symbols) - top} synced" + (f" +{top} top" if top else "")
        rt = m.stats
        alerts_dropped = rt.sink_drops() if rt is not None else 0
        book = f"book {st.state.value}" + (f" | {m.replay_state}" if m.replay_state else "")
        tr = getattr(m, "transport", None)
        if tr is not None and tr.state_text():
            at = time.strftime(" %H:%M:%S", time.gmtime(tr.rec_ns / 1e9)) if tr.rec_ns else ""
            book += f" | replay {tr.state_text()}{at}"
        elif m.recording:
            book += " | REC"  # the continuous recording is on
        return [
            (f" {m.venue}", 6),
            (self.symbol, 0),
            (book, 0),
            (f"gaps {st.stats.gaps} resyncs {st.stats.resyncs}"
             + (f" trades lost {st.stats.trades_missed}" if st.stats.trades_missed else ""), 3),
            (books, 4),
            (f"{fr.rate:.0f} msg/s" if fr.rate is not None else "- msg/s", 3),
            (fr.lag_text(m, self.symbol), 2),
            *([(trend, 6)] if (trend := m.trend_text(self.symbol)) else []),  # (the first to go when narrow)
            (f"dropped {fr.dropped} frames {alerts_dropped} alerts", 4),
            (f"x{self.group}" + (" LOCKED" if self.locked else ""), 1),
            ("? help", 1),
        ]

    def line(self, width: int | None = None) -> str:
        width = width or self.size.width or 200
        parts = self.parts()
        while True:
            text = " | ".join(t for t, _ in parts)
            if len(text) <= width or len(parts) <= 1:
                return text
            worst = max(range(len(parts)), key=lambda i: (parts[i][1], i))
            if parts[worst][1] == 0:
                return text
            parts.pop(worst)

    def _content(self, width: int) -> tuple[str, Style, int]:
        st = None
        eng = self.model.engine
        if eng is not None and self.symbol in eng.symbols:
            st = eng[self.symbol]
        p = self.palette
        style = p.status if st is None or st.synced else p.banner
        return self.line(width).ljust(width)[:width], style, width

    def update_line(self) -> None:
        """Once a frame: the line is worked out here and repainted only when it changed (it was
        rebuilt each time Textual painted the bottom row, in most frames)."""
        content = self._content(self.size.width)
        if self._strip is None or content != self._strip[0]:
            self._next = content
            self._changes += 1
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's lines for ``crop``, kept while nothing they are made of changed: the line
        (``update_line``'s count), the crop, the palette, the styles of the bar and its ancestors
        (Textual counts every change of a style), the line filters and the ANSI theme. Docked at
        the bottom, the bar is clipped to the whole screen, so Textual asks for its line at every
        partial repaint of any panel, and its styles cache read the styles again each time (~3%
        of a frame in ``benchmarks/ui.py``)."""
        app = self.app
        key = (self._changes, crop, id(self.palette), tuple(node.styles._cache_key for node in self.ancestors_with_self),
               tuple(app.get_line_filters()), app.ansi_theme, app.native_ansi_color)
        if key != self._lines[0]:
            self._lines = (key, super().render_lines(crop))
        return self._lines[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        content = self._next if self._next is not None and self._next[2] == width else self._content(width)
        self._next = None
        cached = self._strip
        if cached is None or cached[0] != content or cached[1] is not self.palette:
            strip = LineStrip([Segment(content[0], content[1])]).apply_style(self.rich_style)
            self._strip = cached = (content, self.palette, strip)
        return cached[2]
