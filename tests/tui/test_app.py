"""Pilot tests of the terminal UI's keys on a finite seeded feed."""

from dom.core.types import TakerSide, Trade
from dom.ui.screens import HelpScreen, SymbolPicker
from tests.tui.app_factory import make_app, text


def ladder_best(app):
    rows = app.ladder.rows()
    bids = [(px, q) for px, q, _ in rows if q]
    asks = [(px, q) for px, _, q in rows if q]
    return bids[0], asks[-1]


async def test_ladder_shows_the_books_best_bid_and_ask_and_keys_work():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        st = app.model.engine[app.symbol]
        assert app.symbol == "BTCUSDT"
        assert ladder_best(app) == (st.book.best_bid(), st.book.best_ask())
        await pilot.press("plus")
        assert app.ladder.group == 2 and app.status.group == 2
        await pilot.press("minus", "minus")
        assert app.ladder.group == 1
        await pilot.press("n")
        assert app.symbol == "KITEUSDT" and app.tape.symbol == "KITEUSDT"
        st = app.model.engine["KITEUSDT"]
        assert ladder_best(app) == (st.book.best_bid(), st.book.best_ask())
        await pilot.press("p")
        assert app.symbol == "BTCUSDT"
        await pilot.press("shift+tab")
        assert app.symbol == "WRENUSDT"
        await pilot.press("tab")
        assert app.symbol == "BTCUSDT"


async def test_lock_scroll_and_recentre():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        st = app.model.engine["BTCUSDT"]
        mid = app.ladder.center
        await pilot.press("c")
        assert app.ladder.locked and app.status.locked
        await pilot.press("pageup")
        assert app.ladder.center == mid + (app.ladder.size.height - 1) // 2
        bb = st.book.best_bid()[0]
        assert all(px > bb for px, _, _ in app.ladder.rows()), "scrolled up: the best bid is below the view"
        await pilot.press("c")  # unlock: back on the market
        assert not app.ladder.locked and not app.status.locked
        assert ladder_best(app) == (st.book.best_bid(), st.book.best_ask())
        await pilot.press("pagedown")
        assert app.ladder.locked
        await pilot.press("plus")  # a new grouping recentres on the market
        assert not app.ladder.locked
        assert any(q for _, q, _ in app.ladder.rows())


async def test_grouped_rows_sum_the_book_levels():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("plus", "plus")  # 5 ticks per row
        g = app.ladder.group
        assert g == 5
        book = app.model.engine["BTCUSDT"].book
        for px, bq, aq in app.ladder.rows():
            assert px % g == 0
            assert bq == sum(q for _, q in book.bids.levels_between(px, px + g - 1))
            assert aq == sum(q for _, q in book.asks.levels_between(px, px + g - 1))


async def test_tape_filter_and_help():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        everything = len(app.tape.visible())
        sizes = sorted(t.qty_lots for t in app.model.flows["BTCUSDT"].tape)
        await pilot.press("f", "f")
        shown = app.tape.visible()
        assert 0 < len(shown) < everything
        assert all(t.qty_lots >= 5 * sizes[len(sizes) // 2] for t in shown)
        assert ">= 5x median" in "".join(s.text for s in app.tape.render_line(0))
        await pilot.press("f", "f")
        assert len(app.tape.visible()) == everything
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("x")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_binding_is_in_the_help():
    from dom.ui.screens import HELP

    app = make_app(seconds=3)
    names = {"plus,equals_sign": "+", "minus": "-", "question_mark": "?", "n,tab": "tab", "p,shift+tab": "shift+tab",
             "pageup": "pgup", "pagedown": "pgdn", "up": "up", "down": "down", "enter": "enter",
             "greater_than_sign": ">", "less_than_sign": "<", "right_square_bracket": "]",
             "right_curly_bracket": "}", "left_square_bracket": "["}
    for b in app.BINDINGS:
        key = names.get(b.key, b.key)
        assert f" {key} " in f" {HELP} ".replace("\n", " "), f"key {b.key!r} is not in the help"


async def test_watchlist_picker_switches_symbol():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(app.screen, SymbolPicker)
        await pilot.press("down", "down", "enter")
        assert not isinstance(app.screen, SymbolPicker)
        assert app.symbol == "MOTHUSDT"
        st = app.model.engine["MOTHUSDT"]
        assert ladder_best(app) == (st.book.best_bid(), st.book.best_ask())
        await pilot.press("s", "escape")
        assert app.symbol == "MOTHUSDT" and not isinstance(app.screen, SymbolPicker)


async def test_command_palette_runs_doms_actions():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for t in ("Watchlist", "Coarser grouping", "Lock / unlock the ladder", "Tape filter",
                  "Reset recent volume", "Heatmap", "Help", "Theme", "Show PIKEUSDT"):
            assert t in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Coarser grouping")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.ladder.group == 2
        await pilot.press("ctrl+p")
        await pilot.press(*"Show PIKEUSDT")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.symbol == "PIKEUSDT"


async def test_the_tape_is_worked_out_again_only_when_it_took_a_trade():
    app = make_app(seconds=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tape = app.tape
        first = tape.visible()
        assert tape.visible() is first  # no trade since: the same list, not sorted again
        st = app.model.engine["BTCUSDT"]
        ts = st.stats.last_exchange_ns + 1_000_000
        big = 10 * max(t.qty_lots for t in first)
        app.model.engine.feed(Trade("BTCUSDT", first[0].px_ticks, big, TakerSide.SELL, 99_000_000, ts, ts))
        shown = tape.visible()
        assert shown is not first and shown[0].trade_id == 99_000_000 and shown[1:] == first[: len(shown) - 1]
        app.frame()
        assert text(tape, 1).rstrip().endswith("S")  # the new print on the tape's first line
        await pilot.press("f")  # a filter change works it out again, from the same tape
        assert tape.visible() is not shown and all(t.qty_lots >= tape._floor for t in tape.visible())
