"""ccxt.pro's Bitget class pointed at another server (the built-in market): every REST base, the
public v2 websocket, and market loading limited to swaps."""

from __future__ import annotations

from typing import Any

from dom.venues.base import endpoint_pair


def point(ex: Any, endpoint: str) -> None:
    rest, ws = endpoint_pair(endpoint, "", "")
    api = ex.urls["api"]
    for k, v in list(api.items()):
        if isinstance(v, str):
            api[k] = rest
    api["ws"]["public"] = ws + "/v2/ws/public"
    ex.options.setdefault("fetchMarkets", {})["types"] = ["swap"]
