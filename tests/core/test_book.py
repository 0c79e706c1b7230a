from hypothesis import given, settings
from hypothesis import strategies as st

from dom.core.book import OrderBook
from dom.core.types import BookSide

levels = st.lists(st.tuples(st.integers(1, 60), st.integers(0, 5)), max_size=25)


def naive_top(d: dict[int, int], n: int, reverse: bool):
    return sorted(((p, q) for p, q in d.items() if q > 0), reverse=reverse)[:n]


@settings(max_examples=300, deadline=None)
@given(snap_b=levels, snap_a=levels, deltas=st.lists(st.tuples(levels, levels), max_size=30))
def test_book_matches_a_naive_model(snap_b, snap_a, deltas):
    book = OrderBook()
    book.apply_snapshot(snap_b, snap_a)
    model_b = {p: q for p, q in snap_b if q > 0}
    model_a = {p: q for p, q in snap_a if q > 0}
    for db, da in deltas:
        book.apply_delta(db, da)
        for p, q in db:
            model_b[p] = q
        for p, q in da:
            model_a[p] = q
        model_b = {p: q for p, q in model_b.items() if q > 0}
        model_a = {p: q for p, q in model_a.items() if q > 0}
        assert book.bids.top(10) == naive_top(model_b, 10, True)
        assert book.asks.top(10) == naive_top(model_a, 10, False)
        assert book.bids.levels == model_b and book.asks.levels == model_a
        assert book.bids.depth_within(3) == sum(
            q for p, q in model_b.items() if model_b and p >= max(model_b) - 3
        )
        bb = max(model_b) if model_b else None
        ba = min(model_a) if model_a else None
        err = book.check()
        if bb is not None and ba is not None and bb >= ba:
            assert err is not None and err.kind == ("crossed" if bb > ba else "locked")
        else:
            assert err is None


def test_side_queries():
    book = OrderBook()
    book.apply_snapshot([(100, 5), (99, 7), (95, 1)], [(101, 2), (103, 4)])
    assert book.best_bid() == (100, 5) and book.best_ask() == (101, 2)
    assert book.spread() == 1 and book.mid2() == 201
    assert book.bids.size_at(99) == 7 and book.bids.size_at(98) == 0
    assert list(book.bids.levels_between(95, 99)) == [(99, 7), (95, 1)]
    assert list(book.asks.levels_between(100, 102)) == [(101, 2)]
    assert book.bids.rank(99) == 1
    # Deleting an unknown level is normal.
    book.apply_delta([(50, 0)], [(200, 0)])
    assert len(book.bids) == 3
    assert book.side(BookSide.ASK) is book.asks
    assert book.bids.set(100, 0) == 5 and book.best_bid() == (99, 7)
