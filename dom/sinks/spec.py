"""Sink specs and ``[[sinks]]`` tables, checked when the config is loaded (no I/O, no aiohttp).

``sink_table(spec, where, env)`` turns a command-line spec (``jsonl:-``, ``webhook:URL``,
``exec:CMD ARG...``, ``telegram:``, ``discord:URL``, ``slack:URL``) or a TOML table into one
normalized table with every default filled in, or raises :class:`SinkConfigError` naming the key.
Secrets never appear in what it returns or raises: tokens stay in the environment (the table holds
the variable's name) and URLs are shown as ``scheme://host/…`` (:func:`redact_url`).
"""

from __future__ import annotations

import math
import os
import re
import shlex
from typing import Any, Mapping
from urllib.parse import urlsplit

from dom.errors import SinkConfigError, SinkError
from dom.sinks.filters import FILTER_KEYS, filter_from

DELIVERY = {"timeout_s": 5.0, "retries": 3, "backoff_s": 0.2}
"""Keys (and defaults) of every sink that POSTs (webhook and the chat relays share one delivery)."""

DEFAULT_CHAT_TEMPLATE = "{symbol} {state}: {message}"
TELEGRAM_API = "https://api.telegram.org"

SINK_DEFAULTS: dict[str, dict[str, Any]] = {
    "jsonl": {"path": "-"},
    "webhook": {"url": None, **DELIVERY, "header": "", "token_env": "", "template": "", "template_format": "json_text"},
    "exec": {"argv": None, "timeout_s": 5.0, "concurrency": 4, "env_pass": []},
    "telegram": {"token_env": "DOM_TELEGRAM_TOKEN", "chat_id_env": "DOM_TELEGRAM_CHAT_ID", "api": "",
                 "template": DEFAULT_CHAT_TEMPLATE, **DELIVERY},
    "discord": {"url": None, "template": DEFAULT_CHAT_TEMPLATE, **DELIVERY},
    "slack": {"url": None, "template": DEFAULT_CHAT_TEMPLATE, **DELIVERY},
    "nats": {"url": None},  # the JetStream alert stream (dom.sinks.nats, docs/BUS.md)
}
SINK_KEYS = {kind: set(d) for kind, d in SINK_DEFAULTS.items()}
USAGE = "jsonl:-, jsonl:PATH, webhook:URL, exec:COMMAND, telegram:, discord:URL, slack:URL or nats:URL"

_URL_RE = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_HEADER = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
SAMPLE_ALERT = {"v": 1, "id": "BTCUSDT:wall:bid:1:1", "ts_ns": 0, "venue": "binanceusdm", "symbol": "BTCUSDT",
                "kind": "wall", "state": "new", "side": "bid", "price": "1.0", "size": "1", "notional": "1.0",
                "score": 0.5, "message": "Wall: bid 1.0 size 1"}


def redact_url(url: str) -> str:
    """``https://discord.com/api/webhooks/ID/SECRET`` -> ``https://discord.com/…``: scheme, host and
    port only (Telegram, Discord and Slack put the secret in the path)."""
    try:
        u = urlsplit(url)
        port = u.port
    except ValueError:
        return "<invalid URL>"
    if not u.scheme or not u.hostname:
        return "<URL>" if url else url
    host = f"[{u.hostname}]" if ":" in u.hostname else u.hostname
    base = f"{u.scheme}://{host}" + (f":{port}" if port else "")
    if u.path.strip("/") or u.query or u.fragment or u.username or u.password:
        return base + "/…"
    return base


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every URL redacted and each of ``secrets`` replaced by ``***``."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return _URL_RE.sub(lambda m: redact_url(m.group(0)), text)


