"""``dom serve``: the screen in a browser, through textual-serve (each browser tab runs its own
``dom tui`` behind a websocket). Bound to loopback unless told otherwise; on any other address a
token is required (given, or made up and printed), checked on the page and on its websocket.
"""

from __future__ import annotations

import hmac
import secrets
import shlex
import sys
from typing import Any

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def needs_token(host: str) -> bool:
    return host not in LOOPBACK


def make_server(tui_args: list[str], host: str, port: int, token: str = "", public_url: str | None = None) -> Any:
    from aiohttp import web
    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "dom", "tui", *tui_args])

    class DomServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            if token:
                app.middlewares.append(_token_check(token))
            return app

    return DomServer(command, host=host, port=port, title="dom", public_url=public_url)


def _token_check(token: str) -> Any:
    from aiohttp import web

    @web.middleware
    async def check(request: web.Request, handler: Any) -> Any:
        given = request.query.get("token") or request.cookies.get("dom_token") or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise web.HTTPUnauthorized(text="dom serve: this page needs its token (?token=...)\n")
        response = await handler(request)
        if request.query.get("token") and isinstance(response, web.Response):
            response.set_cookie("dom_token", token, httponly=True, samesite="Strict")
        return response

    return check


def new_token() -> str:
    return secrets.token_urlsafe(18)
