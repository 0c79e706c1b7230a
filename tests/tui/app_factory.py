"""A DomApp on a finite seeded feed: the built-in market run headless for a few seconds, decoded
by the live decoder into an engine with the detectors and the UI's observers. No live timers: the
app runs no frame timer and no wall clock (frames are drawn on keys and by the test)."""

from __future__ import annotations

from dom.core.context.params import ContextParams
from dom.core.detectors import make_observers
from dom.core.types import BookDelta, FeedState, FeedStatus
from dom.runtime.pipeline import Pipeline
from dom.runtime.simulated import drive
from dom.runtime.view import UiModel
from dom.sim.market import Market
from dom.ui.app import DomApp


def seeded_model(seconds: float = 60, seed: int = 3, detectors: bool = True,
                 context: ContextParams | None = None, market: Market | None = None) -> tuple[UiModel, Market]:
    """The screen's model on a pipeline fed ``seconds`` of the built-in market (seed ``seed``)."""
    m = market or Market("mixed", seed=seed)
    model = UiModel()
    pipe = Pipeline("sim", detectors=make_observers() if detectors else None,
                    context=context or ContextParams(), observers=(model.observers,))
    model.attach(pipe)
    drive(m, pipe, seconds)
    return model, m


def make_app(seconds: float = 60, seed: int = 3) -> DomApp:
    model, _ = seeded_model(seconds, seed)
    return DomApp(model, runner=None, fps=0, clock=None)


def break_sync(model: UiModel, symbol: str = "BTCUSDT") -> None:
    """A sequence gap on ``symbol`` (a delta whose ``pu`` does not chain), then the feed saying it
    is re-fetching the snapshot: the book is resyncing and must not be shown."""
    st = model.engine[symbol]
    last = st.seq.last_id
    ts = st.stats.last_exchange_ns + 1_000_000
    model.pipeline.on_snapshot_request = lambda s: None  # the snapshot never comes
    model.pipeline.feed([BookDelta(symbol, (), (), last + 10, last + 12, last + 9, ts, ts),
                         FeedStatus(symbol, FeedState.RESYNCING, "fetching a fresh snapshot", ts, ts)])


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
