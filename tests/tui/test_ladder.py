"""The ladder's columns against the engine's state, on the finite seeded feed."""

from dom.core.profile import value_area
from dom.core.types import Alert, AlertKind, AlertState, BookSide
from dom.ui.palette import round_sig
from tests.tui.app_factory import make_app, next_delta, text


def row_of(app, px):
    app.ladder.prepare()
    return next(r for r in app.ladder._rows if r.px <= px < r.px + app.ladder.group)


async def test_cumulative_depth_and_profile_match_the_book_and_the_trades():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        keys = {c.key for c in app.ladder.columns}
        assert keys >= {"cumb", "chgb", "sells", "bid", "price", "ask", "buys", "chga", "cuma", "vol", "prof", "mark"}
        st = app.model.engine["BTCUSDT"]
        bb, ba = st.book.bids.best_px(), st.book.asks.best_px()
        app.ladder.prepare()
        for r in app.ladder._rows:
            if r.px <= bb:
                assert r.cumb == round_sig(st.book.bids.depth_within(bb - r.px), 2)
            if r.px >= ba:
                assert r.cuma == round_sig(st.book.asks.depth_within(r.px - ba), 2)
        flow = app.model.flows["BTCUSDT"]
        prof = value_area(flow.session)
        tags = {r.tag: r.px for r in app.ladder._rows if r.tag in ("POC", "VAH", "VAL")}
        shown = {r.px for r in app.ladder._rows}
        marks = {"POC": prof.poc, "VAH": prof.vah, "VAL": prof.val}
        assert any(px in shown for px in marks.values()), "the seeded ladder shows the value area"
        for tag, px in marks.items():  # each mark on its row when that row is on screen
            if px in shown:
                assert tags.get(tag) == px, tag
        for r in app.ladder._rows:
            v = flow.session.get(r.px, [0, 0])
            assert (r.vb, r.vs) == (v[0], v[1])


async def test_pulling_and_stacking_show_the_displayed_size_change():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        st = app.model.engine["BTCUSDT"]
        changes = app.model.changes["BTCUSDT"]
        px = st.book.bids.best_px() - 3
        q = st.book.bids.size_at(px)
        shown = row_of(app, px).chgb
        before = changes.window()[0].get(px, 0)
        next_delta(app.model, "BTCUSDT", bids=[(px, q + 1000)], dt_ms=1)
        after = changes.window()[0].get(px, 0)
        assert after - before == 1000
        # The column refreshes 5 times per second of market time, not on every update.
        assert row_of(app, px).chgb == shown
        next_delta(app.model, "BTCUSDT", dt_ms=250)
        assert row_of(app, px).chgb == changes.window()[0].get(px, 0) == after
        app.frame()
        y = 1 + next(i for i, r in enumerate(app.ladder._rows) if r.px == px)
        assert ("+" if after > 0 else "-") in text(app.ladder, y)
        # Pulling: the level removed entirely.
        next_delta(app.model, "BTCUSDT", bids=[(px, 0)], dt_ms=250)
        assert row_of(app, px).chgb == changes.window()[0].get(px, 0) == after - (q + 1000)
        assert row_of(app, px).bid == 0


async def test_recent_volume_resets_and_session_volume_stays():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.ladder.prepare()
        assert any(r.sells or r.buys for r in app.ladder._rows)
        session = [(r.vb, r.vs) for r in app.ladder._rows]
        await pilot.press("r")
        assert not any(r.sells or r.buys for r in app.ladder._rows)
        assert [(r.vb, r.vs) for r in app.ladder._rows] == session
        assert app.model.flows["BTCUSDT"].recent == {}
        assert app.model.flows["KITEUSDT"].recent, "only the symbol on screen is reset"


async def test_every_alert_kind_marks_its_level_until_it_ends():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        st = app.model.engine["BTCUSDT"]
        bb = st.book.bids.best_px()
        letters = {AlertKind.WALL: "W", AlertKind.ICEBERG: "I", AlertKind.ABSORPTION: "A", AlertKind.SPOOF: "S"}
        for i, kind in enumerate(letters):
            app.model.on_alert(Alert(f"t{i}", 0, "BTCUSDT", kind, AlertState.NEW, BookSide.BID, bb - 2 - i, 5, 0.9, "t"))
        for i, (kind, letter) in enumerate(letters.items()):
            assert letter in row_of(app, bb - 2 - i).mark
        app.frame()
        y = 1 + next(i for i, r in enumerate(app.ladder._rows) if r.px == bb - 2)
        assert text(app.ladder, y).rstrip().endswith("W")
        app.model.on_alert(Alert("t0", 0, "BTCUSDT", AlertKind.WALL, AlertState.END, BookSide.BID, bb - 2, 5, 0.9, "t"))
        assert "W" not in row_of(app, bb - 2).mark


