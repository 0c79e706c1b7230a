"""Sinks delivering to real local receivers: an HTTP server on loopback and real processes."""

import asyncio
import stat
import sys
import time

import orjson
from aiohttp import web

from dom.sinks.base import Sink, build_sinks
from dom.sinks.exec_hook import ExecSink
from dom.sinks.webhook import WebhookSink
from tests.sinks.conftest import make_alert


class Receiver:
    """A webhook receiver that can fail with 500, hang, or be down."""

    def __init__(self) -> None:
        self.got: list[dict] = []
        self.raw: list[tuple[str, bytes, str]] = []
        self.fail = 0  # next N requests answer 500
        self.hang = 0  # next N requests sleep past the client's timeout
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.hang > 0:
            self.hang -= 1
            await asyncio.sleep(1.0)
            return web.Response(status=200)
        if self.fail > 0:
            self.fail -= 1
            return web.Response(status=500)
        self.raw.append((request.content_type, body, request.headers.get("X-Token", "")))
        if request.content_type == "application/json":
            self.got.append(orjson.loads(body))
        return web.Response(status=204)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


async def test_webhook_delivers_each_alert_once_in_order_through_failures(alerts):
    rx = Receiver()
    await rx.start()
    sink = WebhookSink(rx.url, timeout_s=0.3, retries=4, backoff_s=0.02)
    await sink.start()
    try:
        rx.fail = 3
        rx.hang = 1
        t0 = time.perf_counter()
        for a in alerts:
            assert sink.submit(a)
        assert time.perf_counter() - t0 < 0.05  # submit never waits for the network
        await sink.aclose(10)
        assert [a["id"] for a in rx.got] == [a["id"] for a in alerts]  # once each, in order
        assert sink.stats.sent == 20 and sink.stats.failed == 0 and sink.stats.dropped == 0
        assert sink.retried == 4
    finally:
        await rx.stop()


async def test_webhook_server_down_then_back_counts_only_what_exceeded_the_retry_budget(alerts):
    rx = Receiver()
    await rx.start()
    port = rx.port
    await rx.stop()  # connection refused from now on
    sink = WebhookSink(f"http://127.0.0.1:{port}/hook", timeout_s=0.3, retries=1, backoff_s=0.01)
    await sink.start()
    for a in alerts[:3]:
        sink.submit(a)
    await asyncio.sleep(0.5)
    assert sink.stats.failed == 3  # each tried twice, then counted
    rx2 = Receiver()
    await rx2.start(port)
    try:
        for a in alerts[3:]:
            sink.submit(a)
        await sink.aclose(5)
        assert [a["id"] for a in rx2.got] == [a["id"] for a in alerts[3:]]
        assert sink.stats.sent == 17
    finally:
        await rx2.stop()


async def test_webhook_template_and_token_header_for_chat_relays(monkeypatch):
    monkeypatch.setenv("DOM_TEST_TOKEN", "s3cret")
    rx = Receiver()
    await rx.start()
    try:
        [sink] = build_sinks([{"type": "webhook", "url": rx.url, "header": "X-Token", "token_env": "DOM_TEST_TOKEN",
                               "template": "{kind} {side} {symbol} @ {price} size {size}", "template_format": "text"}])
        await sink.start()
        sink.submit(make_alert(1))
        await sink.aclose(5)
        ctype, body, token = rx.raw[0]
        assert ctype == "text/plain" and body == b"wall bid KITEUSDT @ 0.4990 size 60001" and token == "s3cret"
        assert "s3cret" not in repr(sink.__dict__.get("name"))
    finally:
        await rx.stop()


def hook_script(tmp_path, body: str):
    p = tmp_path / "hook.py"
    p.write_text(f"#!{sys.executable}\nimport os, sys\n{body}\n")
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


async def test_exec_hook_gets_each_alert_once_as_json_and_never_runs_a_shell(tmp_path):
    out = tmp_path / "got.jsonl"
    marker = tmp_path / "pwned"
    script = hook_script(tmp_path, f"open({str(out)!r}, 'a').write(sys.stdin.read().strip() + '|' + os.environ['DOM_SYMBOL'] + '\\n')")
    sink = ExecSink([script], concurrency=2, timeout_s=10)
    await sink.start()
    nasty = [f"X; touch {marker}", f"$(touch {marker})", f"`touch {marker}`", f"'\"; touch {marker}"]
    sent = [make_alert(i, symbol=s, message=s) for i, s in enumerate(nasty)] + [make_alert(9)]
    for a in sent:
        sink.submit(a)
    await sink.aclose(20)
    lines = out.read_text().splitlines()
    assert sorted(orjson.loads(l.rsplit("|", 1)[0])["id"] for l in lines) == sorted(a["id"] for a in sent)
    assert {l.rsplit("|", 1)[1] for l in lines} == {a["symbol"] for a in sent}
    assert not marker.exists()
    assert sink.stats.sent == 5 and sink.stats.failed == 0


async def test_a_hanging_hook_is_killed_at_its_timeout(tmp_path):
    script = hook_script(tmp_path, "import time; time.sleep(30)")
    sink = ExecSink([script], timeout_s=0.5)
    await sink.start()
    t0 = time.perf_counter()
    sink.submit(make_alert(1))
    await sink.aclose(5)
    assert time.perf_counter() - t0 < 4
    assert sink.killed == 1 and sink.stats.failed == 1


class SlowSink(Sink):
    name = "slow"

    def __init__(self) -> None:
        super().__init__(queue_size=5)
        self.got: list[dict] = []

    async def send(self, alert):
        await asyncio.sleep(0.2)
        self.got.append(alert)


class FastSink(Sink):
    name = "fast"

    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[float, dict]] = []

    async def send(self, alert):
        self.got.append((time.perf_counter(), alert))


async def test_a_slow_sink_never_delays_a_fast_one(alerts):
    slow, fast = SlowSink(), FastSink()
    await slow.start()
    await fast.start()
    sent_at = {}
    for a in alerts:
        sent_at[a["id"]] = time.perf_counter()
        slow.submit(a)
        fast.submit(a)
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    assert len(fast.got) == 20
    assert max(t - sent_at[a["id"]] for t, a in fast.got) < 0.05
    assert slow.stats.dropped >= 10  # its queue of 5 overflowed: counted
    await slow.aclose(0.1)
    await fast.aclose(1)
    assert slow.stats.dropped + len(slow.got) == 20
