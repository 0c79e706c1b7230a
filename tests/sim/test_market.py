"""The built-in market's self-checks: what it publishes rebuilds its own book, exactly."""

import hashlib

import pytest

from dom.core.engine import Engine
from dom.core.types import BookDelta, SnapshotRequest
from dom.venues.binance_usdm.codec import BinanceDecoder
from dom.sim.market import Market
from dom.sim.matching import MatchingBook


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_published_diffs_rebuild_the_true_book_at_every_update(seed):
    m = Market("mixed", seed=seed)
    dec = BinanceDecoder(m.instruments)
    eng = Engine(m.instruments)
    for s in m.syms:  # snapshot first, as a client that connected before anything happened
        eng.feed(dec.decode_snapshot(s, m.snapshot_body(s), 0))
    checked = 0
    for _ in range(600):  # 30 s of market
        for msg in m.advance():
            for ev in dec.decode(msg.raw, msg.t_ns):
                assert not isinstance(eng.feed(ev), SnapshotRequest)
                if isinstance(ev, BookDelta):
                    st = eng[ev.symbol]
                    bids, asks, u = m.published_book(ev.symbol)
                    assert st.synced and u == ev.last_id
                    assert st.book.bids.levels == bids and st.book.asks.levels == asks
                    checked += 1
        for sim in m.syms.values():
            assert sim.book.check_totals()  # level totals = sum of orders; never crossed
    assert checked > 1000
    assert all(st.stats.gaps == 0 for st in eng.symbols.values())


def test_every_trade_is_backed_by_resting_liquidity():
    seen = []

    class Recording(MatchingBook):
        __slots__ = ()

        def take_fills(self):
            f = MatchingBook.take_fills(self)
            seen.extend(f)
            return f

    m = Market("smallcap", seed=5)
    m.syms["KITEUSDT"].book.__class__ = Recording
    for _ in range(600):
        m.advance()
    assert len(seen) > 50
    # Each fill took at most what its maker order showed at that moment (hidden reserve is
    # shown only through a refill), so nothing trades that was not resting.
    for ts, px, qty, side, owner, shown in seen:
        assert 0 < qty <= shown


def test_same_seed_same_bytes():
    def digest(seed):
        h = hashlib.sha256()
        for recv, msg in Market("mixed", seed=seed).frames(20):
            h.update(b"%d %s\n" % (recv, msg.raw))
        return h.hexdigest()

    assert digest(11) == digest(11)
    assert digest(11) != digest(12)


def test_labels_follow_the_contract():
    m = Market("mixed", seed=5, injection_rate=1 / 5)
    for _ in m.frames(90):
        pass
    m.close_labels()
    kinds = {lab["kind"] for lab in m.labels}
    assert kinds >= {"wall", "iceberg", "spoof", "absorption"}
    for lab in m.labels:
        assert set(lab) == {"id", "kind", "symbol", "side", "price", "t_start_ns", "t_end_ns", "params", "detectable_from_ns"}
        assert lab["t_end_ns"] >= lab["t_start_ns"] and lab["side"] in ("bid", "ask")
        inst = m.syms[lab["symbol"]].inst
        inst.px(lab["price"])  # a price on the symbol's tick grid
        if lab["kind"] == "iceberg":
            assert lab["params"]["refill_mode"] in ("native", "synthetic", "after_fill")
    assert len({lab["id"] for lab in m.labels}) == len(m.labels)


def test_decoys_are_labelled_and_injection_free_runs_have_only_decoys():
    m = Market("mixed", seed=8, injection_rate=1 / 5)
    for _ in m.frames(120):
        pass
    m.close_labels()
    decoys = {lab["params"]["decoy"] for lab in m.labels if lab["kind"] == "decoy"}
    assert decoys == {"round_number_refill", "mm_ladder", "hidden_fills", "risk_off_pull"}
    assert all(lab["detectable_from_ns"] is None for lab in m.labels if lab["kind"] == "decoy")
    clean = Market("mixed", seed=8, injection_rate=1 / 5, injections=False)
    for _ in clean.frames(60):
        pass
    clean.close_labels()
    # No injections: only decoys, and the sweeps the background's own takers made (labelled from
    # the true fills in every run, dom/sim/news.py).
    assert clean.labels and {lab["kind"] for lab in clean.labels} - {"sweep"} == {"decoy"}
