"""Randomized markets (dom/sim/randomize.py): draws, their effect on the market, presets untouched."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import replace

import orjson
import pytest

from dom.sim.aggregation import WindowAggregator
from dom.sim.market import Market
from dom.sim.randomize import RANGES, draw, in_range


def test_a_seed_always_draws_the_same_market_and_seeds_differ():
    assert draw(10_000) == draw(10_000)
    assert draw(10_000) != draw(10_001)
    assert len({str(draw(s)) for s in range(50)}) == 50


def test_draws_stay_inside_the_documented_ranges_and_cover_them():
    ds = [draw(s) for s in range(400)]
    assert all(in_range(d) == [] for d in ds)
    for name, (lo, hi, how) in RANGES.items():
        vals = [getattr(d, name) for d in ds]
        if how == "choice":
            assert set(vals) == set(lo), name
        else:  # 400 draws reach both ends of the range (within 15% of its width or its log width)
            if how == "log":
                import math

                lo, hi, vals = math.log(lo), math.log(hi), [math.log(v) for v in vals]
            assert min(vals) < lo + 0.15 * (hi - lo) and max(vals) > hi - 0.15 * (hi - lo), name


def test_out_of_range_values_are_reported():
    d = replace(draw(3), iceberg_jitter=0.5, depth_ms=300)
    assert set(in_range(d)) == {"iceberg_jitter", "depth_ms"}


def test_a_draw_prints_as_a_dict():
    d = draw(7)
    assert ast.literal_eval(str(d)) == d.as_dict()
    assert d.as_dict()["seed"] == 7


def _fingerprint(m: Market, steps: int) -> str:
    h = hashlib.sha256()
    for _ in range(steps):
        for msg in m.advance():
            h.update(msg.raw)
    return h.hexdigest()[:16]


@pytest.mark.parametrize("name,seed,want", [("mixed", 1, "e22f4ba426c6a409"), ("smallcap", 2, "7711a809bbe5a663")])
def test_presets_publish_what_they_did_before_randomization(name, seed, want):
    # Fingerprints of the first 30 s (600 steps) taken before dom/sim/randomize.py existed.
    assert _fingerprint(Market(name, seed=seed, injection_rate=1 / 5), 600) == want


def test_a_randomized_market_follows_its_draw_and_labels_every_kind():
    d = draw(10_005)
    m = Market(seed=10_005, draw=d, injection_rate=1 / 4, tickers=False)
    assert m.depth_ms == d.depth_ms
    assert [s.spec.symbol for s in m.syms.values()][0] == "BTCUSDT"
    pushes = []
    for _ in range(2400):
        pushes += [msg.t_ns for msg in m.advance() if msg.stream.startswith("btcusdt@depth")]
    m.close_labels()
    gaps = {b - a for a, b in zip(pushes, pushes[1:])}
    assert min(gaps) == d.depth_ms * 1_000_000  # pushed at the drawn interval
    kinds = {lab["kind"] for lab in m.labels if lab["detectable_from_ns"] is not None}
    assert {"wall", "absorption"} <= kinds
    # Its one spoof pulled as price came (10 ticks out, pulled at 2) went in a spike by the
    # oracle's rule (the last second with the current mid): not detectable. Each such pull is
    # detectable unless in a spike or approached by under two ticks.
    came = [lab for lab in m.labels if lab["kind"] == "spoof" and lab["params"]["outcome"] == "pulled_on_approach"]
    assert came and all((lab["detectable_from_ns"] is None) == (lab["params"]["in_spike"] or lab["params"][
        "d0_ticks"] - lab["params"]["distance_at_pull_ticks"] < 2) for lab in came)
    # This draw's touch is crowded: its icebergs' refills are labelled, but none is visible
    # twice in these two minutes (the oracle: two visible refills make one detectable).
    ice = [lab for lab in m.labels if lab["kind"] == "iceberg"]
    assert ice and all(lab["params"]["visible_refills"] <= lab["params"].get("refills", 1 << 30) for lab in ice)
    assert all(lab["params"]["visible_refills"] >= 2 for lab in ice if lab["detectable_from_ns"] is not None)
    assert {lab["params"]["decoy"] for lab in m.labels if lab["kind"] == "decoy"} >= {"mm_ladder", "hidden_fills"}
    ice = [lab for lab in m.labels if lab["kind"] == "iceberg"]
    assert all(lab["params"]["peak_jitter"] == d.iceberg_jitter for lab in ice)
    # Same seed, same draw: the same market.
    again = Market(seed=10_005, draw=d, injection_rate=1 / 4, tickers=False)
    assert _fingerprint(again, 200) == _fingerprint(Market(seed=10_005, draw=d, injection_rate=1 / 4, tickers=False), 200)


def _prints(window_ms: int, seconds: int = 60) -> tuple[list[dict], int]:
    d = replace(draw(10_007), agg_window_ms=window_ms)
    m = Market(seed=10_007, draw=d, tickers=False)
    prints = []
    for _ in range(seconds * 20):
        prints += [orjson.loads(msg.raw) for msg in m.advance() if "aggTrade" in msg.stream]
    return prints, m.syms["BTCUSDT"].fill_id


def test_the_aggregation_window_merges_taker_orders_into_fewer_prints_of_the_same_fills():
    per_order, _ = _prints(0)
    merged, _ = _prints(100)
    for prints in (per_order, merged):
        btc = [p for p in prints if p["s"] == "BTCUSDT"]
        # fill ids stay contiguous across prints: every fill is in exactly one print
        assert all(b["f"] == a["l"] + 1 for a, b in zip(btc, btc[1:]))
    btc0 = [p for p in per_order if p["s"] == "BTCUSDT"]
    btc1 = [p for p in merged if p["s"] == "BTCUSDT"]
    assert len(btc1) < len(btc0)
    n1 = btc1[-1]["l"]  # the same fills up to the last merged print (the market itself is the same)
    assert sum(float(p["q"]) for p in btc1) == pytest.approx(sum(float(p["q"]) for p in btc0 if p["l"] <= n1))
    assert max(p["l"] - p["f"] for p in btc1) > max(p["l"] - p["f"] for p in btc0)


def test_window_aggregator_merges_one_price_and_side_within_the_window():
    a = WindowAggregator(100)
    ms = 1_000_000
    assert a.add(0, 50, 0, 3, 1) is None
    assert a.add(60 * ms, 50, 0, 2, 2) is None  # same price and side, inside 100 ms: merged
    assert a.add(120 * ms, 50, 0, 1, 1) == [0, 60 * ms, 50, 0, 5, 3]  # window passed: a new print
    assert a.add(130 * ms, 50, 1, 4, 1) == [120 * ms, 120 * ms, 50, 0, 1, 1]  # other side
    assert a.due(200 * ms) is None and a.due(230 * ms) == [130 * ms, 130 * ms, 50, 1, 4, 1]


class _Sim:
    def __init__(self, randomized: bool) -> None:
        self.depth_ns = 100_000_000
        self.draw = draw(1) if randomized else None
        self.pub = ({5000: 4000}, {})  # the published bids: 4,000 lots at 5000 before the refill
        self.traded_at = {(0, 5000): 0}


def _iceberg(randomized: bool = True):
    from dom.sim.iceberg_agent import IcebergAgent

    a = IcebergAgent.__new__(IcebergAgent)  # only what the oracle reads
    a.sim, a.side, a.px, a.visible, a.refills, a.unpublished = _Sim(randomized), 0, 5000, [], [], []
    a.watch, a.pub_level, a.detectable_from = ((0, 5000) if randomized else None), 4000, None
    a.churn = []
    return a


def _push(a, t, level, traded=0):
    a.sim.pub[0][5000] = level
    a.sim.traded_at[(0, 5000)] = traded
    a.on_publish(t)
    a.sim.traded_at[(0, 5000)] = 0


def test_an_iceberg_refill_is_visible_when_the_push_after_it_shows_about_the_slice():
    """The detectability oracle (DETECTORS.md §4) asks what the published stream shows. The presets:
    two refills in one depth interval show as one add. A randomized market (whose touch may hold
    most of the book): the push after a refill must show at the level (what traded there plus its
    change) about the slice, within 30%, from that one refill; other orders joining in the same
    interval blur it, however small the queue was at the instant of the refill."""
    a = _iceberg(randomized=False)
    assert a._visible(5_010_000_000)
    a.visible.append(5_010_000_000)
    assert not a._visible(5_090_000_000)  # same 100 ms depth interval as the last one
    assert a._visible(5_110_000_000)

    a = _iceberg()
    a._refilled(5_010_000_000, 1000)
    _push(a, 5_100_000_000, 4900, traded=200)  # +900 shown, 200 traded: 1,100 seen, the slice
    assert a.visible == [5_010_000_000] and a.detectable_from is None
    a._refilled(5_130_000_000, 1000)
    _push(a, 5_200_000_000, 4900 + 1000 + 1500)  # 1,500 of others joined in the interval
    assert a.visible == [5_010_000_000]
    a._refilled(5_220_000_000, 1000)
    a._refilled(5_260_000_000, 950)
    _push(a, 5_300_000_000, 7400 + 1950)  # two refills in one push: their sum
    assert a.visible == [5_010_000_000]
    _push(a, 5_400_000_000, 9350)  # nothing pending: nothing seen
    a._refilled(5_410_000_000, 1000)
    _push(a, 5_500_000_000, 9350 + 800)  # 800 seen for a 1,000 slice: within 30%
    assert a.visible == [5_010_000_000, 5_410_000_000]
    assert a.detectable_from == 5_500_000_000  # shown by that push
    assert len(a.refills) == 5


def test_an_iceberg_is_not_detectable_while_the_levels_own_churn_shows_its_slice_as_often():
    """Two visible refills make an iceberg detectable only when they outnumber the level's pushes
    without a refill of the order that showed an add within 30% of the slice: where the level's
    joins and cancels put that add up as often, L2 cannot tell which adds were the order's."""
    a = _iceberg()
    level = 4000
    for i, add in enumerate((1100, -300, 900, 0, 2500)):  # no refill of ours: two adds like the slice
        level += add
        _push(a, 5_000_000_000 + i * 100_000_000, level)
    assert a.churn == [1100, -300, 900, 0, 2500]
    for k in range(2):  # two visible refills, no more than the churn's two slice-sized adds
        a._refilled(5_510_000_000 + k * 200_000_000, 1000)
        level += 1000
        _push(a, 5_600_000_000 + k * 200_000_000, level)
        _push(a, 5_700_000_000 + k * 200_000_000, level)  # a quiet push between
    assert len(a.visible) == 2 and a.detectable_from is None
    a._refilled(5_910_000_000, 1050)
    _push(a, 6_000_000_000, level + 1050)  # a third: more refills than churn that looked like one
    assert len(a.visible) == 3 and a.detectable_from == 6_000_000_000
