"""The C accelerator's ``frame`` with its depth argument (the usual depthUpdate frame read from
its bytes, rows and JSON's whitespace included: ``_native_bk.c``) against the decoder's Python
path (orjson, then ``_depth``): the same events, field for field and type for type, or the same
DecodeError, on random frames at and past every bound, on byte-edited frames, and on the
synthetic and real streams of ``benchmarks/book.py``."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import orjson
import pytest

from dom.core import accel
from dom.core.types import BookDelta
from dom.core.units import Instrument
from dom.venues.binance_usdm.codec import BinanceDecoder
from dom.venues.binance_usdm.codec import DecodeError
from tests.core.test_native_events import _mutants, describe

# Two instruments: the usual one, and one whose price and size steps are not a power of ten apart
# from their decimals (mantissas 5 and 2: a price read on the size's step, or the other way
# round, shows).
_BTC = ("BTCUSDT", "0.10", "0.001")
_ODD = ("BTCUSDT", "0.50", "0.002")


def decode_all(monkeypatch, frames: list[bytes], native, inst: tuple = _BTC) -> tuple[list, dict]:
    """Each frame through one decoder for ``inst`` with ``native`` (None: the pure-Python path) as
    the accelerator: its events as ``describe`` gives them (types included), or its DecodeError's
    text; and the decoder's unknown symbols."""
    monkeypatch.setattr(accel, "native", native)
    dec = BinanceDecoder({inst[0]: Instrument(*inst)})
    out: list = []
    for f in frames:
        try:
            out.append([describe(e) for e in dec.decode(f, 7)])
        except DecodeError as e:
            out.append(str(e))
    return out, dec.unknown_symbols

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")

_IDS = (0, 1, -1, -2, 2**62 - 1, 2**62, 2**63 - 1, -(2**63), 2**43 - 1, 2**43, True, False, 1.0, 0.0, "5", None,
        [1], 10**18, 10**17, 999_999_999_999_999_999)
_TEXTS = ("61800.20", "61800.2", "61800.25", "0.000", "0", "0.0", "-1.0", " 1.0", "1.0 ", "1e2", "1.", ".5",
          "0061800.20", "1" * 18, "1" * 19, "1" * 41, "", "abc", "١٢", "é", "a\"b", "a\\b", "\t", 5, 5.5, None,
          True, ["1.0"], {"a": 1})


def _row(rng: random.Random, px: int, grid: tuple[int, int]) -> list:
    """A level at ``px`` tenths times grid[0], its size in thousandths times grid[1] (on the steps
    of _BTC with (1, 1), of _ODD with (5, 2)); now and then a bad one."""
    row: list = [f"{px * grid[0] / 10:.1f}", f"{rng.randint(0, 2500) * grid[1] / 1000:.3f}"]
    pick = rng.random()
    if pick < 0.03:
        row[rng.randrange(2)] = rng.choice(_TEXTS)
    elif pick < 0.04:
        row = rng.choice((row + ["1"], row[:1], [], tuple(row), "ab", {"p": row[0]}, None, 5))
    return row


def _message(rng: random.Random, i: int, grid: tuple[int, int]) -> dict:
    u = 1000 + 40 * i
    msg: dict = {"e": "depthUpdate", "E": 1723161256299 + i, "T": 1723161256298 + i, "s": "BTCUSDT", "U": u + 1,
                 "u": u + 30, "pu": u, "b": [_row(rng, 120_000 - rng.randint(1, 80), grid) for _ in range(rng.randint(0, 12))],
                 "a": [_row(rng, 120_000 + rng.randint(1, 80), grid) for _ in range(rng.randint(0, 12))]}
    keys = list(msg)
    for key in rng.sample(keys, rng.choice((0, 0, 0, 1, 1, 2))):
        pick = rng.random()
        if pick < 0.15:
            del msg[key]
        elif key == "s":
            msg[key] = rng.choice(("ETHUSDT", "btcusdt", 5, None, "BTCUSDT", ""))
        elif key == "e":
            msg[key] = rng.choice(("depthUpdate", "DepthUpdate", "trade", None, 1, "depthUpdat"))
        elif key in ("b", "a"):
            msg[key] = rng.choice(([], None, "[]", {}, [[]], [["1.0", "2.000"]] * 3, 5))
        else:
            msg[key] = rng.choice(_IDS)
    if rng.random() < 0.03:
        msg["lastUpdateId"] = 1
    if rng.random() < 0.05:
        msg["x"] = rng.choice((1, "y", True, [["1", "2"]]))
    if rng.random() < 0.1:  # the keys in another order
        items = list(msg.items())
        rng.shuffle(items)
        msg = dict(items)
    return msg


