"""The main screen's containers and how wide its side column is.

The containers draw nothing of their own: the panels (heatmap, ladder, tape, context, alerts)
cover them, and Textual is told so (see :class:`Main`).
"""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from dom.ui.widgets.context_panel import LINE

__all__ = ["CONTEXT_MIN", "CONTEXT_WIDTH", "Main", "MainScreen", "Side", "side_width"]


class Main(Horizontal):
    """Heatmap | ladder | tape over the context panel over alerts.

    ``BLANK`` and hidden (its panels visible): the panels cover it and it has no border or
    content of its own, so it is left out of what Textual paints. Each partial repaint (the
    panels' changed lines: every frame) would otherwise render its lines and cut each at the
    panels' edges, to be covered by them. Hidden, it gets no resize event: the screen re-fits
    the panels (:class:`MainScreen`)."""

    BLANK = True
    DEFAULT_CSS = "Main { visibility: hidden; } Main > * { visibility: visible; }"


class Side(Vertical):
    """The tape, context panel and alerts column: covered by them, ``BLANK`` and hidden like
    :class:`Main`."""

    BLANK = True
    DEFAULT_CSS = "Side { visibility: hidden; } Side > * { visibility: visible; }"


class MainScreen(Screen):
    """The app's first screen: covered by :class:`Main` and the status bar, ``BLANK`` too (not
    hidden: it is what is under any cell no panel covers). A new terminal size re-fits the
    panels."""

    BLANK = True

    def on_resize(self) -> None:
        self.app.relayout()


CONTEXT_WIDTH = LINE + 1  # the context panel's lines and its border
CONTEXT_MIN = (120, 36)  # terminal size from which the context panel is shown


def side_width(width: int, context: bool = False) -> int:
    """Width of the tape / context / alerts column for a terminal ``width`` cells wide; with the
    context panel in it (``context``), at least ``CONTEXT_WIDTH``."""
    w = 32 if width < 100 else 36 if width < 130 else 42 if width < 160 else 52
    return max(w, CONTEXT_WIDTH) if context else w
