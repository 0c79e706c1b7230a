"""What the UI shows, kept apart from Textual: the engine, and per symbol the tape, traded volume,
level changes and heatmap history (engine observers, see ``dom.ui.history``) and the alerts.

The runtime (live) or a test (a finite seeded feed) fills it; widgets read it at their frame rate.
Ingest never waits for the screen.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from dom.core.context.market import MarketContext
from dom.core.context.params import ContextParams
from dom.core.engine import Engine, SymbolState
from dom.core.types import Alert, AlertState, StatusChange
from dom.ui.history import HeatRing, LevelChanges, TradeFlow
from dom.ui.trade_plan import TradeDesk

MAX_EPISODES = 300


@dataclass
class UiModel:
    venue: str = ""
    engine: Engine | None = None
    flows: dict[str, TradeFlow] = field(default_factory=dict)
    changes: dict[str, LevelChanges] = field(default_factory=dict)
    heat: dict[str, HeatRing] = field(default_factory=dict)
    alerts: deque = field(default_factory=lambda: deque(maxlen=500))  # every alert event, newest first
    episodes: dict[str, Alert] = field(default_factory=dict)  # latest event per alert id, newest last
    live_alerts: dict[str, Alert] = field(default_factory=dict)  # episodes not ended
    events: deque = field(default_factory=lambda: deque(maxlen=200))
    last_status: dict[str, StatusChange] = field(default_factory=dict)
    stats: Any = None  # the runtime, when live: rates, feed stats, sink drops
    heat_slot_ms: int = 250
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
        s = sym.symbol
        flow = self.flows.setdefault(s, TradeFlow())
        chg = self.changes.setdefault(s, LevelChanges())
        heat = self.heat.setdefault(s, HeatRing(slot_ms=self.heat_slot_ms))
        return [flow, chg, heat, *self.context.observers(sym)]

    def now_ns(self) -> int:
        """The market's clock: the newest exchange time seen on any symbol (0 before any)."""
        eng = self.engine
        if eng is None:
            return 0
        return max((st.stats.last_exchange_ns for st in eng.symbols.values()), default=0)

    def episode_list(self) -> list[Alert]:
        """One row per alert episode (its latest event), newest first."""
        return list(reversed(self.episodes.values()))

    # listener protocol (dom.runtime)
    def on_status(self, change: StatusChange) -> None:
        self.events.append(change)
        self.last_status[change.symbol] = change

    def on_alert(self, alert: Alert, doc: dict | None = None) -> None:
        self.alerts.appendleft(alert)
        self.episodes.pop(alert.id, None)
        self.episodes[alert.id] = alert
        if len(self.episodes) > MAX_EPISODES:
            for k in [k for k, a in self.episodes.items() if a.state is AlertState.END][: len(self.episodes) - MAX_EPISODES]:
                del self.episodes[k]
            while len(self.episodes) > MAX_EPISODES:
                del self.episodes[next(iter(self.episodes))]
        if alert.state is AlertState.END:
            self.live_alerts.pop(alert.id, None)
        else:
            self.live_alerts[alert.id] = alert

    def on_conn(self, endpoint: str, state: Any, detail: str) -> None:
        pass
