"""ccxt.pro's Binance USDⓈ-M class pointed at another server (the built-in market, a testnet)."""

from __future__ import annotations

from typing import Any


def point(ex: Any, endpoint: str) -> None:
    from dom.venues.binance_usdm.client import endpoints

    rest, ws = endpoints(endpoint)
    api = ex.urls["api"]
    for k in ("fapiPublic", "fapiPublicV2", "fapiPublicV3"):
        api[k] = rest + "/fapi/" + api[k].rsplit("/fapi/", 1)[1]
    api["ws"]["linear"] = ws + "/ws"
