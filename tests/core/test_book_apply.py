"""``OrderBook.apply_checked`` (a delta's two sides and the book's check in one C call, the
accelerator's ``book_apply``) against the pure-Python path it replaces: the same book level for
level, the same index, the same top-N reads, the same change lists and the same check result, on
random operations with prices and sizes at and past every bound a C number has (negative, around
+-2^62, past 2^64), with the index flat and turning into a tree and back; and the engine fed the
same deltas both ways, with and without observers."""

from __future__ import annotations

import random

import pytest

from dom.core import accel, price_index
from dom.core.book import BookSideLevels, OrderBook
from dom.core.engine import Engine, ObserverBase
from dom.core.types import BookDelta, BookSide, BookSnapshot
from dom.core.units import Instrument

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")

_BIG = (2**30 - 1, 2**30, 2**31 + 7, 2**45, 2**60 - 1, 2**60, 2**62 - 1, 2**62, 2**62 + 1, 2**63 - 1, 2**63, 2**64 + 5,
        2**90)  # (one, two and more 30-bit digits)


def state(book: OrderBook, n: int) -> tuple:
    return (dict(book.bids.levels), dict(book.asks.levels), list(book.bids._index), list(book.asks._index),
            book.bids.top(n), book.asks.top(n), book.bids.top(3), book.asks.top(n + 7), book.top(n), book.check(),
            book.bids._index.flat is None, book.asks._index.flat is None)


class _Counting:
    """The accelerator, counting the calls of ``book_apply`` it took (not None)."""

    def __init__(self, native) -> None:
        self._native, self.taken = native, 0

    def __getattr__(self, name: str):
        return getattr(self._native, name)

    def book_apply(self, *args):
        out = self._native.book_apply(*args)
        self.taken += out is not None
        return out


def _price(rng: random.Random, lo: int, hi: int, wild: bool, sign: int = 1) -> int:
    """A price in [lo, hi]; with ``wild``, now and then one around or past what a C number holds,
    mostly on the far side of the book (``sign``: -1 for bids, 1 for asks)."""
    if wild and rng.random() < 0.15:
        return (sign if rng.random() < 0.8 else -sign) * rng.choice(_BIG) + rng.randint(-3, 3)
    return rng.randint(lo, hi)


def _rows(rng: random.Random, k: int, lo: int, hi: int, wild: bool, sign: int = 1) -> list:
    out: list = [(_price(rng, lo, hi, wild, sign), rng.choice((0, 0, 1, 2, 3, rng.randint(1, 10**12), 2**62, 2**64)))
                 for _ in range(k)]
    if out and rng.random() < 0.05:  # rows the C path hands back to Python (not exact (int, int))
        odd = rng.randint(0, 2)
        if odd == 0:
            out = [list(r) for r in out]
        else:
            out[0] = (out[0][0], True if odd == 1 else 2**70)
    return out


@needs_native
@pytest.mark.parametrize("wild", [False, True])
@pytest.mark.parametrize("flat_max", [8192, 24])  # 24: the index turns into a tree and back
@pytest.mark.parametrize("seed", range(8))
def test_apply_checked_gives_the_same_book(monkeypatch, seed, flat_max, wild):
    monkeypatch.setattr(price_index, "FLAT_MAX", flat_max)
    rng = random.Random(2700 + seed)
    books = (OrderBook(), OrderBook())  # with, without
    k = 40 if flat_max > 24 else 16  # (24: the sides go past it and back)
    snap = (_rows(rng, k, 900, 1000, False), _rows(rng, k, 1001, 1100, False))
    native = _Counting(NATIVE)
    for book, on in zip(books, (native, None)):
        monkeypatch.setattr(accel, "native", on)
        book.apply_snapshot(*snap)
    crossed = 0
    for step in range(500):
        op = rng.random()
        mid = 1000 + rng.randint(0, 1)
        reach = 5 if rng.random() < 0.03 else 0  # (now and then a level that crosses)
        db = _rows(rng, rng.randint(0, 12), mid - 60, mid - 1 + reach, wild, -1)
        da = _rows(rng, rng.randint(0, 12), mid + 1 - reach, mid + 60, wild)
        as_tuple = rng.random() < 0.85  # (a list goes the Python way on both)
        n = rng.choice((1, 5, 20, 20, 50))
        with_changes = rng.random() < 0.5
        sb, sa = rng.choice((0, 7)), rng.choice((0, 9))
        outs = []
        for book, on in zip(books, (native, None)):
            monkeypatch.setattr(accel, "native", on)
            if op < 0.9:
                changes: list | None = [] if with_changes else None
                bad = book.apply_checked(tuple(db) if as_tuple else db, tuple(da) if as_tuple else da, changes)
                out = (bad, changes)
            elif op < 0.95:
                out = book.bids.set(mid - 3, sb), book.asks.set(mid + 3, sa)
            else:
                book.apply_snapshot(*snap)
                out = None
            outs.append((out, state(book, n)))
        assert outs[0] == outs[1], step
        crossed += outs[0][1][9] is not None
    assert native.taken >= (150 if flat_max > 24 else 20) and crossed >= 10


