"""Responsive layout down to 80x24, and the built-in themes."""

import pytest
from textual.color import Color

from tests.tui.app_factory import make_app, text


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
        await pilot.resize_terminal(180, 45)
        await pilot.pause()
        app.frame()
        assert app.heatmap.display and app.heatmap.axis == app.ladder.axis
        assert len(app.ladder.rows()) == app.ladder.size.height - 1 == app.heatmap.axis.rows


@pytest.mark.parametrize("theme", ["textual-light", "nord", "gruvbox", "dracula", "solarized-light"])
async def test_themes_recolour_the_widgets(theme):
    app = make_app(seconds=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.theme = theme
        await pilot.pause()
        v = app.get_css_variables()
        pal = app.ladder.palette
        assert app.tape.palette is pal and app.heatmap.palette is pal
        assert pal.bid.color.triplet.hex.lower() == Color.parse(v["success"]).hex.lower()
        assert pal.ask.color.triplet.hex.lower() == Color.parse(v["error"]).hex.lower()
        assert pal.price.color.triplet.hex.lower() == Color.parse(v["foreground"]).hex.lower()
        assert pal.dark == app.current_theme.dark
        app.frame()
        assert any(text(app.ladder, y).strip() for y in range(1, 10))
