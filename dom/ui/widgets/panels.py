"""Tape (time and sales), alerts and the status bar: line-API widgets that read the UI model."""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from dom.ui.model import UiModel

BUY = Style(color="green3")
SELL = Style(color="red1")
BIG_BUY = Style(color="black", bgcolor="green3", bold=True)
BIG_SELL = Style(color="black", bgcolor="red1", bold=True)
DIM = Style(color="grey50")
HEAD = Style(color="white", bold=True, underline=True)
KIND = {"wall": Style(color="cyan", bold=True), "iceberg": Style(color="magenta", bold=True),
        "absorption": Style(color="yellow", bold=True), "spoof": Style(color="orange1", bold=True)}
FILTERS = (0, 2, 5, 10)  # tape size filter: multiples of the median trade size


class Tape(Widget):
    DEFAULT_CSS = "Tape { height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.filter_i = 0

    def visible(self) -> list:
        tape = list(self.model.tapes.get(self.symbol, ()))
        mult = FILTERS[self.filter_i]
        if not tape or not mult:
            return tape[::-1]
        sizes = sorted(t.qty_lots for t in tape)
        floor = mult * sizes[len(sizes) // 2]
        return [t for t in reversed(tape) if t.qty_lots >= floor]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            f = FILTERS[self.filter_i]
            title = f" Tape {self.symbol}" + (f"  (>= {f}x median size)" if f else "")
            return Strip([Segment(title.ljust(width)[:width], HEAD)])
        rows = self.visible()
        if y - 1 >= len(rows):
            return Strip.blank(width)
        eng = self.model.engine
        t = rows[y - 1]
        inst = eng[self.symbol].instrument
        tape = self.model.tapes.get(self.symbol) or ()
        big = sorted(x.qty_lots for x in tape)[int(0.95 * (len(tape) - 1))] if tape else 0
        buy = t.taker.value == "buy"
        style = (BIG_BUY if buy else BIG_SELL) if t.qty_lots >= big else (BUY if buy else SELL)
        clock = time.strftime("%H:%M:%S", time.gmtime(t.ts_exchange_ns // 1_000_000_000))
        text = f" {clock} {inst.px_str(t.px_ticks):>12} {inst.qty_str(t.qty_lots):>12} {'B' if buy else 'S'}"
        return Strip([Segment(text.ljust(width)[:width], style)])


class Alerts(Widget):
    DEFAULT_CSS = "Alerts { height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.cursor = 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return Strip([Segment(" Alerts (newest first; enter centres the ladder)".ljust(width)[:width], HEAD)])
        alerts = list(self.model.alerts)
        i = y - 1
        if i >= len(alerts):
            return Strip.blank(width)
        a = alerts[i]
        eng = self.model.engine
        inst = eng[a.symbol].instrument
        age = ""
        if a.symbol in eng.symbols and eng[a.symbol].stats.last_exchange_ns:
            age = f"{max(0, (eng[a.symbol].stats.last_exchange_ns - a.ts_ns) // 1_000_000_000)}s"
        hidden = a.evidence.get("hidden_lb_lots")
        extra = f" at least {inst.qty_str(hidden)} hidden" if hidden else ""
        text = (f" {a.state.value:6} {a.symbol:9} {a.side.value:3} {inst.px_str(a.px_ticks):>11} "
                f"{inst.qty_str(a.qty_lots):>11} s{a.score:.2f} {age:>5}{extra}")
        kind = Segment(f" {a.kind.value:10}", KIND.get(a.kind.value, DIM))
        style = Style(reverse=True) if i == self.cursor else Style()
        return Strip([kind, Segment(text, style)]).crop_extend(0, width, None)


class StatusBar(Widget):
    DEFAULT_CSS = "StatusBar { height: 1; dock: bottom; background: $panel; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.locked = False
        self.group = 1

    def line(self) -> str:
        m = self.model
        eng = m.engine
        if eng is None or self.symbol not in eng.symbols:
            return f" {m.venue}  connecting..."
        st = eng[self.symbol]
        rt = m.stats
        rate = lag = drops = ""
        if rt is not None:
            r = rt.rates.get(self.symbol)
            if r is not None:
                p50 = r.lag_pct(0.5)
                lag = f"lag {p50:.0f} ms" if p50 is not None else ""
            drops = f"sink drops {rt.sink_drops()}"
            rate = f"msgs {r.messages if r else 0}"
        return (f" {m.venue} | {self.symbol} | book {st.state.value} | gaps {st.stats.gaps} resyncs "
                f"{st.stats.resyncs} | {rate} | {lag} | {drops} | group {self.group}t"
                f"{' | LOCKED' if self.locked else ''} | ? help")

    def render_line(self, y: int) -> Strip:
        return Strip([Segment(self.line().ljust(self.size.width)[: self.size.width], Style(bold=True))])
