"""Typed settings tables: a frozen dataclass of defaults updated from a config table.

Shared by ``[detectors]`` and ``[context]``: unknown keys are errors (a key the class lists in
``REMOVED`` says why it went), each value must have its
default's type (an int where an int is expected, a number where a float is, a non-empty string
where a string is, a bool where a bool is), and numbers must be finite, not negative and at most
``LARGEST`` (a ratio of 1e308 times a size is infinity, and the detector's int() of it raised). By name,
a ``*_pct`` (a percent or a percentile) is at most 100 and a ``*_fraction`` or ``*_share`` at most 1.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any, Mapping, TypeVar

from dom.errors import ConfigError

T = TypeVar("T")
LARGEST = 1e12


def from_table(defaults: T, table: Mapping[str, Any] | None, name: str) -> T:
    """``defaults`` with the values of ``table`` (the config table called ``name``), checked."""
    if not table:
        return defaults
    names = {f.name for f in fields(defaults)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    removed: Mapping[str, str] = getattr(type(defaults), "REMOVED", {})
    for k, v in table.items():
        if k not in names:
            if k in removed:
                raise ConfigError(f"{name}.{k} was removed: {removed[k]}; delete the line")
            raise ConfigError(f"unknown key {name}.{k}")
        like = getattr(defaults, k)
        if isinstance(like, bool):
            ok = isinstance(v, bool)
        elif isinstance(like, str):
            ok = isinstance(v, str) and bool(v)
        elif isinstance(like, int):
            ok = isinstance(v, int) and not isinstance(v, bool)
        else:
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
            v = float(v) if ok else v
        if not ok:
            raise ConfigError(f"{name}.{k}: expected {type(like).__name__}, got {type(v).__name__} {v!r}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"{name}.{k}: must be a finite number, not {v!r}")
        if not isinstance(v, (bool, str)) and v < 0:
            raise ConfigError(f"{name}.{k}: must not be negative, not {v!r}")
        if not isinstance(v, (bool, str)) and v > LARGEST:
            raise ConfigError(f"{name}.{k}: must be at most {LARGEST:g}, not {v!r}")
        top = 100 if k.endswith("_pct") else 1 if k.endswith(("_fraction", "_share", "_chance")) else None
        if top is not None and v > top:
            raise ConfigError(f"{name}.{k}: must be at most {top}, not {v!r}")
        changes[k] = v
    return replace(defaults, **changes)  # type: ignore[type-var]
