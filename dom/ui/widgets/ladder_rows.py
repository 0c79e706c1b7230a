"""The ladder's rows: the shared axis, the columns and one row's numbers and cells.

Kept apart from the widget (``dom.ui.widgets.ladder``) so each stays small: the widget decides
which prices are rows and fills them from the model; this draws one row.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style

from dom.ui.palette import KIND_LETTER, Palette, compact, fmt_sig


@dataclass(frozen=True)
class Axis:
    """The rows both the ladder and the heatmap draw: bucket ``top - i`` on row ``i + 1``."""

    symbol: str
    group: int
    top: int  # bucket index of the first price row (row 1; row 0 is the header)
    rows: int


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    width: int
    priority: int  # 0 = always; larger = dropped first


COLUMNS = (
    Col("cumb", "cum", 8, 7), Col("chgb", "±bid", 6, 4), Col("sells", "sells", 6, 3),
    Col("bid", "bid", 7, 1), Col("price", "price", 0, 0), Col("ask", "ask", 7, 1),
    Col("buys", "buys", 6, 3), Col("chga", "±ask", 6, 4), Col("cuma", "cum", 8, 7),
    Col("vol", "traded b/s", 14, 5), Col("prof", "profile", 8, 2), Col("mark", "", 2, 1),
)


CURSOR = Style(reverse=True)
PLAN_ORDER = ("ENT", "STP", "TP1", "TP2")  # which trade plan mark a row shows when it holds several


class Row:
    __slots__ = (
        "ask",
        "bid",
        "buys",
        "chga",
        "chgb",
        "cuma",
        "cumb",
        "cursor",
        "last",
        "mark",
        "plan",
        "pv",
        "px",
        "sells",
        "shade_a",
        "shade_b",
        "tag",
        "vb",
        "vs",
    )

    def __init__(self, px: int) -> None:
        self.px = px
        self.bid = self.ask = self.cumb = self.cuma = self.chgb = self.chga = 0
        self.sells = self.buys = self.vb = self.vs = self.pv = 0
        self.tag = ""
        self.mark = ""
        self.shade_b = self.shade_a = 0
        self.last = False
        self.plan = ""  # ENT / STP / TP1 / TP2: the trade plan (dom/core/context/desk.py), on every frame
        self.cursor = False  # the centre row of a locked ladder: where e / t set entry and stop

    def slow(self) -> tuple:
        return (self.cumb, self.cuma, self.chgb, self.chga, self.vb, self.vs, self.pv, self.tag)

    def set_slow(self, v: tuple) -> None:
        self.cumb, self.cuma, self.chgb, self.chga, self.vb, self.vs, self.pv, self.tag = v

    def sig(self) -> tuple:
        return (self.px, self.bid, self.ask, self.cumb, self.cuma, self.chgb, self.chga, self.sells, self.buys,
                self.vb, self.vs, self.pv, self.tag, self.mark, self.shade_b, self.shade_a, self.last, self.plan,
                self.cursor)


def in_window(src: dict, lo: int, hi: int):
    """Items of ``src`` (price -> value) with ``lo <= price <= hi``, by whichever walk is shorter."""
    if len(src) <= hi - lo + 1:
        return [(px, v) for px, v in src.items() if lo <= px <= hi]
    get = src.get
    return [(px, v) for px in range(lo, hi + 1) if (v := get(px)) is not None]



def row_cells(p: Palette, columns: tuple[Col, ...], price_w: int, inst, r: Row) -> list[Segment]:
    """The segments of one price row, column by column (each cell exactly its width)."""
    lot = float(inst.lot_size)
    segs: list[Segment] = []
    for c in columns:
        segs.extend(cell(p, c.key, c.width or price_w, inst, lot, r))
    return segs


def cell(p: Palette, k: str, w: int, inst, lot: float, r: Row) -> tuple[Segment, ...]:
    """The segments of column ``k`` (``w`` cells) of row ``r``; they depend on ``CELL_KEY[k](r)`` only."""

    def size(q: int) -> str:
        return compact(q * lot, w - 1, inst.qty_str(q)).rjust(w - 1) + " " if q else " " * w

    if k == "price":
        style = p.plan if r.plan else p.price_best if r.last else p.price if r.bid or r.ask else p.dim
        if r.cursor:  # reversed, between arrows (the last price's row is reversed already)
            return (Segment(("▸" + inst.px_str(r.px) + "◂").center(w), style + CURSOR),)
        return (Segment(inst.px_str(r.px).center(w), style),)
    if k == "bid":
        return (Segment(size(r.bid), p.bid_shade[r.shade_b]),)
    if k == "ask":
        return (Segment(size(r.ask), p.ask_shade[r.shade_a]),)
    if k == "cumb" or k == "cuma":
        q = r.cumb if k == "cumb" else r.cuma
        return (Segment((fmt_sig(q * lot, w - 1, 2).rjust(w - 1) + " ") if q else " " * w, p.dim),)
    if k == "chgb" or k == "chga":
        q = r.chgb if k == "chgb" else r.chga
        if not q:
            return (Segment(" " * w, p.bid if q > 0 else p.ask),)
        text = compact(abs(q) * lot, w - 2, inst.qty_str(abs(q)))
        return (Segment((("+" if q > 0 else "-") + text).rjust(w - 1) + " ", p.bid if q > 0 else p.ask),)
    if k == "sells":
        return (Segment(size(r.sells), p.ask),)
    if k == "buys":
        return (Segment(size(r.buys), p.bid),)
    if k == "vol":
        h = (w - 1) // 2
        if not (r.vb or r.vs):
            return (Segment(" " * w, p.background),)
        return (Segment(compact(r.vb * lot, h, inst.qty_str(r.vb)).rjust(h) if r.vb else " " * h, p.bid),
                Segment("/", p.dim),
                Segment((compact(r.vs * lot, h - 1, inst.qty_str(r.vs)) if r.vs else "").ljust(w - h - 1), p.ask))
    if k == "prof":
        tag = r.plan or (r.tag if r.tag != "va" else "")  # the plan's mark wins over POC / VAH / VAL
        full, part = divmod(r.pv, 8)
        bar = ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(w - 3)[: w - 3]
        return (Segment(tag.ljust(3), p.plan if r.plan else p.profile),
                Segment(bar, p.profile_va if r.tag else p.profile_bar))
    if k == "mark":
        m = r.mark[:2]
        kind = next((kk for kk, letter in KIND_LETTER.items() if m and letter == m[0]), "")
        return (Segment(m.ljust(w), p.kind.get(kind, p.warn)),)
    return ()


# What each column's cell shows, as a hashable key (its segments are a function of it).
CELL_KEY = {
    "price": lambda r: (r.px, bool(r.plan), r.last, bool(r.bid or r.ask), r.cursor),
    "bid": lambda r: (r.bid, r.shade_b),
    "ask": lambda r: (r.ask, r.shade_a),
    "cumb": lambda r: r.cumb,
    "cuma": lambda r: r.cuma,
    "chgb": lambda r: r.chgb,
    "chga": lambda r: r.chga,
    "sells": lambda r: r.sells,
    "buys": lambda r: r.buys,
    "vol": lambda r: (r.vb, r.vs),
    "prof": lambda r: (r.plan, r.tag, r.pv),
    "mark": lambda r: r.mark[:2],
}
CELL_CACHE_MAX = 4096  # cells kept per column (a column's cache is emptied when it is full)


class RowCells:
    """One row's segments, cell by cell from a cache: a row whose bid size changed formats one
    cell, not twelve. Valid for one palette, set of columns, price width and instrument (the
    ladder makes a new one when any changes); the result is ``Segment.simplify`` of
    :func:`row_cells`. A cell is kept simplified with its first and last style, so a row joins
    its cells only where two meet in one style."""

    def __init__(self, p: Palette, columns: tuple[Col, ...], price_w: int, inst) -> None:
        self.p, self.inst, self.lot = p, inst, float(inst.lot_size)
        self.cols = [(c.key, c.width or price_w, CELL_KEY[c.key], {}) for c in columns]
        self._same: dict[tuple[int, int], bool] = {}  # style == style, by the styles' ids

    def segments(self, r: Row) -> list[Segment]:
        out: list[Segment] = []
        last = None  # the style the row ends in so far
        same = self._same
        for k, w, key, cache in self.cols:
            ck = key(r)
            hit = cache.get(ck)
            if hit is None:
                if len(cache) >= CELL_CACHE_MAX:
                    cache.clear()
                    same.clear()  # its styles may be gone, and their ids reused
                segs = tuple(Segment.simplify(cell(self.p, k, w, self.inst, self.lot, r)))
                hit = cache[ck] = (segs, segs[0].style, segs[-1].style) if segs else ((), None, None)
            segs, first, end = hit
            if not segs:
                continue
            if last is not None:  # Segment.simplify across the cells' edge
                if first is last:
                    eq = True
                else:
                    eq = same.get((id(last), id(first)))
                    if eq is None:
                        eq = same[(id(last), id(first))] = last == first
                if eq:
                    prev = out[-1]
                    out[-1] = Segment(prev.text + segs[0].text, prev.style)
                    if len(segs) > 1:
                        out.extend(segs[1:])
                        last = end
                    continue
            out.extend(segs)
            last = end
        return out
