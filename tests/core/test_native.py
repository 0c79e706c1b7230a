"""The C accelerator (``dom.core._native``) against the pure-Python paths it replaces: the same
book, level for level, the same top-N reads, the same change lists, the same decoded levels and
the same errors, on random operations and on the real BTCUSDT recording. ``DOM_PURE_PYTHON=1``
switches it off. Skipped (saying so) where the extension was not built, unless
``DOM_REQUIRE_NATIVE=1`` asks for it."""

from __future__ import annotations

import gzip
import importlib.util
import os
import random
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dom.core import accel, price_index
from dom.core.book import OrderBook
from dom.core.engine import Engine
from dom.core.types import BookSide
from dom.core.units import Instrument
from dom.errors import UnitsError
from dom.venues.binance_usdm import codec
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
REPO = Path(__file__).resolve().parents[2]


def both(monkeypatch, fn):
    """``fn()`` with the accelerator, then without it."""
    monkeypatch.setattr(accel, "native", NATIVE)
    a = fn()
    monkeypatch.setattr(accel, "native", None)
    b = fn()
    monkeypatch.setattr(accel, "native", NATIVE)
    return a, b


def state(book: OrderBook, n: int) -> tuple:
    return (dict(book.bids.levels), dict(book.asks.levels), list(book.bids._index), list(book.asks._index),
            book.bids.top(n), book.asks.top(n), book.bids.top(3), book.asks.top(n + 7), book.check())


@needs_native
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("flat_max", [8192, 24])  # 24: the index turns into a tree and back
def test_book_ops_give_the_same_book(monkeypatch, seed, flat_max):
    monkeypatch.setattr(price_index, "FLAT_MAX", flat_max)
    rng = random.Random(seed)
    books = (OrderBook(), OrderBook())  # with, without

    def rows(k: int, lo: int, hi: int) -> list:
        out: list = [(rng.randint(lo, hi), rng.choice((0, 0, 1, 2, 3, rng.randint(1, 10**12)))) for _ in range(k)]
        if out and rng.random() < 0.06:  # rows the C path hands back to Python (not exact (int, int))
            odd = rng.randint(0, 2)
            if odd == 0:
                out = [list(r) for r in out]
            else:
                out[0] = (out[0][0], True if odd == 1 else 2**70)
        return out

    snap = (rows(40, 900, 1000), rows(40, 1001, 1100))
    for book, on in zip(books, (NATIVE, None)):
        monkeypatch.setattr(accel, "native", on)
        book.apply_snapshot(*snap)
    for step in range(400):
        op = rng.random()
        mid = rng.randint(980, 1020)
        db, da = rows(rng.randint(0, 12), mid - 60, mid + 5), rows(rng.randint(0, 12), mid - 5, mid + 60)
        as_tuple = rng.random() < 0.8  # (a list goes the Python way on both)
        n = rng.choice((1, 5, 10, 20, 20, 20, 50))
        reads = rng.random() < 0.7
        sb, sa = rng.choice((0, 7)), rng.choice((0, 9))
        outs = []
        for book, on in zip(books, (NATIVE, None)):
            monkeypatch.setattr(accel, "native", on)
            if op < 0.45:
                book.apply_delta(tuple(db) if as_tuple else db, tuple(da) if as_tuple else da)
                out = None
            elif op < 0.9:
                changes: list = []
                book.bids.apply_changes(tuple(db) if as_tuple else db, changes)
                book.asks.apply_changes(tuple(da) if as_tuple else da, changes)
                out = changes
            elif op < 0.96:
                out = book.bids.set(mid - 3, sb), book.asks.set(mid + 3, sa)
            elif op < 0.98:
                book.apply_snapshot(*snap)
                out = None
            else:
                book.clear()
                out = None
            outs.append((out, state(book, n) if reads else None))
        if outs[0] != outs[1]:
            a, b = outs[0], outs[1]
            diff = [i for i in range(9) if a[1] is not None and a[1][i] != b[1][i]]
            raise AssertionError((step, op, n, diff, [(a[1][i], b[1][i]) for i in diff if i >= 4]))
    for book, on in zip(books, (NATIVE, None)):  # and against the definition
        monkeypatch.setattr(accel, "native", on)
        assert book.bids.top(30) == sorted(book.bids.levels.items(), reverse=True)[:30]
        assert book.asks.top(30) == sorted(book.asks.levels.items())[:30]