@needs_native
def test_apply_checked_says_what_check_says():
    book = OrderBook()
    book.apply_snapshot([(100, 1), (99, 2)], [(101, 1), (102, 3)])
    assert book.apply_checked(((100, 5),), ((101, 0),)) is None
    changes: list = []
    bad = book.apply_checked(((102, 1),), (), changes)  # bid at 102 = the best ask: locked
    assert str(bad) == "book locked: best bid 102 >= best ask 102 (ticks)"
    assert changes == [(BookSide.BID, 102, 0, 1)]
    bad = book.apply_checked(((103, 1),), ())
    assert bad is not None and bad.kind == "crossed"
    assert book.apply_checked(((103, 0), (102, 0)), ((101, 0), (102, 0))) is None  # the asks all gone
    assert book.asks.levels == {} and book.bids.top(3) == [(100, 5), (99, 2)]


@needs_native
def test_book_apply_takes_hostile_arguments_calmly():
    book = OrderBook()
    book.apply_snapshot([(100, 1)], [(101, 1)])
    b, a = book.bids, book.asks
    ok = ((100, 2),)
    for bad in ((b, a, ok, ()), (b, a, ok, (), None), (b, a, ok, (), (), 8192), (b, a, ok, (), None, 1.5),
                (b, a, ok, (), None, True), (b, a, ok, (), None, 2**70)):
        with pytest.raises((TypeError, OverflowError)):
            NATIVE.book_apply(*bad)
    # not exact (int, int) tuples, or not a tuple: None, nothing applied
    for levels in ([(100, 2)], ((100, True),), ((True, 2),), ((100, 2, 3),), ((100.0, 2),), (["100", 2],),
                   ((2**70 + 0.5, 1),)):
        assert NATIVE.book_apply(b, a, levels, (), None, 8192) is None
    assert book.bids.levels == {100: 1}
    # sides that are not BookSideLevels: an error, never a crash
    with pytest.raises(AttributeError):
        NATIVE.book_apply(object(), a, ok, (), None, 8192)
    with pytest.raises(AttributeError):
        NATIVE.book_apply(b, object(), ok, (), None, 8192)
    odd = BookSideLevels(BookSide.ASK)
    odd.levels = []  # type: ignore[assignment]
    with pytest.raises(TypeError):
        NATIVE.book_apply(b, odd, ok, ((101, 2),), None, 8192)
    # a side indexed by a tree: None, nothing applied
    b._index.flat = None
    assert NATIVE.book_apply(b, a, ok, (), None, 8192) is None


class _Seen(ObserverBase):
    def __init__(self) -> None:
        self.seen: list = []

    def on_delta(self, sym, delta, changes):
        self.seen.append((delta.last_id, list(changes), sym.book.top(5)))
        return []


@needs_native
@pytest.mark.parametrize("observers", [False, True])
def test_the_engine_gives_the_same_both_ways(monkeypatch, observers):
    rng = random.Random(27)
    inst = Instrument("BTCUSDT", "0.10", "0.001")
    deltas, u = [], 10
    for i in range(3000):
        mid = 1000 + rng.randint(-3, 3)
        b = tuple(_rows(rng, rng.randint(0, 8), mid - 40, mid - 1, False))
        a = tuple(_rows(rng, rng.randint(0, 8), mid + 1, mid + 40, False))
        if rng.random() < 0.01:  # a crossing level now and then (the engine resyncs)
            b = b + ((mid + 50, 1),)
        prev = u if rng.random() > 0.005 else u - 7  # and a gap
        deltas.append(BookDelta("BTCUSDT", b, a, u + 1, u + 5, prev, i, i))
        u += 5
    snap = BookSnapshot("BTCUSDT", tuple((1000 - i, 5) for i in range(1, 30)), tuple((1000 + i, 5) for i in range(1, 30)),
                        10, 0, 0)
    runs = []
    for on in (NATIVE, None):
        monkeypatch.setattr(accel, "native", on)
        seen = _Seen()
        eng = Engine([inst], observers=(lambda st: [seen]) if observers else None)
        outs = [eng.feed(snap)]
        for d in deltas:
            out = eng.feed(d)
            if out and any(type(o).__name__ == "SnapshotRequest" for o in out):
                out += eng.feed(BookSnapshot("BTCUSDT", snap.bids, snap.asks, d.last_id, 0, 0))
            outs.append((out, eng["BTCUSDT"].book.top(20)))
        runs.append((outs, seen.seen, eng["BTCUSDT"].stats))
    assert runs[0] == runs[1]
    assert runs[0][2].crossed >= 5 and runs[0][2].applied >= 2500


@needs_native
def test_book_apply_keeps_no_references():
    import gc
    import sys

    book = OrderBook()
    book.apply_snapshot([(100 - i, 1) for i in range(50)], [(101 + i, 1) for i in range(50)])
    book.top(20)
    big = 2**70

    def calls(n: int) -> None:
        for i in range(n):
            changes: list = []
            book.apply_checked(((99 - i % 7, i % 3), (60, 0), (big, 0)), ((101 + i % 5, (i + 1) % 4), (-big, 0)), changes)
            book.apply_checked(((99, 1),), ((200 + i % 9, i % 2),))
            book.apply_checked(((1000, 1),), ())  # crossed
            book.apply_checked(((1000, 0),), ())
            NATIVE.book_apply(book.bids, book.asks, [(1, 1)], (), None, 8192)

    calls(2_000)
    gc.collect()
    before = sys.getallocatedblocks()
    calls(20_000)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200
