"""The price ladder, on Textual's line API: one ``render_line`` per row, nothing recomposed.

Columns: cumulative bid depth, bid size, price (POC / VAH / VAL of the session's volume profile
marked beside it), ask size, cumulative ask depth, session traded volume at the price (bought /
sold), and a mark on levels with a live alert. Rows are price
buckets of ``group`` ticks centred on the market (auto-recentre unless locked).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from dom.core.profile import value_area
from dom.ui.model import UiModel

GROUPS = (1, 2, 5, 10, 25, 50, 100, 250)
BID = Style(color="green3")
BID_BIG = Style(color="black", bgcolor="green3", bold=True)
ASK = Style(color="red1")
ASK_BIG = Style(color="black", bgcolor="red1", bold=True)
PRICE = Style(color="white", bold=True)
DIM = Style(color="grey50")
MARK = Style(color="yellow", bold=True)
WARN = Style(color="black", bgcolor="yellow", bold=True)
PROFILE = Style(color="magenta", bold=True)
PLAN = Style(color="cyan", bold=True)


def _fmt(n: int, text: str, width: int) -> str:
    return (text if n else "").rjust(width)[-width:]


class Ladder(Widget):
    DEFAULT_CSS = "Ladder { width: 1fr; height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.group_i = 0
        self.locked = False
        self.center = 0  # price bucket at the middle row
        self._profile = None

    @property
    def group(self) -> int:
        return GROUPS[self.group_i]

    def set_symbol(self, symbol: str) -> None:
        self.symbol = symbol
        self.locked = False
        self.center = 0

    def regroup(self, step: int) -> None:
        self.group_i = max(0, min(len(GROUPS) - 1, self.group_i + step))
        self.locked = False

    def center_on(self, px: int) -> None:
        self.center = px // self.group
        self.locked = True

    def rows(self) -> list[tuple[int, int, int]]:
        """(bucket price, bid size, ask size) for each row, top row first. Also used by tests."""
        st = self._state()
        if st is None:
            return []
        g = self.group
        book = st.book
        h = max(1, self.size.height)
        if not self.locked:
            mid2 = book.mid2()
            if mid2 is not None:
                self.center = (mid2 // 2) // g
        top = self.center + h // 2
        lo_px, hi_px = (top - h + 1) * g, top * g + g - 1
        bids: dict[int, int] = {}
        for px, q in book.bids.levels_between(lo_px, hi_px):
            bids[px // g] = bids.get(px // g, 0) + q
        asks: dict[int, int] = {}
        for px, q in book.asks.levels_between(lo_px, hi_px):
            asks[px // g] = asks.get(px // g, 0) + q
        return [(b * g, bids.get(b, 0), asks.get(b, 0)) for b in range(top, top - h, -1)]

    def _state(self):
        eng = self.model.engine
        if eng is None or self.symbol not in eng.symbols:
            return None
        return eng[self.symbol]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        st = self._state()
        if st is None:
            return Strip([Segment("waiting for the market...".ljust(width) if y == 0 else " " * width, DIM)])
        if not st.synced and y == 0:
            text = f" book not synced: {st.state.value} - showing nothing rather than a wrong book "
            return Strip([Segment(text.center(width)[:width], WARN)])
        if not st.synced:
            return Strip.blank(width)
        if y == 0:
            self._cache = self.rows()
        rows = getattr(self, "_cache", None) or self.rows()
        if y >= len(rows):
            return Strip.blank(width)
        inst = st.instrument
        px, bq, aq = rows[y]
        g = self.group
        bb, ba = st.book.bids.best_px(), st.book.asks.best_px()
        cum_b = st.book.bids.depth_within(bb - px) if bq and bb is not None else 0
        cum_a = st.book.asks.depth_within(px + g - 1 - ba) if aq and ba is not None else 0
        vol = self.model.volume.get(self.symbol, {})
        bought = sold = 0
        for p in range(px, px + g):
            v = vol.get(p)
            if v:
                bought += v[0]
                sold += v[1]
        big = max((q for _, q, _ in rows), default=0), max((q for _, _, q in rows), default=0)
        marks = {a.px_ticks // g for a in self.model.live_alerts.values() if a.symbol == self.symbol}
        prof = self._profile if y else None
        if y == 0 or prof is None:
            prof = self._profile = value_area(vol, group=g) if vol else None
        tag = ""
        if prof is not None:
            tag = "POC" if px == prof.poc else "VAH" if px == prof.vah else "VAL" if px == prof.val else ""
        # trade plan marks (ENT / STP / TP1 / TP2, dom/ui/trade_plan.py) win over the profile's
        plan_tag = next((t for p, t in self.model.plan_marks.get(self.symbol, {}).items() if p // g * g == px), "")
        tag = plan_tag or tag
        px_style = PLAN if plan_tag else PROFILE if tag else PRICE if bq or aq else DIM
        if self.locked and y == len(rows) // 2:  # the centre row is the cursor e / s read
            px_style = px_style + Style(reverse=True)
        w = 9  # 72 columns in all: the ladder's share of a 120-column terminal
        q = inst.qty_str
        segs = [
            Segment(_fmt(cum_b, q(cum_b), w) + " ", DIM),
            Segment(_fmt(bq, q(bq), w), BID_BIG if bq and bq * 2 >= big[0] else BID),
            Segment(" " + tag.ljust(3) + inst.px_str(px).center(10), px_style),
            Segment(_fmt(aq, q(aq), w).ljust(w), ASK_BIG if aq and aq * 2 >= big[1] else ASK),
            Segment(" " + _fmt(cum_a, q(cum_a), w), DIM),
            Segment(" " + _fmt(bought, q(bought), 8), BID),
            Segment(("/" if bought or sold else " ") + _fmt(sold, q(sold), 8).ljust(8), ASK),
            Segment(" W" if px // g in marks else "  ", MARK),
        ]
        strip = Strip(segs)
        return strip.crop_extend(0, width, None)
