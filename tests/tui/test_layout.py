"""Responsive layout down to 80x24, and the built-in themes."""

from contextlib import asynccontextmanager

import pytest
from textual.color import Color

from tests.tui.app_factory import make_app, next_delta, text


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (200, 50)])
async def test_layout_fits_the_terminal(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        w, h = size
        ladder, heat, tape, alerts = app.ladder, app.heatmap, app.tape, app.alerts
        assert heat.display == (w >= 100)
        shown = [x for x in (heat, ladder, tape) if x.display]
        assert sum(x.size.width for x in shown) + 2 <= w + 2  # borders included in the panels' regions
        keys = {c.key for c in ladder.columns}
        assert {"bid", "price", "ask", "mark"} <= keys
        assert ("chgb" in keys) == (w >= 120) and ("cumb" in keys) == (w >= 150)
        assert ladder.size.width >= sum(c.width or ladder.price_w for c in ladder.columns)
        panel = app.context_panel  # tape, context panel, alerts share the side column
        assert panel.display == (w >= 120 and h >= 36)
        rest = h - 1 - (panel.outer_size.height if panel.display else 0)
        assert tape.size.height >= rest // 2 - 2 and alerts.size.height >= rest // 2 - 2
        assert text(tape, 1).strip() and text(alerts, 1).strip()
        if panel.display:
            assert text(panel, 0).startswith(" Context BTCUSDT") and "funding" in text(panel, 1)
            assert panel.size.width >= 43 and tape.size.width == panel.size.width
        status = app.status.line(w)
        assert len(status) <= w and "BTCUSDT" in status and "book synced" in status
        st = app.model.engine["BTCUSDT"]
        rows = ladder.rows()
        assert [(p, q) for p, q, _ in rows if q][0] == st.book.best_bid()


async def test_resizing_keeps_the_rows_in_step():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(90, 26)
        await pilot.pause()
        assert not app.heatmap.display
        assert len(app.ladder.rows()) == app.ladder.size.height - 1
        # The containers are hidden (their panels cover them): Textual paints only the panels,
        # and the screen re-fits them on a resize.
        painted = app.screen._compositor.visible_widgets
        assert app.query_one("#main") not in painted and app.query_one("#right") not in painted
        assert {app.ladder, app.tape, app.alerts} <= painted.keys()
        await pilot.resize_terminal(180, 45)
        await pilot.pause()
        app.frame()
        assert app.heatmap.display and app.heatmap.axis == app.ladder.axis
        assert len(app.ladder.rows()) == app.ladder.size.height - 1 == app.heatmap.axis.rows


@asynccontextmanager
async def themed(theme, size):
    """The app at ``size`` with ``theme`` applied: (app, pilot)."""
    app = make_app(seconds=5)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.theme = theme
        await pilot.pause()
        yield app, pilot


@pytest.mark.parametrize("theme", ["textual-light", "nord", "gruvbox", "dracula", "solarized-light"])
async def test_themes_recolour_the_widgets(theme):
    async with themed(theme, (120, 40)) as (app, pilot):
        v = app.get_css_variables()
        pal = app.ladder.palette
        assert app.tape.palette is pal and app.heatmap.palette is pal
        assert pal.bid.color.triplet.hex.lower() == Color.parse(v["success"]).hex.lower()
        assert pal.ask.color.triplet.hex.lower() == Color.parse(v["error"]).hex.lower()
        assert pal.price.color.triplet.hex.lower() == Color.parse(v["foreground"]).hex.lower()
        assert pal.dark == app.current_theme.dark
        app.frame()
        assert any(text(app.ladder, y).strip() for y in range(1, 10))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "ansi-dark", "ansi-light"])
async def test_the_truecolor_filter_is_left_out_only_where_it_changes_nothing(theme):
    # The line widgets drop Textual's ANSI-to-truecolor filter when their palette is all RGB: the
    # filter must then give every painted line back unchanged (the lines as Textual composes them,
    # background and all). An ANSI theme keeps it.
    from textual.filter import ANSIToTruecolor

    async with themed(theme, (160, 45)) as (app, pilot):
        app.frame()
        await pilot.pause()
        every = app.get_line_filters()
        widgets = (app.ladder, app.heatmap, app.tape, app.alerts)
        if theme.startswith("ansi"):  # Textual passes ANSI colours through: no filter, nothing dropped
            assert not app.ladder.palette.truecolor
            assert all(list(w.get_line_filters()) == list(every) for w in widgets)
            return
        ansi = [f for f in every if isinstance(f, ANSIToTruecolor)]
        assert ansi and app.ladder.palette.truecolor
        assert all(not any(isinstance(f, ANSIToTruecolor) for f in w.get_line_filters()) for w in widgets)
        seen = 0
        for w in widgets:
            bg = w.background_colors[1]
            for strip in w._styles_cache.render_widget(w, w.region.reset_offset):
                segs = list(strip)
                assert ansi[0].apply(segs, bg) == [s._replace(control=None) for s in segs]
                seen += len(segs)
        assert seen > 500


def _segments(strips):
    return [list(strip) for strip in strips]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "ansi-dark"])
