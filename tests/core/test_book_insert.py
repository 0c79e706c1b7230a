"""The C book's insert of a new level (one memmove instead of CPython 3.11's item-by-item move):
the flat index and the live top stay what the Python loop gives, and no reference is kept or
lost, level after level, at every position of a side."""

from __future__ import annotations

import random
import sys

import pytest

from dom.core import accel
from dom.core.book import OrderBook

pytestmark = pytest.mark.skipif(accel.native is None, reason="the C accelerator is not built or DOM_PURE_PYTHON is set")


def test_inserts_everywhere_match_the_python_loop(monkeypatch) -> None:
    rng = random.Random(4)
    base = 10**12  # (ints no cache shares: their refcounts are the book's own)
    pxs = [base + i for i in range(3000)]
    ops = []
    for _ in range(40):
        bids = tuple((rng.choice(pxs[:1500]), rng.choice((0, 0, 1, 2, 10**15))) for _ in range(rng.randrange(1, 200)))
        asks = tuple((rng.choice(pxs[1500:]), rng.choice((0, 0, 1, 2, 10**15))) for _ in range(rng.randrange(1, 200)))
        ops.append((bids, asks))

    def run(native) -> tuple:
        monkeypatch.setattr(accel, "native", native)
        b = OrderBook()
        b.apply_snapshot([(px, 5) for px in pxs[:1500:3]], [(px, 5) for px in pxs[1500::3]])
        tops = []
        for bids, asks in ops:
            b.top(25)
            b.apply_delta(bids, asks)
            tops.append(b.top(25))
            tops.append((list(b.bids._index.flat), list(b.asks._index.flat)))
        return tops, b.copy_levels()

    refs = [sys.getrefcount(px) for px in pxs]
    got = run(accel.native)
    assert got == run(None)
    del got
    monkeypatch.setattr(accel, "native", accel.native)
    assert [sys.getrefcount(px) for px in pxs] == refs  # the books are gone: every reference they held let go
