"""A recording's lines decoded a block at a time in C (``rpl_lines``, ``Replay.decoded``'s fast
path) against the Python reading of the same lines (``frames_of_block``, then the decoder
without the accelerator): the same line numbers, receive times and events, field for field and
type for type, or the line handed back to the Python reader, on random and hostile lines and on
the real recording; hostile arguments raise, never crash; nothing leaks."""

from __future__ import annotations

import gc
import gzip
import json
import random
import sys
import tracemalloc
from pathlib import Path

import orjson
import pytest

from dom.core import accel
from dom.core.types import BookDelta
from dom.core.units import Instrument
from dom.runtime.replay import Replay
from dom.store import recording as rec
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError

NATIVE = accel.native
pytestmark = pytest.mark.skipif(NATIVE is None or not hasattr(NATIVE, "rpl_lines"),
                                reason="the C accelerator is not built or DOM_PURE_PYTHON is set")

INST = {"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")}
T0 = 1723161256313


def describe(e: object) -> tuple:
    return (type(e), e, tuple(type(getattr(e, f)) for f in e.__slots__))  # type: ignore[attr-defined]


def twin(lines: list[bytes], n0: int, raw_trades: bool = True) -> tuple[dict[int, object], dict]:
    """line number -> what the Python reading gives: ("bad", reason), ("snapshot",), or
    (recv_ns, described events) / (recv_ns, DecodeError text); and the decoder's unknown symbols."""
    dec = BinanceDecoder(INST, raw_trades=raw_trades)
    out: dict[int, object] = {}
    saved = accel.native
    accel.native = None
    try:
        for fr in rec.frames_of_block(n0, lines):
            if isinstance(fr, rec.BadLine):
                out[fr.line_no] = ("bad", fr.reason)
            elif fr.snapshot_symbol is not None:
                out[fr.line_no] = ("snapshot",)
            else:
                try:
                    out[fr.line_no] = (fr.recv_ns, type(fr.recv_ns), [describe(e) for e in dec.decode(fr.raw, fr.recv_ns)])
                except DecodeError as e:
                    out[fr.line_no] = (fr.recv_ns, type(fr.recv_ns), str(e))
    finally:
        accel.native = saved
    return out, dec.unknown_symbols


def c_lines(lines: list[bytes], n0: int, raw_trades: bool = True) -> tuple[list, dict]:
    dec = BinanceDecoder(INST, raw_trades=raw_trades)
    args = dec.frame_args()
    assert args is not None
    return NATIVE.rpl_lines(lines, n0, *args), dec.unknown_symbols  # type: ignore[union-attr]


def check(lines: list[bytes], n0: int = 0, raw_trades: bool = True) -> int:
    """C against the twin; returns how many lines C decoded itself."""
    want, _ = twin(lines, n0, raw_trades)
    got, unknown = c_lines(lines, n0, raw_trades)
    numbers = [it[0] if type(it) is tuple else it for it in got]
    assert numbers == list(want), "the lines given back, in order: every non-empty one once"
    taken = 0
    for it in got:
        if type(it) is tuple:
            n, recv, evs = it
            assert type(evs) is list and evs, n
            assert want[n] == (recv, type(recv), [describe(e) for e in evs]), (n, lines[n - n0 - 1])
            taken += 1
        else:
            assert type(it) is int
    assert unknown == {}, "C decodes no line of an unknown symbol (the decoder counts those)"
    return taken


# ----------------------------------------------------------------------------- the lines
def ticker(i: int) -> dict:
    return {"e": "bookTicker", "u": 5123107839020 + i, "s": "BTCUSDT", "b": "61800.20", "B": "2.507",
            "a": "61800.30", "A": "2.510", "T": T0 + i, "E": T0 + i}


def agg(i: int, m: bool) -> dict:
    return {"e": "aggTrade", "E": T0, "a": 5 + i, "s": "BTCUSDT", "p": "61800.30", "q": "0.006", "f": 10 + i,
            "l": 12 + i, "T": T0 + i, "m": m}


