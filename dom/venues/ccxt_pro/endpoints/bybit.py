"""ccxt.pro's Bybit class pointed at another server (the built-in market, a testnet): every REST
base, the public linear websocket, and market loading limited to linear contracts (the only
kind dom follows there)."""

from __future__ import annotations

from typing import Any

from dom.venues.base import endpoint_pair


def point(ex: Any, endpoint: str) -> None:
    rest, ws = endpoint_pair(endpoint, "", "")
    api = ex.urls["api"]
    for k, v in list(api.items()):
        if isinstance(v, str):
            api[k] = rest
    api["ws"]["public"]["linear"] = ws + "/v5/public/linear"
    ex.options.setdefault("fetchMarkets", {})["types"] = ["linear"]
