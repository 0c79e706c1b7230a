"""PriceIndex answers as a list sorted largest first would, on both sides of its flat/tree switch."""

import random

import pytest

from dom.core import price_index
from dom.core.price_index import PriceIndex


@pytest.mark.parametrize("flat_max", [8, 64, price_index.FLAT_MAX])
def test_price_index_matches_a_sorted_list(monkeypatch, flat_max):
    monkeypatch.setattr(price_index, "FLAT_MAX", flat_max)
    rng = random.Random(flat_max)
    idx = PriceIndex(rng.sample(range(1000), 10))
    ref = sorted(idx, reverse=True)
    for _ in range(3000):
        k = rng.randrange(1000)
        if k in ref:
            idx.remove(k)
            ref.remove(k)
        else:
            idx.add(k)
            ref.append(k)
            ref.sort(reverse=True)
        assert len(idx) == len(ref) and list(idx) == ref
        if ref:
            assert idx.first() == ref[0]
            m = rng.randrange(1, len(ref) + 1)
            assert idx.nth(m) == ref[m - 1]
        n = rng.randrange(0, 30)
        assert list(idx.head(n)) == ref[:n]
        assert list(idx.head(None)) == ref
        lo, hi = sorted((rng.randrange(1000), rng.randrange(1000)))
        assert list(idx.irange(lo, hi)) == [x for x in ref if lo <= x <= hi]
        assert list(idx.irange(None, hi)) == [x for x in ref if x <= hi]
        assert list(idx.irange(lo, None)) == [x for x in ref if x >= lo]
        assert idx.count_above(k) == sum(x > k for x in ref)
        assert idx.largest_in(lo, hi) == next((x for x in ref if lo <= x <= hi), None)
    with pytest.raises(ValueError):
        idx.remove(5000)
    idx.clear()
    assert len(idx) == 0 and list(idx.head(5)) == []


def test_nth_px_is_the_last_of_the_top_n():
    from dom.core.book import OrderBook

    book = OrderBook()
    book.apply_snapshot([(100 - i, 1) for i in range(5)], [(101 + i, 1) for i in range(5)])
    for side in (book.bids, book.asks):
        for n in range(0, 8):
            top = side.top(n)
            assert side.nth_px(n) == (top[-1][0] if top else None)
    book.clear()
    assert book.bids.nth_px(3) is None
