"""Typed configuration: defaults < user file < environment < command-line flags.

The defaults are the dataclasses below (``config/default.toml`` documents the same values, and a
test keeps the two equal). The user file is ``--config FILE``, else ``$DOM_CONFIG``, else
``<user config dir>/dom/config.toml`` when it exists. Environment variables are
``DOM_<TABLE>_<KEY>`` for every table (e.g. ``DOM_FEED_VENUE=binanceusdm``, ``DOM_SIM_SEED=7``,
``DOM_DETECTORS_WALL_RATIO=10``, ``DOM_CONTEXT_EQUITY=2500``).

Everything is checked in one place, :func:`validate`, which ``load_config`` runs and the commands
run again after applying their flags: the tables here, ``[detectors]`` and ``[context]`` through
their owners' parameter classes, and ``[[sinks]]`` through :func:`dom.sinks.spec.sink_table`
(normalized to full tables). So a config that ``dom check-config`` accepts is one that ``dom run``
accepts. Unknown keys, wrong types, NaN, inf and out-of-range values are a :class:`ConfigError`
naming the dotted key and where the value came from (the file, the environment variable or the
command line).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, fields
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
    book_stale_after_s: float = 2.0
    """An active symbol's depth silent this long (or 20 of its usual intervals): its book is
    stale (alerts held) until the next message resyncs it; 0 = off."""
    snapshot_limit: int = 1000
    """REST depth snapshot size (5..1000)."""
    bus: str = ""
    """nats://HOST:PORT: read the venue's books, trades and alerts from collectors on the bus
    (dom collect) instead of the venue; empty = the venue itself."""
    bus_wait_s: float = 30.0
    """How long a bus consumer waits for collectors to have written the venue's books."""


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
class RecordConfig:
    enabled: bool = False
    """Keep a continuous recording of the live frames (a ring of segments on disk)."""
    dir: str = ""
    """Where; empty = <the data directory>/recordings ($DOM_DATA_DIR, else the user data dir)."""
    keep_hours: float = 6.0
    """Segments older than this are deleted."""
    segment_minutes: float = 10.0
    """Length of one segment (each starts with a snapshot per symbol, so it replays on its own)."""


@dataclass
class Config:
    feed: FeedConfig = field(default_factory=FeedConfig)
    reconnect: ReconnectConfig = field(default_factory=ReconnectConfig)
    sim: SimConfig = field(default_factory=SimConfig)
    run: RunConfig = field(default_factory=RunConfig)
    record: RecordConfig = field(default_factory=RecordConfig)
    sinks: list[dict[str, Any]] = field(default_factory=list)
    detectors: dict[str, Any] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    sectors: dict[str, Any] = field(default_factory=dict)
    """``[sectors]``: symbol -> sector label, over the venue's own (the scanner's sectors)."""
    source: list[str] = field(default_factory=lambda: ["defaults"])
    origins: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    """Dotted key -> (where it was set: a file or ``$DOM_...``, the value set there)."""


TYPED = ("feed", "reconnect", "sim", "run", "record")
"""Tables whose schema is here; ``detectors`` and ``context`` are their owners' parameter classes."""
OWNED = ("detectors", "context")
FREE = ("ui", "sectors")
"""Tables with free keys: ``[ui]`` (checked by the UI) and ``[sectors]`` (symbol = "label")."""
TABLES = (*TYPED, *OWNED, *FREE)
CCXT_RE = re.compile(r"ccxt:[a-z][a-z0-9_]*\Z")
_KEY_RE = re.compile(r"\b(" + "|".join(TABLES) + r")\.([a-z0-9_]+)|\bsinks\[\d+\]")


def native_venues() -> list[str]:
    """The ``--venue`` names with a native adapter (``dom.venues`` where it exists)."""
    try:
        from dom.venues import NATIVE
    except ImportError:
        return ["binanceusdm"]
    return list(NATIVE)


def owned_defaults(table: str) -> Any:
    """The parameter object with the defaults of ``[detectors]`` or ``[context]``."""
    if table == "detectors":
        from dom.core.detectors.params import DetectorParams

        return DetectorParams()
    from dom.core.context.params import ContextParams

    return ContextParams()


