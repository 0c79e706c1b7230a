"""Modal screens: the help (every key) and the watchlist picker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

HELP = """\
dom - keys (press any key to close)

  n / tab      next symbol              p / shift+tab  previous symbol
  s            watchlist: pick a symbol ctrl+p         command palette, themes
  S            scanner: every symbol ranked (relative strength vs BTC...); o re-ranks, enter opens
  + / -        coarser / finer price grouping (1, 2, 5, 10, 25... ticks)
  c            lock the ladder here / unlock (auto-recentre on the market)
  pgup / pgdn  scroll the ladder (locks it; the mouse wheel too)
  r            reset the recent traded volume (sells / buys columns)
  f            tape size filter (all, >= 2x, 5x, 10x the median trade)
  h            show / hide the heatmap
  up / down    select an alert          enter          centre the ladder on it
  shift+up / shift+down  move the ladder's cursor (its centre row; locks the ladder)
  e / t        entry / stop at cursor   x              clear entry and stop
  L / R        cycle leverage / risk %  j              log the trade in the journal
  X            exit the open journal trade at the touch: half (TP1), then the rest
  space        pause / play a replay    > / <          replay faster / slower (x1..x50)
  [ / ]        replay -10 s / +10 s     }              replay on to the next alert
  g            replay: go to a time (HH:MM[:SS] UTC, or +N / -N seconds)
  ?            this help                q              quit

Ladder: cum = cumulative depth from the best price; +-bid / +-ask = displayed size
change over the last 5 s (+ stacking, - pulling or traded away); sells / buys =
recent traded volume at the price by aggressor; bid / ask shaded by size;
traded b/s = session volume bought / sold; profile = session volume profile with
POC (point of control), VAH / VAL (70% value area); marks: W wall, I iceberg,
A absorption, S spoof (a live alert on the level). The last trade's price is
highlighted. Heatmap: resting size over time on the ladder's rows (dark = little,
bright = a lot), trades as dots in the aggressor's colour, a dotted column where
the book lost sync. A book that is not synced is not shown: the ladder says so.
Trade plan: ENT / STP / TP1 / TP2 in the profile's tag slot. The context panel (from
120x36): funding, OI, 24 h, BTC; the size for the risk %, its walk, tiered exits."""


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help { width: 88; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
            padding: 0 1; background: $surface; overflow-y: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")

    def on_key(self) -> None:
        self.dismiss()


class SymbolPicker(ModalScreen[str]):
    """The watchlist: every symbol with its book state, last price and live alerts; enter picks."""

    DEFAULT_CSS = """
    SymbolPicker { align: center middle; }
    SymbolPicker > OptionList { width: 64; max-width: 100%; height: auto; max-height: 80%;
                                border: round $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,s,q", "dismiss_none", "close")]

    def __init__(self, rows: list[tuple[str, str]], current: str) -> None:
        super().__init__()
        self.rows = rows
        self.current = current

    def compose(self) -> ComposeResult:
        ol = OptionList(*[Option(text, id=sym) for sym, text in self.rows], id="watchlist")
        ol.border_title = "watchlist (enter: show, esc: close)"
        yield ol

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [s for s, _ in self.rows]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class SeekPrompt(ModalScreen[str | None]):
    """Where to go in a replayed recording: ``HH:MM[:SS]`` (UTC) or ``+N`` / ``-N`` seconds."""

    DEFAULT_CSS = ("SeekPrompt { align: center middle; } #seekbox { width: 60; height: auto; "
                   "border: round $accent; padding: 1 2; background: $surface; }")
    BINDINGS = [("escape", "cancel", "cancel")]

    def __init__(self, now: str) -> None:
        super().__init__()
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="seekbox"):
            yield Static(f"Go to (the recording is at {self.now} UTC):\nHH:MM[:SS] UTC, or +N / -N seconds")
            yield Input(placeholder="e.g. 14:05:30, -30, +2m", id="seekinput")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
