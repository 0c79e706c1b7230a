"""What the start of a recording tells before it is replayed: its symbols, its depth rule
(USDⓈ-M or spot) and, from the REST snapshot, the instruments' tick and lot when no meta file
says them."""

from __future__ import annotations

import math
from typing import Iterator

import orjson

from dom.core.sequencer import Rule
from dom.store import recording as rec

_PRESCAN_LINES = 20_000


def scan(frames: Iterator[rec.Frame | rec.BadLine]) -> tuple[set[str], Rule | None, dict[str, tuple[str, str]]]:
    """Look at the start of a recording: symbols, depth rule, decimals in snapshot strings."""
    symbols: set[str] = set()
    rule: Rule | None = None
    decimals: dict[str, tuple[str, str]] = {}
    for i, fr in enumerate(frames):
        if i > _PRESCAN_LINES:
            break
        if not isinstance(fr, rec.Frame):
            continue
        try:
            msg = orjson.loads(fr.raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(msg, dict):
            continue
        if fr.snapshot_symbol is not None:
            pd = sd = 0
            rows = []
            for side in ("bids", "asks"):
                for row in msg.get(side, [])[:1000]:
                    try:
                        pd = max(pd, len(row[0].partition(".")[2]))
                        sd = max(sd, len(row[1].partition(".")[2]))
                        rows.append((row[0], row[1]))
                    except (AttributeError, IndexError, TypeError):
                        pass
            decimals[fr.snapshot_symbol] = (_grid([r[0] for r in rows], pd), _finest(sd))
            continue
        data = msg.get("data", msg)
        if not isinstance(data, dict):
            continue
        s = data.get("s")
        if isinstance(s, str) and data.get("e") in ("depthUpdate", "aggTrade", "trade", "bookTicker", None):
            symbols.add(s)
        if data.get("e") == "depthUpdate" and rule is None:
            rule = Rule.USDM if "pu" in data else Rule.SPOT
    return symbols, rule, decimals


def scale(step: str) -> int:
    return len(step.partition(".")[2])


def _finest(decimals: int) -> str:
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def _grid(texts: list[str], decimals: int) -> str:
    """The coarsest step the differences of these prices sit on, as a decimal string: a book
    quoted as "61659.70" on a 0.10 grid has a 0.1 tick, not 0.01. (Not for sizes: level sizes
    can be finer than the order lot, e.g. Binance spot BTCUSDT.)"""
    ints = []
    for t in texts:
        whole, _, frac = t.partition(".")
        try:
            ints.append(int(whole + frac.ljust(decimals, "0")))
        except ValueError:
            continue
    if len(ints) < 50:  # too few to tell the grid: the finest decimal place
        return _finest(decimals)
    ints = [abs(x - ints[0]) for x in ints[1:]]
    g = 0
    for x in ints:
        g = math.gcd(g, x)
    g = g or 1
    digits = str(g).rjust(decimals + 1, "0")
    whole, frac = digits[: len(digits) - decimals], digits[len(digits) - decimals:]
    text = f"{int(whole)}.{frac}".rstrip("0").rstrip(".") if decimals else str(g)
    return text
