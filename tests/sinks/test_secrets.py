"""Secrets never printed: URLs as scheme://host/…, tokens never; exec hooks get a minimal
environment; the journal is private. Against real processes and a port on loopback."""

import json
import logging
import os
import stat
import subprocess
import sys

import pytest

from dom.sinks.base import build_sinks
from dom.sinks.spec import redact_url, scrub
from tests.sinks.conftest import make_alert
from tests.sinks.test_delivery import Receiver, hook_script

SECRET_URL = "https://discord.com/api/webhooks/1180/T0k3n-s3cret?wait=true"


@pytest.mark.parametrize("url, shown", [
    (SECRET_URL, "https://discord.com/…"),
    ("https://api.telegram.org/bot123:ABC/sendMessage", "https://api.telegram.org/…"),
    ("https://hooks.slack.com/services/T0/B0/XyZ", "https://hooks.slack.com/…"),
    ("http://user:pw@127.0.0.1:8080/", "http://127.0.0.1:8080/…"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("https://fapi.binance.com/", "https://fapi.binance.com"),
    ("http://[::1]:99/x", "http://[::1]:99/…"),
    ("http://h:99999/x", "<invalid URL>"),
    ("not a url", "<URL>"),
])
def test_urls_are_redacted_to_scheme_host_port(url, shown):
    assert redact_url(url) == shown


def test_scrub_redacts_urls_and_tokens_in_error_text():
    text = f"Cannot connect to {SECRET_URL} with header abc123tok"
    assert scrub(text, ("abc123tok",)) == "Cannot connect to https://discord.com/… with header ***"


def test_check_config_never_prints_a_webhook_url_or_its_token(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text(f'[[sinks]]\ntype = "webhook"\nurl = "{SECRET_URL}"\nheader = "Authorization"\n'
                 'token_env = "DOM_HOOK_TOKEN"\n')
    env = {**os.environ, "DOM_HOOK_TOKEN": "Bearer very-s3cret-value"}
    r = subprocess.run([sys.executable, "-m", "dom", "check-config", "--config", str(p),
                        "--sink", "slack:https://hooks.slack.com/services/T0/B0/sl4ck-s3cret"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "s3cret" not in r.stdout + r.stderr and "1180" not in r.stdout
    assert 'url = "https://hooks.slack.com/…"' in r.stdout  # --sink replaces the file's sinks
    p.write_text(f'[[sinks]]\ntype = "webhook"\nurl = "{SECRET_URL}"\nretries = -1\n')
    r = subprocess.run([sys.executable, "-m", "dom", "check-config", "--config", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "s3cret" not in r.stderr and "sinks[0].retries" in r.stderr
    p.write_text("")
    r = subprocess.run([sys.executable, "-m", "dom", "check-config", "--config", str(p),
                        "--sink", "discord:ftp://x/y/s3cret"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "s3cret" not in r.stderr and "ftp://x/…" in r.stderr


async def test_webhook_failure_lines_never_show_the_url_or_the_token(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="dom.sinks")
    monkeypatch.setenv("DOM_HOOK_TOKEN", "tok-s3cret")
    rx = Receiver()
    await rx.start()
    port = rx.port
    await rx.stop()  # refused from now on
    [sink] = build_sinks([{"type": "webhook", "url": f"http://127.0.0.1:{port}/hook/s3cret-path?key=s3cret",
                           "header": "X-Token", "token_env": "DOM_HOOK_TOKEN", "retries": 1, "backoff_s": 0.01,
                           "timeout_s": 0.5}])
    assert sink.name == f"webhook:http://127.0.0.1:{port}/…"
    await sink.start()
    sink.submit(make_alert(1))
    await sink.aclose(5)
    assert sink.stats.failed == 1
    assert "not delivered: gave up after 2 attempts" in caplog.text
    assert "s3cret" not in caplog.text


async def test_exec_hook_gets_a_minimal_environment(tmp_path, monkeypatch):
    out = tmp_path / "env.json"
    monkeypatch.setenv("DOM_HOOK_TOKEN", "s3cret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cret")
    monkeypatch.setenv("NOTIFY_CHANNEL", "#desk")
    monkeypatch.setenv("TZ", "UTC")
    script = hook_script(tmp_path, f"import json; json.dump(dict(os.environ), open({str(out)!r}, 'w'))")
    [sink] = build_sinks([{"type": "exec", "argv": [script], "env_pass": ["NOTIFY_CHANNEL", "NOT_SET_ANYWHERE"]}])
    await sink.start()
    sink.submit(make_alert(1))
    await sink.aclose(10)
    env = json.loads(out.read_text())
    alert_vars = {"DOM_KIND", "DOM_STATE", "DOM_SYMBOL", "DOM_SIDE", "DOM_PRICE", "DOM_SIZE", "DOM_SCORE", "DOM_ID"}
    allowed = {"PATH", "HOME", "LANG", "TZ", "NOTIFY_CHANNEL", "LC_CTYPE"} | alert_vars  # LC_CTYPE: PEP 538
    assert set(env) <= allowed and alert_vars <= set(env), set(env) - allowed
    assert env["NOTIFY_CHANNEL"] == "#desk" and env["TZ"] == "UTC" and env["PATH"] == os.environ["PATH"]
    assert "s3cret" not in out.read_text()


def test_journal_and_data_dir_are_private(tmp_path, monkeypatch):
    from dom.store.journal import Journal

    data = tmp_path / "data" / "dom"
    monkeypatch.setenv("DOM_DATA_DIR", str(data))
    old = os.umask(0)  # even with a permissive umask
    try:
        j = Journal()
        j.add("BTCUSDT", "long", "60000", "0.1", rationale="private")
        j.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "journal.sqlite").stat().st_mode) == 0o600
    (data / "journal.sqlite").chmod(0o644)  # a journal from before: narrowed when opened
    Journal().close()
    assert stat.S_IMODE((data / "journal.sqlite").stat().st_mode) == 0o600


def test_check_config_masks_urls_in_exec_arguments(tmp_path, capsys):
    from dom.cli import main

    (tmp_path / "c.toml").write_text("")
    hook = "exec:curl -d @- https://hooks.example/T0/s3cret"
    assert main(["check-config", "--config", str(tmp_path / "c.toml"), "--sink", hook]) == 0
    out = capsys.readouterr().out
    assert 'argv = ["curl", "-d", "@-", "https://hooks.example/…"]' in out and "s3cret" not in out


def test_check_config_masks_a_password_or_key_in_the_feed_endpoint(tmp_path):
    from dom.config import load_config, to_toml

    empty = tmp_path / "c.toml"
    empty.write_text("")
    cfg = load_config(str(empty), env={"DOM_FEED_ENDPOINT": "https://user:pa55@relay.example:8443/?apikey=k3y"})
    text = to_toml(cfg)
    assert 'endpoint = "https://relay.example:8443/…"  # $DOM_FEED_ENDPOINT' in text
    assert "pa55" not in text and "k3y" not in text
    plain = load_config(str(empty), env={"DOM_FEED_ENDPOINT": "http://127.0.0.1:8765"})
    assert 'endpoint = "http://127.0.0.1:8765"' in to_toml(plain)  # nothing secret: shown as is
