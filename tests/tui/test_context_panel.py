"""Pilot tests of the context and risk panel: entry and stop from the ladder's centre, the
panel's numbers, the ladder's plan marks, the journal key; one snapshot of the panel."""

import json
from decimal import Decimal

from dom.store.journal import Journal
from dom.ui.widgets.context_panel import JournalPrompt
from tests.tui.context_factory import context_model, make_app, make_panel_app


def panel_text(app) -> str:
    return "\n".join(t for t, _ in app.context_panel.lines())


def ladder_tags(app) -> dict[str, int]:
    """Line of the ladder showing each plan mark (in the profile's tag slot)."""
    out = {}
    for y in range(app.ladder.size.height):
        line = "".join(seg.text for seg in app.ladder.render_line(y))
        for tag in ("ENT", "STP", "TP1", "TP2"):
            if tag in line:
                out[tag] = y
    return out


def centre_line(app) -> int:
    """The ladder's centre row (its cursor when locked): a header line, then the price rows."""
    return 1 + (app.ladder.size.height - 1) // 2


async def test_entry_and_stop_from_the_ladder_centre_and_the_panels_numbers():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        assert app.symbol == "KITEUSDT"
        st = app.model.engine["KITEUSDT"]
        mid = st.book.mid2() // 2
        await pilot.press("e")
        await pilot.press(*["shift+down"] * 15)
        assert app.ladder.locked
        await pilot.press("t")
        plan = app.model.desk.plan("KITEUSDT")
        assert (plan.entry_px, plan.stop_px) == (mid, mid - 15)

        view = app.context_panel.evaluate()
        # 1% of 5,000 = 50 at risk; 15 ticks of 0.0001 on a 1-unit lot lose 0.0015 each:
        # floor(50 / 0.0015) = 33,333 lots, losing 49.9995 at the stop.
        assert view.side == "long" and view.lots == 33_333
        assert view.sizing.loss_at_stop == Decimal("49.9995")
        entry = Decimal(mid) / 10_000
        assert view.sizing.notional == 33_333 * entry and view.sizing.margin == 33_333 * entry / 10
        asks = st.book.asks.top(500)
        cost, left = 0, 33_333
        for px, q in asks:  # the walk by hand: buy 33,333 lots from the best ask up
            take = min(q, left)
            cost += take * px
            left -= take
            if not left:
                break
        assert view.walk.avg_px * 33_333 == cost and view.walk.complete
        x = view.exits
        assert x.tp1.lots == 16_666 and x.tp2.lots == 16_667 and x.tp1.px > mid and x.tp2.px > x.tp1.px
        text = panel_text(app)
        px = st.instrument.px_str
        oi = app.model.context.get("KITEUSDT").open_interest
        for want in (f"LONG entry {px(mid)}  stop {px(mid - 15)} (15 t)", "size 33333", "loss at stop 50.00 (1.00% eq)",
                     f"TP1 {px(x.tp1.px)} {x.tp1.source} 16666", f"BE after TP1: stop -> {px(mid)}",
                     f"funding {st.mark.funding_rate_e8 / 1e6:+.4f}% in ", f"OI {oi / 1e6:.1f}M (", "24h "):
            assert want in text, (want, text)
        app.frame()
        await pilot.pause()
        tags = ladder_tags(app)
        assert tags["STP"] == centre_line(app)  # the stop sits on the centre row (the cursor)
        assert tags["ENT"] == tags["STP"] - 15
        cursor = "".join(seg.text for seg in app.ladder.render_line(centre_line(app)))
        assert f"▸{px(mid - 15)}" in cursor.replace(" ", "")  # the cursor row is marked
        assert app.model.plan_marks["KITEUSDT"][x.tp1.px] == "TP1"
        app.ladder.center_on(x.tp1.px)  # scroll up to the target: marked there
        app.frame()
        await pilot.pause()
        assert ladder_tags(app)["TP1"] == centre_line(app)

        await pilot.press("R")  # risk 1% -> 2%: twice the size
        assert app.context_panel.evaluate().lots == 66_666
        await pilot.press("L")  # leverage 10x -> 20x: half the margin
        v = app.context_panel.evaluate()
        assert v.sizing.margin == 66_666 * entry / 20 and "lev 20x" in panel_text(app)
        await pilot.press("x")
        assert app.context_panel.evaluate().sizing is None and "set the entry (e)" in panel_text(app)


