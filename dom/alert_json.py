"""Alert JSON v1: the contract for everything that reads dom's alerts (stdout, files, webhooks,
exec hooks). See the README ("Alert JSON v1") and the schema ``dom/alert_schema.json``.

Core alerts hold integers (ticks, lots); this edge module turns them into exact decimal strings.
Evidence keys ending in ``_lots`` become decimal size strings and keys ending in ``_px`` become
decimal price strings, both under the key without its suffix; other values pass through.
"""

from __future__ import annotations

from typing import Any

import orjson

from dom.core.types import Alert
from dom.core.units import Instrument

VERSION = 1


def evidence_json(ev: dict[str, Any], inst: Instrument) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in ev.items():
        if k.endswith("_lots") and (v is None or isinstance(v, int)):
            out[k[:-5]] = None if v is None else inst.qty_str(v)  # (None: not known yet, same key)
        elif k.endswith("_px") and (v is None or isinstance(v, int)):
            out[k[:-3]] = None if v is None else inst.px_str(v)
        elif isinstance(v, float):
            # Six decimals, but a small probability keeps three significant digits (1e-9 is
            # not 0: an iceberg's ``organic_chance`` lives down there).
            out[k] = round(v, 6) if v == 0 or abs(v) >= 1e-4 else float(f"{v:.3g}")
        else:
            out[k] = v
    return out


def alert_to_dict(a: Alert, venue: str, inst: Instrument) -> dict[str, Any]:
    return {
        "v": VERSION,
        "id": a.id,
        "ts_ns": a.ts_ns,
        "venue": venue,
        "symbol": a.symbol,
        "kind": a.kind.value,
        "state": a.state.value,
        "side": a.side.value,
        "price": inst.px_str(a.px_ticks),
        "size": inst.qty_str(a.qty_lots),
        "notional": inst.notional_str(a.px_ticks, a.qty_lots),
        "score": round(min(1.0, max(0.0, float(a.score))), 4),
        "evidence": evidence_json(a.evidence, inst),
        "message": a.message,
    }


def alert_to_line(a: Alert, venue: str, inst: Instrument) -> bytes:
    """One JSON line (no trailing newline), keys in contract order, deterministic bytes."""
    return orjson.dumps(alert_to_dict(a, venue, inst))