def _dump(rng: random.Random, obj: object) -> bytes:
    """orjson's compact bytes, or json.dumps with some whitespace (as benchmarks/book.py writes)."""
    pick = rng.random()
    if pick < 0.4:
        return orjson.dumps(obj)
    if pick < 0.8:
        return json.dumps(obj).encode()
    if pick < 0.9:
        return json.dumps(obj, indent=rng.choice((None, 0, 1, "\t")), separators=rng.choice(((",", ":"), (", ", ": "),
                                                                                            (" ,", " :")))).encode()
    return (rng.choice((" ", "\n", "\r\n", "")) + json.dumps(obj) + rng.choice((" ", "\n", "\t", ""))).encode()


def _frames(rng: random.Random, n: int, grid: tuple[int, int] = (1, 1)) -> list[bytes]:
    frames = []
    for i in range(n):
        msg = _message(rng, i, grid)
        envelope = rng.random()
        if envelope < 0.8:
            frames.append(_dump(rng, {"stream": "btcusdt@depth@0ms", "data": msg}))
        elif envelope < 0.95:
            frames.append(_dump(rng, msg))
        else:
            frames.append(_dump(rng, rng.choice(([msg, msg], {"data": msg, "stream": "x"},
                                                 {"stream": "x", "data": msg, "more": 1}))))
    return frames


def _taken(frames: list[bytes], inst: tuple = _BTC) -> int:
    dec = BinanceDecoder({inst[0]: Instrument(*inst)})
    args = (dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)
    return sum(NATIVE.frame(f, *args) is not None for f in frames)


@needs_native
@pytest.mark.parametrize("inst", [_BTC, _ODD])
@pytest.mark.parametrize("seed", range(16))
def test_depth_frames_at_their_edges_decode_the_same(monkeypatch, seed, inst):
    frames = _frames(random.Random(2700 + seed), 150, (1, 1) if inst is _BTC else (5, 2))
    a = decode_all(monkeypatch, frames, NATIVE, inst)
    b = decode_all(monkeypatch, frames, None, inst)
    assert a == b
    events, errors = a[0], [x for x in a[0] if type(x) is str]
    assert sum(type(x) is list and len(x) == 1 and x[0][0] is BookDelta for x in events) >= 50
    assert len(errors) >= 30
    assert _taken(frames, inst) >= 35  # (most of the good ones in C, whitespace or not)


_DEPTH = (b'{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256299,"T":1723161256298,'
          b'"s":"BTCUSDT","U":5123107832006,"u":5123107837557,"pu":5123107831937,"b":[["58710.20","0.014"],'
          b'["61496.50","0.010"],["61510.90","0.000"]],"a":[["61800.30","1.211"],["61801.00","0.000"]]}}')
_SPACED = json.dumps(orjson.loads(_DEPTH)).encode()


@needs_native
@pytest.mark.parametrize("seed", range(12))
def test_depth_frames_edited_byte_by_byte_decode_the_same(monkeypatch, seed):
    # Any byte edit (whitespace of every kind, escapes, number forms, a key twice, nesting,
    # trailing bytes, a row cut short) gives what orjson's objects give, event for event or error
    # for error, compact frame or json.dumps's.
    rng = random.Random(2800 + seed)
    extra = [b"\x0b", b"\x0c", b"\xc2\xa0", b"\r", b"\t", b"\n", b'["1.0","2.000"]', b'"b"', b'"a"', b'"pu"']
    frames = [_DEPTH, _SPACED]
    for base in (_DEPTH, _SPACED):
        frames += _mutants(rng, base, 150)
        for _ in range(30):
            i = rng.randrange(len(base) + 1)
            frames.append(base[:i] + rng.choice(extra) + base[i:])
    a = decode_all(monkeypatch, frames, NATIVE)
    b = decode_all(monkeypatch, frames, None)
    assert a == b
    ok, errors = sum(type(x) is list and len(x) == 1 for x in a[0]), sum(type(x) is str for x in a[0])
    assert ok >= 30 and errors >= 200
    assert _taken(frames) >= 25


