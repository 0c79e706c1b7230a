"""The heatmap: the ladder's rows, resting size by colour, trades on top, sync gaps marked."""

from dom.core.engine import Engine
from dom.core.types import BookDelta, BookSnapshot, Trade, TakerSide
from dom.core.units import Instrument
from dom.core.history import HeatRing, column_buckets
from dom.ui.palette import HEAT
from tests.tui.app_factory import break_sync, make_app, text


async def test_heatmap_draws_the_ladders_rows_coloured_by_resting_size():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.frame()
        hm, ladder = app.heatmap, app.ladder
        assert hm.display and hm.axis == ladder.axis
        ax = ladder.axis
        assert ax.rows == len(ladder._rows) and ladder._rows[0].px == ax.top * ax.group
        assert text(hm, 0).rstrip().endswith("now")
        # The newest column is the book now: shade 0 where nothing rests, heavier where more does.
        ring = app.model.heat["BTCUSDT"]
        newest = ring.cols[-1]
        shades = hm._column_shades(newest, ax)
        sizes = column_buckets(newest, ax.group)
        pairs = [(sizes.get(ax.top - r, 0), shades[r]) for r in range(ax.rows)]
        assert all((q == 0) == (s == 0) for q, s in pairs)
        ordered = sorted(pairs)
        assert all(a[1] <= b[1] for a, b in zip(ordered, ordered[1:])), "shade grows with size"
        # The rightmost cell of a row with liquidity is painted in that shade's colour.
        r = next(r for r, (q, s) in enumerate(pairs) if s > 0)
        last = list(hm.render_line(1 + r))[-1]
        colour = last.style.bgcolor.triplet.hex.lower()
        assert colour == HEAT[shades[r] - 1].lower()


