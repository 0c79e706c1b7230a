"""The scanner in whole-venue mode under Pilot, on the built-in market over loopback: every
symbol by its top of book, and the screen follows the depth of the symbol on the ladder, the two
shown before it and the pinned ones (subscribed on the market's own websocket, books synced)."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable

from dom.core.context.params import ContextParams
from dom.core.detectors import make_observers
from dom.core.types import FeedState
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import Pipeline
from dom.runtime.view import UiModel
from dom.sim.server import SimServer
from dom.ui.app import DomApp
from dom.ui.scan_screen import COLUMNS, ScanScreen
from dom.venues import get as venue
from dom.venues.binance_usdm.client import BinanceUsdmFeed


def _depth_subs(srv: SimServer) -> set[str]:
    return {sym for c in srv.conns for (sym, kind) in c.subs if kind == "depth"}


async def _until(pilot, cond, what: str, tries: int = 200) -> None:
    for _ in range(tries):  # (a loaded machine: up to 10 s)
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError(what)


async def test_the_scanner_follows_the_depth_of_the_shown_and_pinned_symbols_only():
    async with SimServer(seed=11, port=0) as srv:
        model = UiModel(venue="sim")
        feed = BinanceUsdmFeed([], emit=lambda e: None, endpoint=srv.url, reconnect=(0.05, 0.1, 1.0),
                               depth_symbols=set())
        pipe = Pipeline(feed.venue, detectors=make_observers(), context=ContextParams(), observers=(model.observers,))
        model.attach(pipe)
        drv = LiveDriver(feed, pipe, poller_for=venue("binanceusdm").context_poller)
        model.stats = drv

        async def runner(m):
            await drv.run()

        app = DomApp(model, runner, fps=20, scan=True)
        async with app.run_test(size=(160, 40)) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, ScanScreen), "the scanner opens")
            eng = drv.engine
            syms = list(eng.symbols)
            assert len(syms) == 5
            first = app.symbol
            await _until(pilot, lambda: eng[first].synced, "the symbol on the ladder is followed and synced")
            assert _depth_subs(srv) == {first}
            assert all(eng[s].state is FeedState.TOP for s in syms if s != first)

            screen = app.screen
            table = screen.query_one(DataTable)
            others = [s for s in screen.symbols if s != first]
            pin, opened = others[0], others[1]
            table.move_cursor(row=screen.symbols.index(pin))
            await pilot.press("m")
            await _until(pilot, lambda: eng[pin].synced, "a pinned symbol is followed")
            table.move_cursor(row=screen.symbols.index(opened))
            await pilot.press("enter")
            await _until(pilot, lambda: app.symbol == opened and eng[opened].synced, "enter opens a followed ladder")
            assert _depth_subs(srv) == {first, pin, opened}
            await _until(pilot, lambda: any(q for _, q, _ in app.ladder.rows()), "the ladder shows the book")

            await pilot.press("S")
            screen = app.screen
            screen.query_one(DataTable).move_cursor(row=screen.symbols.index(pin))
            await pilot.press("m")  # unpinned, and never on the ladder: back to its top of book
            await _until(pilot, lambda: eng[pin].state is FeedState.TOP, "an unpinned symbol is let go")
            await _until(pilot, lambda: _depth_subs(srv) == {first, opened}, "its depth unsubscribed")
            rows = {r["symbol"]: r for r in model.scan("rs_1h")["rows"]}
            assert rows[pin]["book"] == "top" and rows[pin]["spread_bps"] > 0
            assert rows[pin]["depth_1pct"] > 0 and rows[pin]["depth_age_s"] is not None  # its REST probe
            assert rows[opened]["book"] == "synced" and rows[opened]["depth_1pct"] > 0 and rows[opened]["depth_age_s"] is None
            await pilot.pause(1.2)  # the screen refreshes each second
            cells = dict(zip([h for h, _, _ in COLUMNS], screen.query_one(DataTable).get_row(pin)))
            assert str(cells["depth 1%"]).endswith("~")  # not from a live book
            cells = dict(zip([h for h, _, _ in COLUMNS], screen.query_one(DataTable).get_row(opened)))
            assert not str(cells["depth 1%"]).endswith("~")
            drv.stop()
            await asyncio.sleep(0.1)
