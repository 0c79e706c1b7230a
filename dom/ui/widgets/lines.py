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
from textual._border import get_box, render_row
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import NULL_SPACING, Offset, Region, Size
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget

from dom.ui.palette import Palette
from dom.ui.strips import LineStrip


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
        self._direct = False  # the last paint bypassed Textual's styles cache
        self._frame_key: tuple = ()
        # id of a line's strip here: (that strip, the line as painted), from the last paint
        self._framed: dict[int, tuple[Strip, Strip]] = {}
        self._head: Strip | None = None  # the top border row, for the frame of _frame_key
        self._frame_cached: tuple | None = None  # (styles key, frame): see _frame

    @property
    def size(self) -> Size:
        """The content area's size: the size the last layout gave this widget less its border and
        padding. Textual's ``size`` looks the widget up in its screen's map at each read (a frame
        read it ~27 times across the panels, ~6% of its time); the layout sets the same region's
        size on the widget (``outer_size``) whenever it moves or resizes it, and the gutter is
        cached by the styles. The same value while the widget is laid out; one that is not (not
        displayed) keeps its last size where Textual's reads zero."""
        width, height = self._size
        gutter = self.styles.gutter
        return Size(max(0, width - gutter.width), max(0, height - gutter.height))

    @property
    def content_offset(self) -> Offset:
        """Where the content begins inside the widget: the left and top of its border and
        padding, Textual's value read from the styles' cached gutter. Textual adds the scrollbars'
        gutter first, worked out at each read (~2% of a frame in ``flush``), but scrollbars sit on
        the right and at the bottom: they never move the content's top left."""
        gutter = self.styles.gutter
        return Offset(gutter.left, gutter.top)

    def prepare(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _geometry(self) -> tuple:
        # The palette is rebuilt on a theme change: its id also stands for the theme.
        width, height = self.size
        return (width, height, id(self.palette))

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
        # Across the whole widget, side borders included (the regions are in content
        # coordinates: a left border is at -1): Textual paints each changed line as one piece,
        # border and all, and would otherwise crop every repainted line of the heatmap (a right
        # border) to the content first, a new strip each time.
        x0, width = -self.content_offset.x, self.outer_size.width
        start = prev = dirty[0]
        regions = []
        for y in dirty[1:] + [None]:
            if y is not None and y == prev + 1:
                prev = y
                continue
            regions.append(Region(x0, start, width, prev - start + 1))
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

    def _frame(self) -> tuple | None:
        """:meth:`_work_out_frame`, kept while the styles of this widget and its ancestors are
        unchanged (Textual counts every change of a style, which is all the frame reads besides
        the title and a hovered link): reading them cost more than the lines drawn in most
        paints."""
        key = (self._border_title, self._border_subtitle, self.auto_links and self.hover_style._link_id,
               tuple(node.styles._cache_key for node in self.ancestors_with_self))
        cached = self._frame_cached
        if cached is not None and cached[0] == key:
            return cached[1]
        frame = self._work_out_frame()
        self._frame_cached = (key, frame)
        return frame

    def _work_out_frame(self) -> tuple | None:
        """What Textual's styles cache would add around the content lines, when that is at most
        a border on the left, right and top (no title): ``(inner style, left, right, top)``,
        ``left`` / ``right`` each the border segment in a tuple or an empty tuple, ``top`` the top
        border's three box segments (corners and edge) or None. None when the widget has anything else the
        styles cache draws (a bottom border, padding, an outline, a title, tint, opacity, text
        opacity, hatching, a hovered link): it is then left to paint the lines."""
        styles = self.styles
        (top, top_color), (right, right_color), (bottom, _), (left, left_color) = styles.border
        if bottom or self._border_title is not None or self._border_subtitle is not None:
            return None
        if any(edge for edge, _ in styles.outline) or styles.padding != NULL_SPACING:
            return None
        if styles.tint.a or styles.text_opacity != 1.0 or self.opacity != 1.0:
            return None
        if styles.has_rule("hatch") and styles.hatch != "none":
            return None
        if self.auto_links and self.hover_style._link_id:
            return None
        base_background, background = self.background_colors
        inner, outer = self._styles_cache.get_inner_outer(base_background, background)
        lside: tuple = ()
        rside: tuple = ()
        if left:
            style = TextualStyle(foreground=base_background + left_color)
            lside = (get_box(left, inner, outer, style)[1][0],)
        if right:
            style = TextualStyle(foreground=base_background + right_color)
            rside = (get_box(right, inner, outer, style)[1][2],)
        top_row = None
        if top:
            style = TextualStyle(foreground=base_background + top_color)
            top_row = get_box(top, inner, outer, style)[0]
        return inner, lside, rside, top_row

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in ``crop``, as Textual's styles cache would paint them, without it.

        For each repainted line the styles cache reads the widget's styles again (border, padding,
        outline, tint, opacity, hatching), builds the line anew with its border column
        and keeps its own copy, though this widget already keeps every line built and says which
        changed. Where all it would add is a border on the left, right or top (every panel of
        the main screen), the lines are framed here: the same segments, the border's worked out
        once (again when a style changes), and a line without a side border is this widget's own
        strip. A framed line is kept for as long as its strip here is (Textual asks for every line
        of a widget the repainted area overlaps and repaints the changed ones; a tape that printed
        moves its lines down, each keeping its strip): the same strip object again, whose terminal
        string Textual has cached on it. Anything else is left to Textual (and its cache emptied
        when this path was used since, as its dirty lines were not kept up)."""
        frame = None if self.BLANK else self._frame()
        if frame is None:
            if self._direct:
                self._direct = False
                self._styles_cache.clear()
            return super().render_lines(crop)
        self._direct = True
        inner_style, lside, rside, top_row = frame
        inner = inner_style.rich_style
        # The published lines, read here rather than through render_line for each (the geometry,
        # which is not free to read, once a paint); below them one blank strip.
        geom = self._geometry()
        if geom != self._geom:
            self.prepare()
        own, blank = self._strips, Strip.blank(geom[0], self._base)  # (one object: Textual caches it)
        n = len(own)
        width = geom[0]
        full = width + len(lside) + len(rside)
        filters = self.get_line_filters()
        background = self.background_colors[1] if filters else None
        key = (frame, full, tuple(filters), background)
        same = key == self._frame_key
        old: dict = self._framed if same else {}
        if not same:
            self._head = None
            if top_row is not None:  # the top border row, as the styles cache draws it untitled
                row = render_row(top_row, full, bool(lside), bool(rside), (), self.styles.border_title_align)
                self._head = Strip(list(row), full)
            for line_filter in filters if self._head is not None else ():
                self._head = self._head.apply_filter(line_filter, background)
        framed: dict[int, tuple[Strip, Strip]] = {}
        sides = bool(lside or rside)
        shift = 1 if top_row is not None else 0
        strips = []
        for y in crop.line_range:
            if y < shift:
                strips.append(self._head)
                continue
            source = own[y - shift] if y - shift < n else blank
            hit = old.get(id(source))
            if hit is not None and hit[0] is source:
                strip = hit[1]
            else:
                strip = source
                if strip.cell_length != width:
                    strip = strip.adjust_cell_length(width, inner)
                if sides:
                    strip = LineStrip([*lside, *strip, *rside], full)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
            if strip is not source:
                framed[id(source)] = (source, strip)
            strips.append(strip)
        self._frame_key, self._framed = key, framed
        if crop.column_span != (0, full):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        # Resized (or re-themed) before the next frame: build now. Checked on the first line only
        # (a new size repaints the whole widget, first line included): the size is not free.
        if y and y < len(self._strips):
            return self._strips[y]
        geom = self._geometry()
        if geom != self._geom:
            self.prepare()
        if y < len(self._strips):
            return self._strips[y]
        # Below the published lines: one blank strip (Textual caches Strip.blank), the same object
        # at each paint, so what Textual and render_lines keep for a strip holds.
        return Strip.blank(geom[0], self._base)
