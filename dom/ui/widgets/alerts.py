"""The alerts panel: one row per alert episode (its latest state), newest first, with age, kind,
side, symbol, price, size, score and, for icebergs, "at least X hidden" (on a line of its own when
the panel is narrow). Ended episodes are dim.
Up/down move the selection; enter (or a click) centres the ladder on the selected alert."""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.strip import Strip

from dom.core.types import Alert, AlertState
from dom.runtime.view import UiModel
from dom.ui.palette import KIND_LETTER, compact, fmt_age
from dom.ui.strips import LineStrip
from dom.ui.widgets.lines import LineWidget

NS = 1_000_000_000


class Alerts(LineWidget):
    DEFAULT_CSS = "Alerts { height: 1fr; }"

    class Selected(Message):
        """An alert was chosen (enter or click): the app centres the ladder on it."""

        def __init__(self, alert: Alert) -> None:
            super().__init__()
            self.alert = alert

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.selected_id: str | None = None
        self._rows: list[Alert] = []
        self._lines: list[tuple[Alert, int]] = []
        self._offset = 0
        self._now = 0
        self._listed: tuple = ()  # (the model's episode change count, narrow) of the list in _lines

    @property
    def cursor(self) -> int:
        """Index of the selected episode in the newest-first list (0 when none is selected)."""
        ids = [a.id for a in self._rows]
        return ids.index(self.selected_id) if self.selected_id in ids else 0

    def selected(self) -> Alert | None:
        rows = self._rows or self.model.episode_list()
        for a in rows:
            if a.id == self.selected_id:
                return a
        return rows[0] if rows else None

    def move(self, step: int) -> None:
        self.prepare()
        if not self._rows:
            return
        if self.selected_id not in {a.id for a in self._rows}:
            i = 0 if step > 0 else len(self._rows) - 1
        else:
            i = max(0, min(len(self._rows) - 1, self.cursor + step))
        self.selected_id = self._rows[i].id
        self.prepare()

    def prepare(self) -> None:
        self._now = self.model.now_ns()
        width = self.size.width
        key = (self.model.episodes_changed, width < 72)
        if key != self._listed:  # the episodes (up to 300) listed again only when one changed
            self._listed = key
            rows = self._rows = self.model.episode_list()
            # Display lines: an iceberg's "at least X hidden" gets a line of its own when narrow.
            lines: list[tuple[Alert, int]] = []
            for a in rows:
                lines.append((a, 0))
                if width < 72 and a.evidence.get("hidden_lb_lots"):
                    lines.append((a, 1))
            self._lines = lines
        lines = self._lines
        visible = max(1, self.size.height - 1)
        if self.selected_id is not None:
            idx = [i for i, (a, _) in enumerate(lines) if a.id == self.selected_id]
            if idx:
                if idx[0] < self._offset:
                    self._offset = idx[0]
                elif idx[-1] >= self._offset + visible:
                    self._offset = idx[-1] - visible + 1
        self._offset = max(0, min(self._offset, max(0, len(lines) - visible)))
        shown = lines[self._offset: self._offset + visible]
        now = self._now
        head = ("head", len(self.model.live_alerts))
        mark = self.model.mark_against_trend
        self.publish([head] + [(a.id, a.state, a.ts_ns, a.qty_lots, a.score, part, a.id == self.selected_id,
                                (now - a.ts_ns) // NS, mark and self.model.against_trend(a)) for a, part in shown],
                     lambda i: self._line(i))

    def on_click(self, event: events.Click) -> None:
        i = self._offset + event.y - 1
        if event.y >= 1 and 0 <= i < len(self._lines):
            a = self._lines[i][0]
            self.selected_id = a.id
            self.post_message(self.Selected(a))

    def _line(self, y: int) -> Strip:
        width = self._w
        p = self.palette
        if y == 0:
            n = len(self.model.live_alerts)
            title = f" Alerts ({n} live), newest first" if width >= 40 else f" Alerts ({n} live)"
            return LineStrip([Segment(title.ljust(width)[:width], p.head)])
        i = self._offset + y - 1
        if i >= len(self._lines):
            return Strip.blank(width, self.palette.background)
        a, part = self._lines[i]
        eng = self.model.engine
        if eng is None or a.symbol not in eng.symbols:
            return Strip.blank(width, self.palette.background)
        inst = eng[a.symbol].instrument
        lot = float(inst.lot_size)
        ended = a.state is AlertState.END
        sel = a.id == self.selected_id
        base = p.dim if ended else p.fg
        if sel:
            base = base + p.select
        hidden = a.evidence.get("hidden_lb_lots")
        hidden_text = f"at least {compact(hidden * lot, 7, inst.qty_str(hidden))} hidden" if hidden else ""
        if part == 1:
            return LineStrip([Segment(("      " + hidden_text).ljust(width)[:width], base)])
        kind = a.kind.value
        wide = width >= 50
        age = fmt_age(max(0, self._now - a.ts_ns) / NS) if self._now else ""
        sym = a.symbol.removesuffix("USDT")
        head = f"{age:>3} " + (f"{kind:<10} " if wide else f"{KIND_LETTER[kind]} ")
        score = f"{a.score:.2f}".lstrip("0") if a.score < 1 else "1.0"
        px = inst.px_str(a.px_ticks)
        if width >= 35:
            body = (f"{a.side.value:<3} {sym[:8 if wide else 5]:<{8 if wide else 5}} {px:>8} "
                    f"{compact(a.qty_lots * lot, 6, inst.qty_str(a.qty_lots)):>6} {score:>3}")
        else:  # 80 columns: side as b/a, a shorter symbol and size
            body = f"{a.side.value[0]} {sym[:4]:<4} {px:>8} {compact(a.qty_lots * lot, 5, inst.qty_str(a.qty_lots)):>5} {score:>3}"
        if wide:  # the state slot: ended, or live against the symbol's 1 m trend ([ui] mark_against_trend)
            against = not ended and self.model.mark_against_trend and self.model.against_trend(a)
            body += " end" if ended else (" vs trend" if width >= 60 else " ctr") if against else "    "
        if width >= 72 and hidden_text:
            body += " " + hidden_text
        segs = [Segment(head, p.dim if ended else p.kind.get(kind, p.warn)), Segment(body, base)]
        return LineStrip(segs).crop_extend(0, width, self.palette.background)
