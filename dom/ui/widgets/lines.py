"""The base of dom's line-API widgets: lines are built once per frame in ``prepare`` and only the
ones whose content changed are rebuilt and repainted.

A subclass's ``prepare`` computes a signature per line (any comparable value: the numbers the
line shows) and calls :meth:`LineWidget.publish` with them and a function building line ``i``.
Lines whose signature is unchanged keep their strip, and Textual is told to repaint only the
changed lines (``refresh(Region)``), so its styles cache and the compositor skip the rest: a
ladder whose book moved at three prices costs three lines, not fifty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from dom.ui.palette import Palette


class LineWidget(Widget):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.palette = Palette()
        self._strips: list[Strip] = []
        self._sigs: list[object] = []
        self._geom: tuple = ()
        self._dirty: list[int] = []
        self._all_dirty = False
        self._base = Style()
        self._w = 0

    def prepare(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _geometry(self) -> tuple:
        # The palette is rebuilt on a theme change: its id also stands for the theme.
        return (self.size.width, self.size.height, id(self.palette))

    def publish(self, sigs: list[object], build: Callable[[int], Strip]) -> None:
        geom = self._geometry()
        self._w = geom[0]  # for the line builders: reading the size is not free
        full = geom != self._geom
        if full:
            # Lines carry the theme's background in every segment (see ``Palette``): the line API
            # adds no background, and a segment without one would show the terminal's own
            # (dark text on a dark terminal in a light theme). Blank lines get it here.
            self._base = self.palette.background
        base = self._base
        old = self._sigs
        n = len(sigs)
        blank = Strip.blank(geom[0], base)
        strips = [blank] * n if full else (self._strips + [blank] * n)[:n]
        dirty = self._dirty
        # Lines that moved (a ladder recentred, a tape that printed) reuse their strip.
        reuse: dict | None = {} if full else None  # made at the first changed line
        nold = len(old)
        for i, sig in enumerate(sigs):
            if full or i >= nold or old[i] != sig:
                if reuse is None:
                    reuse = dict(zip(old, self._strips))
                hit = reuse.get(sig)
                strips[i] = hit if hit is not None else build(i)
                dirty.append(i)
        dirty.extend(range(n, len(old)))  # lines that are now blank
        self._strips, self._sigs, self._geom = strips, sigs, geom
        self._all_dirty = self._all_dirty or full

    def dirty_lines(self) -> int:
        """How many lines the next flush repaints."""
        return self.size.height if self._all_dirty else len(set(self._dirty))

    def flush(self) -> int:
        """Ask Textual to repaint the lines that changed since the last flush; return how many."""
        if self._all_dirty:
            self._all_dirty = False
            self._dirty = []
            self.refresh()
            return self.size.height
        dirty = sorted(set(self._dirty))
        self._dirty = []
        if not dirty:
            return 0
        width = self.size.width
        start = prev = dirty[0]
        regions = []
        for y in dirty[1:] + [None]:
            if y is not None and y == prev + 1:
                prev = y
                continue
            regions.append(Region(0, start, width, prev - start + 1))
            if y is not None:
                start = prev = y
        self.refresh(*regions)
        return len(dirty)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """The app's line filters, less the ANSI-to-truecolor one while this widget's palette is
        all RGB and the app does not pass ANSI colours to the terminal: every segment of a line
        here then carries an RGB style (the palette's, over the theme's RGB background), which
        that filter would copy segment by segment into an equal line; it ran on every repainted
        line, ~15% of a frame's paint (benchmarks/ui.py). A theme with ANSI colours (textual-ansi)
        keeps it."""
        filters = self.app.get_line_filters()
        if self.palette.truecolor and not self.app.ansi_color:
            return [f for f in filters if not isinstance(f, ANSIToTruecolor)]
        return filters

    def render_line(self, y: int) -> Strip:
        # Resized (or re-themed) before the next frame: build now. Checked on the first line only
        # (a new size repaints the whole widget, first line included): the size is not free.
        if (y == 0 or y >= len(self._strips)) and self._geometry() != self._geom:
            self.prepare()
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self._base)