async def test_line_widgets_paint_what_textuals_styles_cache_paints(theme):
    # The line widgets frame their own lines where the styles cache would only add a border on
    # the left, right or top: every line, whole or cropped, must be the styles cache's segment for
    # segment. A widget given padding, or a border title, is left to Textual.
    async with themed(theme, (200, 50)) as (app, pilot):
        app.frame()
        await pilot.pause()
        widgets = (app.ladder, app.heatmap, app.tape, app.alerts, app.context_panel)
        for w in widgets:
            whole = w.region.reset_offset
            part = whole.crop_size((max(1, whole.width - 3), 6)).translate((1, 2))
            for crop in (whole, part):
                w._styles_cache.clear()
                want = _segments(w._styles_cache.render_widget(w, crop))
                assert _segments(w.render_lines(crop)) == want, (type(w).__name__, crop)
        assert app.ladder._direct and app.heatmap._direct and app.tape._direct
        # a changed level: the lines kept from the last paint and the new ones, as Textual's
        px, q = app.model.engine["BTCUSDT"].book.best_bid()
        next_delta(app.model, "BTCUSDT", bids=[(px, q + 1000)], dt_ms=300)
        app.frame()
        await pilot.pause()
        for w in (app.ladder, app.heatmap, app.tape):
            whole = w.region.reset_offset
            w._styles_cache.clear()
            assert _segments(w.render_lines(whole)) == _segments(w._styles_cache.render_widget(w, whole))
        assert app.alerts._direct and app.context_panel._direct  # a top border and a left one
        assert app.heatmap.styles.border_right[0] and not app.ladder.styles.border_left[0]
        app.heatmap.styles.background = "rgba(200,40,40,0.5)"  # the border over its own background
        await pilot.pause()
        whole = app.heatmap.region.reset_offset
        app.heatmap._styles_cache.clear()
        want = _segments(app.heatmap._styles_cache.render_widget(app.heatmap, whole))
        assert _segments(app.heatmap.render_lines(whole)) == want and app.heatmap._direct
        tape = app.tape
        tape.styles.padding = (0, 1)
        await pilot.pause()
        whole = tape.region.reset_offset
        tape._styles_cache.clear()
        want = _segments(tape._styles_cache.render_widget(tape, whole))
        assert _segments(tape.render_lines(whole)) == want and not tape._direct
        alerts = app.alerts
        alerts.border_title = "alerts"
        await pilot.pause()
        whole = alerts.region.reset_offset
        alerts._styles_cache.clear()
        want = _segments(alerts._styles_cache.render_widget(alerts, whole))
        assert _segments(alerts.render_lines(whole)) == want and not alerts._direct
        assert "alerts" in "".join(seg.text for seg in want[0])


async def test_changed_lines_are_repainted_across_the_whole_widget():
    # A repainted line's region spans the widget's outer width, side borders included (regions
    # are in content coordinates: the tape's left border is at x -1), so that Textual paints it
    # as one piece instead of cropping it to the content.
    async with themed("textual-dark", (200, 50)) as (app, pilot):
        for w in (app.tape, app.heatmap, app.ladder):
            seen: list = []
            w.refresh = lambda *regions, _seen=seen: _seen.extend(regions)
            w._dirty = [1, 2, 3, 7]
            assert w.flush() == 4
            ox, ow = w.content_offset.x, w.outer_size.width
            assert [(r.x + ox, r.y, r.width, r.height) for r in seen] == [(0, 1, ow, 3), (0, 7, ow, 1)]
        assert app.tape.content_offset.x == 1 and app.heatmap.content_offset.x == 0
        assert app.tape.outer_size.width == app.tape.size.width + 1
        assert app.heatmap.outer_size.width == app.heatmap.size.width + 1


async def test_lines_below_the_published_ones_are_one_blank_strip():
    # The alerts pane shows a few alerts in many lines: the blank ones are one strip, the same at
    # every paint (what Textual keeps for a strip then holds), and the width of the widget.
    async with themed("textual-dark", (200, 50)) as (app, pilot):
        app.frame()
        w = app.alerts
        below = len(w._strips)
        assert below < w.size.height
        first = w.render_line(below)
        assert first is w.render_line(below) is w.render_line(w.size.height - 1)
        assert first.cell_length == w.size.width and not first.text.strip()
        assert w.render_lines(w.region.reset_offset)[-1] is w.render_lines(w.region.reset_offset)[-1]
        await pilot.resize_terminal(110, 40)
        await pilot.pause()
        app.frame()
        assert w.render_line(w.size.height - 1).cell_length == w.size.width != first.cell_length


async def test_line_widgets_read_the_size_and_offset_textual_reads():
    # LineWidget.size comes from the layout's outer size less the gutter instead of a look-up in
    # the screen's map: the same as Textual's own at each terminal size, after a resize, and
    # with padding that changes the gutter.
    from textual.widget import Widget

    def textuals(w):
        return Widget.size.fget(w)

    async with themed("textual-dark", (200, 50)) as (app, pilot):
        panels = (app.ladder, app.heatmap, app.tape, app.alerts, app.context_panel)
        for size in ((200, 50), (121, 37), (90, 26), (160, 44)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            app.frame()
            for w in panels:
                if w.display:
                    assert w.size == textuals(w) and w.size.width > 0, (size, type(w).__name__)
                    assert w.content_offset == Widget.content_offset.fget(w)
        app.tape.styles.padding = (1, 2)
        app.alerts.styles.border = ("heavy", "red")
        await pilot.pause()
        for w in (app.tape, app.alerts):
            assert w.size == textuals(w) and w.content_offset == Widget.content_offset.fget(w)
        assert app.tape.content_offset == (3, 1)  # left border and padding 2; padding 1 on top
        app.tape.styles.overflow_y = "scroll"  # a scrollbar (on the right) moves no content
        await pilot.pause()
        assert app.tape.content_offset == Widget.content_offset.fget(app.tape) == (3, 1)
        assert app.tape.size.width == app.tape.outer_size.width - 5  # left border, padding 2 + 2
