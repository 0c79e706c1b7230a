"""The replay's transport: pause and play, speed x1..x50, seek forward, on to the next alert; on a
slice of the real BTCUSDT recording through the same LiveDriver and pipeline as ``dom tui
--replay``, and the screen's keys driving it (Pilot)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dom.core.detectors import make_observers
from dom.runtime.live import LiveDriver
from dom.runtime.pipeline import Pipeline
from dom.runtime.replay_feed import ReplayFeed
from dom.runtime.view import UiModel
from dom.ui.app import DomApp
from tests.recording_slices import slice_recording

USDM = "hftbacktest/usdm/btcusdt_20240808.gz"


async def _start(path: Path, speed: float = 1.0):
    feed = ReplayFeed(path, speed=speed)
    model = UiModel()
    # Walls without the step test: the slice's first two minutes hold no order beyond the largest
    # steps there, and the transport needs alerts to skip to.
    pipe = Pipeline(feed.venue, detectors=make_observers({"wall_step_rank": 0}), observers=(model.observers,))
    model.attach(pipe)
    feed.alerts = lambda: pipe.alerts
    model.transport = feed
    drv = LiveDriver(feed, pipe, stale_after_s=0)
    await drv.start()
    return feed, model, pipe, drv, asyncio.create_task(drv.run())


async def test_pause_speed_seek_and_next_alert(shared_data, tmp_path):
    part = tmp_path / "slice.gz"
    slice_recording(shared_data / USDM, part, 120)
    feed, model, pipe, drv, task = await _start(part, speed=1.0)
    try:
        await asyncio.sleep(0.5)
        feed.toggle_pause()
        assert feed.state_text() == "paused"
        await asyncio.sleep(0.2)
        frozen = feed.stats.frames
        await asyncio.sleep(0.5)
        assert feed.stats.frames == frozen  # nothing plays while paused
        feed.toggle_pause()
        for want in (2.0, 5.0, 10.0, 50.0, 50.0):
            feed.faster()
            assert feed.speed == want
        feed.slower()
        assert feed.state_text() == "x10"
        feed.slower(), feed.slower(), feed.slower()
        assert feed.speed == 1.0
        at = feed.rec_ns
        feed.seek(10)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while feed.rec_ns < at + 10_000_000_000:
            assert loop.time() - t0 < 5, "seek +10 s did not get there"
            await asyncio.sleep(0.05)
        assert loop.time() - t0 < 5  # ten recorded seconds in well under ten
        assert feed.state_text() == "x1"  # back to pacing once there
        before = pipe.alerts
        feed.next_alert()
        while pipe.alerts == before and not feed.ended:
            assert loop.time() - t0 < 20
            await asyncio.sleep(0.05)
        assert pipe.alerts > before  # the slice has walls
    finally:
        drv.stop()
        await task


async def test_the_keys_drive_the_transport_and_the_status_bar_says_so(shared_data, tmp_path):
    part = tmp_path / "slice.gz"
    slice_recording(shared_data / USDM, part, 60)
    feed, model, pipe, drv, task = await _start(part, speed=1.0)
    app = DomApp(model, runner=None, fps=0, clock=None)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await asyncio.sleep(0.3)
            await pilot.press("space")
            assert feed.paused
            app.frame()
            await pilot.pause()
            bar = app.query_one("StatusBar")
            assert any("replay paused" in text for text, _ in bar.parts())
            await pilot.press("space", "greater_than_sign", "greater_than_sign")
            assert not feed.paused and feed.speed == 5.0
            await pilot.press("less_than_sign")
            assert feed.speed == 2.0
            at = feed.rec_ns
            await pilot.press("right_square_bracket")
            for _ in range(100):  # (ten recorded seconds go through in a moment)
                if feed.rec_ns >= at + 10_000_000_000:
                    break
                await asyncio.sleep(0.05)
            assert feed.rec_ns >= at + 10_000_000_000
            before = pipe.alerts
            await pilot.press("right_curly_bracket")
            for _ in range(100):
                if pipe.alerts > before or feed.ended:
                    break
                await asyncio.sleep(0.05)
            assert pipe.alerts > before or feed.ended
    finally:
        drv.stop()
        await task