def trade(i: int, m: bool) -> dict:
    return {"e": "trade", "E": T0, "T": T0 + i, "s": "BTCUSDT", "t": 5266583935 + i, "p": "61800.30", "q": "0.006",
            "X": "MARKET", "m": m}


def depth(rng: random.Random, i: int) -> dict:
    def rows(k: int) -> list:
        return [[f"{61800 + rng.randrange(-500, 500) / 10:.2f}", f"{rng.randrange(0, 5000) / 1000:.3f}"]
                for _ in range(k)]
    return {"e": "depthUpdate", "E": T0 + i, "T": T0 + i, "s": "BTCUSDT", "U": 5123107832006 + i,
            "u": 5123107837557 + i, "pu": 5123107831937 + i, "b": rows(rng.randrange(0, 30)),
            "a": rows(rng.randrange(0, 30))}


STREAMS = {"bookTicker": "btcusdt@bookTicker", "aggTrade": "btcusdt@aggTrade", "trade": "btcusdt@trade",
           "depthUpdate": "btcusdt@depth@0ms"}

_BAD_VALUES = (0, -1, -0, 2**62 - 1, 2**62, 2**63 - 1, 2**63, 2**64, 10**18, 10**19, True, False, None, 1.5, 1e300,
               "5", "", "61800.25", "1e2", "-1.0", " 1.0", "0061800.20", ".5", "1.", "١٢", "é", "a\\u0031",
               [], [["1.0"]], [["1.0", "2.0", "3"]], [[1.0, 2.0]], [["1.0", 2]], {"a": 1}, "1" * 41)


def mutate(rng: random.Random, msg: dict) -> dict:
    msg = dict(msg)
    for _ in range(rng.choice((1, 1, 2))):
        key = rng.choice(list(msg) + ["zz", "lastUpdateId", "stream", "data"])
        pick = rng.random()
        if pick < 0.2:
            msg.pop(key, None)
        elif pick < 0.35 and key in ("b", "a") and type(msg.get(key)) is list and msg[key]:
            rows = list(msg[key])
            rows[rng.randrange(len(rows))] = rng.choice(_BAD_VALUES)
            msg[key] = rows
        else:
            msg[key] = rng.choice(_BAD_VALUES)
    return msg


def encode(rng: random.Random, msg: dict, wrap: bool) -> bytes:
    body = json.dumps(msg, separators=(",", ":"), ensure_ascii=rng.random() < 0.5).encode()
    if wrap:
        stream = STREAMS.get(msg.get("e"), "btcusdt@x") if type(msg.get("e")) is str else "btcusdt@x"  # type: ignore[arg-type]
        body = b'{"stream":"%s","data":%s}' % (stream.encode(), body)
    return body


def damage(rng: random.Random, body: bytes) -> bytes:
    pick = rng.randrange(12)
    if pick == 0:
        return body[: rng.randrange(len(body) + 1)]
    if pick == 1:
        return body + rng.choice((b" ", b"}", b"x", b"\n"))
    if pick == 2:
        return body.replace(b",", b", ", 1)
    if pick == 3:
        if rng.random() < 0.5:
            return body.replace(b'"e":', b'"e":"x","e":', 1)
        return body.replace(b'"s":"BTCUSDT"', b'"s":"BTCUSDT","s":"ETHUSDT"', 1)  # (orjson keeps the last)
    if pick == 4:
        i = rng.randrange(len(body))
        return body[:i] + bytes([rng.randrange(256)]) + body[i + 1:]
    if pick == 5:
        return body.replace(b'"BTCUSDT"', b'"ETHUSDT"', 1)
    if pick == 6:
        return body.replace(b'"BTCUSDT"', b'"BTC\\u0055SDT"', 1)
    if pick == 7:
        return body.replace(b"]]", b"] ]", 1)
    if pick == 8:
        return body.replace(b'["', b'[ "', 1)
    if pick == 9:
        return body.replace(b'"data":', b'"data" :', 1)
    if pick == 10:
        return b"[" + body + b"]"
    return body.replace(b"@depth@0ms", b"@depthSnapshot", 1)


