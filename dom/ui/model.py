"""What the UI shows, kept apart from Textual: the engine, the tape and the alerts per symbol.

The runtime (live) or a test (a finite seeded feed) fills it; widgets read it at their frame rate.
Ingest never waits for the screen.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from dom.core.context.market import MarketContext
from dom.core.context.params import ContextParams
from dom.core.engine import Engine, ObserverBase, SymbolState
from dom.core.types import Alert, StatusChange, Trade
from dom.ui.trade_plan import TradeDesk


class TapeObserver(ObserverBase):
    """Keeps the last trades of one symbol (an engine observer, so replay and live agree)."""

    def __init__(self, tape: deque, volume: dict[int, list[int]]) -> None:
        self.tape = tape
        self.volume = volume  # session traded volume per price: [bought, sold] in lots

    def on_trade(self, sym: SymbolState, trade: Trade) -> list:
        self.tape.append(trade)
        v = self.volume.get(trade.px_ticks)
        if v is None:
            v = self.volume[trade.px_ticks] = [0, 0]
        v[0 if trade.taker.value == "buy" else 1] += trade.qty_lots
        return []


@dataclass
class UiModel:
    venue: str = ""
    engine: Engine | None = None
    tapes: dict[str, deque] = field(default_factory=dict)
    volume: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    alerts: deque = field(default_factory=lambda: deque(maxlen=500))
    live_alerts: dict[str, Alert] = field(default_factory=dict)
    events: deque = field(default_factory=lambda: deque(maxlen=200))
    stats: Any = None  # the runtime, when live: rates, feed stats, sink drops
    # Trading context (dom/core/context) and the risk desk (dom/ui/trade_plan.py).
    context: MarketContext = field(default_factory=MarketContext)
    desk: TradeDesk = field(default_factory=TradeDesk)
    plan_marks: dict[str, dict[int, str]] = field(default_factory=dict)  # ladder marks: px -> ENT/STP/TP1/TP2

    def use_context(self, params: ContextParams) -> None:
        """Set up the context and the desk from the ``[context]`` settings (before the engine)."""
        self.context = MarketContext(params.reference, params.weakness_window_s, params.weakness_drop_pct,
                                     params.oi_window_s)
        self.desk = TradeDesk(params)

    def observers(self, sym: SymbolState) -> list:
        tape = self.tapes.setdefault(sym.symbol, deque(maxlen=400))
        return [TapeObserver(tape, self.volume.setdefault(sym.symbol, {})), *self.context.observers(sym)]

    # listener protocol (dom.runtime)
    def on_status(self, change: StatusChange) -> None:
        self.events.append(change)

    def on_alert(self, alert: Alert, doc: dict | None = None) -> None:
        self.alerts.appendleft(alert)
        if alert.state.value == "end":
            self.live_alerts.pop(alert.id, None)
        else:
            self.live_alerts[alert.id] = alert

    def on_conn(self, endpoint: str, state: Any, detail: str) -> None:
        pass