async def test_small_terminal_hides_the_panel_but_the_plan_keys_and_marks_work():
    from dom.ui.commands import dom_commands

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.context_panel.display
        await pilot.press("n", "e", *["shift+down"] * 5, "t")
        st = app.model.engine["KITEUSDT"]
        mid = st.book.mid2() // 2
        plan = app.model.desk.plan("KITEUSDT")
        assert (plan.entry_px, plan.stop_px) == (mid, mid - 5)
        app.frame()
        await pilot.pause()
        tags = ladder_tags(app)
        assert tags["STP"] == centre_line(app) and tags["ENT"] == centre_line(app) - 5
        titles = {c.title: c for c in dom_commands(app)}
        assert {"Set entry", "Set stop", "Clear the plan", "Journal the trade"} <= set(titles)
        titles["Clear the plan"].callback()
        assert app.model.desk.plans.get("KITEUSDT") is None and not ladder_tags(app)


async def test_journal_key_logs_the_trade_with_its_book_context(tmp_path):
    app = make_app()
    app.journal_path = str(tmp_path / "journal.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j")  # no plan yet: nothing to log
        assert not isinstance(app.screen, JournalPrompt)
        await pilot.press("n", "e", *["shift+up"] * 10, "t", "j")
        assert isinstance(app.screen, JournalPrompt)
        await pilot.press(*"#fade VAH rejection", "enter")
        await app.workers.wait_for_complete()  # the journal is written off the UI thread
        await pilot.pause()
        assert not isinstance(app.screen, JournalPrompt) and app.last_journal_id == 1
    j = Journal(tmp_path / "journal.sqlite")
    (row,) = j.list()
    j.close()
    st = app.model.engine["KITEUSDT"]
    assert row["symbol"] == "KITEUSDT" and row["side"] == "short" and row["tag"] == "fade"
    assert row["rationale"] == "#fade VAH rejection" and row["leverage"] == "10.0"
    ctx = json.loads(row["context"])
    bids, _ = st.book.top(5)
    assert ctx["bids"] == [[st.instrument.px_str(p), st.instrument.qty_str(q)] for p, q in bids]
    assert ctx["spread"] == st.instrument.px_str(st.book.spread())
    assert ctx["funding_rate"] == f"{st.mark.funding_rate_e8 / 1e8:.8f}"
    assert ctx["open_interest"] == st.instrument.qty_str(app.model.context.get("KITEUSDT").open_interest)
    assert ctx["correlation"]["reference"] == "BTCUSDT" and "volume_24h_quote" in ctx
    assert ctx["plan"]["stop"] == st.instrument.px_str(app.model.desk.plan("KITEUSDT").stop_px)
    assert all(a["kind"] in ("wall", "iceberg") for a in ctx["alerts"])


def test_correlation_and_reference_move_from_a_longer_run():
    model, _ = context_model(seconds=400, detectors=False)  # 6+ one-minute bars
    from dom.ui.widgets.context_panel import ContextPanel

    panel = ContextPanel(model)
    panel.symbol = "KITEUSDT"
    corr, beta = model.context.correlation("KITEUSDT", 60)
    text = "\n".join(t for t, _ in panel.lines())
    assert f"1m r {corr:+.2f} b {beta:.2f}" in text and "5m n/a (2/6 bars)" in text
    move, covered = model.context.reference_move()
    assert f"BTC {move:+.2f}% in {covered // 60} m" in text


def test_context_panel_snapshot(snap_compare):
    assert snap_compare(make_panel_app(), terminal_size=(48, 20))


