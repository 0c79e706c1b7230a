"""Pilot tests of the terminal UI on a finite seeded feed."""

from dom.core.types import FeedState, FeedStatus
from dom.ui.app import HelpScreen
from tests.tui.app_factory import make_app


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
        assert app.ladder.group == 2
        await pilot.press("minus", "minus")
        assert app.ladder.group == 1
        await pilot.press("n")
        assert app.symbol == "KITEUSDT"
        st = app.model.engine["KITEUSDT"]
        assert ladder_best(app) == (st.book.best_bid(), st.book.best_ask())
        await pilot.press("p")
        assert app.symbol == "BTCUSDT"
        await pilot.press("c")
        assert app.ladder.locked and app.status.locked
        await pilot.press("c")
        assert not app.ladder.locked


async def test_tape_filter_and_help():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        everything = len(app.tape.visible())
        await pilot.press("f", "f")
        assert 0 < len(app.tape.visible()) < everything
        assert all(t.qty_lots > 0 for t in app.tape.visible())
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("x")
        assert not isinstance(app.screen, HelpScreen)


async def test_selecting_an_alert_centres_the_ladder_on_it():
    app = make_app(seconds=25)
    assert app.model.alerts, "the seeded feed raised no alert"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        target = list(app.model.alerts)[app.alerts.cursor]
        await pilot.press("enter")
        assert app.symbol == target.symbol and app.ladder.locked
        rows = app.ladder.rows()
        mid = rows[len(rows) // 2][0]
        assert abs(mid - target.px_ticks) <= app.ladder.group


async def test_unsynced_book_is_said_plainly():
    app = make_app(seconds=5)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.model.engine.feed(FeedStatus("BTCUSDT", FeedState.DISCONNECTED, "test", 0, 0))
        app.frame()
        await pilot.pause()
        line = "".join(seg.text for seg in app.ladder.render_line(0))
        assert "book not synced: disconnected" in line
        assert "book disconnected" in app.status.line()


async def test_replay_feed_drives_the_app_through_the_runtime(shared_data):
    from dom.core.detectors import make_observers
    from dom.feeds.replay import ReplayFeed
    from dom.runtime import Runtime
    from dom.ui.app import DomApp
    from dom.ui.model import UiModel

    model = UiModel()
    feed = ReplayFeed(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", speed=0)
    det = make_observers()
    rt = Runtime(feed, feed.venue, observers=lambda st: det(st) + model.observers(st))
    rt.add_listener(model)
    await rt.start()
    model.engine, model.stats, model.venue = rt.engine, rt, feed.venue

    async def runner(m):
        await rt.run()

    app = DomApp(model, runner, fps=50)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if all(st.synced for st in rt.engine.symbols.values()) and feed.stats.frames > 1500:
                break
        st = rt.engine[app.symbol]
        assert st.synced
        rows = app.ladder.rows()
        assert [(p, q) for p, q, _ in rows if q][0] == st.book.best_bid()
        rt.stop()
