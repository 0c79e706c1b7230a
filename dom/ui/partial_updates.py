"""Textual's partial screen updates, two costs taken out (imported by the app; textual is pinned
in pyproject). Each frame Textual writes the changed lines as pieces, each after a cursor move.

**Empty pieces at a span's end.** The compositor cuts each screen line at the widgets' edges, and
``ChopsUpdate.render_segments`` writes the pieces of the line that a repainted span covers. It
skips a piece that begins after the span ends, but not one that begins exactly where it ends:
that piece is cut to nothing and written as a cursor move with no text. A repainted ladder line
ends where the tape begins, a heatmap line where the ladder begins, so nearly every repainted
line made a rich ``Control``, a strip cropped to nothing and an escape sequence that changes no
cell (~4% of a frame by py-spy, in ``benchmarks/ui.py``). :func:`install` wraps
``render_segments``: for the last span of each line (spans of a line are sorted and never touch,
so nothing after it on that line is repainted) the piece that begins at the span's end is set
aside first, as the method does with pieces that have nothing to write. The bytes differ only by
those empty moves.

**Cursor moves made anew.** Each piece's move is a new rich ``Control`` (a list of codes, a
formatted string, a ``Segment``) though a screen has a few thousand positions and the same lines
repaint every frame. ``Control.move_to`` is kept per position (the objects are never changed
after they are made), up to ``MOVES_KEPT`` positions.

Everything else is Textual's and rich's code.
"""

from __future__ import annotations

from rich.control import Control
from textual._compositor import ChopsUpdate

__all__ = ["MOVES_KEPT", "install"]

MOVES_KEPT = 16_384  # cursor positions kept (emptied when full: a 200x50 screen has 10,000)


def install() -> None:
    """Wrap ``ChopsUpdate.render_segments`` and ``Control.move_to`` once (idempotent)."""
    if getattr(ChopsUpdate.render_segments, "_dom_span_ends", False):
        return
    _keep_moves()
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


def _keep_moves() -> None:
    move_to = Control.move_to
    kept: dict[tuple[int, int], Control] = {}

    def kept_move_to(x: int, y: int) -> Control:
        key = (x, y)
        move = kept.get(key)
        if move is None:
            if len(kept) >= MOVES_KEPT:
                kept.clear()
            move = kept[key] = move_to(x, y)
        return move

    kept_move_to.__doc__ = move_to.__doc__
    kept_move_to.__wrapped__ = move_to  # type: ignore[attr-defined]
    kept_move_to.kept = kept  # type: ignore[attr-defined]
    Control.move_to = staticmethod(kept_move_to)  # type: ignore[method-assign,assignment]
