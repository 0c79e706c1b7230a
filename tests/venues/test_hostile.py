"""Hostile input: whatever arrives, a venue decoder returns events or raises DecodeError,
quickly."""

from __future__ import annotations

import time
from datetime import timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.core.engine import Engine
from dom.core.types import BookDelta, BookSnapshot, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError
from dom.venues.bitget import codec as bitget
from dom.venues.bybit import codec as bybit
from dom.venues.kraken import codec as kraken
from dom.venues.okx import codec as okx

MS = 1_000_000
OKX_I = Instrument("BTC-USDT-SWAP", "0.1", "0.01")
KR_I = Instrument("XBT/USD", "0.1", "0.00000001")
BY_I = Instrument("BTCUSDT", "0.1", "0.001")


def _decoders():
    return [
        okx.OkxDecoder({OKX_I.symbol: OKX_I}),
        bybit.BybitDecoder({BY_I.symbol: BY_I}),
        bitget.BitgetDecoder({BY_I.symbol: BY_I}),
        kraken.KrakenDecoder({KR_I.symbol: KR_I}),
    ]


def _valid_frames() -> list[bytes]:
    snap = BookSnapshot(
        "S", ((600_000, 150), (599_990, 2)), ((600_010, 7),), 10, 1_700_000_000_000 * MS, 0, 77
    )
    delta = BookDelta(
        "S", ((600_000, 0),), ((600_020, 3),), 11, 11, 10, 1_700_000_000_001 * MS, 0, -5
    )
    trade = Trade("S", 600_000, 5, TakerSide.SELL, 123, 1_700_000_000_002 * MS, 0, 123, 123)
    mark = MarkPrice("S", 600_001, 600_002, -100, 1_700_003_600_000 * MS, 1_700_000_000_003 * MS, 0)
    out: list[bytes] = []
    for mod, inst in ((okx, OKX_I), (bybit, BY_I), (bitget, BY_I)):
        for ev in (snap, delta):
            out.append(
                mod.encode_book(
                    ev.__class__(
                        *((inst.symbol,) + tuple(getattr(ev, f) for f in ev.__slots__[1:]))
                    ),
                    inst,
                )
            )
        out.append(
            mod.encode_trade(
                Trade(inst.symbol, *[getattr(trade, f) for f in trade.__slots__[1:]]), inst
            )
        )
        m = mod.encode_mark(
            MarkPrice(inst.symbol, *[getattr(mark, f) for f in mark.__slots__[1:]]), inst
        )
        out += m if isinstance(m, list) else [m]
    for ev in (snap, delta):
        ev = ev.__class__(*((KR_I.symbol,) + tuple(getattr(ev, f) for f in ev.__slots__[1:])))
        out.append(kraken.encode_book(ev, KR_I))
    out.append(
        kraken.encode_trade(
            Trade(KR_I.symbol, *[getattr(trade, f) for f in trade.__slots__[1:]]), KR_I
        )
    )
    return out