async def test_trades_are_drawn_at_their_price_and_time():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.frame()
        hm, ax = app.heatmap, app.ladder.axis
        ring = app.model.heat["BTCUSDT"]
        width = hm.size.width
        now = ring.last_slot
        marks = 0
        for y in range(1, ax.rows + 1):
            line = text(hm, y)
            for c, ch in enumerate(line):
                if ch in "•●":
                    marks += 1
                    slots = (now - 2 * width + 1 + 2 * c, now - 2 * width + 2 + 2 * c)
                    bucket = ax.top - (y - 1)
                    assert any(px // ax.group == bucket for s in slots for px, _, _ in ring.trades.get(s, ())), (y, c)
        assert marks > 0


async def test_a_lost_sync_leaves_a_dotted_column():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        break_sync(app.model)
        app.frame()
        assert app.model.heat["BTCUSDT"].cols[-1][1] is None
        # The rows are redrawn over the next frames (fewer in a frame that repaints the ladder):
        # within five (a quarter of a second at 20 fps) every one shows the gap.
        for _ in range(4):
            app.frame()
        rows = app.heatmap.axis.rows
        assert rows > 30 and all(text(app.heatmap, y).rstrip().endswith("┊") for y in range(1, rows + 1))


async def test_h_hides_and_shows_the_heatmap():
    app = make_app(seconds=3)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        wide = app.ladder.size.width
        await pilot.press("h")
        await pilot.pause()
        assert not app.heatmap.display and app.ladder.size.width >= wide
        await pilot.press("h")
        await pilot.pause()
        assert app.heatmap.display and app.heatmap.size.width > 0


def test_heat_ring_is_bounded_and_samples_once_per_slot():
    inst = Instrument("XUSDT", "0.1", "0.001")
    ring = HeatRing(slot_ms=100, levels=5, slots=10)
    eng = Engine([inst], observers=lambda st: [ring])
    eng.feed(BookSnapshot("XUSDT", ((1000, 5),), ((1001, 5),), 10, 0, 0))
    for i in range(100):
        ts = 1_000_000_000 + i * 30_000_000  # a delta every 30 ms: 3 or 4 per 100 ms slot
        eng.feed(BookDelta("XUSDT", ((1000 - i % 3, 7 + i),), (), 11 + i, 11 + i, 10 + i, ts, ts))
        eng.feed(Trade("XUSDT", 1001, 1, TakerSide.BUY, i, ts, ts))
    assert len(ring.cols) == 10
    slots = [c[0] for c in ring.cols]
    assert slots == sorted(set(slots)) and slots[-1] - slots[0] == 9
    assert min(ring.trades) >= slots[0] and sum(len(t) for t in ring.trades.values()) <= 40
    assert all(len(c[1]) <= 5 * 16 for c in ring.cols)  # at most 5 levels of (px, qty) int64


async def test_a_new_theme_redraws_every_row_in_its_own_colours():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.frame()
        old = app.heatmap.palette
        app.theme = "textual-light"
        await pilot.pause()
        app.frame()
        p = app.heatmap.palette
        assert p is not old
        ours = {id(s) for row in p.heat_cell for s in row} | {id(p.heat_gap)}
        ours |= {id(s) for s in p.heat_buy} | {id(s) for s in p.heat_sell}
        for y in range(1, app.ladder.axis.rows + 1):
            assert all(id(seg.style) in ours for seg in app.heatmap.render_line(y)), y


async def test_a_time_step_redraws_the_rows_spread_over_the_next_frames():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.frame()
        hm, axis = app.heatmap, app.ladder.axis
        rows = axis.rows
        hm._key = ()  # as when a new slot opens: the same view, every row to redraw
        done = []
        for _ in range(10):
            before = set(hm._pending)
            hm.prepare(axis, 16)
            drawn = before - set(hm._pending) if done else set(range(rows)) - set(hm._pending)
            done.append(len(drawn))
            if not hm._pending:
                break
        # A quarter of what waits, at least 10, at most the budget: 49 rows -> 13, 10, 10, 10, 6.
        assert done[0] == max(10, -(-rows // 4)) and all(n <= 16 for n in done)
        assert sum(done) == rows and len(done) <= 5 and not hm._pending
        assert all(hm._row_sigs[r] == hm._key for r in range(rows))


async def test_heatmap_rows_yield_to_a_frame_that_repaints_the_ladder():
    from dom.ui.app import HEAT_MIN, LINE_BUDGET

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.frame()
        hm = app.heatmap
        rows = hm.axis.rows
        drawn = []
        for full_ladder in (True, False):
            app.frame()
            hm._key = ()  # a time step: every row waits
            if full_ladder:
                app.ladder._geom = ()  # as after a re-theme: the whole ladder repaints this frame
            app.frame()
            drawn.append(rows - len(hm._pending))
        assert app.ladder.size.height > LINE_BUDGET
        # The whole ladder (more than the budget) leaves the heatmap its minimum; a quiet frame,
        # a quarter of the waiting rows.
        assert drawn == [HEAT_MIN, -(-rows // 4)], drawn


def test_trade_marks_summed_slot_by_slot_are_those_of_every_trade():
    # The marks are summed per slot and kept while the slot and the rows are unchanged; the same
    # marks as summing every trade in view at each rebuild, as the grid moves on a slot at a time
    # (the columns pair other slots), as the open slot takes trades, and when the rows move.
    import random

    from dom.ui.widgets.heatmap import Heatmap
    from dom.ui.widgets.ladder_rows import Axis
    from dom.runtime.view import UiModel

    def every_trade(trades, first, nslots, axis):
        acc = {}
        for k in range(nslots):
            for px, q, buy in trades.get(first + k, ()):
                r = axis.top - px // axis.group
                if 0 <= r < axis.rows:
                    v = acc.setdefault((r, k // 2), [0, 0])
                    v[0 if buy else 1] += q
        return acc

    hm = Heatmap(UiModel())
    rng = random.Random(5)
    trades: dict[int, list] = {}
    axis = Axis("X", 1, 1_050, 40)
    checked = 0
    for step in range(300):
        s = 1_000 + step // 3
        for _ in range(rng.randrange(0, 6)):
            trades.setdefault(s, []).append((rng.randrange(990, 1_070), rng.randrange(1, 50), rng.random() < 0.5))
        if step % 50 == 49:
            axis = Axis("X", rng.choice((1, 2)), rng.randrange(1_020, 1_080), 40)
        nslots = 60
        first = s - nslots + 1
        marks = hm._trades(trades, first, nslots, axis)
        want = every_trade(trades, first, nslots, axis)
        assert {(r, c) for r, row in marks.items() for c in row} == set(want)
        sizes = sorted(b + s_ for b, s_ in want.values())
        if len(sizes) > 3:
            big = sizes[int(0.9 * (len(sizes) - 1))]
            for (r, c), (b, s_) in want.items():
                ch, style = marks[r][c]
                assert ch == ("●" if b + s_ >= big else "•")
                assert style is (hm.palette.heat_buy if b >= s_ else hm.palette.heat_sell)
                checked += 1
    assert checked > 1_000 and set(hm._slot_rows) <= set(range(first, first + nslots))
