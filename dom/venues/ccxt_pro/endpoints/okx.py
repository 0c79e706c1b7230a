"""ccxt.pro's OKX class pointed at another server (the built-in market, a demo host): the REST
base, the websocket base (ccxt adds ``/public``), and market loading limited to swaps."""

from __future__ import annotations

from typing import Any

from dom.venues.base import endpoint_pair


def point(ex: Any, endpoint: str) -> None:
    rest, ws = endpoint_pair(endpoint, "", "")
    ex.urls["api"]["rest"] = rest
    ex.urls["api"]["ws"] = ws + "/ws/v5"
    ex.options.setdefault("fetchMarkets", {})["types"] = ["swap"]