def _schema(table: str) -> Any:
    return owned_defaults(table) if table in OWNED else getattr(Config(), table)


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
        raise ConfigError(f"{key}: expected a list of strings, got {_show(value)}")
    raise ConfigError(f"{key}: expected {type(like).__name__}, got {_show(value)}")


def _show(v: Any) -> str:
    text = repr(v)
    return f"{type(v).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _merge(cfg: Config, data: Mapping[str, Any], where: str) -> None:
    for table, body in data.items():
        if table == "sinks":
            if not isinstance(body, list):
                raise ConfigError(f"sinks: expected an array of tables ([[sinks]]), got {_show(body)}")
            for i, s in enumerate(body):
                if not isinstance(s, dict):
                    raise ConfigError(f"sinks[{i}]: expected a table ([[sinks]] with type = ...), got {_show(s)}"
                                      " (spec strings are for --sink)")
            cfg.sinks = list(body)
            cfg.origins["sinks"] = (where, None)
            continue
        if table not in TABLES:
            raise ConfigError(f"unknown key {table!r} (tables: {', '.join(TABLES)}, sinks)")
        if not isinstance(body, dict):
            raise ConfigError(f"{table}: expected a table, got {_show(body)}")
        for k, v in body.items():
            if table in TYPED:
                section = getattr(cfg, table)
                if k not in {f.name for f in fields(section)}:
                    raise ConfigError(f"unknown key {table}.{k}")
                v = _coerce(f"{table}.{k}", v, getattr(section, k))
                setattr(section, k, v)
            else:
                getattr(cfg, table)[k] = v  # checked by validate(), with the owner's rules
            cfg.origins[f"{table}.{k}"] = (where, v)
    cfg.source.append(where)


def _parse_env(key: str, text: str, like: Any) -> Any:
    try:
        if isinstance(like, bool):
            t = text.strip().lower()
            if t in ("1", "true", "yes", "on"):
                return True
            if t in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if isinstance(like, int):
            return int(text)
        if isinstance(like, float):
            return float(text)
        if isinstance(like, list):
            return [s for s in text.replace(",", " ").split() if s]
    except ValueError:
        raise ConfigError(f"{key}: cannot read {text[:60]!r} as {type(like).__name__}") from None
    if like is None:  # [ui]: no schema here; a TOML value, else the text
        try:
            return _toml(f"v = {text}")["v"]
        except (_InvalidToml, RecursionError):
            return text
    return text


def _apply_env(cfg: Config, env: Mapping[str, str]) -> None:
    for name in sorted(env):
        for table in TABLES:
            prefix = f"DOM_{table.upper()}_"
            if not name.startswith(prefix):
                continue
            key = name[len(prefix):].lower()
            if table in FREE:
                like = None
                if table == "sectors":
                    key = key.upper()  # DOM_SECTORS_PEPEUSDT=Meme
            else:
                schema = _schema(table)
                if key not in {f.name for f in fields(schema)}:
                    raise ConfigError(f"unknown key {table}.{key} (from ${name})")
                like = getattr(schema, key)
            value = _parse_env(f"{table}.{key} (${name})", env[name], like)
            if table in TYPED:
                setattr(getattr(cfg, table), key, value)
            else:
                getattr(cfg, table)[key] = value
            cfg.origins[f"{table}.{key}"] = (f"${name}", value)
            cfg.source.append(f"${name}")


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("dom")) / "config.toml"


class _InvalidToml(Exception):
    """A config file that is not TOML (``tomllib.TOMLDecodeError`` as ``args[0]``)."""


def _toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, tomllib imported only here: with no config file, no command
    loads it (~16 M instructions of every start-up)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _InvalidToml(e) from None


