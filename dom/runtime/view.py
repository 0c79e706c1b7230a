"""What the UI shows, kept apart from Textual: the engine, and per symbol the tape, traded volume,
level changes and heatmap history (engine observers, see ``dom.core.history``) and the alerts.

The runtime (live) or a test (a finite seeded feed) fills it; widgets read it at their frame rate.
Ingest never waits for the screen.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from dom.core.context.desk import TradeDesk
from dom.core.context.market import MarketContext
from dom.core.engine import Engine, SymbolState
from dom.core.history import HeatRing, LevelChanges, TradeFlow
from dom.core.types import Alert, AlertKind, AlertState, BookSide, StatusChange
from dom.runtime.pipeline import Pipeline

MAX_EPISODES = 300


@dataclass
class UiModel:
    venue: str = ""
    pipeline: Pipeline | None = None
    flows: dict[str, TradeFlow] = field(default_factory=dict)
    changes: dict[str, LevelChanges] = field(default_factory=dict)
    heat: dict[str, HeatRing] = field(default_factory=dict)
    alerts: deque = field(default_factory=lambda: deque(maxlen=500))  # every alert event, newest first
    episodes: dict[str, Alert] = field(default_factory=dict)  # latest event per alert id, newest last
    episodes_changed: int = 0  # counts every change of ``episodes`` (the alerts pane redraws its list on it)
    live_alerts: dict[str, Alert] = field(default_factory=dict)  # episodes not ended
    events: deque = field(default_factory=lambda: deque(maxlen=200))
    last_status: dict[str, StatusChange] = field(default_factory=dict)
    stats: Any = None  # the live driver, when live: rates, feed stats, sink drops
    heat_slot_ms: int = 250
    plan_marks: dict[str, dict[int, str]] = field(default_factory=dict)  # ladder marks: px -> ENT/STP/TP1/TP2
    replay_state: str = ""  # "end of recording" once a replayed file is through
    transport: Any = None  # a replayed recording's ReplayFeed: pause, speed, seek (the screen's keys)
    recording: str = ""  # the continuous recording's directory, when one is kept (journal entries link to it)
    _context: MarketContext = field(default_factory=MarketContext)
    _desk: TradeDesk = field(default_factory=TradeDesk)
    _trends: dict = field(default_factory=dict)  # symbol -> (when, (1 m bias, 5 m bias))
    _ranks: Any = None  # the scanner's sector ranks over time (dom.core.context.strength.RankHistory)
    mark_against_trend: bool = True  # [ui] mark_against_trend: flag alerts against the 1 m trend

    def attach(self, pipeline: Pipeline) -> None:
        """Watch ``pipeline`` (build it with ``observers=(model.observers,)``)."""
        self.pipeline = pipeline
        self.venue = pipeline.venue
        pipeline.subscribe(self)

    def moment(self, now_ns: int) -> dict[str, Any] | None:
        """Where the recording of this moment is, for a journal entry (``dom journal replay``):
        the replayed files at their current time, or the continuous recording at ``now_ns``
        (wall clock: its receive times); None when nothing records the session."""
        tr = self.transport
        if tr is not None:
            return {"paths": [str(p) for p in tr.replay.paths], "recv_ns": tr.rec_ns}
        if self.recording:
            return {"dir": self.recording, "recv_ns": now_ns}
        return None

    def rewind(self) -> None:
        """A replay starts over (seeking back): forget what was seen, then reset the pipeline."""
        for d in (self.flows, self.changes, self.heat, self.episodes, self.live_alerts, self.last_status):
            d.clear()
        self.episodes_changed += 1
        self.alerts.clear()
        self.events.clear()
        self.replay_state = ""
        if self.pipeline is not None:
            self.pipeline.reset()

    @property
    def engine(self) -> Engine | None:
        return self.pipeline.engine if self.pipeline is not None else None

    @property
    def context(self) -> MarketContext:
        """The pipeline's market context (an empty one when it keeps none)."""
        p = self.pipeline
        return p.context if p is not None and p.context is not None else self._context

    @property
    def desk(self) -> TradeDesk:
        return self.pipeline.desk if self.pipeline is not None else self._desk

    def observers(self, sym: SymbolState) -> list:
        s = sym.symbol
        flow = self.flows.setdefault(s, TradeFlow())
        chg = self.changes.setdefault(s, LevelChanges())
        heat = self.heat.setdefault(s, HeatRing(slot_ms=self.heat_slot_ms))
        return [flow, chg, heat]

    def scan(self, sort: str = "rs_1h") -> dict:
        """The scanner's document (``dom.runtime.scan``) for the screen, from the live alerts here."""
        from dom.runtime.scan import scan_doc

        from dom.core.context.strength import RankHistory

        if self._ranks is None:
            self._ranks = RankHistory()
        return scan_doc(self.pipeline, _LiveCounts(self.live_alerts), sort, history=self._ranks)

    def trend(self, symbol: str) -> tuple[Any, Any] | None:
        """The symbol's (1 m, 5 m) trend bias (``dom.core.context.trend.Bias``), worked out at
        most once per second of market time (the screen asks every frame); None before any bar."""
        c = self.context.symbols.get(symbol)
        if c is None or not c.bars_1m.closes:
            return None
        key = (c.last_ns // 1_000_000_000, len(c.bars_1m.closes), len(c.bars_5m.closes))
        hit = self._trends.get(symbol)
        if hit is None or hit[0] != key:
            from dom.core.context.trend import bias  # (imported when first needed, not at each call)

            hit = self._trends[symbol] = (key, (bias(c.bars_1m.closes), bias(c.bars_5m.closes)))
        return hit[1]

    def trend_text(self, symbol: str) -> str:
        """The symbol's trend bias for the status line: per 1 m and 5 m bars, the last bar against
        its EMA20 (up / down) and the RSI14 (with its band when outside 30-70); the warm-up
        (bars so far / 20) before there are enough bars; "" before any bar."""
        t = self.trend(symbol)
        if t is None:
            return ""
        out = []
        for name, b in zip(("1m", "5m"), t):
            if not b.bars:
                continue
            if not b.ready:
                out.append(f"{name} {b.bars}/{b.need} bars")
                continue
            band = b.band()
            out.append(f"{name} {b.direction} RSI {b.rsi:.0f}" + (f" {band}" if band not in ("", "neutral") else ""))
        return "trend " + ", ".join(out) if out else ""

    def against_trend(self, alert: Alert) -> bool:
        """Does ``alert`` point against its symbol's 1 m trend? A wall, iceberg or absorption on
        the bid is support (a long's signal), on the ask resistance; pulled liquidity points the
        other way (a bid pulled is support that was never meant). Against: a long's signal while
        the last 1 m bar is under its EMA20, or a short's while it is over it."""
        t = self.trend(alert.symbol)
        if t is None or not t[0].ready or t[0].direction == "flat":
            return False
        if alert.kind in (AlertKind.BURST, AlertKind.SWEEP):
            longish = alert.side is BookSide.ASK  # buyers taking the asks
        else:
            longish = (alert.side is BookSide.BID) != (alert.kind is AlertKind.SPOOF)
        return (t[0].direction == "down") if longish else (t[0].direction == "up")

    def now_ns(self) -> int:
        """The market's clock: the newest exchange time seen on any symbol (0 before any)."""
        eng = self.engine
        if eng is None:
            return 0
        return max((st.stats.last_exchange_ns for st in eng.symbols.values()), default=0)

    def episode_list(self) -> list[Alert]:
        """One row per alert episode (its latest event), newest first."""
        return list(reversed(self.episodes.values()))

    # listener protocol (dom.runtime.pipeline)
    def on_status(self, change: StatusChange) -> None:
        self.events.append(change)
        self.last_status[change.symbol] = change

    def on_alert(self, alert: Alert) -> None:
        self.alerts.appendleft(alert)
        self.episodes_changed += 1
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
        if endpoint == "replay":  # a recording played for the screen: started, or at its end
            self.replay_state = detail if str(getattr(state, "value", state)) == "closed" else ""


class _LiveCounts:
    """The screen's live alerts as the scanner counts them."""

    def __init__(self, live: dict) -> None:
        self.live = live

    def counts(self, symbol: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.live.values():
            if a.symbol == symbol:
                out[a.kind.value] = out.get(a.kind.value, 0) + 1
        return out
