"""Textual's strips without reference cycles (imported by the app; textual is pinned in pyproject).

``Strip.divide`` caches its result in the strip, and a strip "divided" at its own length (the
compositor does it for every line of every widget it paints: one cut at the widget's edge)
caches ``[self]``; ``Strip.crop_extend`` caches itself when nothing is cropped or extended. Each
such strip is then a reference cycle: when its line is repainted it is not freed but left to the
cyclic garbage collector. At 20 fps with the ladder, tape and heatmap repainting ~40 lines a frame
that was ~1,000 objects a frame (the strip, its seven caches, its segments), most of them
surviving into the oldest generation, whose full collection then took ~200 ms (``dom tui``
stalled for a fifth of a second every half minute or so; ``benchmarks/ui.py``).

:func:`install` wraps the two methods: the same result (the strip itself), without storing it in
its own cache. Everything else still goes through Textual's code.
"""

from __future__ import annotations

from textual.strip import Strip

__all__ = ["install"]


def install() -> None:
    """Wrap ``Strip.divide`` and ``Strip.crop_extend`` once (idempotent)."""
    if getattr(Strip.divide, "_dom_no_cycle", False):
        return
    divide, crop_extend = Strip.divide, Strip.crop_extend

    def divide_no_cycle(self: Strip, cuts):
        n = self.cell_length
        kept = [c for c in cuts if c <= n]
        if kept == [n]:  # one cut, at the end: the strip itself, as Textual's would return
            return [self]
        return divide(self, kept)

    def crop_extend_no_cycle(self: Strip, start: int, end: int, style):
        if start == 0 and end == self.cell_length:
            return self
        return crop_extend(self, start, end, style)

    divide_no_cycle._dom_no_cycle = True  # type: ignore[attr-defined]
    divide_no_cycle.__doc__ = divide.__doc__
    crop_extend_no_cycle.__doc__ = crop_extend.__doc__
    Strip.divide = divide_no_cycle  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend_no_cycle  # type: ignore[method-assign]