def test_a_market_wide_drop_in_the_built_in_market_trips_the_panels_btc_warning():
    """A scripted common-factor drop (-3% over 5 minutes): bars from the published books, the
    reference-weakness warning on the panel, and the small cap falling with the reference.
    (Five 1 m returns of a steady drift say nothing about correlation: that needs longer runs.)"""
    from dom.core.context.params import ContextParams
    from dom.sim.market import Market
    from dom.ui.widgets.context_panel import ContextPanel
    from tests.tui.app_factory import seeded_model

    m = Market("mixed", seed=12, injections=False, decoys=False)
    m.move_factor(-3.0, 300)
    params = ContextParams(weakness_window_s=300, weakness_drop_pct=2.0)
    model, _ = seeded_model(330, detectors=False, context=params, market=m)
    panel = ContextPanel(model)
    panel.symbol = "KITEUSDT"
    warning = model.context.weakness()
    assert warning is not None and warning.startswith("BTC -") and warning.endswith("% in 5 m")
    assert f" ! {warning}" in [t for t, _ in panel.lines()]
    kite = model.context.get("KITEUSDT").bars_1m.closes  # and the small cap fell with it
    assert kite[-1] < kite[0] * 0.98


async def test_exit_key_takes_half_then_the_rest_at_the_touch_with_the_pnl_of_the_journal(tmp_path):
    """Log a short from the ladder (j), then X twice: half out at the best ask (TP1), the rest
    too; the journal's realized P&L is the hand computation from those prices."""
    app = make_app()
    app.journal_path = str(tmp_path / "journal.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n", "e", *["shift+up"] * 10, "t", "j")
        await pilot.press(*"#fade", "enter")
        await app.workers.wait_for_complete()
        st = app.model.engine["KITEUSDT"]
        ask = st.book.best_ask()[0]
        await pilot.press("X")
        await app.workers.wait_for_complete()
        await pilot.press("X")
        await app.workers.wait_for_complete()
        await pilot.pause()
    j = Journal(tmp_path / "journal.sqlite")
    (t,) = j.list()
    xs = j.exits(t["id"])
    r = j.realized(t["id"])
    j.close()
    inst = st.instrument
    assert [x["note"] for x in xs] == ["TP1", "rest"] and r.status == "closed"
    assert {x["price"] for x in xs} == {inst.px_str(ask)}  # (the frozen book: the same touch twice)
    entry, n, cs = Decimal(t["entry"]), Decimal(t["contracts"]), Decimal(t["contract_size"])
    assert r.pnl == (entry - Decimal(inst.px_str(ask))) * n * cs  # a short: entry minus exit
    risk = abs(Decimal(t["stop"]) - entry) * n * cs
    assert r.r == r.pnl / risk and Decimal(t["equity"]) == app.model.desk.equity
    x0 = json.loads(xs[0]["context"])
    assert x0["spread"] == inst.px_str(st.book.spread())
    if "mark" in x0:  # the frozen market has a mark: no funding time passed during the hold
        assert x0["funding_events_over_hold"] == 0 and Decimal(x0["funding_paid_estimate"]) == 0


async def test_the_panels_lines_are_wrapped_again_when_its_width_or_text_changes():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel = app.context_panel

        def drawn():
            return ["".join(seg.text for seg in panel.render_line(y)).rstrip() for y in range(len(panel._strips))]

        app.frame()
        assert drawn()[0].startswith(" Context BTCUSDT")
        long = " " + " ".join(f"word{i}" for i in range(30))  # wider than any side column
        panel._text = [(long, "fg")]  # (no market time passes here: the text stays until it changes)
        app.frame()
        wide, width = drawn(), panel.size.width
        assert len(wide) >= 2 and all(len(line) <= width for line in wide)
        await pilot.resize_terminal(124, 40)  # a narrower side column: the same text, wrapped again
        await pilot.pause()
        app.frame()
        narrow = drawn()
        assert panel.size.width < width and all(len(line) <= panel.size.width for line in narrow)
        assert len(narrow) > len(wide) and " ".join(narrow).split() == long.split()
        panel._text = [(" short", "fg")]  # new text, same size: drawn at once
        app.frame()
        assert drawn() == [" short"]