def stamp(rng: random.Random, i: int) -> bytes:
    pick = rng.randrange(40)
    if pick == 0:
        return b""
    if pick == 1:
        return b"%d" % (2**63 - 1)
    if pick == 2:
        return b"%d" % 2**63
    if pick == 3:
        return b"0" * rng.randrange(1, 4) + b"1723161255030314667"
    if pick == 4:
        return b"1723161255030314667" + b"0" * rng.randrange(1, 3)
    if pick == 5:
        return b"-1"
    if pick == 6:
        return b"12a"
    if pick == 7:
        return rng.choice((b"0", b"7", b"\xd9\xa1"))
    if pick == 8:
        return b"%d" % rng.choice((2**64 + 5, 2**65 + 123, 10**19 + 7, 2**64 - 1))  # (20 digits, past 2^64 too)
    return b"%d" % (1723161255030314667 + i)


def random_lines(rng: random.Random, n: int) -> list[bytes]:
    out = []
    for i in range(n):
        kind = rng.randrange(10)
        if kind < 4:
            msg = ticker(i)
        elif kind < 6:
            msg = agg(i, rng.random() < 0.5)
        elif kind < 7:
            msg = trade(i, rng.random() < 0.5)
        elif kind < 9:
            msg = depth(rng, i)
        else:
            msg = {"e": "markPriceUpdate", "E": T0, "s": "BTCUSDT", "p": "61800.10000000", "r": "0.0001",
                   "T": T0 + 8 * 3600_000}
        if rng.random() < 0.3:
            msg = mutate(rng, msg)
        body = encode(rng, msg, rng.random() < 0.7)
        if rng.random() < 0.15:
            body = damage(rng, body)
        line = stamp(rng, i) + rng.choice((b" ",) * 12 + (b"  ", b"")) + body
        pick = rng.random()
        if pick < 0.02:
            line = b""
        elif pick < 0.03:
            line = b'17 {"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":1,"bids":[],"asks":[]}}'
        elif pick < 0.04:
            line = b'17 {"lastUpdateId":1,"E":1,"T":1,"bids":[["1.0","1.000"]],"asks":[]}'
        elif pick < 0.05:
            line = b'17 {"stream":"btcusdt@depth'
        out.append(line)
    return out


# ----------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("seed", range(12))
def test_random_and_hostile_lines_decode_as_the_python_reading(seed: int) -> None:
    rng = random.Random(seed)
    lines = random_lines(rng, 1500)
    taken = check(lines, n0=rng.randrange(0, 10**6))
    assert taken > 450  # the usual lines are decoded in C
    assert check(lines, raw_trades=False) > 400


def test_usual_lines_all_decode_in_c_and_unusual_ones_go_back() -> None:
    rng = random.Random(1)
    usual = [b"%d %s" % (1723161255030314667 + i, encode(rng, m, w))
             for i, (m, w) in enumerate([(ticker(1), True), (ticker(2), False), (agg(3, True), True),
                                         (trade(4, False), True), (depth(rng, 5), True), (depth(rng, 6), False),
                                         ({**depth(rng, 7), "b": [], "a": []}, True)])]
    got, _ = c_lines(usual, 0)
    assert all(type(it) is tuple for it in got)
    assert check(usual) == len(usual)
    evs = got[4][2]
    assert type(evs[0]) is BookDelta and evs[0].ts_exchange_ns == (T0 + 5) * 1_000_000
    unusual = [
        b"",  # nothing at all
        b"1723161255030314667",  # no frame
        b"1723161255030314667" + b"0" + b" " + encode(rng, ticker(1), True),  # past 2^63: Python's int
        b"%d %s" % (2**63, encode(rng, ticker(1), True)),
        b"x1 " + encode(rng, ticker(1), True),
        b"1 " + encode(rng, {**ticker(1), "s": "ETHUSDT"}, True),  # unknown: the decoder counts it
        b"1 " + encode(rng, {**depth(rng, 1), "s": "ETHUSDT"}, True),
        b"1 " + encode(rng, {**depth(rng, 1), "U": 9, "u": 8}, True),  # ids backwards: an error
        b"1 " + encode(rng, {**depth(rng, 1), "b": [["61800.25", "1.000"]]}, True),  # off the tick
        b"1 " + encode(rng, {**depth(rng, 1), "b": [["61800.20", "1.000", "x"]]}, True),
        b"1 " + encode(rng, {**depth(rng, 1), "T": 0}, True),
        b"1 " + encode(rng, {**depth(rng, 1), "pu": -2}, True),
        b"1 " + encode(rng, {k: v for k, v in depth(rng, 1).items() if k != "T"}, True),
        b"1 " + encode(rng, depth(rng, 1), True).replace(b'"depthUpdate"', b'"depthUpdat\\u0065"'),
        b'1 {"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":1,"bids":[],"asks":[]}}',
        b'1 {"lastUpdateId":1,"bids":[],"asks":[]}',
    ]
    got, unknown = c_lines(unusual, 10)
    assert [it for it in got if type(it) is tuple] == []
    assert check(unusual, 10) == 0
    # (without pu: -1, as the decoder's default; a missing pu is decoded in C)
    no_pu = [b"1 " + encode(rng, {k: v for k, v in depth(rng, 1).items() if k != "pu"}, True)]
    assert check(no_pu) == 1 and c_lines(no_pu, 0)[0][0][2][0].prev_id == -1


