"""The liquidity heatmap, on the line API: resting size over time (x) by price (y), trades on top.

It draws the ladder's rows (:class:`dom.ui.widgets.ladder.Axis`: same grouping, same centre, row
for row), time running left to right up to now beside the ladder. Each cell is two time slots of
the symbol's :class:`dom.core.history.HeatRing` drawn with a half block (``▌``: left slot in the
foreground colour, right slot in the background), coloured by resting size on a log scale
around the visible levels' 90th percentile. Trades print as ``•`` (``●`` for big ones) in the
aggressor's colour. A slot after a lost sync shows ``┊`` until the book is synced again.

Rendering is cheap: a column's per-bucket sizes are cached per grouping, its shades per view,
and the strips are rebuilt only when the view or the newest slot changes.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter

from rich.segment import Segment
from textual.strip import Strip

from dom.core.history import Column, column_buckets
from dom.runtime.view import UiModel
from dom.ui.palette import HEAT
from dom.ui.strips import LineStrip
from dom.ui.widgets.ladder import Axis
from dom.ui.widgets.lines import LineWidget

STEPS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4)  # thresholds x the reference size: 8 shades


class Heatmap(LineWidget):
    DEFAULT_CSS = "Heatmap { width: 1fr; height: 1fr; }"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.axis: Axis | None = None
        self._key: tuple = ()
        self._grid: list[Strip] = []
        self._row_sigs: list[tuple] = []
        self._pending: list[int] = []
        self._view: tuple = ()
        self._cells: tuple = ([], [], {})
        self._ref = 0
        self._shades: dict[tuple, tuple] = {}  # ids of a column's arrays -> (view, shades, arrays)
        self._runs: dict[tuple, Segment] = {}  # (text, id of its style) -> the segment (see _segment)
        self._runs_palette: object = None
        self._slot_rows: dict[int, tuple] = {}  # slot -> (its trades, their count, rows, [(row, bought, sold)])
        self._table: list[list[tuple[str, object]]] = []
        self.span_s = 0.0

    def prepare(self, axis: Axis | None = None, budget: int | None = None) -> None:
        """Bring the grid up to date (``axis``: the ladder's rows; None keeps the last one).

        A new view (other rows, size, theme) is drawn at once. When only time moved on (a new
        slot, 4 times a second), the rows are redrawn over the next frames: a quarter of the rows
        still waiting, at least 10 (so that 50 rows keep up with 4 steps a second at 20 fps) and
        at most ``budget`` (at least 1; None: a third of the rows; the app gives fewer in a frame
        that repaints many ladder and tape lines, more in the next), so no single frame pays for the whole
        heatmap and the rows of a step are spread evenly over the frames before the next one
        (a half-cell shift showing a frame or two late on some rows is not visible)."""
        if axis is not None or self.axis is None:
            self.axis = axis
        axis = self.axis
        view = self._view
        self._build_grid(axis)
        rows = len(self._row_sigs)
        if self._view != view or len(self._grid) != rows:
            todo = list(range(rows))
        else:
            n = max(10, -(-len(self._pending) // 4))
            todo = self._pending[: min(n, max(1, budget)) if budget is not None else max(10, -(-rows // 3))]
        done = set(todo)
        self._pending = [r for r in self._pending if r not in done]
        grid = self._grid = (self._grid + [Strip.blank(0)] * rows)[:rows]
        for r in todo:
            grid[r] = self._row(r)
            self._row_sigs[r] = self._key
        width = self.size.width
        head = ("head", round(self.span_s), width)
        self.publish([head] + [(r, sig) for r, sig in enumerate(self._row_sigs)],
                     lambda i: self._header() if i == 0 else grid[i - 1])

    def _header(self) -> Strip:
        width = self._w
        title = f" heatmap {self.span_s:.0f}s" if self.span_s else " heatmap"
        return LineStrip([Segment((title.ljust(width - 4) + "now ")[:width], self.palette.head)])

    def _build_grid(self, axis: Axis | None) -> None:
        width, height = self.size
        ring = self.model.heat.get(axis.symbol) if axis is not None else None
        if axis is None or ring is None or width <= 0:
            self._key = ()
            self._grid, self._row_sigs, self._pending, self._view = [], [], [], ()
            return
        st = self.model.engine[axis.symbol]
        cols = ring.cols
        now_slot = max(ring.last_slot, st.stats.last_exchange_ns // ring.slot_ns)
        newest = cols[-1] if cols else None
        # Rebuilt when a slot opens (4 times a second), not on every trade: a trade shows on the
        # heatmap at most one slot late (the tape and the ladder show it at once).
        key = (axis, width, height, now_slot, id(newest), id(self.palette))
        if key == self._key:
            return
        self._key = key
        self.span_s = 2 * width * ring.slot_ns / 1e9
        nslots = 2 * width
        # The column showing each slot, oldest first: the newest column at or before the slot.
        per_slot: list[Column | None] = [None] * nslots
        i = len(cols) - 1
        first = now_slot - nslots + 1
        for k in range(nslots - 1, -1, -1):
            s = first + k
            while i >= 0 and cols[i][0] > s:
                i -= 1
            if i < 0:
                break
            per_slot[k] = cols[i]
        self._update_ref(per_slot, axis)
        view = (axis.group, axis.top, axis.rows, self._ref)
        rows = axis.rows
        blank = [0] * rows
        gap_col = [-1] * rows
        cache = self._shades
        fresh: dict[tuple, tuple] = {}
        per_cell_shades: list[list[int]] = []
        for col in per_slot:
            if col is None:
                per_cell_shades.append(blank)
                continue
            if col[1] is None:
                per_cell_shades.append(gap_col)
                continue
            k = (id(col[1]), id(col[2]))
            hit = fresh.get(k) or cache.get(k)
            if hit is None or hit[0] != view or hit[2] is not col[1] or hit[3] is not col[2]:
                hit = (view, self._column_shades(col, axis), col[1], col[2])
            fresh[k] = hit
            per_cell_shades.append(hit[1])
        self._shades = fresh  # only what is on screen stays cached
        marks = self._trades(ring.trades, first, nslots, axis)
        self._cells = (per_cell_shades[0::2], per_cell_shades[1::2], marks)
        self._view = (axis, width, height, id(self.palette))
        self._row_sigs = (self._row_sigs + [()] * rows)[:rows]
        # Rows still waiting from the last step go first: every row is redrawn within a few frames.
        waiting = [r for r in self._pending if r < rows]
        seen = set(waiting)
        self._pending = waiting + [r for r in range(rows) if r not in seen]

    def _row(self, r: int) -> Strip:
        """Row ``r`` of the grid, from the cell shades of the last build."""
        lefts, rights, marks = self._cells
        table, runs = self._cell_table()
        get = runs.get
        segs: list[Segment] = []
        run_style = None
        run_text = ""
        row_marks = marks.get(r)
        cells = zip(map(itemgetter(r), lefts), map(itemgetter(r), rights))
        for c, (a, b) in enumerate(cells):
            if row_marks is not None and c in row_marks:
                ch, styles = row_marks[c]
                style = styles[max(a, b, 0)]
            else:
                ch, style = table[a][b]  # a shade of -1 (a sync gap) is the table's last entry
            if style is run_style:
                run_text += ch
            else:
                if run_text:
                    seg = get((run_text, id(run_style)))
                    segs.append(seg if seg is not None else self._segment(run_text, run_style))
                run_style, run_text = style, ch
        if run_text:
            seg = get((run_text, id(run_style)))
            segs.append(seg if seg is not None else self._segment(run_text, run_style))
        return LineStrip(segs, len(lefts))

    def _cell_table(self) -> tuple[list[list[tuple[str, object]]], dict]:
        """(char, style) of a cell by its left and right slot's shades (index -1: a sync gap), and
        the runs cache (see ``_segment``); both made again for a new palette."""
        p = self.palette
        if self._runs_palette is not p:
            cell, n = p.heat_cell, len(p.heat_cell)
            gap = ("┊", p.heat_gap)
            self._table = [[("▌" if a != b else " ", cell[a][b]) for b in range(n)] + [gap] for a in range(n)]
            self._table.append([gap] * (n + 1))
            self._runs, self._runs_palette = {}, p
        return self._table, self._runs

    def _segment(self, text: str, style) -> Segment:
        """One run of a row, shared with every other row and frame showing the same run: a row is
        rebuilt 4 times a second, mostly from runs seen before (fewer new objects, fewer GCs)."""
        if len(self._runs) >= 8192:
            self._runs.clear()
        seg = self._runs[(text, id(style))] = Segment(text, style)
        return seg

    def _update_ref(self, per_slot: list[Column | None], axis: Axis) -> None:
        """The reference size (~ the 90th percentile of visible levels in the newest column), kept
        while it stays within a factor of 2 so the colours do not flicker."""
        col = next((c for c in reversed(per_slot) if c is not None and c[1] is not None), None)
        if col is None:
            return
        b = column_buckets(col, axis.group)
        lo = axis.top - axis.rows + 1
        sizes = sorted(q for k, q in b.items() if lo <= k <= axis.top)
        if not sizes:
            return
        ref = sizes[min(len(sizes) - 1, int(0.9 * len(sizes)))]
        if not self._ref or not (self._ref / 2 <= ref <= self._ref * 2):
            self._ref = ref

    def _column_shades(self, col: Column, axis: Axis) -> list[int]:
        b = column_buckets(col, axis.group)
        th = [t * self._ref for t in STEPS]
        top = axis.top
        top_shade = len(HEAT)
        out = []
        for r in range(axis.rows):
            q = b.get(top - r, 0)
            out.append(min(top_shade, 1 + bisect_right(th, q)) if q > 0 else 0)
        return out

    def _trades(self, trades: dict, first: int, nslots: int, axis: Axis) -> dict[int, dict]:
        """Trade marks: row -> cell -> (char, its style per background shade).

        Each slot's trades are summed by row once (again only when the slot took a trade or the
        rows moved): the grid is rebuilt 4 times a second over ~2 x its width slots, and summing
        every trade in view at each rebuild was ~6% of the frame (``benchmarks/ui.py``)."""
        acc: dict[tuple[int, int], list[int]] = {}
        rows_key = (axis.top, axis.group, axis.rows)
        kept = self._slot_rows
        fresh: dict[int, tuple] = {}
        for k in range(nslots):
            s = first + k
            ts = trades.get(s)
            if not ts:
                continue
            hit = kept.get(s)
            if hit is None or hit[0] is not ts or hit[1] != len(ts) or hit[2] != rows_key:
                by_row: dict[int, list[int]] = {}
                for px, q, buy in ts:
                    r = axis.top - px // axis.group
                    if 0 <= r < axis.rows:
                        v = by_row.get(r)
                        if v is None:
                            v = by_row[r] = [0, 0]
                        v[0 if buy else 1] += q
                hit = (ts, len(ts), rows_key, [(r, v[0], v[1]) for r, v in by_row.items()])
            fresh[s] = hit
            c = k // 2
            for r, bq, sq in hit[3]:
                v = acc.get((r, c))
                if v is None:
                    acc[(r, c)] = [bq, sq]
                else:
                    v[0] += bq
                    v[1] += sq
        self._slot_rows = fresh  # only the slots in view stay
        if not acc:
            return {}
        sizes = sorted(v[0] + v[1] for v in acc.values())
        big = sizes[int(0.9 * (len(sizes) - 1))] if len(sizes) > 3 else sizes[-1] + 1
        p = self.palette
        out: dict[int, dict] = {}
        for (r, c), (bq, sq) in acc.items():
            ch = "●" if bq + sq >= big else "•"
            out.setdefault(r, {})[c] = (ch, p.heat_buy if bq >= sq else p.heat_sell)
        return out
