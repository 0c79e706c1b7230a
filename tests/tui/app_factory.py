"""A DomApp on a finite seeded feed: the built-in market run headless for a few seconds, decoded
by the live decoder into an engine with the detectors and the UI's observers. No live timers: the
app runs no frame timer and no wall clock (frames are drawn on keys and by the test)."""

from __future__ import annotations

from dom.core.detectors import make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, BookDelta, FeedState, FeedStatus, StatusChange
from dom.sim.headless import drive
from dom.sim.market import Market
from dom.ui.app import DomApp
from dom.ui.model import UiModel


def seeded_model(seconds: float = 60, seed: int = 3) -> tuple[UiModel, Market]:
    m = Market("mixed", seed=seed)
    model = UiModel(venue="binanceusdm")
    det = make_observers()
    eng = Engine(m.instruments, observers=lambda st: det(st) + model.observers(st))
    model.engine = eng

    def out(o) -> None:
        if isinstance(o, Alert):
            model.on_alert(o)
        elif isinstance(o, StatusChange):
            model.on_status(o)

    drive(m, eng, seconds, out)
    return model, m


def make_app(seconds: float = 60, seed: int = 3) -> DomApp:
    model, _ = seeded_model(seconds, seed)
    return DomApp(model, runner=None, fps=0, clock=None)


def break_sync(model: UiModel, symbol: str = "BTCUSDT") -> None:
    """A sequence gap on ``symbol`` (a delta whose ``pu`` does not chain), then the feed saying it
    is re-fetching the snapshot: the book is resyncing and must not be shown."""
    eng = model.engine
    st = eng[symbol]
    last = st.seq.last_id
    ts = st.stats.last_exchange_ns + 1_000_000
    for o in eng.feed(BookDelta(symbol, (), (), last + 10, last + 12, last + 9, ts, ts)):
        if isinstance(o, StatusChange):
            model.on_status(o)
    for o in eng.feed(FeedStatus(symbol, FeedState.RESYNCING, "fetching a fresh snapshot", ts, ts)):
        if isinstance(o, StatusChange):
            model.on_status(o)


def make_resync_app(seconds: float = 60, seed: int = 3) -> DomApp:
    model, _ = seeded_model(seconds, seed)
    break_sync(model)
    return DomApp(model, runner=None, fps=0, clock=None)


def text(widget, y: int) -> str:
    """The text of line ``y`` of a line-API widget, as drawn."""
    return "".join(seg.text for seg in widget.render_line(y))


def next_delta(model: UiModel, symbol: str, bids=(), asks=(), dt_ms: int = 100) -> list:
    """Feed the engine the next depth update of ``symbol`` (chained to the last one)."""
    st = model.engine[symbol]
    last = st.seq.last_id
    ts = st.stats.last_exchange_ns + dt_ms * 1_000_000
    return model.engine.feed(BookDelta(symbol, tuple(bids), tuple(asks), last + 1, last + 1, last, ts, ts))


async def _screenshot(path: str, size: tuple[int, int] = (120, 40)) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        # a trade plan: entry at the mid, stop 8 rows below (the ladder's cursor)
        await pilot.press("e", *["shift+down"] * 8, "t")
        await pilot.pause()
        with open(path, "w", encoding="utf-8") as f:
            f.write(app.export_screenshot(title="dom on the built-in market"))


if __name__ == "__main__":  # python3 -m tests.tui.app_factory docs/screenshot.svg
    import asyncio
    import sys

    asyncio.run(_screenshot(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.svg"))
