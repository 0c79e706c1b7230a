"""The bus's messages: what a collector writes reads back as the same events, and anything else
on the bus (random bytes, wrong types, huge or negative numbers, deep nesting) is a DecodeError,
never another exception."""

from __future__ import annotations

import random

import orjson
import pytest

from dom.bus import codec
from dom.core.types import BookDelta, BookSnapshot, FeedState, FeedStatus, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError


def test_events_read_back_as_written():
    b = codec.book(11, 10, 5_000, 6_000, [[100, 3]], [[101, 0]])
    assert codec.decode("book", "X", b) == BookDelta("X", ((100, 3),), ((101, 0),), 11, 11, 10, 5_000, 6_000)
    s = codec.book(12, 11, 5_000, 6_000, [[100, 3]], [], snap=True)
    assert codec.decode("book", "X", s, recv_ns=9) == BookSnapshot("X", ((100, 3),), (), 12, 5_000, 9)
    t = Trade("X", 100, 2, TakerSide.SELL, 77, 1, 2, 70, 77)
    assert codec.decode("trades", "X", codec.trade(t)) == t
    assert codec.decode("status", "X", codec.status(FeedState.GAP, "gap at 5", 1, 2)) == FeedStatus(
        "X", FeedState.GAP, "gap at 5", 1, 2)
    m = MarkPrice("X", 100, 99, -1234, 8_000, 1, 2)
    assert codec.decode("context", "X", codec.context(m)) == m
    inst = Instrument("PEPEUSDT", "0.0000001", "1", contract_size="1000", inverse=False, base="PEPE")
    got_inst, snap, shard = codec.decode_snapshot(codec.snapshot(inst, 42, 7, 8, [[5, 1]], [[6, 2]], "1/4"))
    assert (got_inst.symbol, got_inst.tick_size, got_inst.contract_size, got_inst.base) == (
        "PEPEUSDT", "0.0000001", "1000", "PEPE")
    assert snap == BookSnapshot("PEPEUSDT", ((5, 1),), ((6, 2),), 42, 7, 8) and shard == "1/4"


def test_shards_are_stable_and_cover_every_symbol():
    names = [f"S{i}USDT" for i in range(200)]
    for n in (1, 2, 4, 7):
        owners = [codec.shard_of(s, n) for s in names]
        assert set(owners) == set(range(n))
    assert codec.shard_of("BTCUSDT", 4) == __import__("zlib").crc32(b"BTCUSDT") % 4


HOSTILE = [b"", b"nul\x00", b"[]", b"1e999", b'"x"', b"{" * 5000, b"[" * 100000,
           orjson.dumps({"s": -1, "p": 0, "t": 0, "r": 0, "b": [], "a": []}),
           b'{"s": 18446744073709551616000, "p": 0, "t": 0, "r": 0, "b": [], "a": []}',
           orjson.dumps({"s": 1, "p": 0, "t": 0, "r": 0, "b": [[1.5, 2]], "a": []}),
           orjson.dumps({"s": 1, "p": 0, "t": 0, "r": 0, "b": [[True, 2]], "a": []}),
           orjson.dumps({"s": 1, "p": 0, "t": 0, "r": 0, "b": [[0, 2]], "a": []}),
           orjson.dumps({"s": 1, "p": 0, "t": 0, "r": 0, "b": [[1, 2, 3]], "a": []}),
           orjson.dumps({"s": 1, "p": 0, "t": 0, "r": 0, "b": {"1": 2}, "a": []}),
           orjson.dumps({"p": 1, "q": 0, "side": "buy", "i": 1, "f": 1, "l": 1, "t": 0, "r": 0}),
           orjson.dumps({"p": 1, "q": 1, "side": "up", "i": 1, "f": 1, "l": 1, "t": 0, "r": 0}),
           orjson.dumps({"state": "melted", "t": 0, "r": 0}),
           orjson.dumps({"state": "gap", "detail": ["x"], "t": 0, "r": 0}),
           orjson.dumps({"v": 1, "inst": {"symbol": "X", "tick": "nan", "lot": "1"}, "s": 1, "t": 0, "r": 0,
                         "b": [], "a": []}),
           orjson.dumps({"v": 1, "inst": {"symbol": "X", "tick": "0", "lot": "1"}, "s": 1, "t": 0, "r": 0,
                         "b": [], "a": []}),
           orjson.dumps({"v": 2}), orjson.dumps({"v": 1, "inst": "X"})]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_messages_are_decode_errors(data):
    for kind in (*codec.KINDS, "nope"):
        with pytest.raises(DecodeError):
            codec.decode(kind, "X", data)
    with pytest.raises(DecodeError):
        codec.decode_snapshot(data)


def test_fuzzed_messages_never_raise_anything_else():
    rng = random.Random(7)
    good = [codec.book(11, 10, 5, 6, [[100, 3]], [[101, 0]]),
            codec.trade(Trade("X", 100, 2, TakerSide.BUY, 7, 1, 2)),
            codec.snapshot(Instrument("X", "0.1", "1"), 3, 1, 2, [[5, 1]], [], "0/1")]
    values = [None, True, -1, 0, (1 << 63) + 1, 1.5, float("inf"), "", "x" * 300, [], {}, [[1]], [[1, -1]]]
    outcomes = {"decoded": 0, "refused": 0}
    for _ in range(3000):
        doc = orjson.loads(rng.choice(good))
        for _ in range(rng.randint(1, 3)):
            key = rng.choice(list(doc) + ["extra"])
            if rng.random() < 0.3:
                doc.pop(key, None)
            else:
                v = rng.choice(values)
                doc[key] = v if not (isinstance(v, float) and v != v) else 0
        try:
            data = orjson.dumps(doc)
        except (TypeError, orjson.JSONEncodeError):
            continue
        if rng.random() < 0.2:
            data = bytes(b ^ rng.randrange(256) if rng.random() < 0.05 else b for b in data)
        for kind in codec.KINDS:
            try:
                ev = codec.decode(kind, "X", data)
            except DecodeError:
                outcomes["refused"] += 1
                continue
            outcomes["decoded"] += 1
            assert _exact(ev), ev  # what gets through is a core event of exact, in-range integers
        try:
            inst, snap, shard = codec.decode_snapshot(data)
        except DecodeError:
            outcomes["refused"] += 1
        else:
            outcomes["decoded"] += 1
            assert _exact(snap) and isinstance(inst, Instrument) and isinstance(shard, str)
    assert outcomes["decoded"] > 100 and outcomes["refused"] > 1000, outcomes  # both paths were exercised


def _exact(ev) -> bool:
    """Every number of the event an int (no bool, float or huge value), every level (px > 0, qty >= 0)."""
    from dataclasses import fields

    for f in fields(ev):
        v = getattr(ev, f.name)
        if isinstance(v, bool) or isinstance(v, float):
            return False
        if isinstance(v, int) and not -(1 << 63) <= v < 1 << 63:
            return False
        if f.name in ("bids", "asks"):
            if not all(type(p) is int and type(q) is int and p > 0 and q >= 0 for p, q in v):
                return False
    return True
