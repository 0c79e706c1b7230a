"""The scanner screen (``S``) under Pilot, on the finite seeded feed: every symbol ranked with
the scanner's own figures, ``o`` re-ranks, ``enter`` opens the ladder on the chosen symbol."""

from __future__ import annotations

from textual.widgets import DataTable

from dom.ui.scan_screen import COLUMNS, ScanScreen
from tests.tui.app_factory import make_app


async def _press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def _open_scan(app, pilot) -> tuple[ScanScreen, DataTable]:
    """The app started, then ``S``: the scanner screen and its table."""
    await pilot.pause()
    await _press(pilot, "S")
    assert isinstance(app.screen, ScanScreen)
    return app.screen, app.screen.query_one(DataTable)


def _cells(table: DataTable, row: int) -> dict[str, str]:
    return {head: str(v) for (head, _, _), v in zip(COLUMNS, table.get_row_at(row))}


async def test_scan_screen_ranks_every_symbol_and_opens_the_ladder():
    app = make_app(seconds=120)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        start = app.symbol
        await _press(pilot, "S")
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        table = screen.query_one(DataTable)
        doc = app.model.scan("rs_1h")
        assert table.row_count == len(app.model.engine.symbols) == len(doc["rows"])
        for i, r in enumerate(doc["rows"]):  # the table shows the scanner's rows, in its order
            cells = _cells(table, i)
            assert cells["#"] == str(i + 1) and cells["symbol"] == r["symbol"].removesuffix("USDT")
            assert cells["alerts"] == str(r["alerts"])
        assert "symbols by rs_1h" in str(screen.query_one("#scanhead").render())
        await _press(pilot, "o")
        assert screen.sort == "rs_24h"
        by24 = [r["symbol"] for r in app.model.scan("rs_24h")["rows"]]
        assert screen.symbols == by24
        target = next(s for s in by24 if s != start)
        table.move_cursor(row=by24.index(target))
        await _press(pilot, "enter")
        assert not isinstance(app.screen, ScanScreen) and app.symbol == target
        await _press(pilot, "S")
        await _press(pilot, "escape")
        assert not isinstance(app.screen, ScanScreen) and app.symbol == target


def _spread(app, sym):
    return next(r for r in app.model.scan("rs_1h")["rows"] if r["symbol"] == sym)["spread_bps"]


async def test_any_column_ranks_both_ways_and_the_filters_narrow_the_rows():
    app = make_app(seconds=120)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table = await _open_scan(app, pilot)
        col = list(table.columns).index("spread_bps")
        header = table.columns["spread_bps"]
        for descending in (True, False):  # a click on the header, then another: the other way
            table.post_message(DataTable.HeaderSelected(table, header.key, col, header.label))
            await pilot.pause()
            assert screen.sort == "spread_bps" and screen.descending is descending
            values = [_spread(app, s) for s in screen.symbols]
            known = [v for v in values if v is not None]
            assert known == sorted(known, reverse=descending) and len(known) >= 3
            assert values[: len(known)] == known  # the missing ones last, either way
            assert [_cells(table, i)["#"] for i in range(table.row_count)] == [str(i + 1) for i in range(table.row_count)]
        await _press(pilot, "r")
        assert screen.descending is True
        await _press(pilot, "f")
        first = screen.sectors[0]
        assert screen.sector == first and screen.symbols
        rows = {r["symbol"]: r for r in app.model.scan("rs_1h")["rows"]}
        assert all(rows[s]["sector"] == first for s in screen.symbols)
        assert f"symbols of {first} by" in str(screen.query_one("#scanhead").render())
        for _ in screen.sectors:  # through every sector and back to all
            await _press(pilot, "f")
        assert screen.sector is None and len(screen.symbols) == len(rows)
        await _press(pilot, "x")
        assert all(rows[s]["alerts"] for s in screen.symbols)
        assert len(screen.symbols) == sum(1 for r in app.model.scan("rs_1h")["rows"] if r["alerts"])


def test_live_alerts_show_as_letters_bursts_and_sweeps_first():
    from dom.ui.scan_screen import _live

    assert _live({"wall": 2, "burst": 1, "sweep": 3, "spoof": 0}) == "B X3 W2"
    assert _live({}) == "" and _live(None) == ""


async def test_pins_make_a_watchlist_that_outlives_the_screen():
    app = make_app(seconds=60)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table = await _open_scan(app, pilot)
        picked = [screen.symbols[1], screen.symbols[3]]
        for sym in picked:
            table.move_cursor(row=screen.symbols.index(sym))
            await _press(pilot, "m")
        assert app.watchlist == set(picked)
        assert _cells(table, screen.symbols.index(picked[0]))["symbol"].startswith("*")
        await _press(pilot, "w")
        assert sorted(screen.symbols) == sorted(picked) and table.row_count == 2
        assert "symbols pinned by" in str(screen.query_one("#scanhead").render())
        table.move_cursor(row=0)
        await pilot.press("m")  # unpinned: gone from the watchlist view
        await pilot.pause()
        assert len(app.watchlist) == 1 and table.row_count == 1
        await _press(pilot, "escape")
        await _press(pilot, "S")
        assert app.screen.watchlist == app.watchlist and len(app.watchlist) == 1
