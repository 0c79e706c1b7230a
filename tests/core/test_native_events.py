"""The C accelerator's ``event`` (the usual bookTicker, aggTrade and trade object in one call)
against the decoder's Python path: the same events, field for field and type for type, or the
same DecodeError, on fields at and past every bound and on the real BTCUSDT recording."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import orjson
import pytest

from dom.core import accel
from dom.core.types import BookTicker, TakerSide, Trade
from dom.core.units import Instrument
from dom.venues.binance_usdm import codec
from tests.core.test_native import decode_all as decode_each
from dom.venues.binance_usdm.codec import BinanceDecoder

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def describe(e: object) -> tuple:
    return (type(e), e, tuple(type(getattr(e, f)) for f in e.__slots__))  # type: ignore[attr-defined]


def decode_all(monkeypatch, frames: list[bytes], native, raw_trades: bool = True) -> tuple[list, dict]:
    """test_native's decode_all with ``native`` (None: the pure-Python path) as the accelerator."""
    monkeypatch.setattr(accel, "native", native)
    unknown: dict = {}
    return decode_each(frames, describe, unknown, raw_trades=raw_trades), unknown


_INTS = (0, 1, -1, -2, 2**62 - 1, 2**62, 2**63, 2**64 - 1, -(2**63), 2**43 - 1, 2**43, True, False, 1.0, 0.0, "5",
         None, [1], 1e30)
_TEXTS = ("61800.20", "61800.2", "61800.25", "0.000", "0", "0.0", "-1.0", " 1.0", "1e2", "1.", ".5", "0061800.20",
          "1" * 19, "1" * 41, "", "abc", "١٢", 5, 5.5, None, True, ["1.0"], {"a": 1})


def _frames(rng: random.Random, n: int) -> list[bytes]:
    frames = []
    for i in range(n):
        kind = rng.choice(("bookTicker", "aggTrade", "trade"))
        if kind == "bookTicker":
            msg: dict = {"e": "bookTicker", "u": 100 + i, "s": "BTCUSDT", "b": "61800.20", "B": "2.507",
                         "a": "61800.30", "A": "0.010", "T": 1723161256313 + i, "E": 1723161256314}
            keys = ("e", "u", "s", "b", "B", "a", "A", "T", "E")
        elif kind == "aggTrade":
            msg = {"e": "aggTrade", "E": 1723161256322, "a": 5 + i, "s": "BTCUSDT", "p": "61800.30", "q": "0.006",
                   "f": 10 + i, "l": 12 + i, "T": 1723161256321, "m": rng.random() < 0.5}
            keys = ("e", "E", "a", "s", "p", "q", "f", "l", "T", "m")
        else:
            msg = {"e": "trade", "E": 1723161256322, "T": 1723161256322, "s": "BTCUSDT", "t": 5266583935 + i,
                   "p": "61800.30", "q": "0.006", "X": "MARKET", "m": rng.random() < 0.5}
            keys = ("e", "E", "T", "s", "t", "p", "q", "m")
        for key in rng.sample(keys, rng.choice((0, 0, 1, 1, 2, 3))):
            pick = rng.random()
            if pick < 0.12:
                del msg[key]
            elif key in ("b", "B", "a", "A", "p", "q") and not (key == "a" and kind == "aggTrade"):
                msg[key] = rng.choice(_TEXTS)
            elif key == "s":
                msg[key] = rng.choice(("ETHUSDT", "btcusdt", 5, None, "BTCUSDT"))
            elif key == "e":
                msg[key] = rng.choice(("trade", "aggTrade", "bookTicker", "depthUpdate", "markPriceUpdate", None, 1,
                                       "BookTicker"))
            elif key == "m":
                msg[key] = rng.choice((0, 1, "true", None, True, False))
            else:
                msg[key] = rng.choice(_INTS)
        if rng.random() < 0.04:
            msg["lastUpdateId"] = 1
            if rng.random() < 0.5:
                msg["bids"] = []
        envelope = rng.random()
        if envelope < 0.8:
            frames.append(orjson.dumps({"stream": "btcusdt@" + kind, "data": msg}))
        elif envelope < 0.95:
            frames.append(orjson.dumps(msg))
        else:
            frames.append(orjson.dumps([msg, msg]))
    return frames


