"""A step window's per-message state (step_state.py): the C ``StepStore`` against its pure-Python
twin ``StepState`` call by call, each rule at its edge on both, what C declines (nothing changed,
the window moved to the twin, nothing lost), memory and references; and the detectors on a random
market message by message with the C store and with the twin."""

import gc
import math
import random
import sys
import tracemalloc
from types import SimpleNamespace

import pytest

from dom.core import accel
from dom.core.detectors import steps
from dom.core.detectors.step_state import KEEP_NS, SAME_NS, StepState, as_twin, make_state
from dom.core.detectors.steps import LargeSteps
from dom.core.types import BookSide

BID, ASK = BookSide.BID, BookSide.ASK
SEC = 1_000_000_000
NATIVE = accel.native
needs_c = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (or DOM_PURE_PYTHON=1)")


class _Book:
    """What the pass reads of a symbol: ``sym.book.bids.best_px()`` and the asks' (settable)."""

    def __init__(self, bid=1000, ask=1001):
        self.bb, self.ba = bid, ask
        self.book = SimpleNamespace(bids=SimpleNamespace(best_px=lambda: self.bb),
                                    asks=SimpleNamespace(best_px=lambda: self.ba))
        self.stats = SimpleNamespace(applied=0)

    def message(self):
        self.stats.applied += 1


def _stores(ticks=10, tol=0.15):
    return NATIVE.StepStore(BID, ASK, ticks, tol), StepState(BID, ASK, ticks, tol)


def _changes(rng, sym, n):
    out = []
    for _ in range(n):
        side = BID if rng.random() < 0.5 else ASK
        px = (sym.bb or 1000) - rng.randrange(-3, 40) if side is BID else (sym.ba or 1001) + rng.randrange(-3, 40)
        old = rng.choice((0, rng.randrange(1, 3000)))
        inc = rng.choice((int(rng.paretovariate(1.2) * 200), rng.randrange(0, 4000), 500, 575, 425))
        out.append((side, px, old, old + rng.choice((-1, 1, 1)) * inc))
    return out


