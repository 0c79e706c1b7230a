"""dom's terminal UI: ladder, tape, alerts, status bar; keyboard-driven.

The app never imports a feed: it is given a :class:`UiModel` and, live, a coroutine that runs the
runtime (``dom tui`` / ``dom``). Rendering pulls the latest state at a capped frame rate (default
20 fps); ingest never waits for the screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from dom.ui.model import UiModel
from dom.ui.widgets.ladder import Ladder
from dom.ui.trade_plan import book_context, num
from dom.ui.widgets.context_panel import ContextPanel, JournalPrompt
from dom.ui.widgets.panels import FILTERS, Alerts, StatusBar, Tape

HELP = """\
dom - keys

  n / tab      next symbol          p / shift+tab  previous symbol
  + / -        coarser / finer price grouping (1, 2, 5, 10, 25... ticks)
  c            lock the ladder here / unlock (auto-recentre)
  f            tape size filter (all, >= 2x, 5x, 10x the median trade)
  up / down    select an alert      enter          centre the ladder on it
  shift+up/dn  move the ladder's centre row (the cursor)
  e / s        entry / stop at the centre row   x  clear entry and stop
  L / R        cycle leverage / risk %          j  journal this trade
  ?            this help            q              quit

Ladder columns: cumulative bids, bid size, price, ask size, cumulative asks,
traded volume at the price this session (bought / sold), W = a live alert;
POC / VAH / VAL = the session volume profile's point of control and 70% value area.
ENT / STP / TP1 / TP2 = the trade plan (context panel: size by the risk %,
its walk through the book, tiered exits, warnings).
A book that is not synced is not shown: the ladder says so instead.
(press any key to close)
"""


class HelpScreen(ModalScreen):
    DEFAULT_CSS = "HelpScreen { align: center middle; } #help { width: 84; height: auto; border: round $accent; padding: 1 2; background: $surface; }"

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")

    def on_key(self) -> None:
        self.dismiss()


class DomApp(App):
    TITLE = "dom"
    CSS = """
    #left { width: 3fr; }
    #right { width: 2fr; }
    Tape { border-left: solid $panel; }
    Alerts { border-top: solid $panel; border-left: solid $panel; }
    ContextPanel { border-top: solid $panel; border-left: solid $panel; }
    """
    BINDINGS = [
        Binding("q", "quit", "quit"),
        Binding("n,tab", "symbol(1)", "next symbol", priority=True),
        Binding("p,shift+tab", "symbol(-1)", "previous symbol", priority=True),
        Binding("plus,equals_sign", "group(1)", "coarser"),
        Binding("minus", "group(-1)", "finer"),
        Binding("c", "lock", "lock/unlock"),
        Binding("f", "tape_filter", "tape filter"),
        Binding("up", "alert(-1)", show=False),
        Binding("down", "alert(1)", show=False),
        Binding("enter", "goto_alert", "centre on alert"),
        Binding("question_mark", "help", "help"),
        # trading context: plan from the ladder's centre (see dom/ui/trade_plan.py)
        Binding("shift+up", "cursor(1)", show=False),
        Binding("shift+down", "cursor(-1)", show=False),
        Binding("e", "set_entry", "entry"),
        Binding("s", "set_stop", "stop"),
        Binding("x", "clear_plan", show=False),
        Binding("L", "leverage", show=False),
        Binding("R", "risk", show=False),
        Binding("j", "journal", "journal"),
    ]

    def __init__(self, model: UiModel, runner: Callable[[UiModel], Awaitable[None]] | None = None,
                 fps: float = 20.0, symbol: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.runner = runner
        self.fps = fps
        self.symbol = symbol or ""
        self.journal_path: str | None = None  # None: the journal's default path
        self.last_journal_id: int | None = None
        self.ladder = Ladder(model)
        self.tape = Tape(model)
        self.alerts = Alerts(model)
        self.status = StatusBar(model)
        self.context_panel = ContextPanel(model)

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="left"):
                yield self.ladder
            with Vertical(id="right"):
                yield self.tape
                yield self.context_panel
                yield self.alerts
        yield self.status

    def on_mount(self) -> None:
        if self.runner is not None:
            self.run_worker(self.runner(self.model), name="dom-runtime", exit_on_error=True)
        self.set_interval(1 / self.fps, self.frame)
        self.frame()

    # ------------------------------------------------------------------------------ frames
    def symbols(self) -> list[str]:
        eng = self.model.engine
        return list(eng.symbols) if eng is not None else []

    def frame(self) -> None:
        syms = self.symbols()
        if syms and self.symbol not in syms:
            self._show(syms[0])
        for w in (self.ladder, self.tape, self.context_panel, self.alerts, self.status):
            w.refresh()

    def _show(self, symbol: str) -> None:
        self.symbol = symbol
        self.ladder.set_symbol(symbol)
        self.tape.symbol = symbol
        self.status.symbol = symbol
        self.context_panel.symbol = symbol
        self.sub_title = symbol

    # ----------------------------------------------------------------------------- actions
    def action_symbol(self, step: int) -> None:
        syms = self.symbols()
        if syms:
            i = syms.index(self.symbol) if self.symbol in syms else 0
            self._show(syms[(i + step) % len(syms)])
            self.frame()

    def action_group(self, step: int) -> None:
        self.ladder.regroup(step)
        self.status.group = self.ladder.group
        self.frame()

    def action_lock(self) -> None:
        if self.ladder.locked:
            self.ladder.locked = False
        else:
            self.ladder.locked = True
        self.status.locked = self.ladder.locked
        self.frame()

    def action_tape_filter(self) -> None:
        self.tape.filter_i = (self.tape.filter_i + 1) % len(FILTERS)
        self.frame()

    def action_alert(self, step: int) -> None:
        n = len(self.model.alerts)
        if n:
            self.alerts.cursor = max(0, min(n - 1, self.alerts.cursor + step))
            self.frame()

    def action_goto_alert(self) -> None:
        alerts = list(self.model.alerts)
        if not alerts:
            return
        a = alerts[min(self.alerts.cursor, len(alerts) - 1)]
        if a.symbol != self.symbol:
            self._show(a.symbol)
        self.ladder.center_on(a.px_ticks)
        self.status.locked = True
        self.frame()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ------------------------------------------------------------------ trading context
    def cursor_px(self) -> int | None:
        """The price at the ladder's centre row (its cursor): where e / s put entry and stop."""
        eng = self.model.engine
        if eng is None or self.symbol not in eng.symbols:
            return None
        if not self.ladder.locked:
            mid2 = eng[self.symbol].book.mid2()
            if mid2 is not None:
                return (mid2 // 2) // self.ladder.group * self.ladder.group
        return self.ladder.center * self.ladder.group if self.ladder.center else None

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
            self.notify("set an entry (e) and a stop (s) first", severity="warning")
            return
        inst = self.model.engine[self.symbol].instrument
        summary = (f"{self.symbol} {view.side} {inst.qty_str(view.lots)} @ {inst.px_str(view.entry_px)} "
                   f"stop {inst.px_str(view.stop_px)}, {num(self.model.desk.leverage)}x")
        self.push_screen(JournalPrompt(summary), lambda text: self._log_trade(view, text))

    def _log_trade(self, view, text: str | None) -> None:
        if text is None:
            return
        from dom.errors import JournalError
        from dom.journal import Journal

        st = self.model.engine[self.symbol]
        inst = st.instrument
        tags = [w[1:] for w in text.split() if w.startswith("#") and len(w) > 1]
        ctx = book_context(st, self.model.context, view, list(self.model.alerts), st.stats.last_exchange_ns)
        try:
            j = Journal(self.journal_path)
            try:
                n = j.add(self.symbol, view.side, inst.px_str(view.entry_px), inst.qty_str(view.lots),
                          leverage=self.model.desk.leverage, contract_size=inst.contract_size,
                          tag=tags[0] if tags else "", rationale=text, context=ctx)
            finally:
                j.close()
        except JournalError as e:
            self.notify(str(e), severity="error", timeout=8)
            return
        self.last_journal_id = n
        self.notify(f"trade #{n} logged in {j.path}")
