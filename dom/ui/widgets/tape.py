"""Time and sales: the newest trade first, in the aggressor's colour; prints at or above the
95th percentile of the recent tape are highlighted; ``f`` filters by size (multiples of the
median trade)."""

from __future__ import annotations

import time

from rich.segment import Segment
from textual.strip import Strip

from dom.core.types import TakerSide, Trade
from dom.runtime.view import UiModel
from dom.ui.palette import SHADES, compact
from dom.ui.strips import LineStrip
from dom.ui.widgets.lines import LineWidget

FILTERS = (0, 2, 5, 10)  # tape size filter: multiples of the median trade size


class Tape(LineWidget):
    DEFAULT_CSS = "Tape { height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.filter_i = 0
        self._rows: list[Trade] = []
        self._big = 0
        self._floor = 0
        self._shown: tuple = (None, -1, -1, [])  # (flow, its trade count, filter, the trades shown)

    def visible(self) -> list[Trade]:
        """The trades shown, newest first (also used by tests). Worked out again only when the
        symbol's tape took a trade or the filter changed: at most frames the shown symbol did not
        trade, and the tape's sizes were sorted at each one."""
        flow = self.model.flows.get(self.symbol)
        last_flow, count, filter_i, shown = self._shown
        if flow is not None and flow is last_flow and flow.trades == count and self.filter_i == filter_i:
            return shown
        shown = self._work_out(flow)
        self._shown = (flow, flow.trades if flow is not None else -1, self.filter_i, shown)
        return shown

    def _work_out(self, flow) -> list[Trade]:
        tape = list(flow.tape) if flow is not None else []
        if not tape:
            self._big = self._floor = 0
            return []
        sizes = sorted(t.qty_lots for t in tape)
        self._big = sizes[int(0.95 * (len(sizes) - 1))]
        mult = FILTERS[self.filter_i]
        self._floor = mult * sizes[len(sizes) // 2] if mult else 0
        if not mult:
            return tape[::-1]
        return [t for t in reversed(tape) if t.qty_lots >= self._floor]

    def prepare(self) -> None:
        rows = self._rows = self.visible()[: max(0, self.size.height - 1)]
        big = self._big
        head = ("head", self.symbol, self.filter_i)
        self.publish([head] + [(t.trade_id, t.ts_exchange_ns, t.qty_lots >= big) for t in rows],
                     lambda i: self._header() if i == 0 else self._line(rows[i - 1]))

    def _header(self) -> Strip:
        width = self._w
        f = FILTERS[self.filter_i]
        title = f" Tape {self.symbol}" + (f" >= {f}x median" if f else "")
        return LineStrip([Segment(title.ljust(width)[:width], self.palette.head)])

    def _line(self, t: Trade) -> Strip:
        width = self._w
        p = self.palette
        inst = self.model.engine[self.symbol].instrument
        buy = t.taker is TakerSide.BUY
        if t.qty_lots >= self._big:
            style = (p.bid_shade if buy else p.ask_shade)[SHADES]
        else:
            style = p.bid if buy else p.ask
        clock = time.strftime("%H:%M:%S", time.gmtime(t.ts_exchange_ns // 1_000_000_000))
        size = compact(t.qty_lots * float(inst.lot_size), 8, inst.qty_str(t.qty_lots))
        px = inst.px_str(t.px_ticks)
        side = "B" if buy else "S"
        text = f" {clock} {px:>10} {size:>8} {side}" if width >= 32 else f" {px:>10} {size:>8} {side}"
        return LineStrip([Segment(text.ljust(width)[:width], style)])
