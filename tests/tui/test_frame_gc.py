"""Once the collector is tuned (5 s after start), each frame starts with a young-generation
collection: the garbage of the last frames is collected there, a little every frame."""

import gc

from tests.tui.app_factory import make_app


async def test_frames_collect_the_young_generations_once_tuned(monkeypatch):
    app = make_app(seconds=3)
    thresholds = gc.get_threshold()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        calls: list[tuple] = []
        real = gc.collect
        monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or real(*a))
        try:
            app.frame()
            assert calls == [], "no collection from a frame before the tuning"
            app.collect_garbage()
            assert calls == [()] and gc.get_threshold()[2] == 100
            calls.clear()
            app.frame()
            app.frame()
            assert calls == [(1,), (1,)]
        finally:
            monkeypatch.undo()
            gc.unfreeze()
            gc.set_threshold(*thresholds)
