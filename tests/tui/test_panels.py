"""Alerts panel, status bar and book-health display on the finite seeded feed."""

from contextlib import asynccontextmanager
from dataclasses import replace

from dom.core.types import AlertKind, AlertState
from dom.ui.app import DomApp
from tests.tui.app_factory import make_app, make_resync_app, next_delta, seeded_model, text


async def test_alerts_newest_first_with_hidden_size_and_age():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        eps = app.model.episode_list()
        assert len(eps) == len({a.id for a in eps}), "one row per episode"
        assert [a.ts_ns for a in eps] == sorted((a.ts_ns for a in eps), reverse=True)
        first = text(app.alerts, 1)
        a = eps[0]
        inst = app.model.engine[a.symbol].instrument
        assert a.kind.value in first and a.side.value in first and inst.px_str(a.px_ticks) in first
        assert first.split()[0] == f"{(app.model.now_ns() - a.ts_ns) // 1_000_000_000}s"
        ice = [i for i, e in enumerate(eps) if e.kind is AlertKind.ICEBERG]
        assert ice, "the seeded feed has an iceberg"
        e = eps[ice[0]]
        hidden = app.model.engine[e.symbol].instrument.qty_str(e.evidence["hidden_lb_lots"])
        lines = [text(app.alerts, y) for y in range(1, app.alerts.size.height)]
        assert any(f"at least {hidden} hidden" in line for line in lines)
        ended = [e for e in eps if e.state is AlertState.END]
        assert ended and all(a.id not in app.model.live_alerts for a in ended)


async def test_the_alerts_pane_lists_the_episodes_again_only_when_one_changed():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        w = app.alerts
        app.frame()
        listed = w._lines
        app.frame()
        assert w._lines is listed  # nothing new: the list of up to 300 episodes is not made again
        a = app.model.episode_list()[-1]  # the oldest episode, updated: now the newest
        app.model.on_alert(replace(a, state=AlertState.UPDATE, ts_ns=app.model.now_ns(), qty_lots=a.qty_lots + 7))
        app.frame()
        assert w._lines is not listed and w._lines[0][0].qty_lots == a.qty_lots + 7
        assert text(w, 1).split()[0] == "0s" and len(w._lines) == len(listed)


