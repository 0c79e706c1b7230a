"""Chat relays: Telegram, Discord and Slack, each a webhook sink with the body its service expects.

They share :class:`~dom.sinks.webhook.WebhookSink`'s delivery (own bounded queue, ordered,
bounded retries with backoff on 5xx/429/timeouts) and differ only in the URL and the body:

    telegram   POST {api}/bot<token>/sendMessage  {"chat_id": ..., "text": ...}
               (token and chat id from the environment; api: Telegram's, or $DOM_TELEGRAM_API)
    discord    POST <webhook URL>                {"content": ..., "allowed_mentions": {"parse": []}}
    slack      POST <incoming webhook URL>       {"text": ...}

The text is the sink's ``template`` over the alert's top-level fields, cut to the service's limit.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import orjson

from dom.sinks.spec import DEFAULT_CHAT_TEMPLATE, redact_url, telegram_api
from dom.sinks.webhook import WebhookSink


class _ChatSink(WebhookSink):
    limit = 4000

    def __init__(self, url: str, template: str = DEFAULT_CHAT_TEMPLATE, **kw: Any) -> None:
        super().__init__(url, template=template or DEFAULT_CHAT_TEMPLATE, **kw)

    def text(self, alert: dict) -> str:
        t = self.render(alert)
        return t if len(t) <= self.limit else t[: self.limit - 1] + "…"

    def payload(self, text: str) -> dict[str, Any]:
        raise NotImplementedError

    def body(self, alert: dict) -> tuple[bytes, str]:
        return orjson.dumps(self.payload(self.text(alert))), "application/json"


class DiscordSink(_ChatSink):
    kind = "discord"
    limit = 2000

    def payload(self, text: str) -> dict[str, Any]:
        # No @everyone/@here/role pings from text that came from the market.
        return {"content": text, "allowed_mentions": {"parse": []}}


class SlackSink(_ChatSink):
    kind = "slack"

    def payload(self, text: str) -> dict[str, Any]:
        return {"text": text}


class TelegramSink(_ChatSink):
    kind = "telegram"
    limit = 4096

    def __init__(self, token_env: str = "DOM_TELEGRAM_TOKEN", chat_id_env: str = "DOM_TELEGRAM_CHAT_ID",
                 api: str = "", env: Mapping[str, str] | None = None, **kw: Any) -> None:
        env = os.environ if env is None else env
        token, chat = env.get(token_env, ""), env.get(chat_id_env, "")
        from dom.sinks.spec import sink_table

        # The same checks as at load time (a token with a '/' would change the URL's path).
        sink_table({"type": "telegram", "token_env": token_env, "chat_id_env": chat_id_env, "api": api}, "telegram",
                   env)
        base = telegram_api({"api": api}, env)
        super().__init__(f"{base}/bot{token}/sendMessage", env=env, **kw)
        self.name = f"telegram:{redact_url(base)}"
        self.secrets += (token,)
        self.chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat

    def payload(self, text: str) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "text": text, "disable_web_page_preview": True}
