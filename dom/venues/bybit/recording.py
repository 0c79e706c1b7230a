"""Bybit's public order-book history files (``<date>_<SYMBOL>_ob500.data``, often zipped, as
nautilus_trader keeps one): JSON lines, each a raw ``orderbook`` websocket message as Bybit sent
it. They carry no local receive time, so a frame's receive time is the message's own ``ts``."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson

from dom.errors import RecordingError
from dom.store.recording import BadLine, Frame, open_text

_MS = 1_000_000


def _lines(path: Path) -> Iterator[bytes]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if not n.endswith("/")]
            if len(members) != 1:
                raise RecordingError(f"{path}: expected one file in the zip, found {len(members)}")
            with zf.open(members[0]) as f:
                yield from f
        return
    with open_text(path) as f:
        yield from f


def iter_history(path: str | Path) -> Iterator[Frame | BadLine]:
    for n, line in enumerate(_lines(Path(path)), 1):
        line = line.strip()
        if not line:
            continue
        try:
            ts = orjson.loads(line).get("ts")
        except (orjson.JSONDecodeError, AttributeError):
            yield BadLine(n, "not a JSON object")
            continue
        if type(ts) is not int or ts < 0:
            yield BadLine(n, "no integer 'ts'")
            continue
        yield Frame(n, ts * _MS, line)
