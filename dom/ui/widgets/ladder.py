"""The price ladder, on Textual's line API: one ``render_line`` per row, nothing recomposed.

Rows are price buckets of ``group`` ticks, centred on the market (auto-recentre unless locked);
the heatmap beside it draws the same rows (:class:`Axis`). Columns, left to right; the narrow
ones go first when the terminal is small (``fit``):

    cum | ±bid | sells | bid | price | ask | buys | ±ask | cum | traded b/s | profile | marks

cumulative depth, displayed size change over the last seconds (pulling -, stacking +), recent
traded volume at price by aggressor (``r`` resets it), size (shaded by magnitude), session traded
volume (bought / sold), the session volume profile (POC, VAH, VAL of the 70% value area) and a
letter per live alert on the level (W wall, I iceberg, A absorption, S spoof).

The trade plan's prices (ENT, STP, TP1, TP2: ``UiModel.plan_marks``) take the profile's tag slot
and colour the price; a locked ladder's centre row is its cursor (reversed price): ``e`` / ``t``
set entry and stop there.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.events import MouseScrollDown, MouseScrollUp
from textual.strip import Strip

from dom.core.profile import value_area
from dom.runtime.view import UiModel
from dom.ui.palette import KIND_LETTER, SHADES, round_sig
from dom.ui.strips import LineStrip
from dom.ui.widgets.ladder_rows import COLUMNS, PLAN_ORDER, Axis, Col, Row, RowCells, in_window
from dom.ui.widgets.lines import LineWidget

__all__ = ["GROUPS", "Axis", "Ladder"]

GROUPS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)
SLOW_NS = 200_000_000  # the slower columns refresh every 200 ms of market time


class Ladder(LineWidget):
    DEFAULT_CSS = "Ladder { width: 1fr; height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.group_i = 0
        self.locked = False
        self.center = 0  # price bucket at the middle row
        self.columns: tuple[Col, ...] = COLUMNS
        self.price_w = 10
        self._used = 0
        self._rows: list[Row] = []
        self._axis: Axis | None = None
        self._profile_key: tuple = ()
        self._slow_key: Axis | None = None
        self._slow_at = 0
        self._slow: dict[int, tuple] = {}  # slow-column values shown, per row price
        self._slow_target: dict[int, tuple] = {}  # the latest computed
        self._slow_pending: list[int] = []  # rows still showing older values
        self._profile: tuple[dict[int, int], object] = ({}, None)
        self._cells: tuple[tuple, RowCells | None] = ((), None)  # the cell cache, and what it was made for

    # ----------------------------------------------------------------------------- controls
    @property
    def group(self) -> int:
        return GROUPS[self.group_i]

    def set_symbol(self, symbol: str) -> None:
        self.symbol = symbol
        self.locked = False
        self.center = 0
        self._fit_price(self._state())

    def _fit_price(self, st) -> bool:
        """Size the price column for the symbol's prices (with a digit to spare); True if it
        changed, which changes which other columns fit."""
        if st is None or st.book.bids.best_px() is None:
            return False
        w = max(8, len(st.instrument.px_str(st.book.bids.best_px() * 10)) + 1)
        changed, self.price_w = w != self.price_w, w
        return changed

    def unlock(self) -> None:
        """Back to auto-recentre, on the market now."""
        self.locked = False
        self.center = 0

    def regroup(self, step: int) -> None:
        self.group_i = max(0, min(len(GROUPS) - 1, self.group_i + step))
        self.unlock()

    def center_on(self, px: int) -> None:
        self.center = px // self.group
        self.locked = True

    def scroll_rows(self, n: int) -> None:
        """Move the view ``n`` rows up (positive) or down, and lock it there."""
        if self._axis is not None and not self.locked:
            self.center = self._axis.top - self._axis.rows // 2
        self.center += n
        self.locked = True

    def _on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.scroll_rows(3)
        self.prepare()
        self.refresh()

    def _on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        self.scroll_rows(-3)
        self.prepare()
        self.refresh()

    def fit(self, budget: int) -> int:
        """Keep the columns that fit in ``budget`` cells, most important first (columns of one
        priority come and go together: both sides or neither); return the width used."""
        keep: set[str] = set()
        used = 0
        for prio in sorted({c.priority for c in COLUMNS}):
            group = [c for c in COLUMNS if c.priority == prio]
            w = sum(c.width or self.price_w for c in group)
            if used + w <= budget or prio == 0:
                keep.update(c.key for c in group)
                used += w
        self.columns = tuple(c for c in COLUMNS if c.key in keep)
        return used

    # --------------------------------------------------------------------------------- data
    def _state(self):
        eng = self.model.engine
        if eng is None or self.symbol not in eng.symbols:
            return None
        return eng[self.symbol]

    @property
    def axis(self) -> Axis | None:
        return self._axis

    def rows(self) -> list[tuple[int, int, int]]:
        """(bucket price, bid size, ask size) for each price row, top row first (tests use it)."""
        self.prepare()
        return [(r.px, r.bid, r.ask) for r in self._rows]

    def prepare(self, budget: int | None = None) -> int:
        """Compute this frame's rows (called once per frame, before the lines are drawn).

        ``budget``: at most this many rows take their new slow-column values this frame (the
        nearest the market first; the rest on the next frames), None for all; a third of the rows
        still waiting (at least 8), so that a refresh of the slow columns (every 200 ms: 4 frames
        at 20 fps) is spread over ~3 frames rather than 16 rows in one. Returns how many did, so
        the frame can give the rest of its budget to the heatmap."""
        st = self._state()
        if st is None or not st.synced:
            # Nothing rather than a wrong book; the heatmap keeps drawing its history around the
            # last centre (or the last trade).
            self._rows = []
            self._axis = None
            if st is not None and not self.center and st.last_trade is not None:
                self.center = st.last_trade.px_ticks // self.group
            if st is not None and self.center:
                n = max(1, self.size.height - 1)
                self._axis = Axis(self.symbol, self.group, self.center + n // 2, n)
            self._publish_message(st)
            return 0
        if self._fit_price(st) and self.is_mounted:
            self.app.call_later(self.app.relayout)
        g = self.group
        book = st.book
        n = max(1, self.size.height - 1)
        if not self.locked:
            mid2 = book.mid2()
            if mid2 is not None:
                # Recentre only when the market has left the middle half of the ladder: a calm
                # ladder that does not jump on every tick (and repaints a few lines, not all).
                m = (mid2 // 2) // g
                if not self.center or abs(m - self.center) > max(1, n // 4):
                    self.center = m
        top = self.center + n // 2
        self._axis = Axis(self.symbol, g, top, n)
        lo_px, hi_px = (top - n + 1) * g, top * g + g - 1
        rows = [Row(b * g) for b in range(top, top - n, -1)]
        by_bucket = {top - i: r for i, r in enumerate(rows)}
        for px, q in book.bids.levels_between(lo_px, hi_px):
            by_bucket[px // g].bid += q
        for px, q in book.asks.levels_between(lo_px, hi_px):
            by_bucket[px // g].ask += q
        flow = self.model.flows.get(self.symbol)
        if flow is not None:
            for px, v in in_window(flow.recent, lo_px, hi_px):
                r = by_bucket[px // g]
                r.buys += v[0]
                r.sells += v[1]
        # The slower columns (depth, size change, session volume, profile) are recomputed 5 times
        # per second of market time, or when the view moves: most ladder rows then repaint only
        # when their own size changes. The rows whose slow values changed take them within the
        # frame's budget, nearest the market first.
        now = st.stats.last_exchange_ns
        applied = 0
        if self._slow_key != self._axis:  # a new view: every row at once
            self._slow_key, self._slow_at = self._axis, now
            self._slow_columns(st, rows, by_bucket, flow, lo_px, hi_px)
            self._slow = {r.px: r.slow() for r in rows}
            self._slow_pending = []
            self._slow_target = {}
        else:
            if now - self._slow_at >= SLOW_NS or now < self._slow_at:
                self._slow_at = now
                self._slow_columns(st, rows, by_bucket, flow, lo_px, hi_px)
                target = {r.px: r.slow() for r in rows}
                mid = self.center * g
                changed = [px for px, v in target.items() if self._slow.get(px) != v]
                self._slow_target = target
                self._slow_pending = sorted(changed, key=lambda px: abs(px - mid))
            pending = self._slow_pending
            todo = pending if budget is None else pending[:min(budget, max(8, -(-len(pending) // 3)))]
            for px in todo:
                self._slow[px] = self._slow_target[px]
            applied = len(todo)
            del self._slow_pending[:applied]
            target = self._slow_target
            for r in rows:
                r.set_slow(self._slow[r.px])
                t = target.get(r.px)
                if t is not None:  # the profile's marks move at once: never two VAHs on screen
                    r.tag = t[7]
        for a in self.model.live_alerts.values():
            if a.symbol == self.symbol:
                r = by_bucket.get(a.px_ticks // g)
                if r is not None and KIND_LETTER[a.kind.value] not in r.mark:
                    r.mark += KIND_LETTER[a.kind.value]
        for px, tag in self.model.plan_marks.get(self.symbol, {}).items():
            r = by_bucket.get(px // g)
            if r is not None and (not r.plan or PLAN_ORDER.index(tag) < PLAN_ORDER.index(r.plan)):
                r.plan = tag
        if self.locked:
            r = by_bucket.get(self.center)
            if r is not None:
                r.cursor = True
        ref = max([r.bid for r in rows] + [r.ask for r in rows] + [1])
        last = st.last_trade
        for r in rows:
            r.shade_b = min(SHADES, r.bid * (SHADES + 1) // ref) if r.bid else 0
            r.shade_a = min(SHADES, r.ask * (SHADES + 1) // ref) if r.ask else 0
            r.last = last is not None and r.px <= last.px_ticks < r.px + g
        self._rows = rows
        self._used = sum(c.width or self.price_w for c in self.columns)
        head = ("head", self.columns, self.group, self.price_w)
        cells = self._row_cells(st)
        self.publish([head] + [r.sig() for r in rows],
                     lambda i: self._header() if i == 0 else self._row_strip(cells, rows[i - 1]))
        return applied

    def _slow_columns(self, st, rows: list[Row], by_bucket: dict[int, Row], flow, lo_px: int, hi_px: int) -> None:
        g = self.group
        self._cumulative(st, rows)
        for r in rows:  # depth to 2 significant digits: a magnitude, repainted when it moves
            r.cumb, r.cuma = round_sig(r.cumb, 2), round_sig(r.cuma, 2)
        if flow is not None:
            for px, v in in_window(flow.session, lo_px, hi_px):
                r = by_bucket[px // g]
                r.vb += v[0]
                r.vs += v[1]
            self._profile_rows(flow, by_bucket)
        chg = self.model.changes.get(self.symbol)
        if chg is not None:
            cb, ca = chg.window()
            for src, attr in ((cb, "chgb"), (ca, "chga")):
                for px, v in in_window(src, lo_px, hi_px):
                    r = by_bucket[px // g]
                    setattr(r, attr, getattr(r, attr) + v)

    def _cumulative(self, st, rows: list[Row]) -> None:
        g = self.group
        bids, asks = st.book.bids, st.book.asks
        bb, ba = bids.best_px(), asks.best_px()
        acc = None
        for r in rows:  # top down: bids accumulate from the best bid downwards
            if bb is None or r.px > bb:
                continue
            if acc is None:
                acc = bids.depth_within(bb - r.px)
            else:
                acc += r.bid
            r.cumb = acc
        acc = None
        for r in reversed(rows):  # bottom up: asks accumulate from the best ask upwards
            if ba is None or r.px + g - 1 < ba:
                continue
            if acc is None:
                acc = asks.depth_within(r.px + g - 1 - ba)
            else:
                acc += r.ask
            r.cuma = acc

    def _profile_rows(self, flow, by_bucket: dict[int, Row]) -> None:
        g = self.group
        key = (self.symbol, g, flow.trades)
        if key != self._profile_key:  # recomputed only when a trade printed
            buckets: dict[int, int] = {}
            for px, v in flow.session.items():
                b = px // g
                buckets[b] = buckets.get(b, 0) + v[0] + v[1]
            prof = value_area({b * g: v for b, v in buckets.items()})
            self._profile, self._profile_key = (buckets, prof), key
        buckets, prof = self._profile
        if prof is None:
            return
        peak = max(buckets.values())
        for b, r in by_bucket.items():
            v = buckets.get(b, 0)
            r.pv = (v * 8 * 6 + peak - 1) // peak if v else 0  # eighths of a 6-cell bar
            if r.px == prof.poc:
                r.tag = "POC"
            elif r.px == prof.vah:
                r.tag = "VAH"
            elif r.px == prof.val:
                r.tag = "VAL"
            elif prof.val <= r.px <= prof.vah:
                r.tag = "va"

    # ------------------------------------------------------------------------------ drawing
    def _publish_message(self, st) -> None:
        """The lines shown instead of a book: waiting, or not synced (said plainly)."""
        p = self.palette
        width = self.size.width
        lines: dict[int, tuple[str, object]] = {}
        if st is None:
            lines[1] = ("waiting for the market...", p.dim)
        else:
            mid = max(1, self.size.height // 2 - 1)
            lines[mid] = (f"book not synced: {st.state.value}", p.banner)
            lines[mid + 1] = ("showing nothing rather than a wrong book", p.warn)
            last = self.model.last_status.get(self.symbol)
            if last is not None and last.detail:
                lines[mid + 2] = (last.detail, p.dim)
        n = max(1, self.size.height)
        sigs: list[object] = [("head", self.columns, self.group, self.price_w)]
        sigs += [lines.get(y, ("", None))[0] for y in range(1, n)]

        def build(i: int) -> Strip:
            if i == 0:
                return self._header()
            text, style = lines.get(i, ("", None))
            if not text:
                return Strip.blank(width, self.palette.background)
            return LineStrip([Segment(text.center(width)[:width], style)])

        self.publish(sigs, build)

    def _header(self) -> Strip:
        segs = []
        for c in self.columns:
            w = c.width or self.price_w
            title = ("price" if self.group == 1 else f"x{self.group} tk") if c.key == "price" else c.title
            segs.append(Segment((title.center(w) if c.key in ("price", "prof") else title.rjust(w - 1) + " ")[:w], self.palette.head))
        return LineStrip(segs).crop_extend(0, self._w, self.palette.background)

    def _row_cells(self, st) -> RowCells:
        """The cell cache for this palette, set of columns, price width and instrument."""
        key = (self.palette, self.columns, self.price_w, st.instrument)
        old, cells = self._cells
        if cells is None or old[0] is not key[0] or old[1] != key[1] or old[2] != key[2] or old[3] is not key[3]:
            cells = RowCells(*key)
            self._cells = (key, cells)
        return cells

    def _row_strip(self, cells: RowCells, r: Row) -> Strip:
        segs = cells.segments(r)
        used = self._used
        width = self._w
        if used == width:
            return LineStrip(segs, width)
        if used < width:  # as crop_extend would pad it, in one strip
            segs.append(Segment(" " * (width - used), self.palette.background))
            return LineStrip(segs, width)
        return LineStrip(segs, used).crop_extend(0, width, self.palette.background)
