"""A randomized market's organic quoting (dom/sim/quoting.py): own-side joins and the re-quote delay."""

from __future__ import annotations

import hashlib
import random
from dataclasses import fields, replace

from dom.sim.flow import Flow
from dom.sim.market import Market
from dom.sim.matching import ASK, BID, MatchingBook
from dom.sim.presets import MAJOR
from dom.sim.quoting import CLIP, Quoting
from dom.sim.randomize import RANGES, MarketDraw, SizeLaw, draw

MS = 1_000_000


def _flow(seed: int = 3, **fields) -> tuple[Flow, MatchingBook]:
    """A randomized flow on a small book: bids 100 and 99, asks 102 and 103."""
    d = replace(draw(seed, quoting=True), **fields)
    book = MatchingBook()
    f = Flow(MAJOR, random.Random(seed), 101, SizeLaw(d))
    book.on_cleared = f.quoting.cleared
    for side, px in ((BID, 100), (BID, 99), (ASK, 102), (ASK, 103)):
        f.add(book, side, px, 5, 0)
    return f, book


def _adds(f: Flow, book: MatchingBook, n: int, ts: int) -> list[tuple[int, int, int]]:
    """``(side, price, own best before it)`` of each of ``n`` organic adds at ``ts``."""
    out = []
    for _ in range(n):
        before = {(s, p): q for s in (BID, ASK) for p, q in book.totals[s].items()}
        bests = (book.best(BID), book.best(ASK))
        f._add(book, ts)
        after = {(s, p): q for s in (BID, ASK) for p, q in book.totals[s].items()}
        out += [(s, p, bests[s]) for (s, p), q in after.items() if q > before.get((s, p), 0)]
    return out


def test_every_own_side_join_goes_to_the_own_best_queue():
    f, book = _flow(join_share=1.0, touch_weight=1.0, shape_exponent=-1.0)  # the law alone: far out
    adds = _adds(f, book, 400, 1)
    assert len(adds) == 400
    assert {px for s, px, _ in adds if s == BID} == {100} and {px for s, px, _ in adds if s == ASK} == {102}


def test_without_joins_adds_measure_from_the_opposite_best():
    f, book = _flow(join_share=0.0, touch_weight=1.0, shape_exponent=-1.0)
    adds = _adds(f, book, 400, 1)
    bids = [px for s, px, _ in adds if s == BID]
    asks = [px for s, px, _ in adds if s == ASK]
    # i >= 1 ticks from the opposite best (102 for bids, 100 for asks), spread over the law
    assert max(bids) <= 101 and max(asks) <= 140 and min(asks) >= 101 and min(bids) >= 62
    assert len(set(bids)) > 10 and len(set(asks)) > 10
    assert sum(1 for _, px, own in adds if px == own) < 0.1 * len(adds)  # few at the own best


def test_the_join_share_is_the_share_of_joins():
    f, book = _flow(join_share=0.5, touch_weight=1.0, shape_exponent=-1.0)
    adds = _adds(f, book, 2000, 1)
    at_best = sum(1 for _, px, own in adds if px == own)
    # joins (0.5) plus the law's own adds that happen to land at the own best (few: i of 1..40)
    assert 0.48 < at_best / len(adds) < 0.6


def test_no_organic_add_goes_into_a_just_emptied_level_before_its_delay():
    f, book = _flow(join_share=0.0, touch_weight=50.0, requote_ms=200.0)
    book.market(BID, 5, 10 * MS)  # empties the ask at 102 (the best ask is now 103)
    q = f.quoting
    assert (q.gap_lo[ASK], q.gap_hi[ASK]) == (102, 102) and q.gap_until[ASK] > 10 * MS
    until = q.gap_until[ASK]
    assert until - 10 * MS <= CLIP * 200 * MS
    early = _adds(f, book, 300, until - 1)
    assert all(px != 102 for _, px, _ in early)  # neither side re-forms 102
    # bids that would have gone there (1 tick under the ask: the touch weight) join the best bid
    assert sum(1 for s, px, own in early if s == BID and px == own) > 60
    f2, book2 = _flow(join_share=0.0, touch_weight=50.0, requote_ms=200.0)
    book2.market(BID, 5, 10 * MS)
    late = _adds(f2, book2, 300, f2.quoting.gap_until[ASK])  # the delay has passed
    assert any(px == 102 for _, px, _ in late)


def test_a_sweep_widens_the_gap_over_every_level_it_emptied():
    f, book = _flow(join_share=0.0, touch_weight=50.0, requote_ms=500.0)
    f.add(book, ASK, 104, 5, 0)
    book.market(BID, 10, 10 * MS)  # empties 102 and 103
    q = f.quoting
    assert (q.gap_lo[ASK], q.gap_hi[ASK]) == (102, 103)
    assert q.in_gap(102, 11 * MS) and q.in_gap(103, 11 * MS) and not q.in_gap(104, 11 * MS)
    adds = _adds(f, book, 300, 11 * MS)
    assert all(px not in (102, 103) for _, px, _ in adds)


def test_gaps_close_after_their_delay_and_a_new_one_starts_fresh():
    q = Quoting(0.0, 100.0, random.Random(1))
    q.cleared(BID, 50, 0)
    assert q.in_gap(50, 1) and not q.in_gap(49, 1) and not q.in_gap(51, 1)
    end = q.gap_until[BID]
    assert not q.in_gap(50, end)
    q.cleared(BID, 45, end + 1)  # after the first closed: not widened to 45..50
    assert (q.gap_lo[BID], q.gap_hi[BID]) == (45, 45) and not q.in_gap(50, end + 2)


