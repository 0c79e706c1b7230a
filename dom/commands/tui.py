"""``dom tui`` (and plain ``dom``): the terminal UI, on the built-in market by default."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tui",
        help="the terminal UI (default command): ladder, tape, alerts, book health",
        description="Open the terminal UI. With no options it runs on the built-in market, started "
        "in-process on loopback and reached through the native Binance client.",
    )
    add_source_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC", help="also send alerts to this sink (repeatable)")
    p.add_argument("--fps", type=float, default=20.0, help="frame rate cap (default 20)")
    p.add_argument("--replay", metavar="FILE", help="play a recording instead of a live source")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed (0 = as fast as possible)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dom.commands._source import market_feed, resolve
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.runtime import Runtime
    from dom.sinks.base import build_sinks
    from dom.ui.app import DomApp
    from dom.ui.model import UiModel

    cfg = resolve(args)
    sinks = build_sinks(cfg.sinks)  # none by default: stdout belongs to the screen
    for s in sinks:
        if getattr(s, "path", None) == "-":
            from dom.errors import ConfigError

            raise ConfigError("jsonl:- would write over the screen; use jsonl:FILE with the UI")
    detectors = make_observers(cfg.detectors)

    def replay_source():
        import contextlib

        from dom.feeds.replay import ReplayFeed

        @contextlib.asynccontextmanager
        async def source():
            yield ReplayFeed(args.replay, speed=args.speed, symbols=args.symbols or None)

        return source()

    if args.replay:
        from dom.feeds.replay import Replay

        Replay(args.replay)  # a missing or unreadable file is one clear error, before the screen opens

    async def runner(model: UiModel) -> None:
        async with (replay_source() if args.replay else market_feed(cfg, quiet=True)) as feed:
            rt = Runtime(feed, feed.venue, observers=lambda st: detectors(st) + model.observers(st), sinks=sinks,
                         context=model.context, context_params=context_params)
            rt.add_listener(model)
            model.venue = feed.venue
            model.stats = rt
            await rt.start()
            model.engine = rt.engine
            await rt.run(args.duration)
        model.app_exit()

    model = UiModel(venue=cfg.feed.venue)
    context_params = ContextParams.from_mapping(cfg.context)  # a bad [context] key fails before the screen
    model.use_context(context_params)
    app = DomApp(model, runner, fps=args.fps)
    model.app_exit = app.exit  # type: ignore[attr-defined]
    app.run()
    return 0
