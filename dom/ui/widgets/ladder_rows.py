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

    def size(q: int, w: int) -> str:
        return compact(q * lot, w - 1, inst.qty_str(q)).rjust(w - 1) + " " if q else " " * w

    def signed(q: int, w: int) -> str:
        if not q:
            return " " * w
        text = compact(abs(q) * lot, w - 2, inst.qty_str(abs(q)))
        return (("+" if q > 0 else "-") + text).rjust(w - 1) + " "

    for c in columns:
        k, w = c.key, c.width or price_w
        if k == "price":
            style = p.plan if r.plan else p.price_best if r.last else p.price if r.bid or r.ask else p.dim
            if r.cursor:  # reversed, between arrows (the last price's row is reversed already)
                segs.append(Segment(("▸" + inst.px_str(r.px) + "◂").center(w), style + CURSOR))
            else:
                segs.append(Segment(inst.px_str(r.px).center(w), style))
        elif k == "bid" or k == "ask":
            if k == "bid":
                segs.append(Segment(size(r.bid, w), p.bid_shade[r.shade_b]))
            else:
                segs.append(Segment(size(r.ask, w), p.ask_shade[r.shade_a]))
        elif k == "cumb" or k == "cuma":
            q = r.cumb if k == "cumb" else r.cuma
            segs.append(Segment((fmt_sig(q * lot, w - 1, 2).rjust(w - 1) + " ") if q else " " * w, p.dim))
        elif k == "chgb" or k == "chga":
            q = r.chgb if k == "chgb" else r.chga
            segs.append(Segment(signed(q, w), p.bid if q > 0 else p.ask))
        elif k == "sells":
            segs.append(Segment(size(r.sells, w), p.ask))
        elif k == "buys":
            segs.append(Segment(size(r.buys, w), p.bid))
        elif k == "vol":
            h = (w - 1) // 2
            if r.vb or r.vs:
                segs.append(Segment(compact(r.vb * lot, h, inst.qty_str(r.vb)).rjust(h) if r.vb else " " * h, p.bid))
                segs.append(Segment("/", p.dim))
                segs.append(Segment((compact(r.vs * lot, h - 1, inst.qty_str(r.vs)) if r.vs else "").ljust(w - h - 1), p.ask))
            else:
                segs.append(Segment(" " * w, p.background))
        elif k == "prof":
            tag = r.plan or (r.tag if r.tag != "va" else "")  # the plan's mark wins over POC / VAH / VAL
            full, part = divmod(r.pv, 8)
            bar = ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(w - 3)[: w - 3]
            segs.append(Segment(tag.ljust(3), p.plan if r.plan else p.profile))
            segs.append(Segment(bar, p.profile_va if r.tag else p.profile_bar))
        elif k == "mark":
            m = r.mark[:2]
            kind = next((kk for kk, letter in KIND_LETTER.items() if m and letter == m[0]), "")
            segs.append(Segment(m.ljust(w), p.kind.get(kind, p.warn)))
    return segs