async def test_selecting_an_alert_centres_the_ladder_on_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down")
        target = app.alerts.selected()
        assert target is app.model.episode_list()[2]
        await pilot.press("enter")
        assert app.symbol == target.symbol and app.ladder.locked and app.status.locked
        rows = app.ladder.rows()
        assert any(px <= target.px_ticks < px + app.ladder.group for px, _, _ in rows)
        mid = rows[len(rows) // 2][0]
        assert abs(mid - target.px_ticks) <= app.ladder.group


async def test_clicking_an_alert_centres_the_ladder_on_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        target = app.model.episode_list()[0]
        await pilot.click(app.alerts, offset=(10, 1))
        await pilot.pause()
        assert app.alerts.selected_id == target.id
        assert app.symbol == target.symbol and app.ladder.locked


async def test_resync_state_is_said_plainly():
    app = make_resync_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.frame()
        lines = [text(app.ladder, y) for y in range(app.ladder.size.height)]
        assert any("book not synced: resyncing" in line for line in lines)
        assert any("showing nothing rather than a wrong book" in line for line in lines)
        assert app.ladder.rows() == []
        line = app.status.line()
        assert "book resyncing" in line and "gaps 1" in line and "4/5 synced" in line
        # The other symbols are still shown.
        await pilot.press("n")
        assert app.ladder.rows() and "book synced" in app.status.line()


@asynccontextmanager
async def clocked_app():
    """The app on 10 s of the market, its wall clock a list the test sets: (app, pilot, model,
    clock)."""
    model, _ = seeded_model(10)
    clock = [0]
    app = DomApp(model, runner=None, fps=0, clock=lambda: clock[0])
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        yield app, pilot, model, clock


async def test_status_bar_rates_lag_and_dropped_frames():
    async with clocked_app() as (app, _, model, clock):
        app.frames.interval_ns = 50_000_000  # as at 20 fps
        st = model.engine["BTCUSDT"]
        clock[0] = st.stats.last_exchange_ns + 7_000_000
        app.frame()
        for i in range(20):
            next_delta(model, "BTCUSDT", dt_ms=50)
            clock[0] = st.stats.last_exchange_ns + 7_000_000
            app.frame()
        # 20 deltas in 1 s of the clock.
        assert app.frames.rate == 20.0
        line = app.status.line(200)
        assert "20 msg/s" in line and "lag 7 ms" in line and "dropped 0 frames 0 alerts" in line
        clock[0] += 250_000_000  # four frames late
        app.frame()
        assert app.frames.dropped == 4 and "dropped 4 frames" in app.status.line(200)


async def test_status_bar_repaints_only_when_its_line_changes():
    async with clocked_app() as (app, pilot, model, clock):
        bar = app.status
        st = model.engine["BTCUSDT"]
        clock[0] = st.stats.last_exchange_ns
        app.frame()
        await pilot.pause()
        painted = "".join(seg.text for seg in bar.render_line(0))
        assert painted.rstrip() == bar.line(bar.size.width).rstrip() and "x1" in painted
        bar._repaint_regions.clear()
        app.frame()  # nothing changed: nothing to repaint
        assert not bar._repaint_regions
        bar.locked = True  # as the lock key sets it: the line says so at the next frame
        app.frame()
        assert bar._repaint_regions
        painted = "".join(seg.text for seg in bar.render_line(0))
        assert "LOCKED" in painted and painted == bar.line(bar.size.width).ljust(bar.size.width)


async def test_the_status_bars_lines_are_textuals_kept_until_something_they_show_changes():
    from textual.widget import Widget

    async with clocked_app() as (app, pilot, model, clock):
        bar = app.status
        st = model.engine["BTCUSDT"]
        clock[0] = st.stats.last_exchange_ns

        def both():
            whole = bar.region.reset_offset
            kept = bar.render_lines(whole)
            bar._styles_cache.clear()
            return kept, Widget.render_lines(bar, whole)

        app.frame()
        await pilot.pause()
        whole = bar.region.reset_offset
        first = bar.render_lines(whole)
        app.frame()  # nothing changed: the same lines, not made again
        assert bar.render_lines(whole) is first
        kept, textuals = both()
        assert [list(s) for s in kept] == [list(s) for s in textuals]
        bar.locked = True
        app.frame()  # the line changed
        kept, textuals = both()
        assert kept is not first and [list(s) for s in kept] == [list(s) for s in textuals]
        assert "LOCKED" in "".join(seg.text for seg in kept[0])
        app.theme = "nord"  # a new theme (and palette)
        await pilot.pause()
        kept, textuals = both()
        assert [list(s) for s in kept] == [list(s) for s in textuals]
        before = kept
        bar.styles.text_style = "italic"  # a style of the bar alone: the palette is the same
        await pilot.pause()
        kept, textuals = both()
        assert kept is not before and [list(s) for s in kept] == [list(s) for s in textuals]
        await pilot.resize_terminal(150, 40)  # the crop changed
        await pilot.pause()
        app.frame()
        kept, textuals = both()
        assert kept[0].cell_length == 150 and [list(s) for s in kept] == [list(s) for s in textuals]


async def test_replay_feed_drives_the_app_through_the_runtime(shared_data):
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.runtime.replay_feed import ReplayFeed
    from dom.runtime.view import UiModel

    model = UiModel()
    feed = ReplayFeed(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", speed=0)
    pipe = Pipeline(feed.venue, detectors=make_observers(), context=ContextParams(), observers=(model.observers,))
    model.attach(pipe)
    rt = LiveDriver(feed, pipe, stale_after_s=0)  # (as the wiring runs a replay: no wall-clock staleness)
    await rt.start()
    model.stats = rt

    async def runner(m):
        await rt.run()

    app = DomApp(model, runner, fps=50)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(300):  # (a loaded machine: up to 15 s)
            await pilot.pause(0.05)
            if all(st.synced for st in rt.engine.symbols.values()) and feed.stats.frames > 1500:
                break
        st = rt.engine[app.symbol]
        assert st.synced, (feed.stats.frames, feed.ended, st.state)
        rows = app.ladder.rows()
        assert [(p, q) for p, q, _ in rows if q][0] == st.book.best_bid()
        assert app.heatmap.axis == app.ladder.axis and app.model.heat[app.symbol].cols
        # A recording's exchange time is long past: the status bar shows its recorded lag.
        line = app.status.line(200)
        assert "msg/s" in line and " ms rec" in line
        for _ in range(100):  # the recording ends: the status bar says so
            await pilot.pause(0.05)
            if model.replay_state:
                break
        app.frame()
        assert model.replay_state == "end of recording" and "| end of recording |" in app.status.line(200)
        rt.stop()


async def test_an_alert_against_the_1m_trend_is_marked_and_the_mark_can_be_turned_off():
    from dom.core.context.correlation import Series
    from dom.core.types import BookSide

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        live = [a for a in app.model.episode_list() if a.state is not AlertState.END]
        assert live, "the seeded feed has live alerts"
        a = live[0]
        c = app.model.context.get(a.symbol)
        c.bars_1m = Series(60)
        t0 = 1_796_000_100 * 1_000_000_000
        up = (a.side is BookSide.ASK) != (a.kind is AlertKind.SPOOF)  # a short's signal: opposed by a rise
        for i in range(25):  # a trend the alert's direction opposes
            c.bars_1m.add(t0 + i * 60_000_000_000, 100.0 + (i if up else -i))
        c.last_ns += 1  # so the cached bias is worked out again
        app.alerts.prepare()
        px = app.model.engine[a.symbol].instrument.px_str(a.px_ticks)
        rows = [y for y in range(1, app.alerts.size.height) if px in text(app.alerts, y)
                and a.symbol.removesuffix("USDT")[:8] in text(app.alerts, y)]
        assert rows, "the alert is on the panel"
        row = rows[0]
        mark = " vs trend" if app.alerts.size.width >= 60 else " ctr"  # the narrow panel's short form
        assert app.model.against_trend(a) and mark in text(app.alerts, row)
        app.model.mark_against_trend = False
        app.alerts.prepare()
        assert mark not in text(app.alerts, row)


def test_a_live_exchange_clock_a_minute_off_is_said_not_shown_as_lag():
    """The built-in market at speed > 1 (or a wrong system clock): the venue's stamps are minutes
    off ours, on arrival as well as on the screen. That is said as such; a recording (stamps long
    past, received with a sane lag) still shows its recorded lag."""
    from types import SimpleNamespace

    from dom.runtime.pipeline import SymbolRates
    from dom.runtime.view import UiModel
    from dom.ui.widgets.status import FrameStats

    def text(screen_ms: float, received_ms: float) -> str:
        fr = FrameStats(None, 0)
        fr.lags_ms.extend([screen_ms] * 5)
        r = SymbolRates()
        r.lags_ms.extend([received_ms] * 5)
        model = UiModel()
        model.stats = SimpleNamespace(rates={"BTCUSDT": r})
        return fr.lag_text(model, "BTCUSDT")

    assert text(-400_000, -400_000) == "exchange clock 400 s ahead"
    assert text(90_000, 90_000) == "exchange clock 90 s behind"
    assert text(3e12, 7.0) == "lag 7 ms rec"  # a recording
    assert text(3e12, -5.0) == "rec clock 5 ms behind"
    assert text(12, 12) == "lag 12 ms"
    # Seconds ahead already (the built-in market at 4x, 20 s in): not a lag of -60 s either.
    assert text(-60_000, -59_000) == "exchange clock 59 s ahead"
    assert text(-3, -3) == "lag -3 ms"  # a few ms of clock skew is still shown as it is


def test_lag_words_say_when_the_clocks_disagree():
    from dom.runtime.pipeline import lag_words

    assert lag_words(None) == "lag -"
    assert lag_words(31.4, "lag p50") == "lag p50 31 ms"
    assert lag_words(-999) == "lag -999 ms"
    assert lag_words(-1_500) == "exchange clock 2 s ahead"
    assert lag_words(59_999) == "lag 59999 ms"
    assert lag_words(61_000) == "exchange clock 61 s behind"
