"""LineStrip (dom/ui/strips.py) is a Textual Strip whose caches are made at their first read."""

import gc

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.strip import Strip

import dom.ui.app  # noqa: F401  (the app's wrappers installed, as when it runs)
from dom.ui.strips import LineStrip

RED, BLUE, BG = Style(color="red"), Style(color="blue"), Style(bgcolor="black")


def segments() -> list[Segment]:
    return [Segment("abcd", RED), Segment("efgh", BLUE), Segment("ij", None)]


def test_a_line_strip_is_a_strip_laid_out_as_textual_lays_one_out():
    s = LineStrip(segments(), 10)
    assert isinstance(s, Strip) and not hasattr(s, "__dict__"), "no dict: the slots are Textual's"
    made = Strip(segments(), 10)
    for name in Strip.__slots__:  # every slot Textual sets reads the same, caches as empty caches of its size
        mine, theirs = getattr(s, name), getattr(made, name)
        if isinstance(theirs, FIFOCache):
            assert isinstance(mine, FIFOCache) and mine._maxsize == theirs._maxsize and len(mine) == 0, name
        else:
            assert mine == theirs, name


def test_caches_are_made_at_their_first_read_and_kept():
    s = LineStrip(segments(), 10)
    unset = [n for n in Strip.__slots__ if n.endswith("_cache") and n != "_render_cache"]
    assert len(unset) == 7
    for name in unset:  # not made yet: the slot is empty (object.__getattribute__ does not call __getattr__)
        try:
            object.__getattribute__(s, name)
        except AttributeError:
            pass
        else:
            raise AssertionError(f"{name} made at construction")
    first = s.crop(1, 5)
    assert s.crop(1, 5) is first, "the crop cache made at the first crop keeps its result"
    assert object.__getattribute__(s, "_crop_cache") is s._crop_cache


def test_every_method_gives_what_textuals_strip_gives():
    console = Console(width=40, color_system="truecolor", force_terminal=True)
    for width in (None, 10):
        mine, theirs = LineStrip(segments(), width), Strip(segments(), width)
        assert mine == theirs and mine.text == theirs.text and mine.cell_length == theirs.cell_length
        assert mine.render(console) == theirs.render(console)
        for a, b in [(0, 10), (1, 5), (3, 9), (0, 4), (2, 14)]:
            assert list(mine.crop(a, b)) == list(theirs.crop(a, b)), (a, b)
            assert list(mine.crop_extend(a, b, BG)) == list(theirs.crop_extend(a, b, BG)), (a, b)
        for cuts in ([10], [3, 10], [2, 5, 8, 10], [4, 12]):
            assert [list(p) for p in mine.divide(cuts)] == [list(p) for p in theirs.divide(cuts)], cuts
        for n in (6, 10, 14):
            assert list(mine.adjust_cell_length(n, BG)) == list(theirs.adjust_cell_length(n, BG))
            assert list(mine.extend_cell_length(n, BG)) == list(theirs.extend_cell_length(n, BG))
        assert list(mine.apply_style(BG)) == list(theirs.apply_style(BG))
        assert list(mine.simplify()) == list(theirs.simplify())
        assert list(mine.apply_offsets(2, 3)) == list(theirs.apply_offsets(2, 3))
        assert mine.link_ids == theirs.link_ids and mine.cell_count == theirs.cell_count


def test_an_unknown_attribute_is_still_an_error():
    s = LineStrip(segments(), 10)
    try:
        s.no_such_thing  # noqa: B018
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:
        raise AssertionError("an unknown attribute read something")


def test_a_repainted_line_leaves_no_cycle_and_fewer_objects():
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        before = len(gc.get_objects())
        kept = [LineStrip(segments(), 10) for _ in range(100)]
        mine = len(gc.get_objects()) - before
        kept += [Strip(segments(), 10) for _ in range(100)]
        theirs = len(gc.get_objects()) - before - mine
        assert mine * 2 < theirs, (mine, theirs)  # seven caches a strip fewer (~5 objects a strip against ~12)
        for s in kept:
            assert s.divide([10]) == [s] and s.crop_extend(0, 10, None) is s
        del kept, s
        assert gc.collect() == 0, "a line strip was left in a reference cycle"
    finally:
        if was:
            gc.enable()
