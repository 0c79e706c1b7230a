"""Binance's ``exchangeInfo`` (USDⓈ-M ``/fapi/v1/exchangeInfo`` or spot ``/api/v3/exchangeInfo``):
each symbol's tick and lot steps as an ``Instrument``, and which symbols are perpetuals now trading."""

from __future__ import annotations

import orjson

from dom.core.units import Instrument


def instruments_from_exchange_info(body: bytes | str | dict) -> dict[str, Instrument]:
    """``/fapi/v1/exchangeInfo`` (or spot ``/api/v3/exchangeInfo``) -> instruments by symbol."""
    info = body if isinstance(body, dict) else orjson.loads(body)
    out: dict[str, Instrument] = {}
    for s in info.get("symbols", []):
        tick = step = None
        for f in s.get("filters", []):
            if f.get("filterType") == "PRICE_FILTER":
                tick = f.get("tickSize")
            elif f.get("filterType") == "LOT_SIZE":
                step = f.get("stepSize")
        if not tick or not step:
            continue
        sub = s.get("underlyingSubType")
        out[s["symbol"]] = Instrument(
            s["symbol"],
            tick,
            step,
            contract_size=str(s.get("contractSize", "1")),
            quote=s.get("quoteAsset", "USDT"),
            base=s.get("baseAsset", ""),
            sector=sub[0] if type(sub) is list and sub and type(sub[0]) is str and len(sub[0]) <= 32 else "",
        )
    return out


def trading_perpetuals(body: bytes | str | dict) -> set[str]:
    """The symbols of ``/fapi/v1/exchangeInfo`` that are perpetuals now trading (what "every
    symbol of the venue" means: not quarterlies, not delisted or settling ones). A symbol that
    does not say its status or contract type counts as one."""
    info = body if isinstance(body, dict) else orjson.loads(body)
    out = set()
    for s in info.get("symbols", []):
        if (isinstance(s, dict) and isinstance(s.get("symbol"), str) and s.get("status", "TRADING") == "TRADING"
                and s.get("contractType", "PERPETUAL") in ("PERPETUAL", "")):
            out.add(s["symbol"])
    return out
