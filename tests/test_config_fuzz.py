"""Fuzz the config loader: random TOML tables, keys, values and types, random DOM_* environment
variables and --sink specs. Only dom.errors.ConfigError may escape, and a config that loads (what
`dom check-config` accepts) is one the run path builds: sinks, detectors (on a symbol), context."""

import math
import string
from dataclasses import fields

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.config import FREE, TABLES, Config, load_config, owned_defaults, to_toml, validate
from dom.errors import ConfigError
from dom.sinks.filters import FILTER_KEYS
from dom.sinks.spec import SINK_KEYS

SCHEMA = {t: owned_defaults(t) if t in ("detectors", "context") else getattr(Config(), t) for t in TABLES if t not in FREE}
KEYS = {t: [f.name for f in fields(obj)] for t, obj in SCHEMA.items()}
KEYS["ui"] = ["theme", "x"]
KEYS["sectors"] = ["PEPEUSDT", "x"]
SINK_LIKE = {"path": "-", "url": "http://127.0.0.1:9/hook", "timeout_s": 1.0, "retries": 1, "backoff_s": 0.1,
             "header": "X-Token", "token_env": "DOM_FUZZ_TOKEN", "template": "{symbol}", "template_format": "text",
             "argv": ["true"], "concurrency": 2, "env_pass": ["HOME"], "chat_id_env": "DOM_TELEGRAM_CHAT_ID",
             "api": "http://127.0.0.1:9", "kinds": ["wall"], "states": ["new"], "symbols": ["X"], "sides": ["bid"],
             "min_score": 0.5, "min_notional": 100, "cooldown_s": 1.0, "rate_per_s": 1.0, "burst": 3,
             "queue_size": 10}
SINK_ALL = sorted(set().union(*SINK_KEYS.values()) | FILTER_KEYS | {"queue_size"})
ENV = {"DOM_FUZZ_TOKEN": "123:abc", "DOM_TELEGRAM_TOKEN": "123456:ABC-def", "DOM_TELEGRAM_CHAT_ID": "42"}

RARELY = st.sampled_from([False] * 19 + [True])
ident = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
nums = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-5, 5000),
                 st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-9, 0.5, 1e308]))
words = st.sampled_from(["sim", "sim:ccxt", "binanceusdm", "ccxt:okx", "ccxt:", "mixed", "major", "-", "",
                         "http://127.0.0.1:9/hook", "https://discord.com/api/webhooks/1/x", "ftp://x", "http://",
                         "http://h:99999/", "{symbol} {message}", "{nope}", "{0}", "{score:d}", "json_text", "text",
                         "X-Token", "bad header", "DOM_FUZZ_TOKEN", "UNSET_VAR", "wall", "bid", "new", "1e400",
                         "nan", "/proc/x/y", "true"])
scalar = st.one_of(st.booleans(), nums, text, words, st.datetimes(), st.dates(), st.times())
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(ident, inner, max_size=3)), max_leaves=6)


def plausible(like) -> st.SearchStrategy:
    """Mostly a value of the default's type near the valid range, sometimes anything at all."""
    if isinstance(like, bool):
        typed = st.booleans()
    elif isinstance(like, int):
        typed = st.one_of(st.just(like), st.just(like), st.integers(0, 2 * like + 10), st.sampled_from([100, 5, 1000]))
    elif isinstance(like, float):
        typed = st.one_of(st.just(like), st.just(like), st.floats(0, 2 * like + 10),
                          st.sampled_from([0.0, float("nan")]))
    elif isinstance(like, list):
        typed = st.one_of(st.just(like), st.lists(st.sampled_from(["BTCUSDT", "KITEUSDT", like[0] if like else "X"]),
                                                  max_size=2))
    else:
        typed = st.one_of(st.just(like), st.just(like), st.just(like), words)
    return st.sampled_from([typed] * 7 + [value]).flatmap(lambda s: s)