def test_delays_are_lognormal_around_the_median_and_clipped():
    q = Quoting(0.0, 100.0, random.Random(7))
    delays = []
    for i in range(2000):
        t = i * 10_000 * MS  # far apart: each a fresh gap
        q.cleared(ASK, 10, t)
        delays.append((q.gap_until[ASK] - t) / MS)
    delays.sort()
    assert 85 < delays[1000] < 118 and delays[-1] <= CLIP * 100 and delays[0] > 1
    assert delays[200] < 60 and delays[1800] > 170  # sigma 0.8: the 20th/80th percentiles ~51 and ~196


def test_a_randomized_market_is_the_same_for_the_same_seed():
    d = replace(draw(10_001, quoting=True), join_share=0.8, requote_ms=300.0)

    def fp() -> str:
        m, h = Market(seed=10_001, draw=d, tickers=False), hashlib.sha256()
        for _ in range(400):
            for msg in m.advance():
                h.update(msg.raw)
        return h.hexdigest()

    assert fp() == fp()


def _fp(d, seed: int = 10_001) -> str:
    m, h = Market(seed=seed, draw=d, tickers=False), hashlib.sha256()
    for _ in range(400):
        for msg in m.advance():
            h.update(msg.raw)
    return h.hexdigest()[:16]


def test_the_quoting_fields_change_the_market_and_presets_have_none():
    fp = _fp
    d = draw(10_001, quoting=True)
    assert fp(replace(d, join_share=0.0)) != fp(replace(d, join_share=0.8))
    m = Market(seed=10_001, draw=d, tickers=False)
    for sim in m.syms.values():  # each randomized book reports its emptied levels to its flow
        assert sim.book.on_cleared == sim.flow.quoting.cleared
    m = Market("mixed", seed=1)
    for sim in m.syms.values():
        assert sim.flow.quoting is None and sim.book.on_cleared is None


def test_the_appended_fields_leave_every_earlier_field_of_every_draw_as_it_was():
    names = list(RANGES)
    assert names[-2:] == ["join_share", "requote_ms"]
    # The first 50 draws printed without the two fields, hashed before they existed.
    old = "".join(str({k: v for k, v in draw(s).as_dict().items() if k != "quoting"}) for s in range(50))
    assert hashlib.sha256(old.encode()).hexdigest()[:16] == "d819b0c90e491960"
    # With quoting the fields are there, drawn after the others (which keep their values).
    on = [draw(s, quoting=True).as_dict() for s in range(50)]
    assert all(o.pop("quoting") is True and 0 <= o.pop("join_share") <= 0.9 and 10 <= o.pop("requote_ms") <= 1000
               for o in on)
    assert "".join(map(str, on)) == old


def test_quoting_is_an_option_a_default_draw_runs_the_market_as_before():
    # The published stream of a default draw, hashed on the market before the quoting fields
    # existed: the same, whatever the (drawn, unapplied) fields say.
    for seed, want in ((10_001, "cae82e4623954864"), (10_018, "c20a15ac71d0c438")):
        d = draw(seed)
        assert not d.quoting and "join_share" not in d.as_dict() and d.as_dict()["quoting"] is False
        assert _fp(d, seed) == want
        assert _fp(replace(d, join_share=0.9, requote_ms=1000.0), seed) == want
        assert _fp(replace(d, quoting=True), seed) != want  # (applied, they move it)
        bare = MarketDraw(**{f.name: getattr(d, f.name) for f in fields(MarketDraw) if f.name != "quoting"})
        assert not bare.quoting and _fp(bare, seed) == want  # (a draw built without the flag: off)
    m = Market(seed=10_001, draw=draw(10_001), tickers=False)
    for sim in m.syms.values():
        assert sim.flow.quoting is None and sim.book.on_cleared is None


def test_a_gap_widened_late_keeps_the_later_end():
    q = Quoting(0.0, 100.0, random.Random(3))
    q.cleared(ASK, 102, 0)
    first = q.gap_until[ASK]
    q.cleared(ASK, 103, first - 1)  # just before the first closes: the second's own delay runs on
    assert (q.gap_lo[ASK], q.gap_hi[ASK]) == (102, 103) and q.gap_until[ASK] > first
    assert q.in_gap(102, first + 1)


def test_the_book_reports_a_level_only_when_a_trade_empties_it():
    book, seen = MatchingBook(), []
    book.on_cleared = lambda side, px, ts: seen.append((side, px, ts))
    book.add(ASK, 102, 5, 0)
    book.add(ASK, 103, 5, 0)
    book.add(BID, 100, 5, 0)
    book.market(BID, 3, 7)  # part of 102: nothing emptied
    assert seen == []
    book.market(BID, 4, 8)  # the rest of 102 and 2 of 103
    assert seen == [(ASK, 102, 8)]
    oid = book.add(BID, 99, 5, 9)
    book.cancel(oid)  # a cancel is not a trade
    book.add(BID, 103, 3, 10)  # a marketable limit order empties 103
    assert seen == [(ASK, 102, 8), (ASK, 103, 10)]
