"""``dom serve``: the terminal UI in a browser (textual-serve)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="the UI in a browser: each tab runs `dom tui` with the given options",
        description="Serve the terminal UI over HTTP with textual-serve: open the printed URL and the "
        "page runs `dom tui` with the options after the serve options (e.g. `dom serve -- --bus "
        "nats://HOST:4222`). Loopback only unless --host says otherwise; then a token is required "
        "(--token, or one is made up and printed in the URL).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--token", help="require this token (?token=...) on the page; made up when --host is not loopback")
    p.add_argument("--public-url", metavar="URL", help="the URL browsers reach this server at (behind a proxy)")
    p.add_argument("tui_args", nargs=argparse.REMAINDER, metavar="-- TUI OPTIONS",
                   help="options for `dom tui` (symbols, --venue, --bus ...)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from dom.errors import ConfigError
    from dom.runtime.web import make_server, needs_token, new_token

    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port}: expected 1..65535")
    tui_args = args.tui_args[1:] if args.tui_args[:1] == ["--"] else list(args.tui_args)
    token = args.token or (new_token() if needs_token(args.host) else "")
    if args.token is not None and not (8 <= len(args.token) <= 200 and args.token.isprintable()):
        raise ConfigError("--token: 8 to 200 printable characters")
    srv = make_server(tui_args, args.host, args.port, token, args.public_url)
    url = srv.public_url + (f"/?token={token}" if token else "/")
    print(f"dom in a browser: {url}", file=sys.stderr, flush=True)
    print(url, flush=True)
    srv.serve()
    return 0
