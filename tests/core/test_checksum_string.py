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


def test_a_grid_of_whole_units_is_spelled_by_str_with_the_same_strings():
    """Step 1 with no decimals written (OKX's swaps sized in contracts) needs no table: ``str``
    writes what ``shortest`` and ``fixed(.., 0)`` write, on every value."""
    import random

    whole = Instrument("W", "1", "1")
    assert ck.cached(whole.qty, None) is str and ck.cached(whole.qty, 0) is str
    rng = random.Random(7)
    values = [0, 1, 9, 10, 99, 100, 10**6, 2**31, 2**62,
              *(rng.randint(1, 10**12) for _ in range(2000))]
    assert [str(n) for n in values] == [ck.shortest(whole.qty, n) for n in values]
    assert [str(n) for n in values] == [ck.fixed(whole.qty, n, 0) for n in values]
    # Any other grid keeps its table: a step of 10, decimals written, or a fixed count of them.
    assert ck.cached(Instrument("T", "10", "10").qty, None) is not str
    assert ck.cached(Instrument("D", "0.1", "1").price, None) is not str
    assert ck.cached(whole.qty, 2) is not str and ck.cached(whole.qty, 2)(15) == "15.00"
    assert ck.cached(Instrument("T", "10", "10").qty, None)(15) == "150"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 10**9), max_size=40), st.lists(st.integers(1, 10**9), max_size=40))
def test_book_string_on_whole_unit_sizes_matches_the_plain_construction(bid_sizes, ask_sizes):
    """The sizes through ``str`` (contracts), the prices through their table: the string is the
    plain construction's, spelled by ``shortest`` with no cache at all."""
    inst = Instrument("C", "0.0001", "1")
    px, qty = ck.cached(inst.price, None), ck.cached(inst.qty, None)
    assert qty is str
    book = OrderBook()
    book.apply_snapshot([(90_000 - i, q) for i, q in enumerate(bid_sizes)],
                        [(90_001 + i, q) for i, q in enumerate(ask_sizes)])
    bids, asks = book.bids.top(25), book.asks.top(25)
    parts = []
    for i in range(max(len(bids), len(asks))):
        for side in (bids, asks):
            if i < len(side):
                parts += [ck.shortest(inst.price, side[i][0]), ck.shortest(inst.qty, side[i][1])]
    assert ck.book_string(book, px, qty) == ":".join(parts)