def load_config(path: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults < the config file < ``DOM_<TABLE>_<KEY>``, validated (flags come after: the caller
    sets them and calls :func:`validate` again)."""
    env = os.environ if env is None else env
    cfg = Config()
    try:
        p = Path(path) if path else Path(env["DOM_CONFIG"]) if env.get("DOM_CONFIG") else user_config_path()
        if path or env.get("DOM_CONFIG") or p.exists():
            data = _toml(p.read_bytes().decode("utf-8"))
            _merge(cfg, data, str(p))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except OSError as e:
        raise ConfigError(f"cannot read {p}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except _InvalidToml as e:
        raise ConfigError(f"{p}: invalid TOML: {e.args[0]}") from None
    except (ValueError, RecursionError) as e:  # a NUL in the path; arrays nested thousands deep
        raise ConfigError(f"config file {path or env.get('DOM_CONFIG')!r}: {type(e).__name__}: {e}") from None
    except ConfigError as e:
        raise ConfigError(f"{e} (in {p})") from None
    _apply_env(cfg, env)
    validate(cfg, env)
    return cfg


def origin(cfg: Config, key: str) -> str | None:
    """Where the value of dotted ``key`` came from: a file, ``$DOM_...``, the command line, or
    None for a default."""
    if key.startswith("sinks["):
        return cfg.origins.get(key, cfg.origins.get("sinks", (None,)))[0]
    table, _, name = key.partition(".")
    if table in TYPED:
        current = getattr(getattr(cfg, table), name, None)
        default = getattr(getattr(Config(), table), name, None)
    else:
        current, default = getattr(cfg, table, {}).get(name), None
    rec = cfg.origins.get(key)
    if rec is not None and (rec[1] is current or rec[1] == current):
        return rec[0]
    if "command line" in cfg.source and current != default:
        return "the command line"
    return rec[0] if rec else None


def validate(cfg: Config, env: Mapping[str, str] | None = None) -> None:
    """Check everything ``dom run`` would reject, and normalize ``cfg.sinks`` to full tables.
    Raises one :class:`ConfigError` naming the key and where its value came from."""
    from dom.config_rules import check

    env = os.environ if env is None else env
    try:
        check(cfg, env)
    except ConfigError as e:
        msg = str(e)
        m = _KEY_RE.search(msg)
        where = origin(cfg, m.group(0)) if m else None
        if where and where not in msg:
            how = "on" if where == "the command line" else "by" if where.startswith("$") else "in"
            msg += f" (set {how} {where})"
        raise type(e)(msg) from None


def effective(cfg: Config) -> dict[str, dict[str, Any]]:
    """Every table with every key at its effective value (defaults included)."""
    from dataclasses import asdict

    out = {t: asdict(getattr(cfg, t)) for t in TYPED}
    for t in OWNED:
        out[t] = {**asdict(owned_defaults(t)), **getattr(cfg, t)}
    out["ui"] = dict(cfg.ui)
    out["sectors"] = dict(cfg.sectors)
    return out


def to_toml(cfg: Config) -> str:
    """The effective configuration as TOML (``dom check-config``): every key, with where a value
    that is not a default came from; URLs in sinks shown as ``scheme://host/…``, tokens never
    (they stay in the environment)."""
    from dom.sinks.spec import parse_spec, redact_url, shown

    def val(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if math.isnan(v) else "inf" if v > 0 else "-inf"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + "".join(c if c.isprintable() and c not in '"\\' else
                                 f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in v) + '"'
        if isinstance(v, (list, tuple, set)):
            return "[" + ", ".join(val(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{val(str(k))} = {val(x)}" for k, x in v.items()) + " }"
        return val(str(v))

    def key(k: str) -> str:
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else val(k)

    out = [f"# effective configuration (from: {', '.join(cfg.source)})"]
    for table, body in effective(cfg).items():
        if not body and table in FREE:
            continue
        out.append(f"\n[{table}]")
        for k, v in body.items():
            where = origin(cfg, f"{table}.{k}")
            if table == "feed" and k == "endpoint" and v and ("@" in v or "?" in v):
                v = redact_url(v)  # a password or a key in the endpoint URL
            out.append(f"{key(k)} = {val(v)}" + (f"  # {where}" if where else ""))
    for i, s in enumerate(cfg.sinks):
        t = s if isinstance(s, dict) else parse_spec(s)[0] if isinstance(s, str) else {"?": s}
        where = origin(cfg, f"sinks[{i}]")
        out.append("\n[[sinks]]" + (f"  # {where}" if where else ""))
        out += [f"{key(k)} = {val(v)}" for k, v in shown(t).items()]
    return "\n".join(out) + "\n"
