"""dom's actions in Textual's command palette (ctrl+p), beside its own (theme, quit, keys)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from dom.ui.app import DomApp


def dom_commands(app: DomApp) -> Iterable[SystemCommand]:
    yield SystemCommand("Watchlist", "Pick the symbol to show (s)", app.action_pick_symbol)
    yield SystemCommand("Scanner", "Every symbol ranked by relative strength vs BTC, sector, moves, depth (S)",
                        app.action_scan)
    yield SystemCommand("Next symbol", "Show the next symbol of the watchlist (n)", partial(app.action_symbol, 1))
    yield SystemCommand("Previous symbol", "Show the previous symbol (p)", partial(app.action_symbol, -1))
    for sym in app.symbols():
        yield SystemCommand(f"Show {sym}", f"Switch the ladder, heatmap and tape to {sym}",
                            partial(app.show_symbol, sym), discover=False)
    yield SystemCommand("Coarser grouping", "Group more ticks per ladder row (+)", partial(app.action_group, 1))
    yield SystemCommand("Finer grouping", "Group fewer ticks per ladder row (-)", partial(app.action_group, -1))
    yield SystemCommand("Lock / unlock the ladder", "Stop / resume auto-recentring (c)", app.action_lock)
    yield SystemCommand("Tape filter", "Cycle the tape size filter: all, 2x, 5x, 10x the median (f)",
                        app.action_tape_filter)
    yield SystemCommand("Reset recent volume", "Clear the sells / buys columns of the ladder (r)",
                        app.action_reset_recent)
    yield SystemCommand("Heatmap", "Show / hide the liquidity heatmap (h)", app.action_heatmap)
    yield SystemCommand("Go to the selected alert", "Centre the ladder on it (enter)", app.action_goto_alert)
    yield SystemCommand("Set entry", "Entry of the trade plan at the ladder's cursor (e)", app.action_set_entry)
    yield SystemCommand("Set stop", "Stop of the trade plan at the ladder's cursor (t)", app.action_set_stop)
    yield SystemCommand("Clear the plan", "Clear this symbol's entry and stop (x)", app.action_clear_plan)
    yield SystemCommand("Cursor up", "Move the ladder's cursor one row up (shift+up)", partial(app.action_cursor, 1))
    yield SystemCommand("Cursor down", "Move the ladder's cursor one row down (shift+down)", partial(app.action_cursor, -1))
    yield SystemCommand("Cycle leverage", "1, 2, 3, 5, 10, 20, 25, 50x (L)", app.action_leverage)
    yield SystemCommand("Cycle risk", "Risk per trade: 0.25, 0.5, 1, 2% of equity (R)", app.action_risk)
    yield SystemCommand("Journal the trade", "Log the plan with its book context and a rationale (j)",
                        app.action_journal)
    yield SystemCommand("Help", "Every key and column (?)", app.action_help)
