"""Wiring, in one place: from the effective config to a running program.

    async with open_source(cfg) as src:        # venue adapter + live client (+ the built-in market)
        pipe = build_pipeline(cfg, src)        # detectors, context, desk
        drv = LiveDriver(src.client, pipe, sinks, poller_for=src.venue.context_poller)

``run_headless`` (``dom run``), ``record`` (``dom record``) and ``tui`` (``dom tui``) put those
together; the commands only parse arguments and call one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from dom.errors import ConfigError, DomError
from dom.runtime.continuous import RingTap, recording_meta
from dom.runtime.pipeline import ListenerBase, Pipeline, book_line, lag_words

VENUES = "binanceusdm | ccxt:<exchange id> | sim | sim:ccxt"


def _ts() -> str:
    return time.strftime("%H:%M:%S")


@dataclass
class Source:
    venue: Any  # the adapter (dom.venues.base.Venue)
    client: Any  # its live client
    server: Any = None  # the built-in market, when it runs in-process
    label: str = ""  # the venue alerts name: the adapter's, or "sim" / "sim:ccxt" for the built-in market

    @property
    def name(self) -> str:
        return self.label or self.venue.info.name


@contextlib.asynccontextmanager
async def open_source(cfg: Any, quiet: bool = False, shard: tuple[int, int] | None = None,
                      whole_venue: bool = False, follow: Any = (), **client_kw: Any) -> AsyncIterator[Source]:
    """The live source for the effective config. For venue ``sim`` the built-in market runs
    in-process on a free loopback port and the native client (``sim:ccxt``: ccxt.pro's
    binanceusdm client) connects to it. With ``[feed] bus`` the source is the bus (collectors'
    events for the venue); ``shard`` (i, n) keeps the venue's symbols whose hash falls in shard i;
    ``whole_venue``: where the venue has all-market streams, every symbol's top of book and trades
    and depth only for the symbols the driver follows (the scanner; ``follow``: from the start)."""
    from dom import venues

    f = cfg.feed
    if f.bus:
        from dom.bus.client import BusClient
        from dom.bus.venue import BusVenue

        if client_kw:
            raise ConfigError("a --bus source carries no raw frames to record: record on the collector")
        bus_client = BusClient(f.bus, f.venue, list(f.symbols), wait_s=f.bus_wait_s)
        try:
            yield Source(BusVenue(f.venue), bus_client, None, f.venue)
        finally:
            await bus_client.close()
        return
    name = label = f.venue
    srv = None
    endpoint = f.endpoint or None
    symbols = list(f.symbols)
    if name in ("sim", "sim:ccxt"):
        label = name
        name = "ccxt:binanceusdm" if name == "sim:ccxt" else "binanceusdm"
        if endpoint is None:
            from dom.sim.server import SimServer

            srv = SimServer(preset=cfg.sim.preset, seed=cfg.sim.seed, port=0, depth_ms=f.depth_ms,
                            speed=cfg.sim.speed)
            await srv.start()
            endpoint = srv.url
            if not quiet:
                print(f"{_ts()} built-in market on {srv.url} ({', '.join(srv.symbols)})", file=sys.stderr)
            if name.startswith("ccxt:") and not symbols:
                symbols = list(srv.symbols)
    venue = venues.get(name)
    if client_kw and not venue.info.native:
        raise ConfigError("recording needs raw frames: use --venue binanceusdm or sim")
    reconnect = (cfg.reconnect.initial_s, cfg.reconnect.min_s, cfg.reconnect.max_s)
    settings: dict[str, Any] = {"reconnect": reconnect}
    if venue.info.native:
        settings.update(depth_ms=f.depth_ms, stale_after=f.stale_after_s, snapshot_limit=f.snapshot_limit,
                        **client_kw)
    if whole_venue and venue.info.whole_venue:
        settings["depth_symbols"] = set(follow)
    if shard is not None:
        symbols = await _shard_symbols(venue, symbols, endpoint, reconnect, shard)
    client = venue.client(symbols, endpoint, **settings)
    try:
        yield Source(venue, client, srv, label if label != name else "")
    finally:
        await client.close()
        if srv is not None:
            await srv.stop()


async def _shard_symbols(venue: Any, symbols: list[str], endpoint: str | None, reconnect: tuple,
                         shard: tuple[int, int]) -> list[str]:
    """The symbols of shard ``i`` of ``n``: the venue's (or the configured) symbols whose stable
    hash (``dom.bus.codec.shard_of``) is ``i``."""
    from dom.bus.codec import shard_of

    probe = venue.client(symbols, endpoint, reconnect=reconnect)
    try:
        known = await probe.prepare()
    finally:
        await probe.close()
    mine = sorted(s for s in known if shard_of(s, shard[1]) == shard[0])
    if not mine:
        raise ConfigError(f"shard {shard[0]}/{shard[1]} holds none of the {len(known)} symbols")
    return mine


def check_settings(cfg: Any) -> None:
    """Raise ConfigError now for a bad ``[context]`` or ``[detectors]`` value."""
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers

    ContextParams.from_mapping(cfg.context)
    make_observers(cfg.detectors)


def build_pipeline(cfg: Any, src: Source, observers: tuple = (), detectors: bool = True) -> Pipeline:
    """The pipeline for a source's venue with the configured detectors and ``[context]``."""
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.core.detectors.params import DetectorParams

    params = ContextParams.from_mapping(cfg.context)
    dparams = DetectorParams.from_mapping(cfg.detectors)
    if dparams.merge_hold_ms < 0:
        raise ConfigError(f"[detectors] merge_hold_ms must be >= 0, not {dparams.merge_hold_ms}")
    return Pipeline(src.name, src.venue.rule, hold_ms=dparams.merge_hold_ms,
                    detectors=make_observers(dparams) if detectors else None,
                    context=params, observers=observers, trade_ids=src.venue.info.trade_ids,
                    verify=src.venue.verifier(), sectors=cfg.sectors)


