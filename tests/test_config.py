import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from dom.config import Config, load_config, to_toml
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
