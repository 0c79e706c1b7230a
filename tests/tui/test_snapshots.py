"""Snapshot tests of the main screen and the help screen, from the finite seeded feed."""

from tests.tui.app_factory import make_app


def test_main_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40))


def test_help_screen(snap_compare):
    assert snap_compare(make_app(seconds=3), press=["question_mark"], terminal_size=(100, 30))