class StderrListener(ListenerBase):
    """Feed and book state changes, one line each, on stderr."""

    def on_status(self, c) -> None:
        print(f"{_ts()} {c.symbol} {c.state.value}" + (f": {c.detail}" if c.detail else ""), file=sys.stderr)

    def on_conn(self, endpoint, state, detail) -> None:
        print(f"{_ts()} [{endpoint}] {state.value}" + (f": {detail}" if detail else ""), file=sys.stderr)


@contextlib.contextmanager
def _signals_stop(drv: Any):
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, drv.stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def context_summary(pipe: Pipeline, symbol: str) -> str:
    """The context part of a symbol's summary line ("" before anything is known)."""
    d = pipe.context_doc(symbol)
    parts = []
    if "funding_rate" in d:
        parts.append(f"funding {float(d['funding_rate']) * 100:.4f}%")
    if "open_interest" in d:
        parts.append(f"OI {d['open_interest']}")
    if d.get("corr_1m") is not None:
        parts.append(f"corr {d['reference']} {d['corr_1m']:+.2f}")
    return (" " + " ".join(parts)) if parts else ""


async def run_headless(cfg: Any, duration: float | None, context_out: Any = None, context_every: float = 5.0) -> int:
    """``dom run``: alerts to the sinks, state and summaries on stderr, context JSON lines to
    ``context_out`` (a binary stream) every ``context_every`` seconds when given."""
    import orjson

    from dom.runtime.live import LiveDriver
    from dom.sinks.base import build_sinks

    sinks = build_sinks(cfg.sinks or ["jsonl:-"])
    tap = RingTap(cfg)
    async with open_source(cfg, **tap.client_kw()) as src:
        # On the bus the alerts are the collectors' (their stream); the books here only show.
        pipe = build_pipeline(cfg, src, detectors=not cfg.feed.bus)
        pipe.subscribe(StderrListener())
        drv = LiveDriver(src.client, pipe, sinks, poller_for=src.venue.context_poller,
                         stale_after_s=cfg.feed.book_stale_after_s)
        await drv.start()
        tap.open(src, pipe)
        if tap.ring is not None:
            print(f"{_ts()} continuous recording in {tap.ring.dir}", file=sys.stderr)

        # The built-in market at another speed stamps its own clock, which runs that much faster
        # or slower than ours: there is no lag to measure.
        sped = src.server is not None and cfg.sim.speed != 1

        async def summaries() -> None:
            while cfg.run.summary_every_s > 0:
                await asyncio.sleep(cfg.run.summary_every_s)
                for sym, st in pipe.engine.symbols.items():
                    r = pipe.rates[sym]
                    p50 = r.lag_pct(0.5)
                    if sped:
                        lag = f" lag - (market at x{cfg.sim.speed:g})"
                    else:
                        lag = f" {lag_words(p50, 'lag p50')}" if p50 is not None else ""
                    print(f"{_ts()} {book_line(st)} msgs {r.messages}{lag}{context_summary(pipe, sym)}",
                          file=sys.stderr)

        async def contexts() -> None:
            while True:
                await asyncio.sleep(context_every)
                for sym in pipe.engine.symbols:
                    context_out.write(orjson.dumps(pipe.context_doc(sym)) + b"\n")
                context_out.flush()

        tasks = [asyncio.create_task(summaries())]
        if context_out is not None:
            tasks.append(asyncio.create_task(contexts()))
        async with contextlib.AsyncExitStack() as stack:
            if cfg.feed.bus:
                from dom.runtime.wiring_bus import alert_stream

                reader = await stack.enter_async_context(alert_stream(src, sinks))
                stack.callback(lambda: print(f"{_ts()} bus: {reader.delivered} alerts from the stream, "
                                             f"{src.client.lost_marks} source-lost marks, "
                                             f"{src.client.snapshot_reads} books read from the bucket",
                                             file=sys.stderr))
            try:
                with _signals_stop(drv):
                    await drv.run(duration, flush_deadline=cfg.run.flush_deadline_s)
            finally:
                for t in tasks:
                    t.cancel()
                tap.close()
        s = src.client.stats
        print(
            f"{_ts()} done: {s.frames} frames, {s.bad_frames} bad, {s.reconnects} reconnects, "
            f"{s.snapshots} snapshots, {pipe.alerts} alerts; sinks: {drv.sink_drops()} dropped, "
            f"{drv.sink_failures()} failed after retries",
            file=sys.stderr,
        )
        if pipe.merge is not None and pipe.merge.late:
            # Events that came more than the merge's hold behind their stream's partner: the
            # detectors took them in arrival order (see dom.core.merge).
            print(f"{_ts()} detectors: {pipe.merge.late} events arrived later than the "
                  f"{pipe.hold_ns // 1_000_000} ms merge window", file=sys.stderr)
        for sym, st in pipe.engine.symbols.items():
            print(f"final {book_line(st)}{context_summary(pipe, sym)}", file=sys.stderr)
        if context_out is not None:
            for sym in pipe.engine.symbols:
                context_out.write(orjson.dumps(pipe.context_doc(sym)) + b"\n")
            context_out.flush()
    return 0


