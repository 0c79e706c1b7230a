"""The live driver: a venue client (or a recording played as one) -> the pipeline, on one asyncio
event loop, with the sinks and the context poller beside it.

    drv = LiveDriver(client, pipeline, sinks=[...], poller_for=venue.context_poller)
    await drv.start()                  # the client's instruments, the engine, the sinks
    await drv.run(duration=None)       # until stop() or the duration; then sinks are flushed

The client calls ``pipeline.feed(events)`` from its receive loop; the pipeline runs inline (it is
pure and fast), so nothing queues between the socket and the book. Snapshot requests go back to
the client; alerts go to every sink (each with its own bounded queue and task) and to the
listeners. No signal handlers are installed here: the CLI does that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from dom.core.types import FeedState, FeedStatus
from dom.runtime.pipeline import Pipeline, SinkFanout

log = logging.getLogger("dom.runtime")


class LiveDriver:
    def __init__(
        self,
        client: Any,
        pipeline: Pipeline,
        sinks: list[Any] | None = None,
        poller_for: Callable[..., Any] | None = None,
        stale_after_s: float = 2.0,
    ) -> None:
        self.client = client
        self.pipeline = pipeline
        self.sinks = list(sinks or [])
        self.poller_for = poller_for
        self.poller: Any = None
        self.started_ns = 0
        self.stale_after_s = stale_after_s  # 0: no per-symbol watch
        self.stale_marked: dict[str, int] = {}  # symbols marked stale, and how often
        self._stop = asyncio.Event()
        client.emit = pipeline.feed
        client.on_status = pipeline.connection
        pipeline.on_snapshot_request = client.request_snapshot
        pipeline.subscribe(SinkFanout(pipeline, self.sinks))

    @property
    def engine(self):
        return self.pipeline.engine

    async def start(self) -> None:
        instruments = await self.client.prepare()
        self.pipeline.open(instruments)
        followed = getattr(self.client, "depth_symbols", None)
        if followed is not None:  # whole-venue mode: the others by their top of book only
            for sym in instruments:
                if sym not in followed:
                    self.pipeline.follow_depth(sym, False)
        for s in self.sinks:
            await s.start()
        if self.poller_for is not None and self.pipeline.context is not None:
            self.poller = self.poller_for(self.client, self.pipeline.feed_context, self.pipeline.params)
        self.started_ns = time.time_ns()

    def stop(self) -> None:
        self._stop.set()

    def follow(self, symbol: str, on: bool = True) -> bool:
        """Follow ``symbol``'s whole book (``on``) or only its top of book, where the client runs
        in whole-venue mode (the scanner); False where it cannot (then nothing changes)."""
        follow = getattr(self.client, "follow_depth", None)
        if follow is None or not follow(symbol, on):
            return False
        self.pipeline.follow_depth(symbol, on, time.time_ns())
        probe = getattr(self.poller, "probe_soon", None)
        if not on and probe is not None:
            probe(symbol)  # its row's depth from a probe at once, not at its turn in the rotation
        return True

    @property
    def whole_venue(self) -> bool:
        """The client follows every symbol's top of book and depth only for some."""
        return getattr(self.client, "depth_symbols", None) is not None

    async def run(self, duration: float | None = None, flush_deadline: float = 2.0) -> None:
        if self.pipeline.engine is None:
            await self.start()
        feed_task = asyncio.create_task(self.client.run(), name="dom-feed")
        stop_task = asyncio.create_task(self._stop.wait())
        poll_task = asyncio.create_task(self.poller.run(), name="dom-context") if self.poller else None
        watch_task = asyncio.create_task(self._watch(), name="dom-watch") if self.stale_after_s > 0 else None
        if poll_task is not None:  # the context is extra: its failure never stops the feed
            poll_task.add_done_callback(_poller_done)
        try:
            done, _ = await asyncio.wait(
                {feed_task, stop_task}, timeout=duration, return_when=asyncio.FIRST_COMPLETED
            )
            if feed_task in done:
                feed_task.result()  # a fatal feed error surfaces here
        finally:
            tasks = {feed_task, stop_task} | {t for t in (poll_task, watch_task) if t is not None}
            for t in tasks:
                t.cancel()
            # Bounded: a shutdown must never hang on a feed that does not let go.
            await asyncio.wait(tasks, timeout=3.0)
            self.pipeline.flush()  # what the detectors' merge still holds goes out with the rest
            for s in self.sinks:
                await s.aclose(flush_deadline)

    async def _watch(self) -> None:
        """Per symbol: a book whose depth stream went silent is stale, at once for the screen and
        the alerts, while the connection may still be fine (other symbols on it talk). Silent
        means no depth message for ``stale_after_s`` or 20 typical intervals, whichever is longer,
        on a symbol that was active (depth at least every 500 ms, median). The next message
        resyncs it."""
        import time

        while True:
            await asyncio.sleep(0.25)
            eng = self.pipeline.engine
            if eng is None:
                continue
            now = time.time_ns()
            for sym, r in self.pipeline.rates.items():
                st = eng.symbols.get(sym)
                typical = r.depth_interval_ns()
                if st is None or not st.synced or typical is None or typical > 500_000_000:
                    continue
                silent = now - r.depth_recv_ns[-1]
                limit = max(int(self.stale_after_s * 1e9), 20 * typical)
                if silent > limit:
                    self.stale_marked[sym] = self.stale_marked.get(sym, 0) + 1
                    self.pipeline.feed([FeedStatus(sym, FeedState.STALE, f"no depth for {silent / 1e9:.1f} s "
                                                   f"(it came every {typical / 1e6:.0f} ms)", 0, now)])

    # ------------------------------------------------------------------------------- views
    @property
    def rates(self):
        return self.pipeline.rates

    @property
    def alerts(self) -> int:
        return self.pipeline.alerts

    @property
    def feed(self) -> Any:
        return self.client

    def sink_drops(self) -> int:
        return sum(s.stats.dropped for s in self.sinks)

    def sink_failures(self) -> int:
        return sum(s.stats.failed for s in self.sinks)


def _poller_done(t: asyncio.Task) -> None:
    if not t.cancelled() and t.exception() is not None:
        log.warning("context poller stopped: %r", t.exception())
