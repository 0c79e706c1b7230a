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
from dom.ui.widgets.panels import FILTERS, Alerts, StatusBar, Tape

HELP = """\
dom - keys

  n / tab      next symbol          p / shift+tab  previous symbol
  + / -        coarser / finer price grouping (1, 2, 5, 10, 25... ticks)
  c            lock the ladder here / unlock (auto-recentre)
  f            tape size filter (all, >= 2x, 5x, 10x the median trade)
  up / down    select an alert      enter          centre the ladder on it
  ?            this help            q              quit

Ladder columns: cumulative bids, bid size, price, ask size, cumulative asks,
traded volume at the price this session (bought / sold), W = a live alert;
POC / VAH / VAL = the session volume profile's point of control and 70% value area.
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
    ]

    def __init__(self, model: UiModel, runner: Callable[[UiModel], Awaitable[None]] | None = None,
                 fps: float = 20.0, symbol: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.runner = runner
        self.fps = fps
        self.symbol = symbol or ""
        self.ladder = Ladder(model)
        self.tape = Tape(model)
        self.alerts = Alerts(model)
        self.status = StatusBar(model)

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="left"):
                yield self.ladder
            with Vertical(id="right"):
                yield self.tape
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
        for w in (self.ladder, self.tape, self.alerts, self.status):
            w.refresh()

    def _show(self, symbol: str) -> None:
        self.symbol = symbol
        self.ladder.set_symbol(symbol)
        self.tape.symbol = symbol
        self.status.symbol = symbol
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