async def record(cfg: Any, output: str, duration: float | None, force: bool = False) -> int:
    """``dom record``: every frame and REST snapshot to ``output``; alerts on stdout as in
    ``dom run`` (``dom replay`` of the file prints the same)."""
    from dom.runtime.live import LiveDriver
    from dom.sinks.base import build_sinks
    from dom.store.recording import RecordingWriter

    writer: Any = None

    def frame(recv_ns: int, raw) -> None:
        if writer is not None:
            writer.write_frame(recv_ns, raw)

    def snapshot(recv_ns: int, sym: str, body: bytes) -> None:
        if writer is not None:
            writer.write_snapshot(recv_ns, sym, body)

    from pathlib import Path

    from dom.store.recording_dir import RecordingDirWriter

    as_dir = output.endswith("/") or Path(output).is_dir()
    if not as_dir and Path(output).exists() and not force:
        raise ConfigError(f"{output} exists: pass --force to overwrite it")
    async with open_source(cfg, on_frame=frame, on_snapshot_body=snapshot, book_ticker=True,
                           raw_trades=True) as src:
        pipe = build_pipeline(cfg, src)
        pipe.subscribe(StderrListener())
        drv = LiveDriver(src.client, pipe, build_sinks(["jsonl:-"]), stale_after_s=cfg.feed.book_stale_after_s)
        await drv.start()
        meta = recording_meta(cfg, src)
        writer = RecordingDirWriter(output, meta, force) if as_dir else RecordingWriter(output, meta, force=force)
        try:
            with _signals_stop(drv):
                await drv.run(duration)
        finally:
            writer.close()
        print(f"{_ts()} recorded {writer.frames} frames to {output}", file=sys.stderr)
        for st in pipe.engine.symbols.values():
            print(f"final {book_line(st)}", file=sys.stderr)
    return 0