def parse_spec(spec: str) -> tuple[dict[str, Any], str]:
    """A command-line spec -> (table, where); ``where`` is the spec with its URL redacted."""
    kind, sep, arg = spec.partition(":")
    # (control characters escaped: an error is one line, whatever was typed)
    where = "--sink " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in scrub(spec))
    if not sep or kind not in SINK_KEYS:
        raise SinkConfigError(f"unknown sink {scrub(spec)!r} (use {USAGE})")
    if kind == "jsonl":
        return {"type": kind, "path": arg or "-"}, where
    if kind in ("webhook", "discord", "slack", "nats"):
        return {"type": kind, "url": arg}, where
    if kind == "telegram":
        if arg:
            raise SinkConfigError(f"{where}: telegram: takes no argument (the bot token and chat id come from "
                                  "$DOM_TELEGRAM_TOKEN and $DOM_TELEGRAM_CHAT_ID)")
        return {"type": kind}, where
    try:
        argv = shlex.split(arg)
    except ValueError as e:
        raise SinkConfigError(f"{where}: cannot split the command: {e} (quote it as a shell would)") from None
    return {"type": kind, "argv": argv}, where


def sink_table(spec: str | Mapping[str, Any], where: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One checked, normalized sink table (every key present) from a spec string or a table."""
    env = os.environ if env is None else env
    if isinstance(spec, str):
        t, where = parse_spec(spec)
    elif isinstance(spec, Mapping):
        t = dict(spec)
    else:
        raise SinkConfigError(f"{where}: expected a table ([[sinks]]) or a spec string, not {type(spec).__name__}")
    kind = t.get("type")
    if not isinstance(kind, str) or kind not in SINK_KEYS:
        raise SinkConfigError(f"{where}.type: unknown sink type {kind!r} ({', '.join(SINK_KEYS)})")
    for k in t:
        if k not in SINK_KEYS[kind] | FILTER_KEYS | {"type", "queue_size"}:
            raise SinkConfigError(f"unknown key {where}.{k}")
    out: dict[str, Any] = {"type": kind, **SINK_DEFAULTS[kind], "queue_size": 10_000}
    out.update(t)
    try:
        filter_from(t, where)
    except SinkError as e:
        raise SinkConfigError(str(e)) from None
    _check(out, where, env)
    return out


def _fail(where: str, key: str, msg: str) -> SinkConfigError:
    return SinkConfigError(f"{where} ({key}): {msg}" if where.startswith("--") else f"{where}.{key}: {msg}")


def _int(t: dict, where: str, key: str, lo: int, hi: int) -> None:
    v = t[key]
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise _fail(where, key, f"expected an integer in {lo}..{hi}, got {v!r}")


def _num(t: dict, where: str, key: str, lo: float, positive: bool = False) -> None:
    v = t[key]
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= lo
    if not ok or (positive and v <= 0):
        raise _fail(where, key, f"expected a finite {'positive' if positive else 'non-negative'} number, got {v!r}")
    t[key] = float(v)


def _str(t: dict, where: str, key: str, empty_ok: bool = True) -> str:
    v = t[key]
    if not isinstance(v, str) or (not empty_ok and not v) or "\x00" in v:
        raise _fail(where, key, f"expected a{'' if empty_ok else ' non-empty'} string, got {type(v).__name__}")
    return v


def _env_name(t: dict, where: str, key: str, env: Mapping[str, str], required: bool) -> None:
    name = _str(t, where, key)
    if not name and not required:
        return
    if not _ENV_NAME.match(name):
        raise _fail(where, key, f"expected an environment variable name, got {name!r}")
    if not env.get(name):
        raise _fail(where, key, f"environment variable {name} is not set")


def _url(t: dict, where: str, key: str) -> None:
    v = _str(t, where, key)
    try:
        u = urlsplit(v)
        u.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise _fail(where, key, f"not a valid URL: {redact_url(v)}") from None
    if u.scheme not in ("http", "https") or not u.hostname or any(c.isspace() for c in v):
        raise _fail(where, key, f"expected an http(s) URL, got {redact_url(v)!r}")


def _template(t: dict, where: str) -> None:
    tpl = _str(t, where, "template")
    try:
        tpl.format(**SAMPLE_ALERT)
    except Exception as e:  # noqa: BLE001 (KeyError, IndexError, ValueError, AttributeError, ...)
        raise _fail(where, "template", f"{type(e).__name__}: {e} (fields: {', '.join(SAMPLE_ALERT)})") from None


def _check(t: dict, where: str, env: Mapping[str, str]) -> None:
    kind = t["type"]
    _int(t, where, "queue_size", 1, 10_000_000)
    if "retries" in t:  # the POSTing sinks
        _num(t, where, "timeout_s", 0, positive=True)
        _int(t, where, "retries", 0, 100)
        _num(t, where, "backoff_s", 0)
        _template(t, where)
    if kind in ("webhook", "discord", "slack"):
        _url(t, where, "url")
    if kind == "nats":
        u = _str(t, where, "url", empty_ok=False)
        if not re.match(r"(nats|tls)://[^/\s]+\Z", u):
            raise _fail(where, "url", f"expected nats://HOST:PORT, got {scrub(u)!r}")
    if kind == "jsonl":
        path = _str(t, where, "path", empty_ok=False)
        if path != "-":
            target = path if os.path.exists(path) else os.path.dirname(os.path.abspath(path))
            if os.path.isdir(path) or not os.access(target, os.W_OK):
                raise _fail(where, "path", f"cannot write to {path}")
    elif kind == "webhook":
        if t["template_format"] not in ("json_text", "text"):
            raise _fail(where, "template_format", f"json_text or text, not {t['template_format']!r}")
        header = _str(t, where, "header")
        if header and not _HEADER.match(header):
            raise _fail(where, "header", f"not an HTTP header name: {header!r}")
        if bool(header) != bool(_str(t, where, "token_env")):
            raise _fail(where, "header", "header and token_env go together")
        _env_name(t, where, "token_env", env, required=False)
    elif kind == "exec":
        argv = t["argv"]
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) and "\x00" not in a for a in argv) \
                or not argv[0]:
            raise _fail(where, "argv", "expected a non-empty list of strings (the command and its arguments)")
        _num(t, where, "timeout_s", 0, positive=True)
        _int(t, where, "concurrency", 1, 256)
        names = t["env_pass"]
        if not isinstance(names, list) or not all(isinstance(n, str) and _ENV_NAME.match(n) for n in names):
            raise _fail(where, "env_pass", "expected a list of environment variable names")
    elif kind == "telegram":
        _env_name(t, where, "token_env", env, required=True)
        _env_name(t, where, "chat_id_env", env, required=True)
        if not re.fullmatch(r"[0-9]+:[A-Za-z0-9_-]+", env[t["token_env"]]):
            raise _fail(where, "token_env", f"${t['token_env']} does not look like a bot token (digits:letters)")
        if not re.fullmatch(r"-?[0-9]+|@[A-Za-z0-9_]+", env[t["chat_id_env"]]):
            raise _fail(where, "chat_id_env", f"${t['chat_id_env']}: a chat id is a number or @channelname")
        api = _str(t, where, "api")
        if api:
            _url(t, where, "api")
        elif env.get("DOM_TELEGRAM_API"):
            try:
                _url({"api": env["DOM_TELEGRAM_API"]}, "$DOM_TELEGRAM_API", "api")
            except SinkConfigError as e:
                raise SinkConfigError(str(e).replace("$DOM_TELEGRAM_API.api", "$DOM_TELEGRAM_API")) from None


def telegram_api(t: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The Bot API base: the table's ``api``, else ``$DOM_TELEGRAM_API``, else Telegram's."""
    return (t.get("api") or env.get("DOM_TELEGRAM_API") or TELEGRAM_API).rstrip("/")


def shown(t: Mapping[str, Any]) -> dict[str, Any]:
    """The table as ``dom check-config`` prints it: URLs redacted, in an exec hook's arguments too
    (tokens are never in it)."""
    out = dict(t)
    for k in ("url", "api"):
        if isinstance(out.get(k), str) and out[k]:
            out[k] = redact_url(out[k])
    if isinstance(out.get("argv"), list):
        out["argv"] = [scrub(a) if isinstance(a, str) else a for a in out["argv"]]
    return out
