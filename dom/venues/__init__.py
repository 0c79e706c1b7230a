"""Venue adapters, one folder each (see ``dom.venues.base``). ``get(name)`` returns the adapter
for a ``--venue`` name; a venue's network libraries load only when its live client is built."""

from __future__ import annotations

import importlib

from dom.errors import ConfigError

# --venue name -> (module, adapter); "ccxt:<id>" is resolved by the ccxt.pro adapter.
NATIVE = {
    "binanceusdm": ("dom.venues.binance_usdm", "VENUE"),
    "binance": ("dom.venues.binance_usdm", "SPOT"),  # Binance spot: recordings only
    "bybit": ("dom.venues.bybit", "VENUE"),
    "okx": ("dom.venues.okx", "VENUE"),
    "bitget": ("dom.venues.bitget", "VENUE"),
}


def get(name: str):
    """The adapter for ``name`` (``binanceusdm``, ``ccxt:<exchange id>``)."""
    if name.startswith("ccxt:") and len(name) > 5:
        from dom.venues.ccxt_pro import CcxtProVenue

        return CcxtProVenue(name[5:])
    where = NATIVE.get(name)
    if where is None:
        known = ", ".join([*NATIVE, "ccxt:<exchange id>"])
        raise ConfigError(f"unknown venue {name!r} (choose from: {known})")
    return getattr(importlib.import_module(where[0]), where[1])