def tui(cfg: Any, replay: str | list[str] | None = None, speed: float = 1.0, fps: float = 20.0,
        duration: float | None = None, symbols: list[str] | None = None, start_ns: int = 0,
        focus: str | None = None, scan: bool = False, whole_venue: bool = False,
        pins: list[str] | None = None) -> int:
    """``dom tui``: the screen on a live source or a recording, sinks beside it."""
    from dom.runtime.live import LiveDriver
    from dom.runtime.view import UiModel
    from dom.sinks.base import build_sinks
    from dom.ui.app import DomApp

    sinks = build_sinks(cfg.sinks)  # none by default: stdout belongs to the screen
    if any(getattr(s, "path", None) == "-" for s in sinks):
        raise ConfigError("jsonl:- would write over the screen; use jsonl:FILE with the UI")
    if replay:
        from dom.runtime.replay import Replay

        Replay(replay)  # a missing or unreadable file is one clear error, before the screen opens
    model = UiModel(venue=cfg.feed.venue)
    mark = cfg.ui.get("mark_against_trend", True)
    if not isinstance(mark, bool):
        raise ConfigError(f"ui.mark_against_trend must be true or false, not {mark!r}")
    model.mark_against_trend = mark
    check_settings(cfg)  # a bad [context] or [detectors] key fails before the screen

    tap = RingTap(cfg)
    tap_kw = {} if replay else tap.client_kw()  # a bad [record] fails before the screen

    @contextlib.asynccontextmanager
    async def source() -> AsyncIterator[Source]:
        if replay:
            from dom import venues
            from dom.runtime.replay_feed import ReplayFeed

            feed = ReplayFeed(replay, speed=speed, symbols=symbols or None, start_ns=start_ns)
            yield Source(venues.get(feed.venue), feed)
        else:
            async with open_source(cfg, quiet=True, whole_venue=whole_venue, follow=pins or (), **tap_kw) as src:
                yield src

    failed: list[BaseException] = []

    async def runner(model: UiModel) -> None:
        try:
            async with source() as src:
                pipe = build_pipeline(cfg, src, observers=(model.observers,))
                model.attach(pipe)
                if replay:  # the screen's transport keys drive the recording
                    src.client.alerts = lambda: pipe.alerts
                    src.client.on_rewind = model.rewind
                    model.transport = src.client
                drv = LiveDriver(src.client, pipe, sinks, poller_for=None if replay else src.venue.context_poller,
                                 stale_after_s=0 if replay else cfg.feed.book_stale_after_s)
                model.stats = drv
                await drv.start()
                if not replay:
                    tap.open(src, pipe)
                    model.recording = str(tap.ring.dir) if tap.ring is not None else ""
                try:
                    await drv.run(duration)
                finally:
                    tap.close()
        except DomError as e:  # an unknown symbol, an unreachable venue: one line, after the screen
            failed.append(e)
        model.app_exit()

    app = DomApp(model, runner, fps=fps, symbol=focus, scan=scan)
    app.watchlist.update(pins or ())
    model.app_exit = app.exit
    app.run()
    if failed:
        raise failed[0]
    return 0
