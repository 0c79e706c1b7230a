"""Telegram, Discord and Slack relays against local receivers on loopback that check the request
each real service expects (path, method, content type, body fields) and answer as it does."""

import asyncio
import logging

import orjson
import pytest
from aiohttp import web

from dom.errors import ConfigError
from dom.sinks.base import build_sinks
from dom.sinks.chat import DiscordSink, SlackSink, TelegramSink
from tests.sinks.conftest import make_alert

TOKEN = "123456789:AAH-test_token_s3cret"


class ChatService:
    """Telegram's sendMessage, a Discord webhook and a Slack incoming webhook, on 127.0.0.1."""

    def __init__(self) -> None:
        self.got: dict[str, list[dict]] = {"telegram": [], "discord": [], "slack": []}
        self.fail = 0  # next N requests to Telegram answer 429 (rate limited) as it does
        self.discord_fail = 0
        self.times: list[float] = []
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def _json(self, request: web.Request) -> dict:
        assert request.method == "POST"
        assert request.content_type == "application/json"
        return orjson.loads(await request.read())

    async def telegram(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        body = await self._json(request)
        if self.fail > 0:
            self.fail -= 1
            return web.json_response({"ok": False, "error_code": 429, "parameters": {"retry_after": 0}}, status=429)
        if not isinstance(body.get("chat_id"), (int, str)) or not isinstance(body.get("text"), str) \
                or not 1 <= len(body["text"]) <= 4096:
            return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request"}, status=400)
        self.got["telegram"].append(body)
        return web.json_response({"ok": True, "result": {"message_id": len(self.got["telegram"])}})

    async def discord(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        self.times.append(asyncio.get_running_loop().time())
        if self.discord_fail > 0:
            self.discord_fail -= 1
            return web.json_response({"message": "You are being rate limited.", "retry_after": 0.4, "global": False},
                                     status=429, headers={"Retry-After": "0.4"})
        if not isinstance(body.get("content"), str) or not 1 <= len(body["content"]) <= 2000:
            return web.json_response({"message": "Cannot send an empty message", "code": 50006}, status=400)
        self.got["discord"].append(body)
        return web.Response(status=204)

    async def slack(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body.get("text"), str) or not body["text"]:
            return web.Response(status=400, text="no_text")
        self.got["slack"].append(body)
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/sendMessage", self.telegram)
        app.router.add_post("/api/webhooks/{id}/{secret}", self.discord)
        app.router.add_post("/services/{a}/{b}/{secret}", self.slack)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def service():
    s = ChatService()
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
def telegram_env(monkeypatch, service):
    monkeypatch.setenv("DOM_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DOM_TELEGRAM_CHAT_ID", "-1001234567890")
    monkeypatch.setenv("DOM_TELEGRAM_API", service.base)


async def test_telegram_send_message_body_with_token_and_chat_id_from_the_environment(service, telegram_env):
    [sink] = build_sinks(["telegram:"])
    assert isinstance(sink, TelegramSink) and "s3cret" not in sink.name and TOKEN not in repr(sink.name)
    await sink.start()
    for i in range(3):
        sink.submit(make_alert(i))
    await sink.aclose(5)
    got = service.got["telegram"]
    assert [m["chat_id"] for m in got] == [-1001234567890] * 3  # an integer, as Telegram documents it
    assert got[0]["text"] == "KITEUSDT new: Wall: bid 0.4990 size 60000"
    assert [m["text"].rsplit(" ", 1)[1] for m in got] == ["60000", "60001", "60002"]  # in order
    assert sink.stats.sent == 3 and sink.stats.failed == 0


async def test_telegram_api_base_from_the_config_key(service, monkeypatch):
    monkeypatch.setenv("MY_BOT", TOKEN)
    monkeypatch.setenv("MY_CHAT", "@dom_alerts")
    monkeypatch.delenv("DOM_TELEGRAM_API", raising=False)
    [sink] = build_sinks([{"type": "telegram", "token_env": "MY_BOT", "chat_id_env": "MY_CHAT", "api": service.base,
                           "template": "{kind} {side} {symbol} @ {price}"}])
    await sink.start()
    sink.submit(make_alert(1))
    await sink.aclose(5)
    assert service.got["telegram"] == [{"chat_id": "@dom_alerts", "text": "wall bid KITEUSDT @ 0.4990",
                                        "disable_web_page_preview": True}]


async def test_discord_webhook_content_without_pings(service):
    [sink] = build_sinks([f"discord:{service.base}/api/webhooks/42/d1sc0rd-s3cret"])
    assert isinstance(sink, DiscordSink) and sink.name == f"discord:{service.base}/…"
    await sink.start()
    sink.submit(make_alert(1, message="@everyone " + "x" * 3000))
    await sink.aclose(5)
    [body] = service.got["discord"]
    assert body["allowed_mentions"] == {"parse": []}
    assert len(body["content"]) == 2000 and body["content"].startswith("KITEUSDT new: @everyone xxx")


async def test_slack_incoming_webhook_text(service):
    [sink] = build_sinks([{"type": "slack", "url": f"{service.base}/services/T0/B0/sl4ck-s3cret", "kinds": ["wall"],
                           "template": "{symbol}: {message} (score {score})"}])
    assert isinstance(sink, SlackSink)
    await sink.start()
    sink.submit(make_alert(7))
    await sink.aclose(5)
    assert service.got["slack"] == [{"text": "KITEUSDT: Wall: bid 0.4990 size 60007 (score 0.8)"}]


async def test_chat_relays_retry_429_and_each_has_its_own_bounded_queue(service, telegram_env):
    tg, dc = build_sinks([{"type": "telegram", "queue_size": 2, "backoff_s": 0.01},
                          {"type": "discord", "url": f"{service.base}/api/webhooks/1/x", "queue_size": 50}])
    await tg.start()
    await dc.start()
    service.fail = 2  # Telegram rate-limits the first two tries
    accepted = [tg.submit(make_alert(i)) for i in range(10)]
    for i in range(10):
        assert dc.submit(make_alert(i))
    await tg.aclose(5)
    await dc.aclose(5)
    assert accepted.count(True) == 2 and tg.stats.dropped == 8  # its own queue of 2 overflowed: counted
    assert len(service.got["telegram"]) == 2 and tg.retried == 2
    assert len(service.got["discord"]) == 10 and dc.stats.dropped == 0  # the other relay lost nothing


async def test_a_refused_relay_logs_a_failure_line_without_the_secret(service, caplog):
    caplog.set_level(logging.INFO, logger="dom.sinks")
    [sink] = build_sinks([{"type": "discord", "url": f"{service.base}/api/webhooks/9/hunter2-s3cret",
                           "template": "{message}"}])
    await sink.start()
    sink.submit(dict(make_alert(1), message=""))  # Discord answers 400 to an empty message
    await sink.aclose(5)
    assert sink.stats.failed == 1
    assert "HTTP 400" in caplog.text and "hunter2" not in caplog.text and "s3cret" not in caplog.text


def test_telegram_needs_its_token_and_chat_id(monkeypatch):
    monkeypatch.delenv("DOM_TELEGRAM_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="DOM_TELEGRAM_TOKEN is not set"):
        build_sinks(["telegram:"])
    monkeypatch.setenv("DOM_TELEGRAM_TOKEN", "123:abc/../../x")
    monkeypatch.setenv("DOM_TELEGRAM_CHAT_ID", "5")
    with pytest.raises(ConfigError, match="does not look like a bot token"):  # it would change the URL's path
        build_sinks(["telegram:"])


async def test_a_429_retry_after_is_honoured(service):
    [sink] = build_sinks([{"type": "discord", "url": f"{service.base}/api/webhooks/1/x", "backoff_s": 0.01}])
    await sink.start()
    service.discord_fail = 1
    sink.submit(make_alert(1))
    await sink.aclose(5)
    assert len(service.got["discord"]) == 1 and sink.retried == 1
    assert service.times[1] - service.times[0] >= 0.4  # not the 10 ms backoff
