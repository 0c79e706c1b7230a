"""Partial updates without the empty cursor move at the end of each repainted span, and cursor
moves kept per position (dom/ui/partial_updates.py): the same bytes as Textual's, less those
moves, on the app's own updates and on lines with several spans."""

import re

from rich.console import Console
from rich.segment import Segment
from textual._compositor import ChopsUpdate
from textual.strip import Strip

import dom.ui.app  # noqa: F401  (installs the wrapper)
from tests.tui.app_factory import make_app

EMPTY_MOVE = re.compile(r"\x1b\[\d+;\d+H(?=\n|\x1b\[\d+;\d+H|$)")


def both(update: ChopsUpdate, console) -> tuple[str, str]:
    """(Textual's bytes, the wrapper's) for one update; Textual's on a copy of its pieces."""
    original = ChopsUpdate.render_segments.__wrapped__
    copy = ChopsUpdate([dict(line) for line in update.chops], list(update.spans), update.chop_ends)
    return original(copy, console), update.render_segments(console)


async def test_the_apps_updates_lose_only_their_empty_moves():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        comp = app.screen._compositor
        widgets = {app.ladder, app.heatmap, app.tape, app.alerts, app.context_panel}
        dropped = 0
        for dirty in ([3, 4, 10], [1], list(range(1, 30)), [15]):
            for w in (app.ladder, app.heatmap):  # lines ending where the next widget begins
                w._dirty = list(dirty)
                w.flush()
            app.tape._dirty = [2]  # a line ending at the screen's edge
            app.tape.flush()
            comp.update_widgets(widgets)
            update = comp.render_partial_update()
            want, got = both(update, app.console)
            assert got == EMPTY_MOVE.sub("", want)
            assert not EMPTY_MOVE.search(got) and len(got) < len(want)
            dropped += len(EMPTY_MOVE.findall(want))
        # One per repainted line whose span ends where the tape begins (the heatmap's and the
        # ladder's lines join into one span; on the line where the tape repaints too, none).
        assert dropped == 3 + 1 + 29 + 1 - 1


def test_a_piece_another_span_of_its_line_needs_is_kept():
    console = Console(width=40, color_system="truecolor", force_terminal=True)
    a, b, c = (Strip([Segment(ch * n)]) for ch, n in (("a", 10), ("b", 20), ("c", 10)))
    line = {0: a, 10: b, 30: c}
    ends = [[10, 30, 40]]
    # The first span ends where b begins, but the second needs b (written from its start): b
    # stays, and only the empty move at the line's last span's end (where c begins) goes.
    update = ChopsUpdate([dict(line)], [(0, 0, 10), (0, 20, 30)], ends)
    want, got = both(update, console)
    assert want.endswith("\x1b[1;31H") and got == want.removesuffix("\x1b[1;31H")
    assert "b" * 20 in got and "a" * 10 in got
    # One span ending where b begins: b is set aside, the output is a's alone.
    update = ChopsUpdate([dict(line)], [(0, 0, 10)], ends)
    want, got = both(update, console)
    assert got == EMPTY_MOVE.sub("", want) != want and "b" not in got and "a" * 10 in got


def test_cursor_moves_are_kept_per_position_and_write_what_rich_writes():
    from rich.control import Control

    from dom.ui import partial_updates

    made = Control.move_to.__wrapped__
    for x, y in ((0, 0), (62, 3), (199, 49), (148, 48), (5, 1_000)):
        move = Control.move_to(x, y)
        assert move is Control.move_to(x, y)  # kept
        assert move.segment == made(x, y).segment  # rich's own text and codes
        assert move.segment.text == f"\x1b[{y + 1};{x + 1}H"
    for i in range(partial_updates.MOVES_KEPT + 10):  # bounded: emptied when full
        Control.move_to(i, 7)
        assert len(Control.move_to.kept) <= partial_updates.MOVES_KEPT
    first = Control.move_to(0, 0)
    assert first is Control.move_to(0, 0) and first.segment == made(0, 0).segment
