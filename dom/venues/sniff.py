"""Which checksum venue a recording file is from, by its name alone (no venue module imported:
``dom replay`` asks this of every file before it knows it needs one)."""

from __future__ import annotations

from pathlib import Path

VENUES = ("okx", "bitget", "bybit", "kraken")


def sniff_venue(path: Path) -> str:
    name = path.name.upper()
    if name.startswith("OKX"):
        return "okx"
    if name.startswith("BITGET"):
        return "bitget"
    if name.startswith(("KRAKEN.", "KRAKEN_SPOT")):
        return "kraken"
    if "BYBIT" in name or name.endswith((".ZIP", ".DATA")) or "OB500" in name:
        return "bybit"
    raise ValueError(
        f"cannot tell the venue of {path.name}: pass venue= (one of {', '.join(VENUES)})"
    )