@needs_native
def test_top_is_a_copy_the_book_does_not_change(monkeypatch):
    book = OrderBook()
    book.apply_snapshot([(100, 1), (99, 2)], [(101, 1)])
    first = book.bids.top(20)
    book.apply_delta(((100, 5), (98, 1)), ())
    assert first == [(100, 1), (99, 2)]  # what a reader kept is not edited under it
    assert book.bids.top(20) == [(100, 5), (99, 2), (98, 1)]


@needs_native
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("flat_max", [8192, 24])  # 24: a tree index (out_to then reads between)
def test_a_band_read_from_the_touch_is_between(monkeypatch, seed, flat_max):
    """``out_to(px)`` (the band's read, the C ``top`` of the levels one bisect counts) against
    ``between`` from the best price, with the accelerator and without: prices inside the side, on
    a level and between levels, at the best, past the deepest level, on the other side's prices."""
    monkeypatch.setattr(price_index, "FLAT_MAX", flat_max)
    rng = random.Random(seed)
    book = OrderBook()
    for step in range(300):
        bids = tuple((rng.randint(900, 1000), rng.choice((0, 0, rng.randint(1, 10**6)))) for _ in range(rng.randint(0, 30)))
        asks = tuple((rng.randint(1001, 1100), rng.choice((0, 0, rng.randint(1, 10**6)))) for _ in range(rng.randint(0, 30)))
        book.apply_delta(bids, asks)
        for lv, r in ((book.bids, 1), (book.asks, -1)):
            best = lv.best_px()
            for px in (890, 900, 950, 999, 1000, 1001, 1050, 1100, 1111, best if best is not None else 0, rng.randint(880, 1120)):
                want = [] if best is None else (lv.between(px, best) if r > 0 else lv.between(best, px))
                assert want == [x for x in sorted(lv.levels.items(), reverse=r > 0) if (x[0] - px) * r >= 0]
                got = [lv.out_to(px) for on in (NATIVE, None) if monkeypatch.setattr(accel, "native", on) is None]
                monkeypatch.setattr(accel, "native", NATIVE)
                assert got[0] == got[1] == want, (step, px, r)


def _strings(rng: random.Random) -> object:
    return rng.choice([
        "60012.3", "60012.30", "60012.31", "0.0", "0", "000123.4", "1.", ".5", "-1.0", "+1.0", "1e3", "1E-1",
        " 1.0", "1_0.0", "１２.3", "12.3.4", "", "nan", "Infinity", "123456789012345678.9", "9" * 19,
        "1234567890123456789", "0.000", "1.234", "1.2345", "1.2340", "5.000000000000000000000", 5, 1.5, None,
        ["1"], "60012.3\x00",
    ])


@needs_native
@pytest.mark.parametrize("seed", range(40))
def test_decoded_levels_and_errors_are_the_same(monkeypatch, seed):
    rng = random.Random(seed)
    rows: object = [[_strings(rng), _strings(rng)] if rng.random() < 0.9 else
                    rng.choice((["1.0"], ["1.0", "1.000", "2"], "12", {"1": 1, "2": 2}, ("1.0", "1.000")))
                    for _ in range(rng.randint(0, 14))]
    if rng.random() < 0.5:  # mostly valid rows, so that both paths get far
        rows = [[f"{rng.randint(0, 10**6) / 10:.1f}", f"{rng.randint(0, 10**5) / 1000:.3f}"] for _ in range(12)] + [
            r for r in rows if rng.random() < 0.2]

    def run():
        inst = Instrument("BTCUSDT", "0.10", "0.001")  # fresh caches each time
        try:
            return codec._levels(inst, rows)
        except (DecodeError, UnitsError, TypeError) as e:  # (the decoder's caller makes each a DecodeError)
            return type(e).__name__, str(e)

    a, b = both(monkeypatch, run)
    assert a == b


@needs_native
def test_plain_decimals_against_the_exact_parser():
    # The C parser against Step.to_int directly, through tick/lot steps of every shape.
    rng = random.Random(5)
    for tick, lot in (("0.10", "0.001"), ("0.01", "1"), ("5", "0.00000001"), ("0.0000001", "100"), ("1", "1")):
        inst = Instrument("X", tick, lot)
        for _ in range(3000):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12)))
            cut = rng.randint(0, len(digits))
            text = digits if cut == len(digits) or rng.random() < 0.2 else digits[:cut] + "." + digits[cut:]
            if text.startswith(".") or text.endswith("."):
                text = "0" + text + "0"
            rows = [[text, text]]
            got = NATIVE.levels(rows, (inst.price.mant, inst.price.scale, inst.qty.mant, inst.qty.scale,
                                       inst.price._cache, inst.qty._cache))
            try:
                want = ((inst.price.to_int(text), inst.qty.to_int(text)),)
            except Exception:  # noqa: BLE001 - not a multiple: the C path must hand it back
                want = None
            assert got == want, (tick, lot, text)


