import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from dom.config import Config, effective, load_config, to_toml
from dom.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_shipped_defaults_file_equals_the_built_in_defaults():
    cfg = load_config(str(REPO / "config" / "default.toml"), env={})
    base = Config()
    for section in ("feed", "reconnect", "sim", "run"):
        assert dataclasses.asdict(getattr(cfg, section)) == dataclasses.asdict(getattr(base, section))


def test_precedence_file_then_env(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[feed]\nvenue = "binanceusdm"\ndepth_ms = 250\n[sim]\nseed = 3\n')
    cfg = load_config(str(p), env={"DOM_SIM_SEED": "9", "DOM_FEED_SYMBOLS": "BTCUSDT,KITEUSDT"})
    assert cfg.feed.venue == "binanceusdm" and cfg.feed.depth_ms == 250
    assert cfg.sim.seed == 9 and cfg.feed.symbols == ["BTCUSDT", "KITEUSDT"]
    assert 'venue = "binanceusdm"' in to_toml(cfg)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[feed]\nvenu = "x"\n', "unknown key feed.venu"),
        ("[fed]\nvenue = 1\n", "unknown key 'fed'"),
        ('[feed]\ndepth_ms = "fast"\n', "feed.depth_ms: expected int"),
        ("[feed]\ndepth_ms = 300\n", "feed.depth_ms: must be 100, 250 or 500"),
        ("[feed\n", "invalid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, message):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("'", "'")):
        load_config(str(p), env={})


def test_check_config_cli_flags_win_and_errors_are_one_line(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[feed]\nvenue = "binanceusdm"\n')
    r = subprocess.run([sys.executable, "-m", "dom", "check-config", "--config", str(p), "--venue", "sim", "--seed", "4"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and 'venue = "sim"' in r.stdout and "seed = 4" in r.stdout
    p.write_text("[feed]\nstale_after_s = -1\n")
    r = subprocess.run([sys.executable, "-m", "dom", "run", "--config", str(p)], capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"dom: error: feed.stale_after_s: must be a finite positive number, not -1.0 (set in {p})"


def test_default_toml_lists_every_detector_parameter_with_its_default():
    import tomllib
    from dataclasses import fields
    from pathlib import Path

    from dom.core.detectors.params import DetectorParams

    table = tomllib.loads((Path(__file__).parent.parent / "config" / "default.toml").read_text())["detectors"]
    defaults = DetectorParams()
    assert set(table) == {f.name for f in fields(DetectorParams)}
    assert DetectorParams.from_mapping(table) == defaults


# --- issue #15: one validation, at load time, for check-config and run alike -----------------

def _main(argv, capsys):
    from dom.cli import main

    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


UNWRITABLE = "/proc/dom-cannot-write-here/alerts.jsonl"
# Each of these was accepted by `dom check-config` (which validated neither [detectors] nor
# [[sinks]]) and rejected by `dom run`, or accepted by both and broke later.
RUN_REJECTS = [
    ("[detectors]\nwall_ratoi = 3\n", "unknown key detectors.wall_ratoi"),
    ("[detectors]\nabsorption_max_trade_share = 0.5\n", "detectors.absorption_max_trade_share was removed: a block"),
    ('[detectors]\nwall_ratio = "8"\n', "detectors.wall_ratio: expected float"),
    ("[detectors]\nwall_ratio = -1\n", "detectors.wall_ratio: must not be negative"),
    ("[detectors]\nwall_ratio = nan\n", "detectors.wall_ratio: must be a finite number"),
    ("[detectors]\nwall_ratio = inf\n", "detectors.wall_ratio: must be a finite number"),
    ("[detectors]\nwalls = 1\n", "detectors.walls: expected bool"),
    ("[detectors]\nwall_band_ticks = 2.5\n", "detectors.wall_band_ticks: expected int"),
    ("[context]\nequity = nan\n", "context.equity: must be a finite number"),
    ("[detectors]\nspoof_vol_pct = 150.0\n", "detectors.spoof_vol_pct: must be at most 100"),  # IndexError in run
    ("[detectors]\nspoof_drop_fraction = 1.5\n", "detectors.spoof_drop_fraction: must be at most 1"),
    ("[detectors]\niceberg_max_chance = 1.5\n", "detectors.iceberg_max_chance: must be at most 1"),  # a probability
    ("[detectors]\nwall_step_ratio = 1e308\n", "detectors.wall_step_ratio: must be at most 1e+12"),  # OverflowError in run
    ("[detectors]\nwall_step_rank = 1000000000000000000000\n", "detectors.wall_step_rank: must be at most 1e+12"),
    ("[detectors]\nspoof_step_ratio = 1e308\n", "detectors.spoof_step_ratio: must be at most 1e+12"),
    ("[detectors]\nspoof_step_rank = -1\n", "detectors.spoof_step_rank: must not be negative"),
    ("[detectors]\nspoof_step_rank = 2.5\n", "detectors.spoof_step_rank: expected int"),
    ("[context]\nrisk_pct = 101\n", "context.risk_pct: must be at most 100"),
    ('[[sinks]]\ntype = "smtp"\n', "sinks[0].type: unknown sink type"),
    ('[[sinks]]\ntype = "jsonl"\npth = "x"\n', "unknown key sinks[0].pth"),
    ('[[sinks]]\ntype = "webhook"\nurl = "ftp://x"\n', "sinks[0].url: expected an http(s) URL"),
    ('[[sinks]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\ntimeout_s = "x"\n', "sinks[0].timeout_s"),
    ('[[sinks]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\nretries = -1\n', "sinks[0].retries"),
    ('[[sinks]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\nheader = "X-T"\ntoken_env = "DOM_TEST_UNSET_TOKEN"\n',
     "environment variable DOM_TEST_UNSET_TOKEN is not set"),
    ('[[sinks]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\ntemplate = "{nope}"\n', "sinks[0].template"),
    ('[[sinks]]\ntype = "exec"\nargv = "notify.sh"\n', "sinks[0].argv"),
    ('[[sinks]]\ntype = "exec"\nargv = ["x"]\nconcurrency = 0\n', "sinks[0].concurrency"),
    ('[[sinks]]\ntype = "jsonl"\nqueue_size = 0\n', "sinks[0].queue_size"),
    ('[[sinks]]\ntype = "jsonl"\nmin_score = nan\n', "sinks[0].min_score"),
    ('[[sinks]]\ntype = "jsonl"\nmin_notional = "nan"\n', "sinks[0].min_notional"),
    (f'[[sinks]]\ntype = "jsonl"\npath = "{UNWRITABLE}"\n', "sinks[0].path: cannot write"),
    ('sinks = ["exec:notify \\"unbalanced"]\n', "sinks[0]: expected a table ([[sinks]] with type = ...)"),
    ('[[sinks]]\ntype = "telegram"\ntoken_env = "DOM_TEST_UNSET_TOKEN"\n', "sinks[0].token_env"),
    ('[feed]\nvenue = "kraken"\n', "feed.venue"),
    ('[feed]\nendpoint = "fapi.binance.com"\n', "feed.endpoint"),
    ("[feed]\nstale_after_s = nan\n", "feed.stale_after_s: must be a finite positive number"),
    ("[reconnect]\nmax_s = inf\n", "reconnect.max_s"),
    ("[run]\nflush_deadline_s = -2.0\n", "run.flush_deadline_s"),
]


@pytest.mark.parametrize("text, message", RUN_REJECTS, ids=[m for _, m in RUN_REJECTS])
def test_check_config_rejects_what_run_rejects(tmp_path, capsys, monkeypatch, text, message):
    monkeypatch.delenv("DOM_TEST_UNSET_TOKEN", raising=False)
    p = tmp_path / "c.toml"
    p.write_text(text)
    for cmd in (["check-config"], ["run", "--duration", "0.1"]):
        rc, out, err = _main([*cmd, "--config", str(p)], capsys)
        assert rc == 2 and out == "", (cmd, out, err)
        assert err.startswith("dom: error: ") and err.count("\n") == 1, err
        assert message in err, err
        assert str(p) in err  # the file it came from


def test_nan_detector_values_give_one_clear_error_not_a_traceback(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[detectors]\nabsorption_rate_pct = nan\n")
    r = subprocess.run([sys.executable, "-m", "dom", "check-config", "--config", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == f"dom: error: detectors.absorption_rate_pct: must be a finite number, not nan (set in {p})\n"


def test_timeout_s_string_gives_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=r"sinks\[0\]\.timeout_s: expected a finite positive number, got 'x'"):
        load_config(_write(tmp_path, '[[sinks]]\ntype = "exec"\nargv = ["true"]\ntimeout_s = "x"\n'), env={})


def test_unbalanced_quotes_in_exec_sink_spec_are_one_config_error(tmp_path, capsys):
    from dom.errors import SinkConfigError
    from dom.sinks.base import build_sinks

    with pytest.raises(ConfigError, match="No closing quotation") as e:
        build_sinks(["exec:notify.sh 'it''s"])
    assert isinstance(e.value, SinkConfigError)
    rc, _, err = _main(["check-config", "--config", _write(tmp_path, ""), "--sink", "exec:notify.sh 'oops"], capsys)
    assert rc == 2 and "cannot split the command: No closing quotation" in err and "Traceback" not in err


@pytest.mark.parametrize("how", ["file", "env", "flag"])
def test_stale_after_s_nan_is_rejected_not_a_disabled_watchdog(tmp_path, capsys, monkeypatch, how):
    argv = ["check-config", "--config", _write(tmp_path, "[feed]\nstale_after_s = nan\n" if how == "file" else "")]
    if how == "env":
        monkeypatch.setenv("DOM_FEED_STALE_AFTER_S", "nan")
    elif how == "flag":
        argv += ["--stale-after", "nan"]
    rc, _, err = _main(argv, capsys)
    assert rc == 2 and "feed.stale_after_s: must be a finite positive number, not nan" in err
    said = {"file": "(set in ", "env": "(set by $DOM_FEED_STALE_AFTER_S)", "flag": "(set on the command line)"}
    assert said[how] in err


def test_retries_negative_is_rejected_at_load_and_by_the_sink(tmp_path):
    from dom.errors import SinkError
    from dom.sinks.webhook import WebhookSink

    with pytest.raises(ConfigError, match=r"sinks\[0\]\.retries: expected an integer in 0\.\.100, got -1"):
        load_config(_write(tmp_path, '[[sinks]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\nretries = -1\n'),
                    env={})
    with pytest.raises(SinkError):  # built directly, it refuses too (it used to send nothing and count it sent)
        WebhookSink("http://127.0.0.1:9/h", retries=-1)


def test_dom_context_and_dom_detectors_env_vars_override(tmp_path):
    env = {"DOM_CONTEXT_EQUITY": "2500", "DOM_CONTEXT_REFERENCE": "ETHUSDT", "DOM_DETECTORS_WALL_RATIO": "10",
           "DOM_DETECTORS_SPOOFS": "off", "DOM_DETECTORS_WALL_BAND_TICKS": "40", "DOM_UI_THEME": '"nord"',
           "DOM_RUN_SUMMARY_EVERY_S": "0", "DOM_RECONNECT_MAX_S": "12.5"}
    cfg = load_config(_write(tmp_path, "[detectors]\nwall_ratio = 9.0\n"), env=env)
    assert cfg.context == {"equity": 2500.0, "reference": "ETHUSDT"}
    assert cfg.detectors == {"wall_ratio": 10.0, "spoofs": False, "wall_band_ticks": 40}  # env beats the file
    assert cfg.ui == {"theme": "nord"} and cfg.run.summary_every_s == 0.0 and cfg.reconnect.max_s == 12.5
    text = to_toml(cfg)
    assert "wall_ratio = 10.0  # $DOM_DETECTORS_WALL_RATIO" in text and "equity = 2500.0  # $DOM_CONTEXT_EQUITY" in text


@pytest.mark.parametrize("env, message", [
    ({"DOM_DETECTORS_WALL_RATOI": "3"}, r"unknown key detectors.wall_ratoi \(from \$DOM_DETECTORS_WALL_RATOI\)"),
    ({"DOM_CONTEXT_EQUITY": "lots"}, r"context.equity \(\$DOM_CONTEXT_EQUITY\): cannot read 'lots' as float"),
    ({"DOM_DETECTORS_WALLS": "ture"}, r"detectors.walls \(\$DOM_DETECTORS_WALLS\): cannot read 'ture' as bool"),
    ({"DOM_CONTEXT_RISK_PCT": "-1"},
     r"context.risk_pct: must not be negative, not -1.0 \(set by \$DOM_CONTEXT_RISK_PCT\)"),
    ({"DOM_SIM_SPEED": "inf"}, r"sim.speed: must be a finite positive number, not inf \(set by \$DOM_SIM_SPEED\)"),
])
def test_bad_env_vars_name_the_key_and_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, ""), env=env)


def test_check_config_sink_flag_prints_the_sink_with_its_url_masked(tmp_path, capsys):
    secret = "https://discord.com/api/webhooks/1234/Zt0p-s3cret"
    rc, out, err = _main(["check-config", "--config", _write(tmp_path, ""), "--sink", f"discord:{secret}",
                          "--sink", "exec:notify.sh --loud"], capsys)
    assert rc == 0, err
    assert "s3cret" not in out and "1234" not in out
    assert '[[sinks]]  # the command line\ntype = "discord"\nurl = "https://discord.com/…"' in out
    assert 'argv = ["notify.sh", "--loud"]' in out and "retries = 3" in out


def test_check_config_prints_every_key_and_loads_back(tmp_path, capsys, monkeypatch):
    import tomllib

    from dom.core.context.params import ContextParams
    from dom.core.detectors.params import DetectorParams

    monkeypatch.setenv("DOM_SIM_SEED", "7")
    rc, out, _ = _main(["check-config", "--config", _write(tmp_path, "[context]\nequity = 100.0\n")], capsys)
    assert rc == 0
    data = tomllib.loads(out)
    assert set(data["detectors"]) == {f.name for f in dataclasses.fields(DetectorParams)}
    assert set(data["context"]) == {f.name for f in dataclasses.fields(ContextParams)}
    assert data["sim"]["seed"] == 7 and data["context"]["equity"] == 100.0
    first = load_config(str(tmp_path / "c.toml"), env={"DOM_SIM_SEED": "7"})
    again = load_config(_write(tmp_path, out), env={})  # the printed config is a config file
    assert effective(again) == effective(first)


def _write(tmp_path, text: str) -> str:
    p = tmp_path / "c.toml"
    p.write_text(text)
    return str(p)


def test_the_config_takes_every_preset_of_the_built_in_market_and_no_other(tmp_path):
    """sim.preset is checked against dom.sim.PRESET_NAMES (named there so the check does not
    import the presets): the presets themselves, no more, no fewer."""
    from dom.sim.presets import PRESETS, preset

    for name in PRESETS:
        assert load_config(env={"DOM_CONFIG": "", "DOM_SIM_PRESET": name}).sim.preset == name
        assert preset(name)
    with pytest.raises(ConfigError, match="sim.preset"):
        load_config(env={"DOM_SIM_PRESET": "nope"})
    from dom.sim import PRESET_NAMES

    assert sorted(PRESET_NAMES) == sorted(PRESETS)
