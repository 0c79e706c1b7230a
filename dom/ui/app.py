"""dom's terminal UI: heatmap, ladder, tape, context panel, alerts, status bar; keyboard-driven.

The app never imports a feed: it is given a :class:`UiModel` and, live, a coroutine that runs the
runtime (``dom tui`` / ``dom``). Rendering pulls the latest state at a capped frame rate (default
20 fps): each frame the widgets compute what they show once (``prepare``), then repaint; ingest
never waits for the screen. ``fps=0`` runs no frame timer (tests call :meth:`DomApp.frame`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Iterable

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from dom.runtime.view import UiModel
from dom.ui.commands import dom_commands
from dom.ui.layout import CONTEXT_MIN, Main, MainScreen, Side, side_width
from dom.ui.palette import Palette
from dom.ui.partial_updates import install as _lighter_partial_updates
from dom.ui.screens import HELP, HelpScreen, SymbolPicker
from dom.ui.strip_cycles import install as _strips_without_cycles
from dom.ui.trade_actions import TradeActions
from dom.ui.widgets.alerts import Alerts
from dom.ui.widgets.context_panel import ContextPanel
from dom.ui.widgets.heatmap import Heatmap
from dom.ui.widgets.ladder import Ladder
from dom.ui.widgets.status import FrameStats, StatusBar
from dom.ui.widgets.tape import FILTERS, Tape

__all__ = ["HELP", "DomApp", "HelpScreen", "SymbolPicker"]

_strips_without_cycles()  # see dom/ui/strip_cycles.py: repainted lines freed at once, not by the GC
_lighter_partial_updates()  # see dom/ui/partial_updates.py: no empty cursor moves, moves kept per position

FRAME_BUDGET = 16  # deferrable lines per frame (see DomApp.frame)
LINE_BUDGET = 40  # lines a frame repaints before the heatmap's waiting rows yield ...
HEAT_MIN = 4  # ... down to this many


class DomApp(TradeActions, App):
    TITLE = "dom"
    CSS = """
    #main { height: 1fr; }
    #right { width: 38; }
    Heatmap { border-right: solid $panel; }
    Tape { border-left: solid $panel; }
    Alerts { border-top: solid $panel; border-left: solid $panel; }
    ContextPanel { border-top: solid $panel; border-left: solid $panel; }
    """
    BINDINGS = [
        Binding("q", "quit", "quit"),
        Binding("n,tab", "symbol(1)", "next symbol", priority=True),
        Binding("p,shift+tab", "symbol(-1)", "previous symbol", priority=True),
        Binding("s", "pick_symbol", "watchlist"),
        Binding("S", "scan", "scanner"),
        Binding("plus,equals_sign", "group(1)", "coarser"),
        Binding("minus", "group(-1)", "finer"),
        Binding("c", "lock", "lock/unlock"),
        Binding("pageup", "scroll_ladder(1)", show=False),
        Binding("pagedown", "scroll_ladder(-1)", show=False),
        Binding("r", "reset_recent", "reset recent volume"),
        Binding("f", "tape_filter", "tape filter"),
        Binding("h", "heatmap", "heatmap"),
        Binding("up", "alert(-1)", show=False),
        Binding("down", "alert(1)", show=False),
        Binding("enter", "goto_alert", "centre on alert"),
        Binding("question_mark", "help", "help"),
        # the trade plan, from the ladder's cursor (dom/ui/trade_actions.py, dom/core/context/desk.py)
        Binding("shift+up", "cursor(1)", show=False),
        Binding("shift+down", "cursor(-1)", show=False),
        Binding("e", "set_entry", "entry"),
        Binding("t", "set_stop", "stop"),
        Binding("x", "clear_plan", show=False),
        Binding("L", "leverage", show=False),
        Binding("R", "risk", show=False),
        Binding("j", "journal", "journal"),
        Binding("X", "journal_exit", "exit trade", show=False),
        # a replayed recording's transport (dom tui --replay FILE)
        Binding("space", "transport('toggle_pause')", "pause/play", show=False),
        Binding("greater_than_sign", "transport('faster')", "faster", show=False),
        Binding("less_than_sign", "transport('slower')", "slower", show=False),
        Binding("right_square_bracket", "transport('seek')", "+10 s", show=False),
        Binding("left_square_bracket", "transport('back')", "-10 s", show=False),
        Binding("g", "transport('goto')", "go to time", show=False),
        Binding("right_curly_bracket", "transport('next_alert')", "next alert", show=False),
    ]

    def __init__(self, model: UiModel, runner: Callable[[UiModel], Awaitable[None]] | None = None,
                 fps: float = 20.0, symbol: str | None = None,
                 clock: Callable[[], int] | None = time.time_ns, scan: bool = False) -> None:
        super().__init__()
        self.model = model
        self.open_scan = scan  # dom scan: the scanner opens once the symbols are known
        self.watchlist: set[str] = set()  # the scanner's pinned symbols, for the session
        self.recent: list[str] = []  # the symbols last on the ladder, newest first
        self.followed: set[str] = set()  # whole-venue mode: the symbols whose depth is followed
        self.runner = runner
        self.fps = fps
        self.symbol = symbol or ""
        self.show_heat = True
        self.frames = FrameStats(clock, fps)
        self.ladder = Ladder(model)
        self.heatmap = Heatmap(model)
        self.tape = Tape(model)
        self.alerts = Alerts(model)
        self.status = StatusBar(model, self.frames)
        self.context_panel = ContextPanel(model)
        self._young_gc = False  # collect the young generations at each frame (see collect_garbage)

    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        with Main(id="main"):
            yield self.heatmap
            yield self.ladder
            with Side(id="right"):
                yield self.tape
                yield self.context_panel
                yield self.alerts
        yield self.status

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _theme: self._apply_palette())
        self._apply_palette()
        self.relayout()
        if self.runner is not None:
            self.run_worker(self.runner(self.model), name="dom-runtime", exit_on_error=True)
        if self.fps > 0:
            self.set_interval(1 / self.fps, self.frame)
            self.set_timer(5, self.collect_garbage)
        self.frame()

    def collect_garbage(self) -> None:
        """Tune the garbage collector for a steady frame rate (called 5 s after start): collect,
        then freeze what survived (modules, the app, the books: never garbage) so collections do
        not scan it, and run full collections 10x less often. Unfrozen objects are mostly the
        screen's cached lines; a full collection over them costs ~20 ms, and with Python's default
        thresholds it came every ~3 s, the slowest frames in ``benchmarks/ui.py``.

        From then on each frame starts with a collection of the young generations
        (:meth:`frame`): what the last frames left (mostly the repainted lines' strips), ~0.3 ms
        every frame, where the automatic collections had taken ~2 ms every third frame and 5-10 ms
        every ~30th, whichever frame they fell in. The automatic thresholds stay as they were, for
        what ingest allocates between frames (and the full collections)."""
        gc.collect()
        gc.freeze()
        g0, g1, _ = gc.get_threshold()
        gc.set_threshold(g0, g1, 100)
        self._young_gc = True

    def relayout(self) -> None:
        """Fit the panels to the terminal: narrower side column, fewer ladder columns, no
        heatmap below 100 columns (``h`` toggles it), no context panel below 120x36."""
        w, h = self.size
        right = self.query_one("#right")
        ctx = w >= CONTEXT_MIN[0] and h >= CONTEXT_MIN[1]
        self.context_panel.display = ctx
        rw = side_width(w, ctx)
        heat = self.show_heat and w >= 100
        self.heatmap.display = heat
        budget = w - rw - ((16 if w < 130 else 24) if heat else 0)
        self.ladder.styles.width = self.ladder.fit(budget) if heat else max(10, self.ladder.fit(budget))
        right.styles.width = rw if heat else "1fr"
        self.frame()

    def _apply_palette(self) -> None:
        pal = Palette(self.get_css_variables())
        for w in (self.ladder, self.heatmap, self.tape, self.context_panel, self.alerts, self.status):
            w.palette = pal
        self.frame()

    # ------------------------------------------------------------------------------ frames
    def symbols(self) -> list[str]:
        eng = self.model.engine
        return list(eng.symbols) if eng is not None else []

    def frame(self) -> None:
        if self._young_gc:
            gc.collect(1)
        syms = self.symbols()
        if syms and self.open_scan:
            self.open_scan = False
            self.call_later(self.action_scan)
        if syms and (self.symbol not in syms or self.ladder.symbol != self.symbol):
            self.show_symbol(self.symbol if self.symbol in syms else syms[0])  # the one asked for, else the first
            return
        self.follow_depth()
        self.frames.tick(self.model, self.symbol)
        # The plan first: its marks (entry, stop, targets) are drawn on the ladder.
        self.context_panel.prepare()
        # Deferrable lines (the ladder's slower columns, heatmap rows after a time step) share a
        # budget per frame: a frame's cost is mostly the lines it repaints. The heatmap's rows
        # also yield to the lines that cannot wait (the ladder's, the tape's), down to a few.
        self.tape.prepare()
        used = self.ladder.prepare(FRAME_BUDGET)
        if self.heatmap.display:
            urgent = self.ladder.dirty_lines() + self.tape.dirty_lines()
            self.heatmap.prepare(self.ladder.axis, max(HEAT_MIN, min(FRAME_BUDGET - used, LINE_BUDGET - urgent)))
        self.alerts.prepare()
        for w in (self.ladder, self.heatmap, self.tape, self.context_panel, self.alerts):
            w.flush()  # only the lines that changed are repainted
        self.status.update_line()

    def follow_depth(self) -> None:
        """Whole-venue mode (the scanner on Binance USDⓈ-M or the built-in market): the depth of
        the symbol on the ladder, the two shown before it and the pinned ones is followed; every
        other symbol by its best bid/ask and trades. A follow the client cannot make yet (not
        started) is tried again on the next frame."""
        drv = self.model.stats
        if not getattr(drv, "whole_venue", False):
            return
        want = self.watchlist.union(self.recent)
        if want == self.followed:
            return
        for sym in sorted(want - self.followed):
            if drv.follow(sym, True):
                self.followed.add(sym)
        for sym in sorted(self.followed - want):
            drv.follow(sym, False)
            self.followed.discard(sym)

    def show_symbol(self, symbol: str) -> None:
        self.recent = ([symbol] + [s for s in self.recent if s != symbol])[:3]
        self.symbol = symbol
        self.ladder.set_symbol(symbol)
        self.tape.symbol = symbol
        self.context_panel.symbol = symbol
        self.status.symbol = symbol
        self.status.locked = False
        self.sub_title = symbol
        self.relayout()

    # ----------------------------------------------------------------------------- actions
    def action_symbol(self, step: int) -> None:
        syms = self.symbols()
        if syms:
            i = syms.index(self.symbol) if self.symbol in syms else 0
            self.show_symbol(syms[(i + step) % len(syms)])

    def action_scan(self) -> None:
        """The scanner: every symbol ranked (``S``); enter opens the ladder on one."""
        if self.model.engine is None:
            return
        from dom.ui.scan_screen import ScanScreen

        def chosen(sym: str | None) -> None:
            if sym:
                self.show_symbol(sym)

        screen = ScanScreen(self.model.scan, self.symbol, refresh_s=1.0 if self.fps else 0)
        screen.watchlist = self.watchlist  # the same set: pins outlive the screen
        self.push_screen(screen, chosen)

    def action_pick_symbol(self) -> None:
        eng = self.model.engine
        if eng is None:
            return
        rows = []
        for sym, st in eng.symbols.items():
            last = st.last_trade
            px = st.instrument.px_str(last.px_ticks) if last is not None else "-"
            live = sum(1 for a in self.model.live_alerts.values() if a.symbol == sym)
            rows.append((sym, f"{sym:<12} {st.state.value:<10} {px:>12}  {live} live alert{'' if live == 1 else 's'}"))

        def chosen(sym: str | None) -> None:
            if sym:
                self.show_symbol(sym)

        self.push_screen(SymbolPicker(rows, self.symbol), chosen)

    def action_group(self, step: int) -> None:
        self.ladder.regroup(step)
        self.status.group = self.ladder.group
        self.status.locked = False
        self.frame()

    def action_lock(self) -> None:
        if self.ladder.locked:
            self.ladder.unlock()
        else:
            self.ladder.locked = True
        self.status.locked = self.ladder.locked
        self.frame()

    def action_scroll_ladder(self, direction: int) -> None:
        self.ladder.scroll_rows(direction * max(1, (self.ladder.size.height - 1) // 2))
        self.status.locked = True
        self.frame()

    def action_reset_recent(self) -> None:
        flow = self.model.flows.get(self.symbol)
        if flow is not None:
            flow.reset_recent(self.model.now_ns())
            self.notify(f"recent volume of {self.symbol} reset", timeout=2)
        self.frame()

    def action_tape_filter(self) -> None:
        self.tape.filter_i = (self.tape.filter_i + 1) % len(FILTERS)
        self.frame()

    def action_transport(self, what: str) -> None:
        """Space pauses, > and < change the speed, ] and [ jump 10 s ahead or back, g asks for a
        time, } plays on to the next alert: on a replayed recording only (a live feed has no
        transport)."""
        tr = self.model.transport
        if tr is None:
            self.notify("transport keys work on a replayed recording (dom tui --replay FILE)", timeout=2)
            return
        if what == "seek":
            tr.seek(10)
        elif what == "back":
            tr.seek(-10)
        elif what == "goto":
            from dom.ui.screens import SeekPrompt

            now = time.strftime("%H:%M:%S", time.gmtime(tr.rec_ns / 1e9))
            self.push_screen(SeekPrompt(now), self._seek_to)
        else:
            getattr(tr, what)()

    def _seek_to(self, text: str | None) -> None:
        from dom.runtime.replay_feed import parse_seek

        tr = self.model.transport
        if not text or tr is None:
            return
        try:
            tr.seek_to(parse_seek(text, tr.rec_ns))
        except ValueError as e:
            self.notify(str(e), severity="warning", timeout=4)

    def action_heatmap(self) -> None:
        self.show_heat = not self.show_heat
        self.relayout()

    def action_alert(self, step: int) -> None:
        self.alerts.move(step)
        self.frame()

    def action_goto_alert(self) -> None:
        a = self.alerts.selected()
        if a is not None:
            self.alerts.selected_id = a.id
            self.goto(a)

    @on(Alerts.Selected)
    def _alert_clicked(self, event: Alerts.Selected) -> None:
        self.goto(event.alert)

    def goto(self, a) -> None:
        if a.symbol != self.symbol:
            self.show_symbol(a.symbol)
        self.ladder.center_on(a.px_ticks)
        self.status.locked = True
        self.frame()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from dom_commands(self)