@needs_native
def test_frame_takes_the_usual_depth_frame_and_declines_the_rest():
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    args = (dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)
    (d,) = NATIVE.frame(_DEPTH, *args)
    assert d == BookDelta("BTCUSDT", ((587102, 14), (614965, 10), (615109, 0)), ((618003, 1211), (618010, 0)),
                          5123107832006, 5123107837557, 5123107831937, 1723161256298_000_000, 7)
    inner = _DEPTH[_DEPTH.index(b'"data":') + 7:-1]
    for raw in (_DEPTH, _SPACED, inner, b" \r\n\t" + _SPACED + b"\n", _DEPTH.replace(b",", b" ,\t"),
                _DEPTH.replace(b'"pu":5123107831937,', b""), _DEPTH.replace(b'"b":[[', b'"b":[ ['),
                _DEPTH.replace(b'"a":[["61800.30","1.211"],["61801.00","0.000"]]', b'"a":[]'),
                _DEPTH.replace(b'"a":[[', b'"a":[\n\n[').replace(b'"]]}}', b'" ] ] } }')):
        assert NATIVE.frame(raw, *args) == dec.decode_obj(orjson.loads(raw), 7), raw
    assert NATIVE.frame(_DEPTH.replace(b'"pu":5123107831937,', b""), *args)[0].prev_id == -1
    for raw in (_DEPTH.replace(b"BTCUSDT", b"ETHUSDT"), _DEPTH.replace(b"58710.20", b"58710.25"),
                _DEPTH.replace(b"58710.20", b"5.871020e4"), _DEPTH.replace(b'"T":1723161256298', b'"T":0'),
                _DEPTH.replace(b'"U":5123107832006', b'"U":5123107837558'),
                _DEPTH.replace(b'"u":5123107837557', b'"u":5123107837557,"u":5123107837557'),
                _DEPTH.replace(b'"s":"BTCUSDT"', b'"s":"BTCUSDT","lastUpdateId":1'),
                _DEPTH.replace(b'"0.014"]', b'"0.014","1"]'), _DEPTH.replace(b'"0.014"', b"0.014"),
                _DEPTH.replace(b"depthUpdate", b"depthUpdat"), _DEPTH.replace(b"0.014", b"0.01\\u0034"),
                _DEPTH.replace(b",", b",\x0b", 1), _DEPTH.replace(b'"pu":5123107831937', b'"pu":null'),
                _DEPTH + b"x", _DEPTH[:-1], b"[" + _DEPTH + b"]", b"", b"   ", b"{}"):
        assert NATIVE.frame(raw, *args) is None, raw
    # without the depth argument (or with None), frame() leaves every depth frame to orjson
    assert NATIVE.frame(_DEPTH, *args[:4]) is None and NATIVE.frame(_DEPTH, *args[:4], None) is None
    for bad in ((BookDelta,), (BookDelta, ()), [BookDelta, args[4][1]], (5, args[4][1])):
        with pytest.raises(TypeError):
            NATIVE.frame(_DEPTH, *args[:4], bad)


@needs_native
def test_an_unknown_symbol_is_still_counted():
    # frame() declines it; the Python path counts it, as before.
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    assert dec.decode(_DEPTH.replace(b"BTCUSDT", b"ETHUSDT"), 7) == []
    assert dec.decode(_SPACED.replace(b"BTCUSDT", b"ETHUSDT"), 7) == []
    assert dec.unknown_symbols == {"ETHUSDT": 2}


@needs_native
def test_tickers_and_trades_with_whitespace_decode_as_orjson_reads_them():
    # frame() with the depth argument reads JSON's whitespace in any frame; what it then takes
    # of a bookTicker or trade is what orjson's dict of it gives.
    from tests.core.test_native_events import _AGG, _TICK, _TRADE

    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    args = (dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)
    for base in (_TICK, _TRADE, _AGG):
        for raw in (base, json.dumps(orjson.loads(base)).encode(), b"\n" + base + b"\r\n",
                    json.dumps(orjson.loads(base), indent=2).encode()):
            got = NATIVE.frame(raw, *args)
            assert got is not None and got == dec.decode_obj(orjson.loads(raw), 7), raw
    # a list of rows in a trade: declined, as the reader without rows declines it
    assert NATIVE.frame(_AGG.replace(b'"f":10', b'"x":[["1","2"]],"f":10'), *args) is None


@needs_native
def test_streams_of_the_book_benchmark_decode_the_same(monkeypatch, shared_data: Path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import book  # noqa: E402

    _, synthetic = book.synthetic_stream(20_000)
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    with gzip.open(path, "rb") as f:
        real = [line.split(b" ", 1)[1].rstrip() for _, line in zip(range(20_000), f)]
    real = [r for r in real if not r.startswith(b'{"lastUpdateId"')]
    for frames in (synthetic, real):
        a = decode_all(monkeypatch, frames, NATIVE)
        b = decode_all(monkeypatch, frames, None)
        assert a == b
    assert _taken(synthetic) == len(synthetic)
    assert _taken(real) == len(real)  # (bookTickers, trades and depth updates alike)


@needs_native
def test_depth_frames_keep_no_references():
    import gc
    import sys

    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")})
    args = (dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)
    frames = [_DEPTH, _SPACED, _DEPTH.replace(b"58710.20", b"58710.25"), _DEPTH.replace(b"0.000", b"0.0005"),
              _DEPTH.replace(b"BTCUSDT", b"ETHUSDT"), _DEPTH[:-3], _SPACED.replace(b"1.211", b"x")]

    def calls(n: int) -> None:
        for _ in range(n):
            for f in frames:
                NATIVE.frame(f, *args)

    calls(2_000)
    gc.collect()
    before = sys.getallocatedblocks()
    calls(20_000)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200
