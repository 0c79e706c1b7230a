"""Typed configuration: defaults < user file < environment < command-line flags.

The defaults are the dataclasses below (``config/default.toml`` documents the same values, and a
test keeps the two equal). The user file is ``--config FILE``, else ``$DOM_CONFIG``, else
``<user config dir>/dom/config.toml`` when it exists. Environment variables are
``DOM_<TABLE>_<KEY>`` (e.g. ``DOM_FEED_VENUE=binanceusdm``, ``DOM_SIM_SEED=7``). Unknown keys and
wrong types are errors that name the dotted key. Tables owned by other parts of dom
(``[detectors]``, ``[ui]``, ``[context]``, ``[[sinks]]``) are passed through to their own checks.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Mapping

from dom.errors import ConfigError


@dataclass
class FeedConfig:
    venue: str = "sim"
    """sim (built-in market, native client) | sim:ccxt | binanceusdm | ccxt:<exchange id>"""
    symbols: list[str] = field(default_factory=list)
    """Symbols to follow; empty = every symbol of the built-in market."""
    endpoint: str = ""
    """REST/websocket base URL; empty = the venue's production endpoint (or the in-process market)."""
    depth_ms: int = 100
    """Depth push interval: 100, 250 or 500 ms."""
    stale_after_s: float = 10.0
    """A socket silent this long is stale: reconnect."""
    snapshot_limit: int = 1000
    """REST depth snapshot size (5..1000)."""


@dataclass
class ReconnectConfig:
    initial_s: float = 0.2
    """Upper bound of the random first delay after a failed connect."""
    min_s: float = 0.5
    """Second delay; then it grows by 1.618x ..."""
    max_s: float = 30.0
    """... up to this."""


@dataclass
class SimConfig:
    preset: str = "mixed"
    seed: int = 1
    speed: float = 1.0


@dataclass
class RunConfig:
    summary_every_s: float = 5.0
    """Headless runs print a one-line book summary per symbol this often (0: never)."""
    flush_deadline_s: float = 2.0
    """On shutdown, sinks get this long to deliver queued alerts."""


@dataclass
class Config:
    feed: FeedConfig = field(default_factory=FeedConfig)
    reconnect: ReconnectConfig = field(default_factory=ReconnectConfig)
    sim: SimConfig = field(default_factory=SimConfig)
    run: RunConfig = field(default_factory=RunConfig)
    sinks: list[dict[str, Any]] = field(default_factory=list)
    detectors: dict[str, Any] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    source: list[str] = field(default_factory=lambda: ["defaults"])


_PASSTHROUGH = {"sinks", "detectors", "ui", "context"}


def _coerce(key: str, value: Any, like: Any) -> Any:
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(like, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(like, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(like, str):
        if isinstance(value, str):
            return value
    elif isinstance(like, list):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    raise ConfigError(f"{key}: expected {type(like).__name__}, got {type(value).__name__} {value!r}")


def _merge(cfg: Config, data: Mapping[str, Any], where: str) -> None:
    for table, body in data.items():
        if table in _PASSTHROUGH:
            if table == "sinks":
                if not isinstance(body, list):
                    raise ConfigError(f"sinks: expected an array of tables ([[sinks]]) in {where}")
                cfg.sinks = list(body)
            else:
                if not isinstance(body, dict):
                    raise ConfigError(f"{table}: expected a table in {where}")
                getattr(cfg, table).update(body)
            continue
        section = getattr(cfg, table, None) if table != "source" else None
        if section is None or not is_dataclass(section):
            raise ConfigError(f"unknown key {table!r} in {where}")
        if not isinstance(body, dict):
            raise ConfigError(f"{table}: expected a table in {where}")
        names = {f.name for f in fields(section)}
        for k, v in body.items():
            if k not in names:
                raise ConfigError(f"unknown key {table}.{k} in {where}")
            setattr(section, k, _coerce(f"{table}.{k}", v, getattr(section, k)))
    cfg.source.append(where)


def _parse_env(key: str, text: str, like: Any) -> Any:
    try:
        if isinstance(like, bool):
            return text.lower() in ("1", "true", "yes", "on")
        if isinstance(like, int):
            return int(text)
        if isinstance(like, float):
            return float(text)
        if isinstance(like, list):
            return [s for s in text.replace(",", " ").split() if s]
    except ValueError:
        raise ConfigError(f"{key}: cannot read {text!r} as {type(like).__name__}") from None
    return text


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("dom")) / "config.toml"


def load_config(path: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    cfg = Config()
    p = Path(path) if path else Path(env["DOM_CONFIG"]) if env.get("DOM_CONFIG") else user_config_path()
    if path or env.get("DOM_CONFIG") or p.exists():
        try:
            data = tomllib.loads(p.read_text())
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {p}") from None
        except OSError as e:
            raise ConfigError(f"cannot read {p}: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{p}: invalid TOML: {e}") from None
        _merge(cfg, data, str(p))
    for section in ("feed", "reconnect", "sim", "run"):
        obj = getattr(cfg, section)
        for f in fields(obj):
            name = f"DOM_{section.upper()}_{f.name.upper()}"
            if name in env:
                setattr(obj, f.name, _parse_env(f"{section}.{f.name} (${name})", env[name], getattr(obj, f.name)))
                cfg.source.append(f"${name}")
    validate(cfg)
    return cfg


def validate(cfg: Config) -> None:
    f = cfg.feed
    if f.depth_ms not in (100, 250, 500):
        raise ConfigError(f"feed.depth_ms: must be 100, 250 or 500, not {f.depth_ms}")
    if not 5 <= f.snapshot_limit <= 1000:
        raise ConfigError(f"feed.snapshot_limit: must be 5..1000, not {f.snapshot_limit}")
    if f.stale_after_s <= 0:
        raise ConfigError("feed.stale_after_s: must be positive")
    if cfg.sim.speed <= 0:
        raise ConfigError("sim.speed: must be positive")
    if cfg.sim.preset not in ("mixed", "major", "smallcap"):
        raise ConfigError(f"sim.preset: unknown preset {cfg.sim.preset!r}")
    r = cfg.reconnect
    if not (0 <= r.initial_s and 0 < r.min_s <= r.max_s):
        raise ConfigError("reconnect: need 0 <= initial_s and 0 < min_s <= max_s")
    if cfg.context:  # [context] is checked by its owner (stdlib-only, like this module)
        from dom.core.context.params import ContextParams

        ContextParams.from_mapping(cfg.context)


def to_toml(cfg: Config) -> str:
    """The effective configuration as TOML (``dom check-config``)."""

    def val(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
        return val(str(v))

    out = [f"# effective configuration (from: {', '.join(cfg.source)})"]
    for section in ("feed", "reconnect", "sim", "run"):
        out.append(f"\n[{section}]")
        obj = getattr(cfg, section)
        out += [f"{f.name} = {val(getattr(obj, f.name))}" for f in fields(obj)]
    for table in ("detectors", "ui", "context"):
        if getattr(cfg, table):
            out.append(f"\n[{table}]")
            out += [f"{k} = {val(v)}" for k, v in getattr(cfg, table).items()]
    for s in cfg.sinks:
        out.append("\n[[sinks]]")
        out += [f"{k} = {val(v)}" for k, v in s.items()]
    return "\n".join(out) + "\n"