def test_byte_flips_of_real_lines(shared_data: Path) -> None:
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    with gzip.open(path, "rb") as f:
        real = [f.readline().rstrip(b"\n") for _ in range(3000)]
    rng = random.Random(5)
    flipped = []
    for line in real:
        for _ in range(rng.randrange(0, 3)):
            i = rng.randrange(len(line))
            line = line[:i] + bytes([rng.choice(b'"[]{},:.-0123456789 eE\\\x00\xff')]) + line[i + 1:]
        flipped.append(line)
    taken = check(flipped, 123)
    # (C still takes the lines left whole, all but the snapshot, and declines some flipped ones)
    whole = sum(a == b for a, b in zip(real, flipped))
    assert whole - 1 <= taken < len(flipped), (whole, taken)


def test_the_real_recording_decodes_in_c_and_as_without_it(shared_data: Path, monkeypatch) -> None:
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    with gzip.open(path, "rb") as f:
        lines = f.read().split(b"\n")[:30_000]
    inst = {"BTCUSDT": Instrument("BTCUSDT", "0.1", "0.001")}
    dec = BinanceDecoder(inst)
    got = NATIVE.rpl_lines(lines, 0, *dec.frame_args())  # type: ignore[union-attr]
    assert sum(type(it) is tuple for it in got) >= len(lines) - 3  # all but the snapshot (and the empty end)
    monkeypatch.setitem(INST, "BTCUSDT", inst["BTCUSDT"])
    check(lines[:8000])
    check(lines[:3000], raw_trades=False)
    # the whole replay path, with and without the accelerator
    def decoded(native) -> tuple[list, list]:
        monkeypatch.setattr(accel, "native", native)
        rp = Replay(path)
        out = [(n, r, e if type(e) is str else [describe(x) for x in e]) for n, r, e in rp.decoded()]
        return out[:40_000], rp.truncated
    assert decoded(NATIVE) == decoded(None)


def _file(tmp_path: Path, lines: list[bytes], name: str = "r.gz") -> Path:
    p = tmp_path / name
    with gzip.open(p, "wb") as f:
        f.write(b"".join(x + b"\n" for x in lines))
    meta = {"venue": "binanceusdm", "symbols": ["BTCUSDT"],
            "instruments": {"BTCUSDT": {"tick_size": "0.10", "lot_size": "0.001"}}}
    (tmp_path / (name + ".meta.json")).write_text(json.dumps(meta))
    return p