@needs_native
@pytest.mark.parametrize("raw_trades", [True, False])
@pytest.mark.parametrize("seed", range(16))
def test_tickers_and_trades_at_their_edges_decode_the_same(monkeypatch, seed, raw_trades):
    frames = _frames(random.Random(9100 + seed), 150)
    a = decode_all(monkeypatch, frames, NATIVE, raw_trades)
    b = decode_all(monkeypatch, frames, None, raw_trades)
    assert a == b
    events, errors = a[0], [x for x in a[0] if type(x) is str]
    assert sum(type(x) is list and len(x) == 1 for x in events) >= 30 and len(errors) >= 5


@needs_native
def test_event_declines_what_it_does_not_take():
    inst = Instrument("BTCUSDT", "0.10", "0.001")
    dec = BinanceDecoder({"BTCUSDT": inst})
    table, kinds = dec._table, dec._kinds
    tick = {"e": "bookTicker", "u": 3, "s": "BTCUSDT", "b": "1.0", "B": "2.000", "a": "1.1", "A": "0.001", "T": 9}
    (t,) = NATIVE.event(tick, table, dec.instruments, kinds, 4)
    assert t == BookTicker("BTCUSDT", 3, 10, 2000, 11, 1, 9_000_000, 4)
    trade = {"e": "aggTrade", "s": "BTCUSDT", "a": 8, "p": "1.0", "q": "0.002", "T": 0, "E": 5, "m": True}
    (tr,) = NATIVE.event(trade, table, dec.instruments, kinds, 4)
    assert tr == Trade("BTCUSDT", 10, 2, TakerSide.SELL, 8, 5_000_000, 4, -1, -1)
    for change in ({"T": 0}, {"u": True}, {"b": "1.05"}, {"A": 1}, {"lastUpdateId": 1}, {"e": "depthUpdate"},
                   {"s": "ETHUSDT"}):
        assert NATIVE.event({**tick, **change}, table, dec.instruments, kinds, 4) is None
    for change in ({"q": "0.000"}, {"p": "0"}, {"m": 1}, {"a": -1}, {"f": None}, {"T": 2**43}, {"T": 1.5}):
        assert NATIVE.event({**trade, **change}, table, dec.instruments, kinds, 4) is None
    raw = {"e": "trade", "s": "BTCUSDT", "t": 8, "p": "1.0", "q": "0.002", "m": False}
    assert NATIVE.event(raw, table, dec.instruments, kinds, 4)[0].first_id == 8
    assert NATIVE.event(raw, table, dec.instruments, kinds[:6] + (False,), 4) is None  # raw trades off
    other = {"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")}  # not the table's instrument
    assert NATIVE.event(tick, table, other, kinds, 4) is None
    with pytest.raises(TypeError):
        NATIVE.event([], table, dec.instruments, kinds, 4)


@needs_native
def test_real_tickers_and_trades_decode_the_same(monkeypatch, shared_data: Path):
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    with gzip.open(path, "rb") as f:
        frames = [line.split(b" ", 1)[1] for _, line in zip(range(30_000), f)]
    frames = [f for f in frames if b"@depth" not in f[:40]]
    a = decode_all(monkeypatch, frames, NATIVE, raw_trades=True)
    b = decode_all(monkeypatch, frames, None, raw_trades=True)
    assert a == b
    kinds = [x[0][0] for x in a[0] if x]
    assert kinds.count(BookTicker) > 15_000 and kinds.count(Trade) > 4_000


_TICK = (b'{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20",'
         b'"B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}')
_TRADE = (b'{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT",'
          b'"t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}')
_INNER = _TICK[_TICK.index(b'"data":') + 7:-1]  # the bare object
_AGG = b'{"e":"aggTrade","E":1723161256322,"a":26129,"s":"BTCUSDT","p":"61800.30","q":"0.006","f":10,"l":12,"T":0,"m":true}'
_EDITS = [b" ", b"\t", b"\n", b'"', b"\\", b"\\u0041", b"\xc3\xa9", b"-", b"0", b"00", b"-0", b"1.5", b"1e3", b"E", b"true",
          b"false", b"null", b"[]", b"{}", b"}", b"{", b",", b":", b'"e"', b'"s"', b'"T":0,', b'"stream"', b'"data"',
          b'"lastUpdateId":1,', b'"T":1,', b"9" * 19, b"9" * 18, b"", b"x", b"\x00"]


