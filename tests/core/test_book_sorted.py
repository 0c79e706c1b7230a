"""The book's apply of a sorted batch (``_native_dsp.c``: a side's levels in price order, as a
venue sends them, applied in one walk of the index) against the pure-Python path: the same dict,
index, top-N reads, change lists and check result, on the real recordings' depth messages and on
random sorted batches (runs of levels deleted at once, deletes of absent levels, inserts past both
ends, sizes and prices at and past every bound a C number has, keys in the index that are no C
number, rows the C path hands back), and no references kept over many calls."""

from __future__ import annotations

import gc
import random
import sys
from pathlib import Path

import pytest

from dom.core import accel
from dom.core.book import OrderBook
from dom.core.types import BookDelta, BookSnapshot

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "hftbacktest"
RECORDINGS = [DATA / "usdm" / "btcusdt_20240808.gz", DATA / "spot" / "btcusdt_20240808.gz"]


def full(book: OrderBook) -> tuple:
    return (dict(book.bids.levels), dict(book.asks.levels), book.bids._index.flat, book.asks._index.flat,
            list(book.bids.levels), list(book.asks.levels))


def tops(book: OrderBook, n: int) -> tuple:
    return book.bids.top(n), book.asks.top(n), book.top(3), book.bids.best(), book.asks.best()


class _Both:
    """Two books, one applied in C and one by the pure-Python path, compared as they go."""

    def __init__(self, monkeypatch) -> None:
        self.mp, self.books = monkeypatch, (OrderBook(), OrderBook())

    def each(self, fn) -> list:
        out = []
        for book, on in zip(self.books, (NATIVE, None)):
            self.mp.setattr(accel, "native", on)
            out.append(fn(book))
        self.mp.setattr(accel, "native", NATIVE)
        return out

    def same(self, fn) -> object:
        a, b = self.each(fn)
        assert a == b
        return a


def _depth(path: Path) -> list:
    from dom.runtime.replay import Replay

    out = []
    for _, _, evs in Replay(path).decoded():
        if isinstance(evs, str):
            continue
        out += [e for e in evs if type(e) in (BookDelta, BookSnapshot)]
    return out


@needs_native
@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.parent.name)
def test_the_real_recordings_give_the_same_book(monkeypatch, path):
    if not path.exists():
        pytest.skip(f"{path} is not here")
    events = _depth(path)
    both = _Both(monkeypatch)
    sorted_sides = deltas = 0
    for i, e in enumerate(events):
        if type(e) is BookSnapshot:
            both.each(lambda b: b.apply_snapshot(e.bids, e.asks))
            continue
        deltas += 1
        sorted_sides += sum(len(s) >= 2 and list(s) == sorted(s) for s in (e.bids, e.asks))
        n = (10, 20, 1, 200)[i % 4]
        with_changes = i % 3 != 0

        def step(book: OrderBook) -> tuple:
            changes: list | None = [] if with_changes else None
            bad = book.apply_checked(e.bids, e.asks, changes)
            return bad, changes, tops(book, n)

        both.same(step)
        if i % 250 == 0:
            both.same(full)
    both.same(full)
    assert deltas > 1000 and sorted_sides > deltas // 2  # (the sorted way taken: most messages, a side or both)


def _sorted_side(rng: random.Random, book: OrderBook, side: str, mid: int) -> tuple:
    """A side's batch in price order (ascending, or now and then descending): runs of standing
    levels deleted, absent levels deleted, sizes changed, new levels inside and past both ends,
    and now and then a value at or past what a C number holds."""
    levels = getattr(book, side).levels
    have = sorted(levels)
    rows: dict = {}
    if have and rng.random() < 0.5:  # a run of standing levels deleted at once
        i = rng.randrange(len(have))
        for px in have[i:i + rng.randint(1, 12)]:
            rows[px] = 0
    for _ in range(rng.randint(0, 10)):  # sizes changed (or set to what they are)
        if have:
            px = rng.choice(have)
            rows[px] = rng.choice((levels[px], rng.randint(1, 50), 0))
    for _ in range(rng.randint(0, 8)):  # absent levels deleted, new ones anywhere
        px = mid + (-1 if side == "bids" else 1) * rng.randint(1, 120)
        rows.setdefault(px, rng.choice((0, 0, rng.randint(1, 50), 10**12, 2**62, 2**64)))
    if have and rng.random() < 0.3:  # past both ends
        rows.setdefault(have[0] - rng.randint(1, 50), rng.randint(1, 9))
        rows.setdefault(have[-1] + rng.randint(1, 50), rng.randint(1, 9))
    if rng.random() < 0.05:  # a price no C number holds (the batch declined: the per-level loop)
        rows[rng.choice((2**62, 2**63 + 1, 2**70, -(2**62), -(2**70)))] = rng.choice((0, 1))
    if rng.random() < 0.04:
        rows[rng.choice((0, -1, -5))] = rng.choice((0, 3))  # zero and negative prices
    out = sorted(rows.items())
    if rng.random() < 0.15:
        out.reverse()
    if len(out) > 2 and rng.random() < 0.05:  # out of order, or a price twice: declined
        out[0], out[1] = out[1], out[0]
    if len(out) > 2 and rng.random() < 0.04:
        out.insert(1, out[1])
    if out and rng.random() < 0.03:  # rows the C path hands back to Python
        out[0] = (out[0][0], rng.choice((True, 2.0, -1)))
    if rng.random() < 0.03:  # a negative size deletes
        out = [(p, -q if q else q) for p, q in out]
    return tuple(out)