@pytest.mark.parametrize("seed", range(3))
def test_replay_decoded_the_same_on_damaged_files(tmp_path: Path, monkeypatch, seed: int) -> None:
    rng = random.Random(seed)
    snap = b'1723161255030314660 {"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":5123107832000,"E":1,"T":1,' \
           b'"bids":[["61800.20","1.000"],["61800.10","2.000"]],"asks":[["61800.30","1.000"]]}}'
    lines = [snap] + random_lines(rng, 3000)
    whole = _file(tmp_path, lines)
    cut = _file(tmp_path, lines, "cut.gz")
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    two = [_file(tmp_path, lines[:1700], "a.gz"), _file(tmp_path, [snap] + lines[1700:], "b.gz")]

    def decoded(native, path) -> tuple:
        monkeypatch.setattr(accel, "native", native)
        rp = Replay(path)
        out = [(n, r, e if type(e) is str else [describe(x) for x in e]) for n, r, e in rp.decoded()]
        return out, rp.truncated

    for path in (whole, cut, two):
        a, b = decoded(NATIVE, path), decoded(None, path)
        assert a == b
    assert decoded(NATIVE, cut)[1]  # (the cut file says so)


@pytest.mark.parametrize("args", [
    (), ([],), ([], 0, {}, {}, None), ([b"1 {}"], 0, {}, {}, (1, 2), None, 1),
    ((b"1 {}",), 0, {}, {}, "kinds", None), ([b"1 {}"], 0.0, {}, {}, "kinds", None),
    ([b"1 {}"], True, {}, {}, "kinds", None), ([b"1 {}"], 0, [], {}, "kinds", None),
])
def test_hostile_arguments_raise(args: tuple) -> None:
    with pytest.raises(TypeError):
        NATIVE.rpl_lines(*args)  # type: ignore[union-attr]


def test_hostile_values_raise_or_decline() -> None:
    table, insts, kinds, dep = BinanceDecoder(INST).frame_args()  # type: ignore[misc]
    line = b"1 " + orjson.dumps(ticker(1))
    for n0 in (-1, -(2**70)):
        with pytest.raises((ValueError, OverflowError)):
            NATIVE.rpl_lines([line], n0, table, insts, kinds, dep)  # type: ignore[union-attr]
    with pytest.raises((ValueError, OverflowError)):
        NATIVE.rpl_lines([line], 2**70, table, insts, kinds, dep)  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        NATIVE.rpl_lines([line, "1 {}"], 0, table, insts, kinds, dep)  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        NATIVE.rpl_lines([line, bytearray(line)], 0, table, insts, kinds, dep)  # type: ignore[union-attr]
    for bad_dep in ((BookDelta,), (BookDelta, (1,) * 8), ("x", (1,) * 9), [BookDelta, (1,) * 9]):
        with pytest.raises(TypeError):
            NATIVE.rpl_lines([line], 0, table, insts, kinds, bad_dep)  # type: ignore[union-attr]
    # a table that is not what the decoder builds: declined or TypeError, never a crash
    dline = b"1 " + orjson.dumps(depth(random.Random(1), 1))
    for t in ({"BTCUSDT": (1, 2, 3)}, {"BTCUSDT": (insts["BTCUSDT"], "BTCUSDT", (1, 0, 1, 0))},
              {"BTCUSDT": (insts["BTCUSDT"], "BTCUSDT", (-1, 0, 1, 0, {}, {}))}, {}):
        try:
            got = NATIVE.rpl_lines([line, dline], 0, t, insts, kinds, dep)  # type: ignore[union-attr]
        except TypeError:
            continue
        assert got == [1, 2]
    # no depth reader: depth lines go back
    assert NATIVE.rpl_lines([dline], 0, table, insts, kinds, None) == [1]  # type: ignore[union-attr]


def test_nothing_leaks() -> None:
    rng = random.Random(3)
    lines = random_lines(rng, 400)
    args = BinanceDecoder(INST).frame_args()
    held = [*lines, *args, *args[0].values(), *args[2], *args[3]]  # type: ignore[index, union-attr]
    for _ in range(30):
        NATIVE.rpl_lines(lines, 0, *args)  # type: ignore[union-attr]
    refs = [sys.getrefcount(o) for o in held]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        NATIVE.rpl_lines(lines, 0, *args)  # type: ignore[union-attr]
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert [sys.getrefcount(o) for o in held] == refs
    # (an object a declined line: 1000 calls would keep some 6 MB; the allocator's own noise is far less)
    assert grown < 400_000, grown


