"""Repainted lines are freed by reference counting, not left to the cyclic GC (dom/ui/strip_cycles.py)."""

import gc

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

import dom.ui.app  # noqa: F401  (installs the wrappers, as the app does)

RED, BLUE = Style(color="red"), Style(color="blue")


def strip() -> Strip:
    return Strip([Segment("abcd", RED), Segment("efgh", BLUE)], 8)


def test_whole_strip_division_and_crop_leave_no_cycle():
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(100):
            s = strip()
            assert s.divide([8]) == [s] and s.divide([8, 12]) == [s]  # as the compositor cuts a line
            assert s.crop_extend(0, 8, None) is s
        del s
        assert gc.collect() == 0, "a strip divided or cropped to itself was left in a reference cycle"
    finally:
        if was:
            gc.enable()


def test_results_unchanged():
    s = strip()
    assert [p.text for p in s.divide([3, 8])] == ["abc", "defgh"]
    assert [p.text for p in s.divide([2, 5, 8])] == ["ab", "cde", "fgh"]
    assert s.divide([3, 8]) is s.divide([3, 8]), "other divisions still cached"
    assert s.crop_extend(2, 10, BLUE).text == "cdefgh  " and s.crop_extend(1, 4, None).text == "bcd"
    assert list(s.divide([8])[0]) == list(s)