@st.composite
def entries(draw, table: str) -> tuple[str, object]:
    obj = SCHEMA.get(table)
    if obj is None or draw(RARELY):
        return draw(ident), draw(value)
    key = draw(st.sampled_from(KEYS[table]))
    return key, draw(plausible(getattr(obj, key)))


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(c if c.isalnum() or c in " :/_.-{}@" else f"\\U{ord(c):08x}" for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
    return v.isoformat()  # datetime, date, time: TOML has them too


@st.composite
def documents(draw) -> str:
    out = []
    tables = ident if draw(RARELY) else st.sampled_from(TABLES)
    for table in draw(st.lists(tables, max_size=4, unique=True)):
        body = dict(draw(st.lists(entries(table), max_size=4)))
        out.append(f"[{table}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in body.items()))
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(ident if draw(RARELY) else st.sampled_from(sorted(SINK_KEYS)))
        keys = sorted(SINK_KEYS.get(kind, set()) | FILTER_KEYS | {"queue_size"}) if not draw(RARELY) else SINK_ALL
        body = {}
        need = {"webhook": "url", "discord": "url", "slack": "url", "exec": "argv"}.get(kind)
        if need and not draw(RARELY):
            body[need] = draw(plausible(SINK_LIKE[need]))
        for k in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            body[k] = draw(plausible(SINK_LIKE[k]))
        out.append(f'[[sinks]]\ntype = "{kind}"\n' + "".join(f"{k} = {toml_value(v)}\n" for k, v in body.items()))
    if draw(RARELY):
        out.append(draw(st.sampled_from(["sinks = 3\n", "feed = 1\n", "[feed\n", 'sinks = ["jsonl:-"]\n'])))
    return "".join(out)


@st.composite
def env_vars(draw) -> dict[str, str]:
    out = {}
    for table in draw(st.lists(st.sampled_from(TABLES), max_size=3)):
        key, v = draw(entries(table))
        if isinstance(v, list):
            v = ",".join(map(str, v))
        elif isinstance(v, bool) and draw(st.booleans()):
            v = draw(st.sampled_from(["1", "on", "no", "ture"])) if v else "off"
        out[f"DOM_{table.upper()}_{key.upper()}"] = str(v).replace("\x00", "")
    return out


specs = st.one_of(st.just([]), st.just([]), st.lists(st.builds(
    lambda k, a: f"{k}:{a}", st.sampled_from(sorted(SINK_KEYS) + ["x"]),
    st.one_of(words, text, st.sampled_from(["", "echo 'a", 'a "b" c', "\\", "-", "true --x"]))), max_size=2))


def run_path(cfg, env) -> None:
    """What `dom run` builds from a config before it connects (dom/commands/run.py and tui.py)."""
    from dom.core.context.params import ContextParams
    from dom.core.detectors import make_observers
    from dom.core.engine import SymbolState
    from dom.core.sequencer import Rule
    from dom.core.units import Instrument
    from dom.sinks.base import build_sinks

    build_sinks(cfg.sinks or ["jsonl:-"], env=env)
    make_observers(cfg.detectors)(SymbolState("KITEUSDT", Instrument("KITEUSDT", "0.0001", "1"), Rule.USDM))
    ContextParams.from_mapping(cfg.context)
    to_toml(cfg)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(doc=documents(), env=env_vars(), cli_sinks=specs)
def test_only_config_errors_escape_and_check_config_agrees_with_run(tmp_path_factory, doc, env, cli_sinks):
    p = tmp_path_factory.getbasetemp() / "fuzz.toml"
    p.write_text(doc)
    env = {**ENV, **env}
    try:
        cfg = load_config(str(p), env=env)
        if cli_sinks:  # as the commands apply --sink, then validate again
            cfg.sinks = list(cli_sinks)
            cfg.source.append("command line")
            validate(cfg, env)
    except ConfigError as e:
        assert "\n" not in str(e) and str(e)  # check-config exits 2 with this one line; run the same
        return
    run_path(cfg, env)  # accepted by check-config: the run path must accept it too