# ------------------------------------------------------------------ the scan's reading (rpl_peek)
def peek_twin(raw: bytes) -> tuple | None:
    """What the scan reads of a frame with orjson: its event's e, s (a string or None) and "pu";
    None when it reads nothing (not JSON, not an object)."""
    try:
        msg = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(msg, dict):
        return None
    data = msg.get("data", msg)
    if not isinstance(data, dict):
        return None
    e = data.get("e")
    return (e, data.get("s") if isinstance(data.get("s"), str) else None, "pu" in data)


def same_reading(raw: bytes) -> bool:
    got = NATIVE.rpl_peek(raw)  # type: ignore[union-attr]
    if got is None:
        return False
    want = peek_twin(raw)
    assert want is not None, raw
    e, s, pu = got
    assert type(e) in (str, type(None), bool) and (e is False or type(e) is not bool)
    assert (s, pu) == want[1:], raw
    if e is False:  # present, not a string: as the scan tests it, never an event name nor None
        assert "e" in (orjson.loads(raw).get("data", orjson.loads(raw))) and type(want[0]) is not str and want[0] is not None
    else:
        assert e == want[0] and type(e) is type(want[0]), raw
    return True


@pytest.mark.parametrize("seed", range(6))
def test_peek_reads_what_orjson_reads(seed: int) -> None:
    rng = random.Random(seed)
    lines = random_lines(rng, 1500)
    read = sum(same_reading(line.partition(b" ")[2]) for line in lines)
    assert read > 500
    for raw in (b'{"e":1,"s":2}', b'{"e":true,"s":"X","pu":1}', b'{"e":[["1","2"]],"s":"X"}', b'{"s":"X"}',
                b'{"stream":"a","data":{"e":"bookTicker","s":"X"}}', b'{"data":{"e":"x"}}', b'{"stream":"a"}',
                b'{"stream":"a","data":{"e":"x"},"z":1}', b'{"e":"x"} ', b'{"e":"x","e":"y"}', b"[]", b"{}"):
        same_reading(raw)


@pytest.mark.parametrize("seed", range(4))
def test_the_scan_finds_the_same_with_and_without_c(tmp_path: Path, monkeypatch, seed: int) -> None:
    from dom.venues.binance_usdm import recording_scan as rs

    rng = random.Random(seed)
    lines = random_lines(rng, 2500)
    for i in rng.sample(range(len(lines)), 40):  # other symbols, a spot depth frame (no pu)
        lines[i] = lines[i].replace(b"BTCUSDT", rng.choice((b"ETHUSDT", b"X", b"")), 1)
        if rng.random() < 0.3:
            lines[i] = lines[i].replace(b',"pu":', b',"pX":', 1)
    path = _file(tmp_path, lines)
    monkeypatch.setattr(rs, "_PRESCAN_LINES", rng.choice((100, 1000, 5000)))

    def scanned(native) -> tuple:
        monkeypatch.setattr(accel, "native", native)
        pieces: list = []
        got = rs.scan(iter(rs._scanned(iter(rec.hftbacktest_blocks(path)), pieces)))
        return got, len(pieces)

    a, b = scanned(NATIVE), scanned(None)
    assert a == b
    assert len(a[0][0]) > 1
    # rpl_scan: a line of its own for each non-empty line, and the plain ones read in C
    n0 = rng.randrange(100)
    got = NATIVE.rpl_scan(lines, n0)  # type: ignore[union-attr]
    frames = list(rec.frames_of_block(n0, lines))
    assert len(got) == len(frames)
    for it, fr in zip(got, frames):
        if type(it) is int:
            assert it == fr.line_no
        else:
            assert type(fr) is rec.Frame and fr.snapshot_symbol is None and NATIVE.rpl_peek(fr.raw) == it  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        NATIVE.rpl_scan([b"1 {}", "x"], 0)  # type: ignore[union-attr]
    with pytest.raises((ValueError, OverflowError)):
        NATIVE.rpl_scan([b"1 {}"], -1)  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        NATIVE.rpl_peek("x")  # type: ignore[union-attr]
