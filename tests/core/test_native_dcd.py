"""The one-pass reader of the usual Binance frames (``_native_dcd.c``, in front of the strict
reader in ``rpl_lines`` and ``frame``) against the Python reading of the same lines: the same
events, field for field and type for type, or the same line handed back / the same None, on the
usual frames with their keys in every order, and on frames with keys missing, doubled or unknown,
escapes, whitespace, numbers as strings and strings as numbers, huge, negative, fractional,
exponent and zero-led values, truncations, invalid UTF-8, deep nesting, more rows than it reads
and megabyte lines; and ``split_lines`` against ``bytes.split``."""

from __future__ import annotations

import gc
import itertools
import json
import random
import sys

import pytest

from dom.core import accel
from dom.core.types import BookDelta, BookTicker, Trade
from dom.core.units import Instrument
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError
from tests.store.test_replay_lines import T0, agg, c_lines, check, depth, ticker, trade

NATIVE = accel.native
pytestmark = pytest.mark.skipif(NATIVE is None or not hasattr(NATIVE, "split_lines"),
                                reason="the C accelerator is not built or DOM_PURE_PYTHON is set")

INST = {"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")}
STREAMS = {"bookTicker": "btcusdt@bookTicker", "aggTrade": "btcusdt@aggTrade", "trade": "btcusdt@trade",
           "depthUpdate": "btcusdt@depth@0ms"}


def body(msg: dict, wrap: bool = True) -> bytes:
    raw = json.dumps(msg, separators=(",", ":")).encode()
    if wrap:
        raw = b'{"stream":"%s","data":%s}' % (STREAMS.get(str(msg.get("e")), "btcusdt@x").encode(), raw)
    return raw


def line(raw: bytes, i: int = 0) -> bytes:
    return b"%d %s" % (1723161255030314667 + i, raw)


def describe(e: object) -> tuple:
    return (type(e), e, tuple(type(getattr(e, f)) for f in e.__slots__))  # type: ignore[attr-defined]


def frame_twin(raws: list[bytes], depth_kind: bool = True) -> None:
    """frame() (the live frames' reader) against the decoder without the accelerator: the same
    events or the same DecodeError for each frame."""
    for raw in raws:
        dec = BinanceDecoder(INST)
        saved = accel.native
        try:
            accel.native = None
            try:
                want: object = [describe(e) for e in dec.decode(raw, 7)]
            except DecodeError as e:
                want = str(e)
        finally:
            accel.native = saved
        dec = BinanceDecoder(INST)
        got_c = NATIVE.frame(raw, dec._table, dec.instruments, dec._kinds, 7,  # type: ignore[union-attr]
                             dec._depth_kind if depth_kind else None)
        if got_c is not None:
            assert want == [describe(e) for e in got_c], raw[:200]
        try:
            got: object = [describe(e) for e in dec.decode(raw, 7)]
        except DecodeError as e:
            got = str(e)
        assert got == want, raw[:200]


def usual(rng: random.Random, i: int) -> list[dict]:
    return [ticker(i), agg(i, rng.random() < 0.5), trade(i, rng.random() < 0.5), depth(rng, i)]


# ------------------------------------------------------------------------ the usual frames
def test_every_key_order_decodes_the_same() -> None:
    rng = random.Random(1)
    lines, raws = [], []
    for i, msg in enumerate(usual(rng, 3)):
        keys = list(msg)
        orders = list(itertools.permutations(keys)) if len(keys) <= 7 else [rng.sample(keys, len(keys))
                                                                          for _ in range(400)]
        for order in orders[:400]:
            m = {k: msg[k] for k in order}
            raws.append(body(m, wrap=rng.random() < 0.8))
            lines.append(line(raws[-1], i))
    taken = check(lines)
    # every order is the usual object but a depthUpdate whose rows come before its symbol, which
    # the strict reader still takes
    assert taken == len(lines)
    frame_twin(raws[::7])


