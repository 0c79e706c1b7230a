"""Snapshot tests from the finite seeded feed: main screen, help, a resync, 80x24, a light theme."""

from tests.tui.app_factory import make_app, make_resync_app


def test_main_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40))


def test_help_screen(snap_compare):
    assert snap_compare(make_app(seconds=3), press=["question_mark"], terminal_size=(100, 30))


def test_resync_state(snap_compare):
    """BTCUSDT lost its sequence and is re-fetching its snapshot: the ladder shows no book."""
    assert snap_compare(make_resync_app(seconds=10), terminal_size=(120, 40))


def test_small_terminal(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_light_theme(snap_compare):
    async def light(pilot):
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(make_app(), run_before=light, terminal_size=(120, 40))


def test_scan_screen(snap_compare):
    """S: every symbol of the seeded feed ranked by relative strength (no refresh timer: fps=0)."""
    assert snap_compare(make_app(seconds=120), press=["S"], terminal_size=(160, 40))
