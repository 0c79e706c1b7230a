"""The ladder's cell cache (``RowCells``) draws exactly what ``row_cells`` draws, row after row."""

import itertools
import random

from rich.segment import Segment

from dom.ui.palette import SHADES, Palette
from dom.ui.widgets.ladder_rows import COLUMNS, Row, RowCells, row_cells
from tests.tui.app_factory import make_app


def random_row(rnd: random.Random, px: int) -> Row:
    r = Row(px)
    pick = lambda *xs: rnd.choice(xs)  # noqa: E731
    r.bid, r.ask = pick(0, 1, 7, 1234, 10**7), pick(0, 3, 999, 123456)
    r.cumb, r.cuma = pick(0, 12, 3400, 5 * 10**6), pick(0, 56, 78000)
    r.chgb, r.chga = pick(0, -5, 250, -10**6), pick(0, 40, -3)
    r.sells, r.buys, r.vb, r.vs = pick(0, 2, 30000), pick(0, 9), pick(0, 17, 10**8), pick(0, 4)
    r.pv, r.tag, r.mark = rnd.randrange(0, 49), pick("", "va", "POC", "VAH", "VAL"), pick("", "W", "IA", "SXB")
    r.shade_b, r.shade_a, r.last = rnd.randint(0, SHADES), rnd.randint(0, SHADES), pick(False, True)
    r.plan, r.cursor = pick("", "", "ENT", "TP2"), pick(False, False, True)
    return r


def test_row_cells_cache_matches_row_cells():
    inst = make_app(seconds=3).model.engine["BTCUSDT"].instrument
    p = Palette()
    rnd = random.Random(5)
    for n in (len(COLUMNS), 7, 4):  # all columns, and the narrower ladders
        cols = COLUMNS[:n]
        cells = RowCells(p, cols, 10, inst)
        for px in itertools.islice(itertools.cycle(range(6_000_000, 6_000_040)), 600):
            r = random_row(rnd, px)
            want = list(Segment.simplify(row_cells(p, cols, 10, inst, r)))
            assert cells.segments(r) == want
            assert cells.segments(r) == want  # from the cache this time


def test_a_changed_cell_is_redrawn_and_the_others_come_from_the_cache():
    inst = make_app(seconds=3).model.engine["BTCUSDT"].instrument
    cells = RowCells(Palette(), COLUMNS, 10, inst)
    r = random_row(random.Random(1), 6_000_000)
    r.plan, r.cursor = "", False
    first = cells.segments(r)
    r.bid += 1
    again = cells.segments(r)
    assert again != first and again == list(Segment.simplify(row_cells(cells.p, COLUMNS, 10, inst, r)))


def test_cells_of_several_segments_join_their_neighbours_as_simplify_does():
    # A palette where the traded column's last style begins the profile and the profile's last
    # style begins the mark: joins across a cell of two or three segments, on both sides.
    inst = make_app(seconds=3).model.engine["BTCUSDT"].instrument
    p = Palette()
    p.profile, p.warn = p.ask, p.profile_bar
    cells = RowCells(p, COLUMNS, 10, inst)
    rnd = random.Random(11)
    joined = 0
    for px in range(6_000_000, 6_000_300):
        r = random_row(rnd, px)
        r.vb, r.vs, r.tag, r.plan, r.mark = rnd.choice((0, 5)), rnd.choice((0, 7)), "", "", ""
        want = list(Segment.simplify(row_cells(p, COLUMNS, 10, inst, r)))
        assert cells.segments(r) == want
        joined += any(seg.style is p.ask and seg.text.endswith(" " * 3) for seg in want)
    assert joined > 50