def test_the_usual_frames_are_taken_and_built_exactly() -> None:
    rng = random.Random(2)
    lines = [line(body(m), i) for i in range(50) for m in usual(rng, i)]
    assert check(lines) == len(lines)
    got, _ = c_lines(lines, 0)
    kinds = [type(it[2][0]) for it in got]
    assert kinds == [BookTicker, Trade, Trade, BookDelta] * 50
    t = got[0][2][0]
    assert (t.update_id, t.bid_px, t.bid_qty, t.ask_px, t.ask_qty, t.ts_exchange_ns) == (
        5123107839020, 618002, 2507, 618003, 2510, T0 * 1_000_000)
    d = got[3][2][0]
    assert d.prev_id == 5123107831937 and d.checksum is None and type(d.bids) is tuple
    # spot's frames: a trade with "M", a depthUpdate without "pu" (prev_id -1), a ticker without e
    spot = [line(body({**trade(1, True), "M": True})), line(body({k: v for k, v in depth(rng, 1).items() if k != "pu"})),
            line(body({k: v for k, v in ticker(1).items() if k not in ("e", "T", "E")}))]
    assert check(spot) == 2
    assert c_lines(spot, 0)[0][1][2][0].prev_id == -1


# ------------------------------------------------------------------------ hostile frames
_VALUES = (0, 1, -1, -0, 2**62 - 1, 2**62, 2**63, 10**18 - 1, 10**18, 10**19, 1.5, 1e5, True, False, None,
           "5", "", "61800.20", "61800.25", "0.000", "0", "-1.0", "1e2", "1E2", "01.0", "0061800.20", ".5", "1.",
           "1..0", "1.0.0", "1" * 18, "1" * 19, "9" * 18 + ".0", "é", "a\\b", "x\"y", "\u00ff", [], [["1.0", "2"]],
           [["61800.20", "0.001"]] * 3, {"a": 1}, [[[["deep"]]]])


def hostile(rng: random.Random, n: int) -> list[bytes]:
    out = []
    for i in range(n):
        msg = dict(rng.choice(usual(rng, i)))
        pick = rng.randrange(9)
        if pick == 0:
            msg[rng.choice(list(msg))] = rng.choice(_VALUES)
        elif pick == 1:
            msg.pop(rng.choice(list(msg)))
        elif pick == 2:
            msg[rng.choice(("zz", "lastUpdateId", "stream", "data", "pu", "M", "X", "ee", "x"))] = rng.choice(_VALUES)
        elif pick == 3:
            for k in rng.sample(list(msg), 2):
                msg[k] = rng.choice(_VALUES)
        elif pick == 4:  # 16 keys and more (the strict reader holds 16)
            for k in "EUuptqfXM"[: rng.randrange(4, 10)]:
                msg.setdefault(k, 1)
            for j in range(rng.randrange(0, 4)):
                msg["k%d" % j] = 1
        raw = body(msg, wrap=rng.random() < 0.8)
        if pick == 5:  # a key twice, the second first or last
            k = rng.choice(list(msg))
            twice = json.dumps({k: rng.choice(_VALUES)}, separators=(",", ":")).encode()[1:-1]
            raw = raw.replace(b'"e":', twice + b',"e":', 1) if rng.random() < 0.5 else raw.replace(b"}", b"," + twice + b"}", 1)
        elif pick == 6:  # whitespace, escapes, bytes that are not UTF-8
            raw = rng.choice((raw.replace(b",", b", ", 1), raw.replace(b":", b" :", 1), b" " + raw, raw + b"\n",
                              raw.replace(b'"BTCUSDT"', b'"BTC\\u0055SDT"', 1), raw.replace(b'"e"', b'"\\u0065"', 1),
                              raw.replace(b"BTCUSDT", b"BTC\xffUSDT", 1), raw.replace(b"61800", b"6\xc3\xa9", 1),
                              raw.replace(b'["', b'[ "', 1), raw.replace(b'"]', b'" ]', 1)))
        elif pick == 7:  # cut anywhere, or a byte changed
            j = rng.randrange(len(raw))
            raw = raw[:j] if rng.random() < 0.5 else raw[:j] + bytes([rng.choice(b'"[]{},:.-09eE\\ \x00\x7f\x80')]) + raw[j + 1:]
        elif pick == 8:  # numbers as strings, strings as numbers
            k = rng.choice([k for k in msg if type(msg[k]) in (int, str)])
            v = msg[k]
            was = b'"%s":%s' % (k.encode(), json.dumps(v).encode())
            now = b'"%s":"%d"' % (k.encode(), v) if type(v) is int else b'"%s":%s' % (k.encode(), v.encode())
            raw = raw.replace(was, now, 1)
        out.append(line(raw, i))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_hostile_frames_decode_as_the_python_reading(seed: int) -> None:
    rng = random.Random(100 + seed)
    lines = hostile(rng, 1500)
    taken = check(lines, n0=seed * 1000)
    assert 200 < taken < len(lines)
    assert check(lines, raw_trades=False) < taken
    frame_twin([ln.partition(b" ")[2] for ln in lines[::5]])
    frame_twin([ln.partition(b" ")[2] for ln in lines[1::10]], depth_kind=False)