VALID = _valid_frames()

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "NaN",
            "inf",
            "-1",
            "1e999999999",
            "9" * 400,
            "0.1.2",
            "",
            " 1",
            "1_0",
            "١٢",
            "-0.000",
            "snapshot",
            "update",
            "delta",
            "books",
            "buy",
            "Sell",
            "BTCUSDT",
            "BTC-USDT-SWAP",
        ]
    ),
)
json_value = st.recursive(
    json_leaf,
    lambda c: st.one_of(
        st.lists(c, max_size=4), st.dictionaries(st.text(max_size=8), c, max_size=4)
    ),
    max_leaves=20,
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _replace(obj, path, value):
    if not path:
        return value
    obj[path[0]] = _replace(obj[path[0]], path[1:], value)
    return obj


def _engine(dec) -> Engine:
    """An engine behind the decoder, with a snapshot loaded, so decoded events reach a book."""
    mod = {"OkxDecoder": okx, "BybitDecoder": bybit, "BitgetDecoder": bitget, "KrakenDecoder": kraken}
    m = mod[type(dec).__name__]
    verify = okx.verify if m is okx else getattr(dec, "verify", None)
    eng = Engine(dec.instruments, rule=m.RULE, verify=verify)
    for sym in dec.instruments:
        eng.feed(BookSnapshot(sym, ((600_000, 1),), ((600_010, 1),), 10, 0, 0))
    return eng


EVENTS = (BookDelta, BookSnapshot, MarkPrice, Trade)


def _decode_all(raw) -> list:
    """Each decoder returns events or raises DecodeError, quickly; the events, fed to an engine
    with the venue's rule and checksum, raise nothing. Returns every event decoded."""
    out = []
    for dec in _decoders():
        t0 = time.perf_counter()
        try:
            events = dec.decode(raw, 1)
        except DecodeError:
            events = []
        assert time.perf_counter() - t0 < 1.0  # a tiny frame: any blow-up shows
        eng = _engine(dec)
        for ev in events:
            eng.feed(ev)
        out += events
    return out


def _sound(events: list) -> bool:
    """What got through is core events with exact, non-negative integers: nothing else leaks."""
    for ev in events:
        if type(ev) not in EVENTS:
            return False
        if type(ev) is Trade and not (type(ev.px_ticks) is int and ev.qty_lots > 0):
            return False
        if type(ev) in (BookDelta, BookSnapshot) and not all(
                type(p) is int and type(q) is int and p >= 0 and q >= 0 for p, q in (*ev.bids, *ev.asks)):
            return False
    return True


FAST = settings(
    max_examples=300,
    deadline=timedelta(milliseconds=3000),
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes(raw):
    assert _sound(_decode_all(raw))


@FAST
@given(json_value)
def test_random_json(value):
    assert _sound(_decode_all(orjson.dumps(value)))


@FAST
@given(st.sampled_from(range(len(VALID))), st.data())
def test_one_field_of_a_real_frame_replaced(i, data):
    frame = orjson.loads(VALID[i])
    paths = list(_paths(frame))
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(frame, path, data.draw(json_value))
    assert _sound(_decode_all(orjson.dumps(mutated)))


@FAST
@given(st.sampled_from(range(len(VALID))), st.data())
def test_one_field_of_a_real_frame_deleted(i, data):
    frame = orjson.loads(VALID[i])
    paths = [p for p in _paths(frame) if p]  # an object's key or a list's element
    path = data.draw(st.sampled_from(paths))
    parent = frame
    for k in path[:-1]:
        parent = parent[k]
    del parent[path[-1]]
    assert _sound(_decode_all(orjson.dumps(frame)))


@pytest.mark.parametrize(
    "bad",
    [
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[["1e999999999","1"]],"bids":[],"ts":"1"}]}',
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[["100","-1"]],"bids":[],"ts":"1"}]}',
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[["100","NaN"]],"bids":[],"ts":"1"}]}',
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[["100.05","1"]],"bids":[],"ts":"1"}]}',
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":4294967296}]}',
        b'{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[],"bids":[],"ts":true}]}',
        b'{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":true}}',
        b'{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["1","'
        + b"1" * 100
        + b'"]],"a":[],"u":2}}',
        b'{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0","p":"1","i":"1"}]}',
        b'{"action":"update","arg":{"instType":"mc","channel":"trade","instId":"BTCUSDT"},"data":[["1","1","1"]]}',
        b"[1,2,3]",
        b'[1,{"a":[["1.0","1.00000000","1e99"]],"c":"1"},"book-1000","XBT/USD"]',
        b'[1,{"a":[["1.0","1.00000000","1.0"]],"c":"4294967296"},"book-1000","XBT/USD"]',
        b'[1,{"a":[["1.0","1.00000000","1.0"]],"x":"1"},"book-1000","XBT/USD"]',
        b'[1,[["1.0","0.1","1.0","x","l",""]],"trade","XBT/USD"]',
        b'[1,{"as":[],"bs":[]},"book-x","XBT/USD"]',
        b'{"arg":{"channel":"books","instId":"' + b"X" * 100 + b'"},"data":[]}',
    ],
)
def test_specific_hostile_frames_are_decode_errors(bad):
    raised = 0
    for dec in _decoders():
        try:
            dec.decode(bad, 1)
        except DecodeError:
            raised += 1
    assert raised >= 1


def test_a_frame_of_a_hundred_thousand_levels_is_refused_before_any_level_is_read():
    """Refused on its size: not one level string reaches the instrument's parser (its caches
    stay empty), so the cost is parsing the JSON and nothing more."""
    rows = [["1", "1"]] * 100_000
    raw = orjson.dumps(
        {
            "topic": "orderbook.50.BTCUSDT",
            "type": "delta",
            "ts": 1,
            "data": {"s": "BTCUSDT", "b": rows, "a": [], "u": 2},
        }
    )
    inst = Instrument("BTCUSDT", "0.1", "0.001")
    with pytest.raises(DecodeError, match="100000 levels"):
        bybit.BybitDecoder({inst.symbol: inst}).decode(raw, 1)
    assert inst.price._cache == {} and inst.qty._cache == {}