def _mutants(rng: random.Random, base: bytes, n: int) -> list[bytes]:
    out = []
    for _ in range(n):
        b = bytearray(base)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            i = rng.randrange(len(b) + 1)
            pick = rng.random()
            if pick < 0.4:
                b[i:i + rng.randint(0, 3)] = rng.choice(_EDITS)
            elif pick < 0.7 and i < len(b):
                del b[i:i + rng.randint(1, 4)]
            else:
                b[i:i] = rng.choice(_EDITS)
        out.append(bytes(b))
    return out


@needs_native
@pytest.mark.parametrize("seed", range(12))
def test_frames_read_from_their_bytes_decode_as_orjson_reads_them(monkeypatch, seed):
    # native.frame reads the usual frame from its bytes; any byte edit (whitespace, escapes, other
    # number forms, a key twice or missing, nesting, trailing bytes, an envelope with more in it)
    # must give what orjson's objects give, event for event or error for error.
    rng = random.Random(4400 + seed)
    frames = [_TICK, _TRADE, _AGG, _TICK.replace(b'"data":', b'"data" :'), b" " + _TICK, _TICK + b"\n",
              _TICK[:-1] + b',"x":1}', b'{"data":' + _INNER + b',"stream":"x"}',
              _AGG.replace(b'"a":26129', b'"a":26129,"a":26130'), _AGG.replace(b'"f":10', b'"stream":"s","data":{}')]
    for base in (_TICK, _TRADE, _AGG):
        frames += _mutants(rng, base, 120)
    for raw_trades in (True, False):
        a = decode_all(monkeypatch, frames, NATIVE, raw_trades)
        b = decode_all(monkeypatch, frames, None, raw_trades)
        assert a == b
        assert sum(type(x) is list and len(x) == 1 for x in a[0]) >= 25 and sum(type(x) is str for x in a[0]) >= 60
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    taken = sum(NATIVE.frame(f, dec._table, dec.instruments, dec._kinds, 7) is not None for f in frames)
    assert taken >= 15  # (edits the strict reader still takes: other digits, keys, values)


@needs_native
def test_frame_takes_the_usual_frames_and_declines_the_rest():
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    args = (dec._table, dec.instruments, dec._kinds, 7)
    for raw in (_TICK, _TRADE, _AGG, _INNER):
        assert NATIVE.frame(raw, *args) == dec.decode_obj(orjson.loads(raw), 7)
    for raw in (_TICK + b" ", _TICK.replace(b":5123107839020", b":-0"), _TICK.replace(b'"u"', b'"\\u0075"'),
                _TICK.replace(b"2.507", b"2.5070000000000000000000000000000000000001"),
                _TRADE.replace(b"false", b"null"), _TRADE.replace(b'"t":5266583935', b'"t":05266583935'),
                _AGG.replace(b'"a":26129', b'"a":26129,"a":26129'), _INNER[:-1] + b',"stream":"x","data":1}',
                _TICK.replace(b"BTCUSDT", b"ETHUSDT"), b"{}", b"", b"[" + _TICK + b"]"):
        assert NATIVE.frame(raw, *args) is None, raw
    with pytest.raises(TypeError):
        NATIVE.frame(_TICK.decode(), *args)


@needs_native
def test_frame_and_event_keep_no_references():
    # Events made and frames declined, many times over: the interpreter's allocated blocks stay
    # where they were (a reference kept per call would add one or more each time).
    import gc
    import sys

    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    args = (dec._table, dec.instruments, dec._kinds, 7)
    frames = [_TICK, _TRADE, _AGG, _TICK + b" ", _AGG.replace(b'"a":26129', b'"a":26129,"a":1'),
              _TRADE.replace(b'"q":"0.006"', b'"q":"0.0065"'), b'{"stream":"x","data":{"e":"depthUpdate","b":[]}}']
    objs = [orjson.loads(_TICK)["data"], orjson.loads(_TRADE)["data"], orjson.loads(_AGG),
            {**orjson.loads(_AGG), "p": "1.05"}, {**orjson.loads(_AGG), "f": None}]

    def calls(n: int) -> None:
        for _ in range(n):
            for f in frames:
                NATIVE.frame(f, *args)
            for m in objs:
                NATIVE.event(m, *args)

    calls(2_000)
    gc.collect()
    before = sys.getallocatedblocks()
    calls(20_000)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200