def test_rows_past_what_the_reader_holds_and_symbols_after_rows() -> None:
    rng = random.Random(4)
    big = depth(rng, 1)
    big["b"] = [[f"{50000 + k / 10:.2f}", "0.001"] for k in range(3000)]
    late = {k: v for k, v in depth(rng, 2).items() if k != "s"}
    late["s"] = "BTCUSDT"  # (after the rows: the strict reader reads it)
    empty = {**depth(rng, 3), "b": [], "a": []}
    lines = [line(body(big)), line(body(late)), line(body(empty)), line(body({**big, "a": big["b"][:700]}))]
    assert check(lines) == 4
    got, _ = c_lines(lines, 0)
    assert len(got[0][2][0].bids) == 3000 and got[2][2][0].bids == ()
    frame_twin([ln.partition(b" ")[2] for ln in lines])


def test_megabyte_lines_and_deep_nesting() -> None:
    rng = random.Random(5)
    huge_rows = {**depth(rng, 1), "b": [["61800.20", "0.001"]] * 20_001}
    lines = [line(body({**ticker(1), "X": "x" * 1_000_000})),
             line(body(huge_rows)),
             line(b'{"stream":"btcusdt@bookTicker","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
             line(b'{"stream":"' + b"s" * 1_000_000 + b'","data":' + body(ticker(2), wrap=False) + b"}"),
             line(body(ticker(3)) + b" " * 1_000_000),
             line(b'{"e":' * 50_000)]
    # the two tickers C reads itself (a megabyte stream name, an unknown megabyte key's value read
    # by the strict reader); the 20,001 rows, the nesting, the trailing spaces and the cut keys are
    # handed back, line by line, to the Python reader
    assert check(lines) == 2
    got, _ = c_lines(lines, 0)
    assert [it[0] if type(it) is tuple else it for it in got] == [1, 2, 3, 4, 5, 6]
    assert [type(it[2][0]) for it in got if type(it) is tuple] == [BookTicker, BookTicker]
    frame_twin([ln.partition(b" ")[2] for ln in lines])


def test_values_at_their_bounds() -> None:
    lines = []
    for key, values in (("u", (0, -1, 2**62 - 1, 2**62, 10**17, 10**18 - 1)),
                        ("T", (0, 1, -1, 2**43 - 1, 2**43)),
                        ("E", (0, -1, 1, "1", None, True))):
        for v in values:
            lines.append(line(body({**ticker(1), key: v})))
            lines.append(line(body({**trade(1, True), key: v})))
            lines.append(line(body({**agg(1, False), key: v})))
    for key in ("f", "l", "a"):
        for v in (-2, -1, 0, 2**62 - 1, 2**62):
            lines.append(line(body({**agg(1, True), key: v})))
    rng = random.Random(6)
    for key in ("U", "u", "pu", "T"):
        for v in (-2, -1, 0, 1, 5123107837557, 2**62 - 1, 2**62, 2**43):
            lines.append(line(body({**depth(rng, 1), key: v})))
    for key in ("b", "B", "a", "A"):
        for v in ("0", "0.0", "0.00", "61800.200000000000", "61800.2000000000000000", "999999999999999999",
                  "99999999999999999.9", "1" * 17 + ".1", "0000000000000000001", "0.0000000000000000001"):
            lines.append(line(body({**ticker(1), key: v})))
    for key in ("p", "q"):
        for v in ("0", "0.000", "0.001", "0.0001", "1", "-1"):
            lines.append(line(body({**trade(1, True), key: v})))
    assert check(lines) > len(lines) // 3
    frame_twin([ln.partition(b" ")[2] for ln in lines])


def test_other_steps() -> None:
    # an instrument whose steps are not a power of ten (mant 5, 25) and one on whole units
    for tick, lot in (("0.5", "0.025"), ("5", "1"), ("0.00001", "0.1")):
        inst = {"BTCUSDT": Instrument("BTCUSDT", tick, lot)}
        dec = BinanceDecoder(inst)
        rng = random.Random(7)
        raws = [body({**ticker(1), "b": b, "B": q}) for b in ("61800.5", "61800.25", "61800", "61800.50000")
                for q in ("0.025", "0.05", "0.026", "1", "2.500")]
        raws += [body({**depth(rng, 1), "b": [[b, q]]}) for b in ("61800.5", "61805", "61800.1") for q in ("0.025", "1")]
        for raw in raws:
            saved = accel.native
            try:
                accel.native = None
                try:
                    want: object = [describe(e) for e in BinanceDecoder(inst).decode(raw, 7)]
                except DecodeError as e:
                    want = str(e)
            finally:
                accel.native = saved
            got = NATIVE.frame(raw, dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)  # type: ignore[union-attr]
            if got is not None:
                assert [describe(e) for e in got] == want, raw


def test_nothing_kept_over_many_calls() -> None:
    rng = random.Random(8)
    lines = [line(body(m), i) for i in range(40) for m in usual(rng, i)] + hostile(rng, 200)
    dec = BinanceDecoder(INST)
    args = dec.frame_args()
    raws = [ln.partition(b" ")[2] for ln in lines]
    held = [*args, *args[0].values(), *args[2], *args[3]]  # type: ignore[index, union-attr]

    def calls(k: int) -> None:
        for _ in range(k):
            NATIVE.rpl_lines(lines, 0, *args)  # type: ignore[union-attr]
            for raw in raws[:60]:
                NATIVE.frame(raw, dec._table, dec.instruments, dec._kinds, 7, dec._depth_kind)  # type: ignore[union-attr]

    calls(20)
    refs = [sys.getrefcount(o) for o in held]
    gc.collect()
    before = sys.getallocatedblocks()
    calls(300)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200
    assert [sys.getrefcount(o) for o in held] == refs


# ------------------------------------------------------------------------ the scan's reading
@pytest.mark.parametrize("seed", range(3))
def test_the_scan_reads_what_the_strict_reader_reads(seed: int) -> None:
    # rpl_scan tries the one-pass reader first: each line it reads gives what rpl_peek (the strict
    # reader alone, itself against orjson in test_replay_lines) gives; the others their numbers
    rng = random.Random(200 + seed)
    lines = [line(body(m, wrap=rng.random() < 0.8), i) for i in range(100) for m in usual(rng, i)]
    lines += hostile(rng, 800) + [b"", b"17", b"x 1", line(b'{"e":"x","s":"Y","pu":1,"b":[["1","2"]],"A":[]}')]
    lines += [line(body({k: m[k] for k in rng.sample(list(m), len(m))})) for m in usual(rng, 7) for _ in range(20)]
    n0 = 1000 * seed
    got = NATIVE.rpl_scan(lines, n0)  # type: ignore[union-attr]
    numbered = [(n0 + i + 1, ln) for i, ln in enumerate(lines) if ln]
    assert len(got) == len(numbered)
    taken = 0
    for item, (no, ln) in zip(got, numbered):
        raw = ln.partition(b" ")[2]
        if type(item) is tuple:
            assert item == NATIVE.rpl_peek(raw), ln[:200]  # type: ignore[union-attr]
            assert [type(x) for x in item] == [type(x) for x in NATIVE.rpl_peek(raw)]  # type: ignore[union-attr]
            taken += 1
        else:
            assert item == no
    assert taken > 500


# ------------------------------------------------------------------------ split_lines
def test_split_lines_is_bytes_split() -> None:
    rng = random.Random(9)
    for _ in range(20_000):
        rest = bytes(rng.choice(b"ab\r") for _ in range(rng.randrange(0, 5)))
        data = bytes(rng.choice(b"ab\n\r") for _ in range(rng.randrange(1, 14)))
        got = NATIVE.split_lines(rest, data)  # type: ignore[union-attr]
        assert got == (rest + data).split(b"\n")
        assert all(type(x) is bytes for x in got)
    big = b"x" * 300 + b"\n" + b"y" * 1_000_000 + b"\n\n"
    assert NATIVE.split_lines(b"r", big) == (b"r" + big).split(b"\n")  # type: ignore[union-attr]


@pytest.mark.parametrize("args", [(), (b"",), (b"", b"", b""), ("", b"x"), (b"", "x"), (bytearray(b"a"), b"x"),
                                  (b"", memoryview(b"x")), (None, b"x")])
def test_split_lines_takes_two_bytes(args: tuple) -> None:
    with pytest.raises(TypeError):
        NATIVE.split_lines(*args)  # type: ignore[union-attr]


def test_split_lines_refuses_a_rest_with_a_line_end() -> None:
    with pytest.raises(ValueError):
        NATIVE.split_lines(b"a\nb", b"c")  # type: ignore[union-attr]
