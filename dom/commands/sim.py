"""``dom sim``: serve the built-in market as a local Binance USDⓈ-M exchange."""

from __future__ import annotations

import argparse
import sys

from dom.sim.presets import PRESET_NAMES


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sim",
        help="serve the built-in market on 127.0.0.1 over the Binance USDⓈ-M protocol",
        description="Serve the built-in market: a simulated exchange speaking the Binance USDⓈ-M "
        "REST and websocket protocol. Point dom (or any Binance client) at the printed URL.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    p.add_argument("--preset", default="mixed", choices=PRESET_NAMES,
                   help="mixed (BTC + 4 small caps, default), major, smallcap, or sectors (BTC + 52 small caps in six "
                        "sectors, with news bursts, sweep orders and sector rotation)")
    p.add_argument("--symbols", type=int, help="number of symbols (extra small caps are added)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--speed", type=float, default=1.0, help="market (or recording) seconds per wall second")
    p.add_argument("--depth-ms", type=int, default=100, choices=[100, 250, 500], help="depth push interval")
    p.add_argument("--labels", metavar="FILE", help="write ground truth of injected behaviour as JSON lines")
    p.add_argument("--no-injections", action="store_true", help="no labelled walls/icebergs/spoofs/absorption")
    p.add_argument("--no-decoys", action="store_true", help="no decoys (look-alikes that are not the real thing)")
    p.add_argument("--duration", type=float, help="stop after this many seconds")
    p.add_argument("--replay", metavar="FILE",
                   help="serve a recording instead of the simulated market (REST snapshots included), "
                   "paced by its receive times; it starts when a client has subscribed")
    p.add_argument("--move", metavar="PCT:SECONDS", type=_move,
                   help="script a market-wide move: the common factor (and every symbol by its beta) "
                   "drifts PCT %% over SECONDS, e.g. --move=-3:600 for a BTC-led drop")
    p.set_defaults(func=run)


def _move(text: str) -> tuple[float, float]:
    try:
        pct, secs = text.split(":")
        out = float(pct), float(secs)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected PCT:SECONDS like -3:600 (write --move=-3:600), got {text!r}") from None
    if out[1] <= 0 or abs(out[0]) >= 50:
        raise argparse.ArgumentTypeError("SECONDS must be > 0 and |PCT| < 50")
    return out


def run(args: argparse.Namespace) -> int:
    import asyncio

    from dom.errors import ConfigError

    if args.speed <= 0:
        raise ConfigError("--speed must be positive")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"dom sim: warning: serving on {args.host}, reachable beyond this machine", file=sys.stderr)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    return 0


async def _serve(args: argparse.Namespace) -> None:
    import asyncio

    from dom.errors import ConfigError
    from dom.sim.server import SimServer

    market = None
    if args.replay:
        from dom.sim.recorded import RecordedMarket

        if args.move or args.labels:
            raise ConfigError("--move and --labels need the simulated market, not a recording")
        market = RecordedMarket(args.replay)
    srv = SimServer(
        preset=args.preset, seed=args.seed, host=args.host, port=args.port, speed=args.speed,
        depth_ms=args.depth_ms, labels_path=args.labels, symbols=args.symbols,
        injections=not args.no_injections, decoys=not args.no_decoys, market=market,
    )
    try:
        await srv.start()
    except OSError as e:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    if args.move:
        srv.market.move_factor(*args.move)
        print(f"scripted move: {args.move[0]:+g}% over {args.move[1]:g} s", flush=True)
    what = f"recording {args.replay} at x{args.speed:g}" if market is not None else "built-in market"
    print(f"{what} on {srv.url}  (symbols: {', '.join(srv.symbols)})", flush=True)
    print(f"connect with: dom run --venue binanceusdm --endpoint {srv.url}   (Ctrl-C stops)", flush=True)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + args.duration if args.duration else None
        told = False
        while end is None or loop.time() < end:
            await asyncio.sleep(0.2 if end is None else min(0.2, max(0.0, end - loop.time())))
            if market is not None and market.ended and not told:
                told = True
                print(f"end of recording: {market.frames_sent} frames, {market.snapshots_served} snapshots "
                      "served (still serving; Ctrl-C stops)", flush=True)
    finally:
        await srv.stop()
        if args.labels:
            print(f"labels written to {args.labels}", file=sys.stderr)
