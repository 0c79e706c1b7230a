"""The band read in C (``band_read``, _native_band.c) against its Python twin (``Bands._read_py``,
band.py): on hand-built and random books (sides empty, bands narrower than the min-levels rule,
odd and negative widths), a side whose index is not a flat list, and what C declines."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from dom.core import accel
from dom.core.book import OrderBook
from dom.core.detectors.band import Bands
from dom.core.detectors.params import DetectorParams
from dom.core.price_index import FLAT_MAX
from dom.core.types import BookSide

BID, ASK = BookSide.BID, BookSide.ASK
NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def _bands(bids, asks, ticks=50, least=20):
    book = OrderBook()
    book.apply_snapshot(bids, asks)
    sym = SimpleNamespace(book=book, stats=SimpleNamespace(applied=0))
    return Bands(sym, DetectorParams(wall_band_ticks=ticks, wall_band_min_levels=least)), book


def test_band_within_one_percent_and_widened_to_the_nearest_levels():
    # mid 1000: 1% is 10 ticks, under wall_band_ticks 50; 3 levels within it, the rule wants 4.
    bids = [(999, 5), (995, 7), (990, 1), (980, 9), (900, 2)]
    asks = [(1001, 3), (1002, 4), (1003, 6), (1004, 8), (1050, 1)]
    b, _ = _bands(bids, asks, ticks=50, least=4)
    assert b._read(BID) == (999, 19, [(999, 5), (995, 7), (990, 1), (980, 9)]) == b._read_py(BID)
    assert b._read(ASK) == (1001, 10, [(1001, 3), (1002, 4), (1003, 6), (1004, 8)]) == b._read_py(ASK)
    b, _ = _bands(bids, asks, ticks=2, least=0)  # no min-levels rule: wall_band_ticks caps the 1%
    assert b._read(BID) == (999, 2, [(999, 5)]) and b._read(ASK) == (1001, 2, [(1001, 3), (1002, 4), (1003, 6)])
    b, _ = _bands(bids, [], least=4)  # one side empty: no mid, no band on either side
    assert b._read(BID) is None and b._read(ASK) is None and b._read_py(BID) is None
    assert b.get(BID) is None and b.sizes(BID) == []


def _random_book(rng):
    mid = rng.choice((3, 150, 20_000, 10**9, 1 << 55))
    gap = rng.randrange(1, 4)
    bids = {mid - gap - rng.randrange(0, 400 if rng.random() < 0.5 else 40): rng.randrange(1, 10**6)
            for _ in range(rng.randrange(0, 60))}
    asks = {mid + rng.randrange(0, 400 if rng.random() < 0.5 else 40): rng.randrange(1, 10**6)
            for _ in range(rng.randrange(0, 60))}
    return [(px, q) for px, q in bids.items() if px > 0], list(asks.items())


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_c_is_python(seed):
    rng = random.Random(seed)
    widened = empty = 0
    for _ in range(300):
        bids, asks = _random_book(rng)
        ticks = rng.choice((50, 1, 0, -3, rng.randrange(0, 500)))
        least = rng.choice((20, 1, 0, -1, rng.randrange(0, 80)))
        b, book = _bands(bids, asks, ticks, least)
        for _ in range(3):  # the book moves: its flat indexes as the C apply keeps them
            for side in (BID, ASK):
                py = b._read_py(side)
                got = NATIVE.band_read(book.side(side), book.side(BID if side is ASK else ASK), ticks, least)
                assert got == py
                assert b._read(side) == py
                empty += py is None
                widened += py is not None and py[1] > min(ticks, max(1, book.mid2() // 200))
            book.apply_delta([(px, rng.choice((0, rng.randrange(1, 99)))) for px, _ in bids[:3]],
                             [(px + rng.randrange(-2, 3), rng.randrange(0, 99)) for px, _ in asks[:3] if px > 2])
    assert widened > 50 and empty > 10  # (both rules and the empty sides were exercised)


def test_a_side_indexed_by_a_tree_is_read_the_python_way():
    bids = [(10_000 + i, 1 + i % 7) for i in range(FLAT_MAX + 5)]
    asks = [(20_000 + i, 3) for i in range(30)]
    b, book = _bands(bids, asks, ticks=50, least=20)
    assert book.bids._index.flat is None  # (past FLAT_MAX: a SortedList)
    want = (bids[-1][0], 50, bids[::-1][:51])
    assert b._read(BID) == want == b._read_py(BID)
    assert b._read(ASK) == b._read_py(ASK) == (20_000, 50, asks)
    if NATIVE is not None:
        assert NATIVE.band_read(book.bids, book.asks, 50, 20) is NotImplemented
        assert NATIVE.band_read(book.asks, book.bids, 50, 20) is NotImplemented


def _side(flat, levels=None, r=1):
    return SimpleNamespace(_index=SimpleNamespace(flat=flat), levels={k: 1 for k in flat} if levels is None else levels,
                           _r=r)


@needs_native
def test_declines_what_it_does_not_take():
    ok, other = _side([1, 2, 3]), _side([-9])
    assert NATIVE.band_read(ok, other, 50, 20) == (3, 2, [(3, 1), (2, 1), (1, 1)])
    big = 1 << 61
    for args in [(ok, other, 50), (ok, other, 50, 20, 1), (object(), other, 50, 20), (ok, object(), 50, 20),
                 (ok, other, 1 << 70, 20), (ok, other, 50, 1 << 70), (ok, other, 50.0, 20), (ok, other, True, 20),
                 (ok, other, 50, "20"), (_side((1, 2, 3)), other, 50, 20), (_side([1, 2, big + 1]), other, 50, 20),
                 (ok, _side([-(big + 1)]), 50, 20), (_side([1, 2, 3], r=0), other, 50, 20),
                 (_side([1, 2, 3], r=2), other, 50, 20), (_side([1, 2, 3], r=True), other, 50, 20),
                 (_side([1.0, 2, 3]), other, 50, 20), (_side([1, 2, 3], levels=[1, 2, 3]), other, 50, 20),
                 (_side(["a", 2, 3]), other, 50, 2), (_side([1 << 80, 2, 3]), other, 0, 3)]:
        assert NATIVE.band_read(*args) is NotImplemented
    assert NATIVE.band_read(_side([]), _side([1 << 80]), 50, 20) is None  # (an empty side: no key read)
    with pytest.raises(KeyError):  # a flat key without its level: the book is broken, as top() says
        NATIVE.band_read(_side([1, 2, 3], levels={3: 1}), other, 50, 20)


def test_sizes_sorted_once_a_message_from_the_band_or_the_callers_sizes():
    bids = [(999, 5), (995, 7), (990, 1), (980, 9), (900, 2)]
    b, _ = _bands(bids, [(1001, 3), (1002, 4)], ticks=50, least=4)
    got = b.sizes(BID)  # (no sizes given: taken from the band itself)
    assert got == [1, 5, 7, 9] and b.sizes(BID, [100]) is got  # (read once for the message)
    b.sym.stats.applied += 1  # the next message: read again, here from the sizes a caller took
    assert b.sizes(BID, [9, 1, 7, 5]) == [1, 5, 7, 9] and b.sizes(ASK) == [3, 4]
