"""The checksum string interleaves bid and ask levels, then the longer side alone: the same as a
plain reference on any two sides (the venues' documented construction)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dom.core import checksum as ck
from dom.core.book import OrderBook
from dom.core.units import Instrument

INST = Instrument("X", "0.1", "0.001")
PX, QTY = ck.cached(INST.price, None), ck.cached(INST.qty, None)


def reference(book: OrderBook, depth: int = 25) -> str:
    bids, asks = book.bids.top(depth), book.asks.top(depth)
    parts = []
    for i in range(max(len(bids), len(asks))):
        for side in (bids, asks):
            if i < len(side):
                parts += [PX(side[i][0]), QTY(side[i][1])]
    return ":".join(parts)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 10_000))
def test_book_string_matches_the_plain_construction(n_bids, n_asks, seed):
    import random

    rng = random.Random(seed)
    book = OrderBook()
    book.apply_snapshot([(10_000 - i, rng.randint(1, 9_999)) for i in range(n_bids)],
                        [(10_001 + i, rng.randint(1, 9_999)) for i in range(n_asks)])
    assert ck.book_string(book, PX, QTY) == reference(book)


def test_book_string_on_a_side_past_the_flat_index():
    """A side deep enough for the tree index reads its top the same way."""
    book = OrderBook()
    book.apply_snapshot([(100_000 - i, 1 + i % 7) for i in range(9_000)], [(100_001 + i, 2) for i in range(3)])
    assert book.bids._index.flat is None and book.asks._index.flat is not None
    assert ck.book_string(book, PX, QTY) == reference(book)


def test_formatters_fill_and_bound_their_table():
    fmt = ck.cached(INST.qty, None)
    assert fmt is ck.cached(INST.qty, None)
    assert [fmt(n) for n in (1, 10, 1500, 0)] == ["0.001", "0.01", "1.5", "0"]
    assert ck.cached(INST.qty, 4)(1500) == "1.5000"
