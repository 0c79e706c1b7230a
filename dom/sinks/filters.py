"""Per-sink alert filters, cooldown and rate limit. Pure: time comes in as an argument."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from dom.errors import SinkConfigError

KINDS = {"wall", "iceberg", "absorption", "spoof", "burst", "sweep"}
STATES = {"new", "update", "end"}
SIDES = {"bid", "ask"}


@dataclass
class AlertFilter:
    kinds: set[str] = field(default_factory=set)  # empty = all
    states: set[str] = field(default_factory=set)
    symbols: set[str] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)
    min_score: float = 0.0
    min_notional: Decimal = Decimal(0)
    cooldown_s: float = 0.0
    """After an alert of an episode passes, its next 'update' within this many seconds is held back
    ('new' and 'end' always pass, so an episode never loses its ending)."""
    rate_per_s: float = 0.0
    """Token bucket: at most this many alerts per second on average (0: no limit) ..."""
    burst: int = 10
    """... with bursts of this many."""
    _last: dict[str, float] = field(default_factory=dict, repr=False)
    _tokens: float = field(default=-1.0, repr=False)
    _t: float = field(default=0.0, repr=False)

    def matches(self, a: Mapping[str, Any]) -> bool:
        if self.kinds and a["kind"] not in self.kinds:
            return False
        if self.states and a["state"] not in self.states:
            return False
        if self.symbols and a["symbol"] not in self.symbols:
            return False
        if self.sides and a["side"] not in self.sides:
            return False
        if a["score"] < self.min_score:
            return False
        if self.min_notional and Decimal(a["notional"]) < self.min_notional:
            return False
        return True

    def allow(self, a: Mapping[str, Any], now: float) -> bool:
        """Match, cooldown per episode, then the rate limit."""
        if not self.matches(a):
            return False
        if self.cooldown_s and a["state"] == "update":
            last = self._last.get(a["id"])
            if last is not None and now - last < self.cooldown_s:
                return False
        if self.rate_per_s:
            if self._tokens < 0:
                self._tokens, self._t = float(self.burst), now
            self._tokens = min(float(self.burst), self._tokens + (now - self._t) * self.rate_per_s)
            self._t = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
        if self.cooldown_s:
            if a["state"] == "end":
                self._last.pop(a["id"], None)
            else:
                self._last[a["id"]] = now
        return True


FILTER_KEYS = {"kinds", "states", "symbols", "sides", "min_score", "min_notional", "cooldown_s", "rate_per_s", "burst"}


def filter_from(table: Mapping[str, Any], where: str) -> AlertFilter:
    f = AlertFilter()

    def strset(key: str, allowed: set[str] | None) -> set[str]:
        v = table[key]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise SinkConfigError(f"{where}.{key}: expected a list of strings")
        bad = [x for x in v if allowed is not None and x not in allowed]
        if bad:
            raise SinkConfigError(f"{where}.{key}: unknown value {bad[0]!r} (choose from {', '.join(sorted(allowed))})")
        return set(v)

    for key, allowed in (("kinds", KINDS), ("states", STATES), ("sides", SIDES), ("symbols", None)):
        if key in table:
            setattr(f, key, strset(key, allowed))
    for key in ("min_score", "cooldown_s", "rate_per_s"):
        if key in table:
            v = table[key]
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                raise SinkConfigError(f"{where}.{key}: expected a finite non-negative number, got {v!r}")
            setattr(f, key, float(v))
    if "burst" in table:
        b = table["burst"]
        if not isinstance(b, int) or isinstance(b, bool) or not 1 <= b <= 1_000_000:
            raise SinkConfigError(f"{where}.burst: expected a positive integer, got {b!r}")
        f.burst = table["burst"]
    if "min_notional" in table:
        v = table["min_notional"]
        try:
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise InvalidOperation
            f.min_notional = Decimal(str(v))
        except InvalidOperation:
            raise SinkConfigError(f"{where}.min_notional: expected a number, got {v!r}") from None
        if not f.min_notional.is_finite() or f.min_notional < 0:
            raise SinkConfigError(f"{where}.min_notional: expected a finite non-negative number, got {v!r}")
    return f
