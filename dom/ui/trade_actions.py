"""The trade plan's keys on the app: the ladder's cursor (its centre row), entry and stop there,
leverage and risk, and the journal (``j``). A mixin of :class:`dom.ui.app.DomApp`, kept apart so
the app stays small; the desk itself (no Textual) is :mod:`dom.core.context.desk`."""

from __future__ import annotations

import time
from typing import Any

from dom.core.context.desk import PlanView, book_context, num
from dom.ui.widgets.context_panel import JournalPrompt


class TradeActions:
    # Provided by the app (dom.ui.app.DomApp).
    model: Any
    symbol: str
    ladder: Any
    status: Any
    context_panel: Any
    frame: Any
    notify: Any
    push_screen: Any

    journal_path: str | None = None  # None: the journal's default path
    last_journal_id: int | None = None

    def cursor_px(self) -> int | None:
        """The price at the ladder's cursor, where ``e`` / ``t`` put entry and stop: its centre
        row when locked (shift+up / shift+down move it), the mid when it follows the market."""
        eng = self.model.engine
        if eng is None or self.symbol not in eng.symbols:
            return None
        g = self.ladder.group
        if not self.ladder.locked:
            mid2 = eng[self.symbol].book.mid2()
            if mid2 is not None:
                return (mid2 // 2) // g * g
        return self.ladder.center * g if self.ladder.center else None

    def action_cursor(self, step: int) -> None:
        px = self.cursor_px()
        if px is not None:
            self.ladder.center_on(px + step * self.ladder.group)
            self.status.locked = True
            self.frame()

    def action_set_entry(self) -> None:
        px = self.cursor_px()
        if px is not None:
            self.model.desk.set_entry(self.symbol, px)
            self.frame()

    def action_set_stop(self) -> None:
        px = self.cursor_px()
        if px is not None:
            self.model.desk.set_stop(self.symbol, px)
            self.frame()

    def action_clear_plan(self) -> None:
        self.model.desk.clear(self.symbol)
        self.frame()

    def action_leverage(self) -> None:
        self.model.desk.cycle_leverage()
        self.frame()

    def action_risk(self) -> None:
        self.model.desk.cycle_risk()
        self.frame()

    def action_journal(self) -> None:
        view = self.context_panel.evaluate()
        if view is None or view.sizing is None:
            self.notify("set an entry (e) and a stop (t) first", severity="warning")
            return
        inst = self.model.engine[self.symbol].instrument
        summary = (f"{self.symbol} {view.side} {inst.qty_str(view.lots)} @ {inst.px_str(view.entry_px)} "
                   f"stop {inst.px_str(view.stop_px)}, {num(self.model.desk.leverage)}x")
        at = self.model.moment(time.time_ns())  # the moment j was pressed, not the end of typing
        self.push_screen(JournalPrompt(summary), lambda text: self._log_trade(view, text, at))

    def _log_trade(self, view: PlanView, text: str | None, at: dict | None = None) -> None:
        """Write the entry in a worker thread: SQLite I/O never runs on the UI's event loop."""
        if text is None:
            return
        st = self.model.engine[view.symbol]
        inst = st.instrument
        tags = [w[1:] for w in text.split() if w.startswith("#") and len(w) > 1]
        ctx = book_context(st, self.model.context, view, list(self.model.alerts), st.stats.last_exchange_ns)
        if at is not None:
            ctx["recording"] = at
        entry = dict(symbol=view.symbol, side=view.side, entry=inst.px_str(view.entry_px),
                     contracts=inst.qty_str(view.lots), leverage=self.model.desk.leverage,
                     contract_size=inst.contract_size, tag=tags[0] if tags else "", rationale=text, context=ctx,
                     stop=inst.px_str(view.stop_px), equity=str(self.model.desk.equity))
        self.run_worker(lambda: self._write_journal(entry), thread=True, name="dom-journal", group="journal")

    def _write_journal(self, entry: dict) -> None:
        from dom.errors import JournalError
        from dom.store.journal import Journal

        try:
            j = Journal(self.journal_path)
            try:
                n = j.add(**entry)
            finally:
                j.close()
        except JournalError as e:
            self.call_from_thread(self.notify, str(e), severity="error", timeout=8)
            return
        self.call_from_thread(self._logged, n, str(j.path))

    def _logged(self, n: int, path: str) -> None:
        self.last_journal_id = n
        self.notify(f"trade #{n} logged in {path}")

    # ------------------------------------------------------------------------------- exits
    def action_journal_exit(self) -> None:
        """X: exit the symbol's open journal trade at the touch (a long sells at the best bid, a
        short buys at the best ask): half of it if nothing was taken yet (TP1), else the rest."""
        st = self.model.engine[self.symbol]
        if not st.synced:
            self.notify("the book is not synced: no price to exit at", severity="warning")
            return
        inst = st.instrument
        bid, ask = st.book.best_bid(), st.book.best_ask()
        ctx = book_context(st, self.model.context, None, list(self.model.alerts), st.stats.last_exchange_ns)
        prices = {"long": inst.px_str(bid[0]) if bid else None, "short": inst.px_str(ask[0]) if ask else None}
        self.run_worker(lambda: self._write_exit(self.symbol, prices, ctx), thread=True, name="dom-journal",
                        group="journal")

    def _write_exit(self, symbol: str, prices: dict, ctx: dict) -> None:
        from dom.errors import JournalError
        from dom.store.journal import Journal

        try:
            j = Journal(self.journal_path)
            try:
                open_ = [t for t in j.list() if t["symbol"] == symbol and j.realized(t["id"]).open > 0]
                if not open_:
                    self.call_from_thread(self.notify, f"no open {symbol} trade in the journal", severity="warning")
                    return
                t = open_[-1]
                price = prices[t["side"]]
                if price is None:
                    raise JournalError("no price on that side of the book")
                first = not j.exits(t["id"])
                _funding_paid(t, ctx)
                r = j.exit(t["id"], price, fraction="0.5" if first else None, note="TP1" if first else "rest",
                           context=ctx)
            finally:
                j.close()
        except JournalError as e:
            self.call_from_thread(self.notify, str(e), severity="error", timeout=8)
            return
        extra = (f", {r.pct_equity:.2f}% of equity" if r.pct_equity is not None else "") + (
            f", {r.r:+.2f}R" if r.r is not None else "")
        self.call_from_thread(self.notify, f"trade #{t['id']} {r.status} at {price}: realized {r.pnl:+.2f}{extra}")


def _funding_paid(trade: dict, ctx: dict) -> None:
    """Add the funding settled over the hold to an exit's context (an estimate: see
    :func:`dom.core.context.pnl.funding_over_hold`), when entry and exit both know the schedule."""
    import json
    from decimal import Decimal, InvalidOperation

    from dom.core.context.pnl import funding_over_hold

    try:
        at_entry = json.loads(trade.get("context") or "{}").get("next_funding_ns")
        if not isinstance(at_entry, int) or "next_funding_ns" not in ctx or "mark" not in ctx:
            return
        n, amount = funding_over_hold(trade["side"], Decimal(trade["contracts"]), Decimal(trade["contract_size"]),
                                      Decimal(ctx["mark"]), Decimal(ctx["funding_rate"]), at_entry,
                                      ctx["next_funding_ns"])
    except (ValueError, InvalidOperation, AttributeError, KeyError, TypeError):
        return
    ctx["funding_events_over_hold"] = n
    ctx["funding_paid_estimate"] = str(amount.quantize(Decimal("0.0001")))