def test_built_where_required():
    # CI sets DOM_REQUIRE_NATIVE=1 where the install had a compiler: a missing build fails there
    # instead of skipping every comparison above.
    if os.environ.get("DOM_REQUIRE_NATIVE", "") not in ("", "0") and not os.environ.get("DOM_PURE_PYTHON"):
        assert NATIVE is not None, ("dom.core._native was not built, or was built from an older _native.c "
                                    "(python3 setup.py build_ext --inplace)")


def test_a_build_missing_a_function_is_not_used():
    # A checkout updated without rebuilding keeps a module without the newer functions: it must
    # not be used half (the decoder would call a function it lacks), so it is not used at all.
    import types

    stale = types.ModuleType("_native")
    for f in accel.FUNCTIONS:
        setattr(stale, f, len)
    assert accel.complete(stale)
    del stale.frame
    assert not accel.complete(stale)
    if NATIVE is not None:
        assert accel.complete(NATIVE)


def test_pure_python_switch():
    code = "from dom.core import accel; print(accel.native is None)"
    env = {**os.environ, "DOM_PURE_PYTHON": "1", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    env["DOM_PURE_PYTHON"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    built = importlib.util.find_spec("dom.core._native") is not None
    assert out.stdout.strip() == str(not built)


@needs_native
def test_real_recording_same_events_and_book(monkeypatch, shared_data: Path):
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    snap, frames = b"", []
    for line in gzip.open(path, "rb"):
        raw = line.split(b" ", 1)[1].rstrip()
        if raw.startswith(b'{"lastUpdateId"') and not snap:
            snap = raw
        elif b"@depth" in raw[:40]:
            frames.append(raw)
    assert snap and len(frames) > 6000

    def run():
        inst = Instrument("BTCUSDT", "0.10", "0.001")
        dec = BinanceDecoder({"BTCUSDT": inst})
        eng = Engine([inst])
        st = eng["BTCUSDT"]
        outs, tops, events = [], [], []
        outs += eng.feed(dec.decode_snapshot("BTCUSDT", snap, 0))
        for i, raw in enumerate(frames):
            evs = dec.decode(raw, 0)
            events.append(evs)
            for ev in evs:
                outs += eng.feed(ev)
            tops.append(st.book.top(20) if i % 3 else st.book.bids.top(7))
        return outs, tops, events, st.book.copy_levels(), vars(st.stats)

    a, b = both(monkeypatch, run)
    assert a[1] == b[1] and a[2] == b[2]
    assert a == b
    assert a[4]["applied"] > 6000 and a[4]["crossed"] == 0


def test_real_frames_decode_as_orjson_reads_them(shared_data: Path):
    # The decoder's levels (either path) are the frame's strings in ticks and lots.
    path = shared_data / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    inst = Instrument("BTCUSDT", "0.10", "0.001")
    dec = BinanceDecoder({"BTCUSDT": inst})
    seen = 0
    for line in gzip.open(path, "rb"):
        raw = line.split(b" ", 1)[1].rstrip()
        if b"@depth" not in raw[:40]:
            continue
        m = orjson.loads(raw)["data"]
        (d,) = dec.decode(raw, 0)
        assert d.bids == tuple((round(float(p) * 10), round(float(q) * 1000)) for p, q in m["b"])
        assert d.asks == tuple((round(float(p) * 10), round(float(q) * 1000)) for p, q in m["a"])
        seen += 1
        if seen == 1500:
            break
    assert seen == 1500



def decode_all(frames: list[bytes], describe, unknown: dict | None = None, **options) -> list:
    """Each frame through a new BTCUSDT decoder (``options`` for it): its events as ``describe``
    gives them, or its DecodeError's text; ``unknown`` gets the decoder's unknown symbols."""
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.10", "0.001")}, **options)
    out: list = []
    for f in frames:
        try:
            out.append([describe(e) for e in dec.decode(f, 7)])
        except DecodeError as e:
            out.append(str(e))
    if unknown is not None:
        unknown.update(dec.unknown_symbols)
    return out


_IDS = (0, 1, -1, -2, 2**62 - 1, 2**62, 2**63, 2**64 - 1, -(2**63), 2**43 - 1, 2**43, True, False, 1.0, "5",
        None, [1], 1e30)  # (orjson writes integers up to 64 bits)


@needs_native
@pytest.mark.parametrize("seed", range(12))
def test_depth_ids_and_sides_at_their_edges_decode_the_same(monkeypatch, seed):
    # The one-call path (native.depth) takes only what the exact path would take as the usual
    # frame: ids and times of every type and at every bound, missing fields, sides that are not
    # lists or are too long, each against the pure path, event for event and error for error.
    rng = random.Random(7000 + seed)
    row = ["60012.3", "1.250"]
    frames = []
    for i in range(60):
        msg: dict = {"e": "depthUpdate", "E": 5, "T": 1 + i, "s": "BTCUSDT", "U": 10 * i, "u": 10 * i + 5,
                     "pu": 10 * i - 5, "b": [row] * rng.randint(0, 3), "a": [["60012.4", "0.001"]]}
        for key in rng.sample(("U", "u", "pu", "T", "b", "a"), rng.randint(0, 3)):
            pick = rng.random()
            if pick < 0.15:
                del msg[key]
            elif key in ("b", "a"):
                msg[key] = rng.choice(([row] * (codec.MAX_LEVELS + 1), [row] * codec.MAX_LEVELS, "x", None,
                                       {"1": 2}, [row, ["1.0"]], [[row[0], 7]], []))
            else:
                msg[key] = rng.choice(_IDS)
        frames.append(orjson.dumps({"stream": "btcusdt@depth@0ms", "data": msg}))

    a, b = both(monkeypatch, lambda: decode_all(frames, lambda e: (type(e), e, type(e.first_id), type(e.prev_id))))
    assert a == b
    assert sum(type(x) is list and len(x) == 1 for x in a) >= 5 and sum(type(x) is str for x in a) >= 10


def test_native_depth_declines_what_it_does_not_take():
    if NATIVE is None:
        pytest.skip("the C accelerator is not built")
    inst = Instrument("BTCUSDT", "0.10", "0.001")
    spec = (inst.price.mant, inst.price.scale, inst.qty.mant, inst.qty.scale, inst.price._cache, inst.qty._cache)
    base = {"U": 1, "u": 2, "pu": 0, "T": 9, "b": [["1.0", "2.000"]], "a": []}
    d = NATIVE.depth(base, spec, codec.BookDelta, codec._DELTA_MEMBERS, "BTCUSDT", 3)
    assert (d.bids, d.asks, d.first_id, d.last_id, d.prev_id, d.ts_exchange_ns, d.ts_recv_ns, d.checksum) == (
        ((10, 2000),), (), 1, 2, 0, 9_000_000, 3, None)
    no_pu = dict(base)
    del no_pu["pu"]
    assert NATIVE.depth(no_pu, spec, codec.BookDelta, codec._DELTA_MEMBERS, "BTCUSDT", 3).prev_id == -1
    for change in ({"U": 3}, {"T": 0}, {"T": 2**43}, {"u": True}, {"pu": -2}, {"b": (("1.0", "2.000"),)},
                   {"a": [["1.0", "x"]]}):
        assert NATIVE.depth({**base, **change}, spec, codec.BookDelta, codec._DELTA_MEMBERS, "BTCUSDT", 3) is None
    with pytest.raises(TypeError):
        NATIVE.depth([], spec, codec.BookDelta, codec._DELTA_MEMBERS, "BTCUSDT", 3)

@needs_native
@pytest.mark.parametrize("seed", range(30))
def test_depth_frames_decode_the_same(monkeypatch, seed):
    # Whole frames through BinanceDecoder.decode (its depth fast path calls the C parser itself).
    rng = random.Random(1000 + seed)

    def side() -> object:
        pick = rng.random()
        if pick < 0.7:
            return [[f"{rng.randint(0, 10**6) / 10:.1f}", f"{rng.randint(0, 10**5) / 1000:.3f}"]
                    for _ in range(rng.randint(0, 15))]
        if pick < 0.9:
            return [[_strings(rng), _strings(rng)] for _ in range(rng.randint(1, 4))]
        return rng.choice(("12", None, {"b": 1}, [["1.0"]], [("1.0", "1.000")]))

    frames = []
    for i in range(40):
        msg: dict = {"e": "depthUpdate", "E": 1 + i, "T": 1 + i, "s": "BTCUSDT", "U": 10 * i, "u": 10 * i + 5,
                     "pu": 10 * i - 5, "b": side(), "a": side()}
        if rng.random() < 0.1:
            del msg[rng.choice(("b", "a", "T", "pu"))]
        frames.append(orjson.dumps({"stream": "btcusdt@depth@0ms", "data": msg}))

    a, b = both(monkeypatch, lambda: decode_all(frames, lambda e: e))
    assert a == b
    assert any(type(x) is list and x for x in a) and any(type(x) is str for x in a)
