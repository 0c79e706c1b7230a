"""Exec hook: run a command per alert, the alert JSON on its stdin. Never through a shell.

The argv comes from config; the alert only ever travels as data (stdin and the environment
variables DOM_KIND, DOM_STATE, DOM_SYMBOL, DOM_SIDE, DOM_PRICE, DOM_SIZE, DOM_SCORE, DOM_ID), so
shell metacharacters in a symbol or message execute nothing. A hook past its timeout is killed
with its process group; at most ``concurrency`` hooks run at once; failures are logged with the
exit status and the start of stderr.

A hook does not inherit dom's environment (which may hold webhook and bot tokens): it gets
PATH, HOME, LANG and TZ, the alert's DOM_* variables, and the variables named in ``env_pass``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Mapping

import orjson

from dom.errors import SinkConfigError, SinkError
from dom.sinks.base import Sink, log
from dom.sinks.spec import scrub

BASE_ENV = ("PATH", "HOME", "LANG", "TZ")


class ExecSink(Sink):
    def __init__(self, argv: list[str], queue_size: int = 10_000, filter=None, timeout_s: float = 5.0,
                 concurrency: int = 4, env_pass: list[str] | tuple[str, ...] = (),
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(queue_size, filter)
        if not argv:
            raise SinkConfigError("exec sink: empty command")
        self.argv = list(argv)
        self.name = f"exec:{scrub(argv[0])}"
        self.timeout_s = float(timeout_s)
        if not self.timeout_s > 0:
            raise SinkConfigError(f"{self.name}: timeout_s must be positive")
        source = os.environ if env is None else env
        self.base_env = {k: source[k] for k in (*BASE_ENV, *env_pass) if k in source}
        self._sem = asyncio.Semaphore(max(1, int(concurrency)))
        self._running: set[asyncio.Task] = set()
        self.killed = 0

    async def send(self, alert: dict) -> None:
        await self._sem.acquire()
        t = asyncio.create_task(self._run(alert))
        self._running.add(t)
        t.add_done_callback(self._done)

    def _done(self, t: asyncio.Task) -> None:
        self._running.discard(t)
        self._sem.release()
        if not t.cancelled() and t.exception() is not None:
            self.stats.failed += 1
            self.stats.sent -= 1  # counted as sent when started; it did not arrive
            log.warning("%s: %s", self.name, scrub(str(t.exception())))  # its stderr may show a URL

    async def _run(self, alert: dict) -> None:
        env = dict(self.base_env)
        env.update({
            "DOM_KIND": alert["kind"], "DOM_STATE": alert["state"], "DOM_SYMBOL": alert["symbol"],
            "DOM_SIDE": alert["side"], "DOM_PRICE": alert["price"], "DOM_SIZE": alert["size"],
            "DOM_SCORE": str(alert["score"]), "DOM_ID": alert["id"],
        })
        try:
            p = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True,
            )
        except OSError as e:
            raise SinkError(f"cannot run {self.argv[0]}: {e.strerror}") from None
        try:
            _, err = await asyncio.wait_for(p.communicate(orjson.dumps(alert) + b"\n"), self.timeout_s)
        except asyncio.TimeoutError:
            self.killed += 1
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await p.wait()
            raise SinkError(f"killed after {self.timeout_s:g} s (alert {alert['id']})") from None
        if p.returncode != 0:
            raise SinkError(f"exit status {p.returncode}: {err[:300].decode(errors='replace').strip()}")

    async def aclose(self, deadline_s: float = 2.0) -> None:
        await super().aclose(deadline_s)
        if self._running:
            await asyncio.wait(set(self._running), timeout=max(0.1, deadline_s))
