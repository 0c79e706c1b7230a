from hypothesis import given, settings
from hypothesis import strategies as st

from dom.core import price_index
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


@settings(max_examples=150, deadline=None)
@given(snap_b=levels, snap_a=levels, deltas=st.lists(st.tuples(levels, levels), max_size=30),
       flat_max=st.sampled_from([4, 16, 8192]))
def test_book_queries_on_both_index_forms(snap_b, snap_a, deltas, flat_max):
    """Every read, and ``apply_changes``' change list, against a dict model, with the price index
    flat and as a tree (small ``FLAT_MAX``: the switch happens inside one delta)."""
    saved = price_index.FLAT_MAX
    price_index.FLAT_MAX = flat_max
    try:
        book, models = _check_queries(snap_b, snap_a, deltas)
    finally:
        price_index.FLAT_MAX = saved
    assert book.bids.levels == models[BookSide.BID] and book.asks.levels == models[BookSide.ASK]


def _check_queries(snap_b, snap_a, deltas):
    book = OrderBook()
    book.apply_snapshot(snap_b, snap_a)
    models = {BookSide.BID: {p: q for p, q in snap_b if q > 0}, BookSide.ASK: {p: q for p, q in snap_a if q > 0}}
    for i, (db, da) in enumerate(deltas):
        changes: list = []
        expected = []
        for side, lv in ((BookSide.BID, db), (BookSide.ASK, da)):
            m = models[side]
            for p, q in lv:
                old = m.get(p, 0)
                new = q if q > 0 else 0
                if old != new:
                    expected.append((side, p, old, new))
                if new:
                    m[p] = new
                else:
                    m.pop(p, None)
            if i % 2:
                book.side(side).apply_changes(lv, changes)
            else:
                book.side(side).apply(lv)
        if i % 2:
            assert changes == expected
        for side, rev in ((BookSide.BID, True), (BookSide.ASK, False)):
            lv, m = book.side(side), models[side]
            ordered = sorted(m.items(), reverse=rev)
            assert lv.levels == m
            assert lv.top(3) == ordered[:3] and lv.top(50) == ordered[:50]
            assert list(lv.prices()) == [p for p, _ in ordered]
            assert lv.best() == (ordered[0] if ordered else None)
            for n in (1, 2, 5, 100):
                assert lv.nth_px(n) == (ordered[min(n, len(ordered)) - 1][0] if ordered else None)
            assert lv.between(10, 40) == [(p, q) for p, q in ordered if 10 <= p <= 40]
            assert list(lv.levels_between(10, 40)) == lv.between(10, 40)
            for lo, hi in ((10, 40), (1, 61), (30, 30), (50, 20)):
                assert lv.first_between(lo, hi) == next(iter(lv.levels_between(lo, hi)), None)
            for px in (1, 20, 61):
                assert lv.rank(px) == sum(1 for p in m if (p > px if rev else p < px))
            if ordered:
                b = ordered[0][0]
                assert lv.depth_within(4) == sum(q for p, q in m.items() if abs(p - b) <= 4)
    return book, models