async def test_small_cap_prices_print_exactly():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n", "n", "n")
        assert app.symbol == "PIKEUSDT"
        inst = app.model.engine["PIKEUSDT"].instrument
        app.frame()
        for y, r in enumerate(app.ladder._rows[:10], start=1):
            assert f" {inst.px_str(r.px)} " in text(app.ladder, y)
            assert inst.px_str(r.px).startswith("0.0") and len(inst.px_str(r.px)) == 7


async def test_ladder_recentres_only_when_the_market_leaves_the_middle():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        st = app.model.engine["BTCUSDT"]
        centre = app.ladder.center
        n = app.ladder.size.height - 1
        # Move the market a few ticks: the view stays.
        ba = st.book.asks.best_px()
        next_delta(app.model, "BTCUSDT", asks=[(ba, 0), (ba + 1, 0), (ba + 2, 0)])
        app.frame()
        assert app.ladder.center == centre
        # Far away (all asks within a quarter of the ladder gone): it recentres.
        asks = [(p, 0) for p, _ in st.book.asks.levels_between(ba, ba + n // 2)]
        next_delta(app.model, "BTCUSDT", asks=asks)
        app.frame()
        mid = (st.book.mid2() // 2)
        assert app.ladder.center == mid and abs(mid - centre) > n // 4


async def test_the_profile_marks_move_at_once_even_on_a_tight_frame_budget():
    """The slow columns catch up a few rows a frame; the POC / VAH / VAL marks do not: however
    the value area moves, no frame shows a mark twice or on a stale row."""
    from dom.core.types import TakerSide, Trade

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        lad = app.ladder
        lad.prepare()
        st = app.model.engine["BTCUSDT"]
        rows = [r.px for r in lad._rows]
        target = rows[len(rows) // 2 + 8]  # a price on screen, away from today's value area
        ts = st.stats.last_exchange_ns
        for i in range(40):  # heavy volume there: the profile's peak moves to it
            ts += 10_000_000
            app.model.engine.feed(Trade("BTCUSDT", target, 5_000, TakerSide.BUY, 10_000_000 + i, ts, ts))
        next_delta(app.model, "BTCUSDT", dt_ms=500)  # market time moves past the slow columns' period
        lad.prepare(budget=1)
        tags = [r.tag for r in lad._rows if r.tag in ("POC", "VAH", "VAL")]
        assert len(tags) == len(set(tags)), tags
        prof = value_area(app.model.flows["BTCUSDT"].session)
        assert prof.poc == target
        assert [r.px for r in lad._rows if r.tag == "POC"] == [target]


async def test_a_slow_column_refresh_is_spread_over_the_next_frames():
    """The rows whose slow columns changed take their values a third of them a frame (at least
    8, at most the budget), nearest the market first, until none waits."""
    from dom.core.types import TakerSide, Trade

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        lad = app.ladder
        lad.prepare()
        st = app.model.engine["BTCUSDT"]
        ts = st.stats.last_exchange_ns
        for i, r in enumerate(lad._rows[5:35]):  # volume on 30 rows: their traded column changes
            ts += 1_000_000
            app.model.engine.feed(Trade("BTCUSDT", r.px, 3_000, TakerSide.SELL, 20_000_000 + i, ts, ts))
        next_delta(app.model, "BTCUSDT", dt_ms=500)
        applied = [lad.prepare(budget=16)]
        waiting = len(lad._slow_pending) + applied[0]
        assert waiting >= 30 and applied[0] == -(-waiting // 3)
        mid = lad.center * lad.group
        dist = [abs(px - mid) for px in lad._slow_pending]
        assert dist == sorted(dist), "nearest the market first"
        while lad._slow_pending:
            left = len(lad._slow_pending)
            applied.append(lad.prepare(budget=16))
            assert applied[-1] == min(left, 16, max(8, -(-left // 3)))
        assert sum(applied) == waiting and len(applied) <= 5
        assert all(r.slow() == lad._slow_target[r.px] for r in lad._rows)
