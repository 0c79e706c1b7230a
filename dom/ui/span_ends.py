"""Textual's partial updates without an empty piece at the end of each repainted span
(imported by the app; textual is pinned in pyproject).

The compositor cuts each screen line at the widgets' edges, and ``ChopsUpdate.render_segments``
writes the pieces of the line that a repainted span covers. It skips a piece that begins after the
span ends, but not one that begins exactly where it ends: that piece is cut to nothing and written
as a cursor move with no text. A repainted ladder line ends where the tape begins, a heatmap line
where the ladder begins, so nearly every repainted line made a rich ``Control``, a strip cropped
to nothing and an escape sequence that changes no cell (~4% of a frame by py-spy, in
``benchmarks/ui.py``).

:func:`install` wraps ``render_segments``: for the last span of each line (spans of a line are
sorted and never touch, so nothing after it on that line is repainted) the piece that begins at
the span's end is set aside first, as the method does with pieces that have nothing to write.
Everything else is Textual's code; the bytes differ only by those empty moves.
"""

from __future__ import annotations

from textual._compositor import ChopsUpdate

__all__ = ["install"]


def install() -> None:
    """Wrap ``ChopsUpdate.render_segments`` once (idempotent)."""
    if getattr(ChopsUpdate.render_segments, "_dom_span_ends", False):
        return
    render_segments = ChopsUpdate.render_segments

    def without_empty_ends(self: ChopsUpdate, console):
        chops, spans = self.chops, self.spans
        last = len(spans) - 1
        for i, (y, _x1, x2) in enumerate(spans):
            if i < last and spans[i + 1][0] == y:
                continue  # another span later on this line may need the piece
            line = chops[y]
            if line.get(x2) is not None:
                line[x2] = None
        return render_segments(self, console)

    without_empty_ends._dom_span_ends = True  # type: ignore[attr-defined]
    without_empty_ends.__wrapped__ = render_segments  # type: ignore[attr-defined]
    without_empty_ends.__doc__ = render_segments.__doc__
    ChopsUpdate.render_segments = without_empty_ends  # type: ignore[method-assign]