@needs_c
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_c_store_is_the_twin_call_by_call(seed):
    """Random messages (steps over and under each floor, in and out of each band, orders moving
    within and past the reach, a side empty now and then), for one store and for two paired, with
    reads and cleanings between: the same answers and the same state after every call."""
    rng = random.Random(seed)
    sym = _Book()
    ticks, tol = rng.choice((0, 1, 3, 10)), rng.choice((0.0, 0.15, 0.5, 1.0, -0.2))
    (ca, pa), (cb, pb) = _stores(ticks, tol), _stores(rng.choice((2, 10)), 0.15)
    now = 0
    moved = taken = most_at = 0
    for i in range(4000):
        now += rng.choice((0, 1, SEC // 10, SEC, 3 * SEC, SAME_NS, SAME_NS + 1, 40 * SEC if rng.random() < 0.02 else 1))
        if rng.random() < 0.05:
            sym.bb, sym.ba = rng.choice((None, 1000, 990)), rng.choice((None, 1001, 1012))
        chs = _changes(rng, sym, rng.randrange(0, 12))
        fa, fb = rng.choice((0, 100, 499, 500)), rng.choice((0, 200, 500))
        ha, hb = rng.choice((0, 5, 20, 100)), rng.choice((2, 30))
        if rng.random() < 0.5:
            got, want = ca.observe(cb, chs, sym, now, fa, ha, fb, hb), pa.observe(pb, chs, sym, now, fa, ha, fb, hb)
        else:
            got, want = ca.observe(None, chs, sym, now, fa, ha, 0, 0), pa.observe(None, chs, sym, now, fa, ha, 0, 0)
        assert got == want, i
        taken += sum(len(x) for x in want or () if x)
        for _ in range(3):
            side, px = rng.choice((BID, ASK)), rng.randrange(950, 1060)
            t = now + rng.choice((0, KEEP_NS, KEEP_NS + 1, -5 * SEC))
            assert ca.recent(side, px, t) == pa.recent(side, px, t), i
        if rng.random() < 0.2:
            t = now + rng.choice((0, KEEP_NS))
            assert ca.clean(t) is None and pa.clean(t) is None
        assert ca.state() == pa.state() and cb.state() == pb.state(), i
        most_at = max(most_at, len(pa.state()[1]))
        new = {(c[0], c[1], c[3] - c[2]) for c in chs}
        moved += sum(1 for x in pa.state()[0] if x[0] == now and x[1:4] not in new)  # (a record that followed its order)
    assert taken > 500 and most_at > 20 and moved > 50  # (steps taken, levels remembered, orders moved)


@pytest.mark.parametrize("c", [False, True])
def test_each_rule_at_its_edge(c):
    """The band and NEAR_TICKS, the floor, the move reach, the size tolerance, the first kept step
    that fits, SAME_NS, KEEP_NS and the cleaning, each exactly at its edge (on each store)."""
    if c and NATIVE is None:
        pytest.skip("no accelerator")
    sym = _Book(1000, 1001)
    st = NATIVE.StepStore(BID, ASK, 10, 0.15) if c else StepState(BID, ASK, 10, 0.15)
    S = SAME_NS

    def see(t, *chs, floor=0):
        return st.observe(None, list(chs), sym, t, floor, 20, 0, 0)

    # a band of 20: the bid's range 980..998, the ask's 1003..1021
    assert see(0, (BID, 999, 0, 500), (ASK, 1002, 0, 500), (BID, 979, 0, 500), (ASK, 1022, 0, 500)) is None
    assert see(0, (BID, 998, 0, 500), (ASK, 1021, 0, 500), (BID, 980, 100, 600)) == ([500, 500, 500], None)
    assert st.state()[0] == [(0, BID, 998, 500, 425, 575), (0, ASK, 1021, 500, 425, 575), (0, BID, 980, 500, 425, 575)]
    assert see(1, (BID, 990, 0, 300), floor=300) is None  # exactly the floor: not over it
    # 575 at 10 ticks from 998: that order moved (no sample; its record follows it)
    assert see(2, (BID, 988, 0, 575)) is None
    assert st.state()[0][0] == (2, BID, 988, 500, 425, 575)
    assert see(3, (BID, 998, 0, 576)) == ([576], None)  # past the tolerance: a new order
    assert st.state()[0][3] == (3, BID, 998, 576, 490, 662)
    assert see(4, (BID, 998, 0, 425)) is None  # 425 at 10 ticks: moved back
    assert st.state()[0][0] == (4, BID, 998, 500, 425, 575)
    assert see(5, (BID, 987, 0, 500)) is None  # 11 ticks from the first kept bid: the next that fits moved
    assert st.state()[0][2] == (5, BID, 987, 500, 425, 575)
    assert see(5, (BID, 987, 0, 500)) == ([500], None)  # (at its own level: not a move)
    # SAME_NS: a kept step leaves once it and every step kept before it are older (looked at when a step is taken)
    assert see(4 + S, (ASK, 1010, 0, 5000)) == ([5000], None)
    assert len(st.state()[0]) == 6  # (the first, at 4, is exactly SAME_NS old: kept)
    assert see(5 + S, (ASK, 1011, 0, 9000)) == ([9000], None)
    assert [x[:3] for x in st.state()[0]] == [(5, BID, 987), (3, BID, 998), (5, BID, 987), (4 + S, ASK, 1010),
                                             (5 + S, ASK, 1011)]  # (3 stays: 5 was kept before it)
    # a level's largest recent step: KEEP_NS, then any step replaces it
    assert st.recent(BID, 980, KEEP_NS) == (0, 500) and st.recent(BID, 980, KEEP_NS + 1) == (0, 0)
    assert st.recent(ASK, 1010, 4 + S) == (4 + S, 5000) and st.recent(ASK, 1010, 3 + S) == (4 + S, 5000)
    see(6 + S, (ASK, 1010, 0, 4000))
    assert st.recent(ASK, 1010, 6 + S) == (4 + S, 5000)  # smaller and recent: the largest stays
    see(4 + S + KEEP_NS, (ASK, 1010, 0, 3000))
    assert st.state()[1][(ASK, 1010)] == (4 + S, 5000)  # exactly KEEP_NS old: stays
    t = 5 + S + KEEP_NS
    see(t, (ASK, 1010, 0, 3000))
    assert st.state()[1][(ASK, 1010)] == (t, 3000)  # older: replaced
    sym.bb = None  # no best bid: no bid step taken
    assert see(t, (BID, 990, 0, 99_999)) is None
    # the cleaning: levels older than KEEP_NS forgotten (t - KEEP_NS itself kept), then not again for 10 s
    st.clean(t)
    assert st.state()[1] == {(ASK, 1010): (t, 3000), (ASK, 1011): (5 + S, 9000)}
    assert st.state()[2] == t + 10 * SEC
    see(t + 10 * SEC, (ASK, 1015, 0, 20_000))
    st.clean(t + 10 * SEC - 1)
    assert len(st.state()[1]) == 3 and st.state()[2] == t + 10 * SEC
    st.clean(t + 10 * SEC + KEEP_NS)
    assert st.state()[1] == {(ASK, 1015): (t + 10 * SEC, 20_000)} and st.state()[2] == t + 20 * SEC + KEEP_NS
    st.clean(t + 30 * SEC + 2 * KEEP_NS)
    assert st.state()[1] == {} and st.state()[2] == t + 40 * SEC + 2 * KEEP_NS
    st.clean(t + 100 * SEC + 2 * KEEP_NS)  # (nothing to clean: the next cleaning not moved)
    assert st.state()[2] == t + 40 * SEC + 2 * KEEP_NS


@needs_c
def test_the_window_reads_the_best_prices_once_and_only_when_a_step_is_over_the_floor():
    calls = []
    sym = SimpleNamespace(book=SimpleNamespace(bids=SimpleNamespace(best_px=lambda: calls.append("b") or 1000),
                                               asks=SimpleNamespace(best_px=lambda: calls.append("a") or 1001)))
    for st in _stores():
        calls.clear()
        assert st.observe(None, [(BID, 990, 0, 50), (ASK, 1010, 100, 0)], sym, 0, 100, 20, 0, 0) is None
        assert calls == []
        st.observe(None, [(BID, 990, 0, 500), (ASK, 1010, 0, 500)], sym, 0, 100, 20, 0, 0)
        assert calls == ["b", "a"]


def _junk():
    big = 1 << 60
    ok = (BID, 990, 0, 500)
    return [
        ("not a list", (ok,)),
        ("a 3-tuple", [(BID, 990, 500)]),
        ("a list, not a tuple", [[BID, 990, 0, 500]]),
        ("a float price", [(BID, 990.0, 0, 500)]),
        ("a bool size", [(BID, 990, False, 500)]),
        ("NaN", [(BID, 990, 0, math.nan)]),
        ("a price past 2^60", [(BID, big + 1, 0, 500)]),
        ("a size past 2^60", [(BID, 990, 0, big + 1)]),
        ("10^30", [(BID, 990, 0, 10**30)]),
        ("a junk side over the floor", [("bid", 990, 0, 500)]),
        ("nested junk", [ok, (BID, (1, [2]), 0, {"x": 1})]),
        ("a string", [(BID, "990", 0, 500)]),
    ]


@needs_c
@pytest.mark.parametrize("what, chs", _junk())
def test_c_declines_junk_changes_and_changes_nothing(what, chs):
    sym = _Book()
    st, tw = _stores()
    st.observe(None, [(BID, 995, 0, 700), (ASK, 1005, 0, 900)], sym, SEC, 0, 20, 0, 0)
    before = st.state()
    refs = [sys.getrefcount(x) for x in (BID, ASK, sym)]
    got = st.observe(None, chs, sym, 2 * SEC, 0, 20, 0, 0), st.observe(tw, [(BID, 990, 0, 500)], sym, 2 * SEC, 0, 20, 0, 0)
    after = [sys.getrefcount(x) for x in (BID, ASK, sym)]
    assert got == (NotImplemented, NotImplemented), what  # (the second: a twin paired with C)
    assert after == refs
    assert st.state() == before


@needs_c
def test_c_declines_junk_arguments_and_best_prices():
    sym = _Book()
    st, _tw = _stores()
    ok = [(BID, 990, 0, 500)]
    for args in [(1.0, 0, 20, 0, 0), (0, 0.0, 20, 0, 0), (0, 0, 20, 0, None), (1 << 61 + 1, 0, 20, 0, 0), (True, 0, 20, 0, 0),
                 (0, 1 << 61, 20, 0, 0), (0, 0, 10**30, 0, 0)]:
        assert st.observe(None, ok, sym, *args) is NotImplemented, args
    for bb in (990.5, 1 << 61, "990", math.nan):
        sym.bb = bb
        assert st.observe(None, ok, sym, 0, 0, 20, 0, 0) is NotImplemented, bb
    assert st.state() == ([], {}, 0)
    for bad in ((BID, 990.0, 0), (BID, True, 0), (BID, 990, 1.0)):
        assert st.recent(*bad) is NotImplemented
    assert st.recent("bid", 990, 0) == (0, 0) and st.recent(BID, 1 << 70, 0) == (0, 0)
    assert st.clean(1 << 62) is NotImplemented and st.clean(0.0) is NotImplemented
    with pytest.raises(TypeError):
        st.observe(None, ok, sym, 0, 0, 20)
    with pytest.raises(AttributeError):
        st.observe(None, ok, object(), 0, 0, 20, 0, 0)  # (the twin raises the same)
    with pytest.raises(ValueError):
        NATIVE.StepStore(BID, ASK, 10, math.nan)
    with pytest.raises(ValueError):
        NATIVE.StepStore(BID, ASK, -1, 0.15)
    assert type(make_state(BID, ASK, 10, 2.0)) is StepState and type(make_state(BID, ASK, 10, 0)) is StepState
    assert type(make_state(BID, ASK, 10, 0.15)) is NATIVE.StepStore
    assert st.state() == ([], {}, 0)


@needs_c
def test_a_window_handed_what_c_declines_moves_to_the_twin_and_loses_nothing():
    """The same messages through a window on C (one of them carrying a float size, which C
    declines) and a window on the twin from the start: the same state, samples and answers."""
    rng = random.Random(11)
    syms = [_Book(), _Book()]
    wins = [LargeSteps(syms[0], 3, 60), LargeSteps(syms[1], 3, 60)]
    wins[1].st = StepState(BID, ASK, 10, 0.15)
    assert type(wins[0].st) is NATIVE.StepStore
    for i in range(600):
        chs = _changes(rng, syms[0], rng.randrange(0, 8))
        if i == 300:
            chs.append((BID, 995, 0.0, 1e7))
        for sym, w in zip(syms, wins):
            sym.message()
            w.observe(chs, i * SEC // 4)
            if i % 4 == 0:
                w.refresh(i * SEC // 4, 30)
        assert wins[0].st.state() == wins[1].st.state(), i
        assert wins[0].samples.sorted == wins[1].samples.sorted
        assert type(wins[0].st) is (NATIVE.StepStore if i < 300 else StepState)
        if i == 300:
            assert 1e7 in wins[0].samples.sorted and 1e7 in wins[1].samples.sorted


@needs_c
def test_a_paired_window_moves_to_the_twin_with_its_pair():
    """A read C declines (a float price) moves the window and its pair to the twin together (the
    paired pass runs on two stores of one kind); they go on holding what two twins hold."""
    rng = random.Random(13)
    syms = [_Book(), _Book()]
    c = [LargeSteps(syms[0], 3, 60), LargeSteps(syms[0], 5, 60)]
    p = [LargeSteps(syms[1], 3, 60), LargeSteps(syms[1], 5, 60)]
    for w in p:
        w.st = StepState(BID, ASK, 10, 0.15)
    steps.pair(*c)
    steps.pair(*p)
    for i in range(400):
        chs = _changes(rng, syms[0], rng.randrange(0, 8))
        for sym, (a, b) in zip(syms, (c, p)):
            sym.message()
            a.observe(chs, i * SEC // 4)
            b.observe(chs, i * SEC // 4)
            if i % 4 == 0:
                a.refresh(i * SEC // 4, 30)
                b.refresh(i * SEC // 4, 25)
            if i == 200:
                assert a.recent(BID, 990.0, i * SEC // 4) == a.recent(BID, 990, i * SEC // 4)  # (the first to observe)
        for x, y in zip(c, p):
            assert x.st.state() == y.st.state() and x.samples.sorted == y.samples.sorted, i
        assert [type(x.st) for x in c] == [NATIVE.StepStore if i < 200 else StepState] * 2


def test_as_twin_holds_what_the_store_holds():
    sym = _Book()
    src = make_state(BID, ASK, 10, 0.15)
    rng = random.Random(3)
    for i in range(200):
        src.observe(None, _changes(rng, sym, 6), sym, i * SEC, 0, 30, 0, 0)
    tw = as_twin(src, BID, ASK, 10, 0.15)
    assert tw.state() == src.state() and tw.state()[0]
    # the twin's per-side lists are the same records as its list in the order kept
    assert all(x is y for x, y in zip([x for x in tw.last if x[1] is BID], tw.last_side[BID]))
    chs = _changes(rng, sym, 10)
    assert tw.observe(None, chs, sym, 200 * SEC, 0, 30, 0, 0) == src.observe(None, chs, sym, 200 * SEC, 0, 30, 0, 0)
    assert tw.state() == src.state()


@needs_c
def test_memory_stays_bounded_and_references_steady():
    """Three hours of messages at 4 a second, 4 steps each across 2,000 prices: the kept steps stay
    within SAME_NS's worth, the levels within KEEP_NS and a cleaning's, the store's own memory
    (tracemalloc sees PyMem) does not grow; the objects the store reads and returns hold as many
    references after as before, and a store gives its sides back when it goes."""
    rng = random.Random(5)
    sym = _Book()
    st = NATIVE.StepStore(BID, ASK, 10, 0.0)  # (a tolerance of 0: orders hardly ever move, so the
    # kept steps leave on time; a kept step that keeps moving holds those after it, in C as in the twin)
    chs0 = [(BID, 990, 0, 500)]
    gc.collect()
    refs = [sys.getrefcount(x) for x in (BID, ASK, sym, chs0[0], chs0)]
    most_kept = most_at = 0
    tracemalloc.start()
    for i in range(40_000):
        now = i * SEC // 4
        chs = [(BID if rng.random() < 0.5 else ASK, rng.randrange(-1000, 1000) + (0 if rng.random() < 0.5 else 1001),
                0, rng.randrange(100, 5000)) for _ in range(3)]
        st.observe(None, chs, sym, now, 50, 2000, 0, 0)
        st.observe(None, chs0, sym, now, 50, 20, 0, 0)
        st.recent(BID, 990, now)
        if i % 4 == 0:
            st.clean(now)
        if i % 1000 == 0:
            kept, at, _ = st.state()
            most_kept, most_at = max(most_kept, len(kept)), max(most_at, len(at))
            del kept, at
        if i == 10_000:
            gc.collect()
            mem = tracemalloc.get_traced_memory()[0]
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - mem
    tracemalloc.stop()
    assert most_kept <= 2 * 4 * 4 * (SAME_NS // SEC + 1)  # (4 messages a second, 4 steps each)
    assert 200 < most_at <= 4 * 4 * (KEEP_NS + 10 * SEC) // SEC
    assert grown < 64 * 1024
    del chs  # (the last message's changes hold their sides)
    gc.collect()
    assert [sys.getrefcount(x) for x in (BID, ASK, sym, chs0[0], chs0)] == refs
    before = [sys.getrefcount(x) for x in (BID, ASK)]
    stores = [NATIVE.StepStore(BID, ASK, 10, 0.15) for _ in range(100)]
    del stores
    assert [sys.getrefcount(x) for x in (BID, ASK)] == before


@needs_c
def test_c_reads_a_book_side_s_best_price_from_its_index_as_best_px_gives_it():
    """A real book's sides (flat index, tree index past FLAT_MAX levels, empty) read directly; a
    side laid out otherwise (no index, a factor not +-1) through its best_px(): the same pass."""
    from dom.core.book import BookSideLevels
    from dom.core.price_index import FLAT_MAX

    def pass_over(bids, asks):
        sym = SimpleNamespace(book=SimpleNamespace(bids=bids, asks=asks))
        c, p = _stores()
        chs = [(BID, 990 + d, 0, 500 + d) for d in range(-15, 12)] + [(ASK, 1010 + d, 0, 700 + d) for d in range(-12, 15)]
        got = c.observe(None, chs, sym, SEC, 0, 20, 0, 0)
        assert got == p.observe(None, chs, sym, SEC, 0, 20, 0, 0) and c.state() == p.state()
        return got

    bids, asks = BookSideLevels(BID), BookSideLevels(ASK)
    assert pass_over(bids, asks) is None  # (both sides empty: nothing in a band)
    bids.load([(1000, 5), (995, 7)])
    asks.load([(1001, 5), (1030, 7)])
    assert bids._index.flat is not None and asks._index.flat is not None
    flat = pass_over(bids, asks)
    assert flat[0] and min(x for x in flat[0] if x < 600) == 500 - 15 + 5  # (980 = 1000 - 20: the bid's edge)
    bids.load([(1000 - i, 5) for i in range(FLAT_MAX + 5)])
    asks.load([(1001 + i, 5) for i in range(FLAT_MAX + 5)])
    assert bids._index.flat is None  # (a tree: read through best_px())
    assert pass_over(bids, asks) == flat
    odd = BookSideLevels(BID)
    odd.load([(1000, 5)])
    odd._r = 2  # (not the layout C knows: best_px() gives 2 x 1000, so no bid step is in its band)
    assert pass_over(odd, asks)[0] == [x for x in flat[0] if x > 600]
    assert pass_over(SimpleNamespace(best_px=lambda: 1000), SimpleNamespace(best_px=lambda: 1001)) == flat


@needs_c
def test_the_pass_holds_no_reference_it_does_not_give_back():
    """The best prices read, the book's objects, the changes, the sides, the other store: as many
    references after 3,000 passes (half of them declined at a best price C does not take) as before."""
    bb, ba = 10**12 + 0, 10**12 + 1  # (ints of their own, not the interpreter's cached small ones)
    bids, asks = SimpleNamespace(best_px=lambda: bb), SimpleNamespace(best_px=lambda: ba)
    book = SimpleNamespace(bids=bids, asks=asks)
    sym = SimpleNamespace(book=book)
    a, b = _stores()[0], _stores()[0]
    chs = [(BID, bb - 5, 0, 500), (ASK, ba + 5, 0, 700), (BID, bb - 6, 100, 50)]
    watch = (bb, ba, bids, asks, book, sym, chs, chs[0], BID, ASK, a, b)
    gc.collect()
    refs = [sys.getrefcount(x) for x in watch]
    for i in range(3000):
        got = a.observe(b if i % 2 else None, chs, sym, i * SEC, 0, 20, 0, 30)
        assert got is not NotImplemented
        del got
        bids.best_px = (lambda: 0.5) if i % 2 else (lambda: bb)  # (a float: declined after the read)
        assert a.observe(None, chs, sym, i * SEC, 0, 20, 0, 0) is NotImplemented or i % 2 == 0
        bids.best_px = lambda: bb
    gc.collect()
    assert [sys.getrefcount(x) for x in watch] == refs


@needs_c
@pytest.mark.parametrize("seed, params", [
    (1, {}),
    (2, {"wall_ratio": 4.0, "spoof_ratio": 3.0, "spoof_min_flow_share": 0.0, "wall_persist_ms": 500}),
    (6, {"spoof_step_rank": 0}),
    (7, {"wall_step_rank": 0, "spoof_ratio": 3.0, "spoof_min_flow_share": 0.0}),
])
def test_the_detectors_act_the_same_on_the_c_store_and_on_the_twin(seed, params, monkeypatch):
    """The walls and pulled liquidity on a random market (test_changes_pick's), message by
    message: alerts, walls, candidates, pulls and both step windows (samples, levels' steps, kept
    steps) the same with the windows on C (which took every message) and on the twin."""
    from tests.core.detectors.test_changes_pick import _market

    made = []
    real = steps.make_state

    def spy(*a):
        made.append(real(*a))
        return made[-1]

    monkeypatch.setattr(steps, "make_state", spy)
    got = _market(seed, False, monkeypatch, **params)
    assert made and all(type(x) is NATIVE.StepStore for x in made)
    monkeypatch.setattr(steps, "make_state", lambda *a: StepState(*a))
    want = _market(seed, False, monkeypatch, **params)
    assert got[1] == want[1]
    assert got[0] == want[0]
    assert any(st[3] and st[3][2] for st in want[1]) or any(st[4] and st[4][2] for st in want[1])