@needs_native
@pytest.mark.parametrize("seed", range(10))
def test_sorted_batches_give_the_same_book(monkeypatch, seed):
    rng = random.Random(3000 + seed)
    both = _Both(monkeypatch)
    snap = ([(1000 - i, rng.randint(1, 9)) for i in range(1, 300)], [(1000 + i, rng.randint(1, 9)) for i in range(1, 300)])
    both.each(lambda b: b.apply_snapshot(*snap))
    walked = 0
    for step in range(600):
        mid = 1000 + rng.randint(-2, 2)
        bids, asks = (_sorted_side(rng, both.books[1], s, mid) for s in ("bids", "asks"))
        n = rng.choice((1, 5, 20, 50, 400))
        with_changes = rng.random() < 0.7
        op = rng.random()

        def apply(book: OrderBook) -> tuple:
            if op < 0.03:  # a key no C number holds, or a float one, put in the index by the Python path
                book.bids.set(rng_px, 1)
                book.asks.set(-rng_px, 1)
                return None
            if op < 0.05:
                book.apply_delta(bids, asks)  # (apply_book)
                return tops(book, n)
            changes: list | None = [] if with_changes else None
            bad = book.apply_checked(bids, asks, changes)
            return bad, changes, tops(book, n)

        rng_px = rng.choice((2**70, -(2**70), 5.5, 2**62 + 3))
        walked += sum(len(s) >= 8 and (list(s) == sorted(s) or list(s) == sorted(s, reverse=True))
                      for s in (bids, asks))
        both.same(apply)
        if step % 20 == 0 or op < 0.05:
            both.same(full)
        if step % 150 == 149:
            both.each(lambda b: b.apply_snapshot(*snap))
    native_book, python_book = both.each(full)
    assert native_book == python_book
    assert walked >= 500, walked  # (sides of 8 levels or more in order: the sorted walk's, not the loop's)


@needs_native
def test_a_run_deleted_and_the_ends_grown():
    """The index after one sorted batch: a run deleted, levels put in past both ends and between,
    sizes changed inside the live top (by hand, against what it must be)."""
    book = OrderBook()
    book.apply_snapshot([(100 - i, 1) for i in range(20)], [(101 + i, 1) for i in range(20)])
    assert book.bids.top(5) == [(100, 1), (99, 1), (98, 1), (97, 1), (96, 1)]
    changes: list = []
    bids = ((50, 7), (81, 2), (85, 0), (86, 0), (87, 0), (88, 0), (90, 3), (95, 0), (99, 9), (100, 0), (102, 4))
    assert book.apply_checked(bids, ((101, 0), (102, 0), (103, 5), (104, 0), (200, 1)), changes) is None
    assert book.bids._index.flat == [50, 81, 82, 83, 84, 89, 90, 91, 92, 93, 94, 96, 97, 98, 99, 102]
    assert book.asks._index.flat == [-200] + [-px for px in range(120, 104, -1)] + [-103]
    assert book.bids.top(5) == [(102, 4), (99, 9), (98, 1), (97, 1), (96, 1)]
    assert book.asks.top(3) == [(103, 5), (105, 1), (106, 1)]
    assert [c[1:] for c in changes] == [(50, 0, 7), (81, 1, 2), (85, 1, 0), (86, 1, 0), (87, 1, 0), (88, 1, 0),
                                        (90, 1, 3), (95, 1, 0), (99, 1, 9), (100, 1, 0), (102, 0, 4), (101, 1, 0),
                                        (102, 1, 0), (103, 1, 5), (104, 1, 0), (200, 0, 1)]
    # every level of a side deleted in one batch, then a side grown from nothing
    assert book.apply_checked(tuple((px, 0) for px in sorted(book.bids.levels)), ()) is None
    assert book.bids._index.flat == [] and book.bids.top(5) == [] and book.bids.levels == {}
    assert book.apply_checked(((90, 1), (91, 2), (92, 3)), ()) is None
    assert book.bids._index.flat == [90, 91, 92] and book.bids.top(2) == [(92, 3), (91, 2)]


@needs_native
def test_sorted_batches_keep_no_references():
    book = OrderBook()
    book.apply_snapshot([(1000 - i, 1) for i in range(1, 200)], [(1000 + i, 1) for i in range(1, 200)])
    book.top(20)

    def calls(n: int) -> None:
        for i in range(n):
            k = i % 11
            changes: list = []
            book.apply_checked(tuple((900 + k + j * 3, (i + j) % 4) for j in range(30)),
                               tuple((1001 + k + j * 3, (i + j) % 3) for j in range(30)), changes)
            book.apply_checked(tuple((990 - j, 0) for j in range(8, 0, -1)), ((2**70, 0), (1001, 2)))
            book.apply_delta(((950, i % 2), (951, 1)), ((1010, 0), (1011, i % 3)))

    calls(1_000)
    gc.collect()
    before = sys.getallocatedblocks()
    calls(10_000)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200
    key = int("1000000000000007")  # (made here: no constant holds it)
    book.apply_checked(((key - 1, 1), (key, 1)), ())
    assert book.bids._index.flat[-1] is key and book.bids.top(1) == [(key, 1)]
    assert sys.getrefcount(key) == 5  # the index, the dict, the live top's pair, key, the call
    book.apply_checked(((key - 1, 0), (key, 0)), ())
    assert sys.getrefcount(key) == 2  # key, the call: nothing of the book's
