"""The scanner screen (``S``) under Pilot, on the finite seeded feed: every symbol ranked with
the scanner's own figures, ``o`` re-ranks, ``enter`` opens the ladder on the chosen symbol."""

from __future__ import annotations

from textual.widgets import DataTable

from dom.ui.scan_screen import COLUMNS, ScanScreen
from tests.tui.app_factory import make_app


def _cells(table: DataTable, row: int) -> dict[str, str]:
    return {head: str(v) for (head, _, _), v in zip(COLUMNS, table.get_row_at(row))}


async def test_scan_screen_ranks_every_symbol_and_opens_the_ladder():
    app = make_app(seconds=120)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        start = app.symbol
        await pilot.press("S")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        table = screen.query_one(DataTable)
        doc = app.model.scan("rs_1h")
        assert table.row_count == len(app.model.engine.symbols) == len(doc["rows"])
        for i, r in enumerate(doc["rows"]):  # the table shows the scanner's rows, in its order
            cells = _cells(table, i)
            assert cells["#"] == str(i + 1) and cells["symbol"] == r["symbol"].removesuffix("USDT")
            assert cells["alerts"] == str(r["alerts"])
        assert "ranked by rs_1h" in str(screen.query_one("#scanhead").render())
        await pilot.press("o")
        await pilot.pause()
        assert screen.sort == "rs_24h"
        by24 = [r["symbol"] for r in app.model.scan("rs_24h")["rows"]]
        assert screen.symbols == by24
        target = next(s for s in by24 if s != start)
        table.move_cursor(row=by24.index(target))
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ScanScreen) and app.symbol == target
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ScanScreen) and app.symbol == target
