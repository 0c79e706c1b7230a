"""JSON lines to stdout or a file: one Alert JSON v1 object per line, flushed per alert."""

from __future__ import annotations

import sys

import orjson

from dom.errors import SinkError
from dom.sinks.base import Sink


class JsonlSink(Sink):
    def __init__(self, path: str = "-", queue_size: int = 10_000, filter=None) -> None:
        super().__init__(queue_size, filter)
        self.path = path
        self.name = "jsonl:" + path
        self._f = None

    async def start(self) -> None:
        if self.path == "-":
            self._f = sys.stdout.buffer
        else:
            try:
                self._f = open(self.path, "ab", buffering=0)
            except OSError as e:
                raise SinkError(f"cannot open {self.path}: {e.strerror}") from None
        await super().start()

    async def send(self, alert: dict) -> None:
        assert self._f is not None
        self._f.write(orjson.dumps(alert) + b"\n")
        self._f.flush()

    async def close(self) -> None:
        if self._f is not None and self.path != "-":
            self._f.close()
