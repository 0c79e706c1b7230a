"""The bursts' hook reading ``_judge``'s rule in C (_native_bst_rule.c) when the window reaches a
burst's volume: on random markets, with several sets of params, the same alerts and state after
every event as the detector's own methods, with far fewer ``_judge`` calls; the detector's state
changed under the hook (its params, its deques, a sum of another type) is read as the method reads
it; and the rule kits C refuses."""

from __future__ import annotations

import dataclasses

import pytest

from dom.core import accel
from dom.core.detectors import DetectorParams
from dom.core.detectors import burst as burst_mod
from dom.core.detectors.burst import BurstDetector
from dom.core.types import FeedState, Trade
from tests.core.detectors import test_burst_hook as base
from tests.core.detectors.script import EventScript

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")


def run(monkeypatch, seed, hooks, params=None, change=None, at=300, again=False):
    """``test_burst_hook.market`` (with ``params`` over its own) counting the ``_judge`` calls that
    read the rule in full (no episode, the window at what a burst needs); ``change(det)`` done after
    the ``at``-th event (``again``: after every one from there on), to both runs alike. An error
    raised: its type, its text and after which event."""
    if params:
        monkeypatch.setattr(base, "ONLY", {**base.ONLY, **params})
    full = [0]
    own, was = BurstDetector._judge, base.state

    def spy(self, sym, t):
        if self.ep is None and not self.wsum < self.need:
            full[0] += 1
        return own(self, sym, t)

    def state(d):
        n[0] += 1
        if change is not None and (n[0] == at or again and n[0] > at):
            change(d)
        return was(d)
    n = [0]
    monkeypatch.setattr(BurstDetector, "_judge", spy)
    monkeypatch.setattr(base, "state", state)
    try:
        got, seen, st, det = base.market(seed, hooks)
    except Exception as e:  # (the method's own refusal)
        return type(e).__name__, str(e), n[0]
    finally:
        monkeypatch.setattr(BurstDetector, "_judge", own)
        monkeypatch.setattr(base, "state", was)
    return got, seen, full[0]


PARAMS = [
    {},
    {"burst_min_move_bps": 0.0},  # (the sigma decides)
    {"burst_min_move_bps": 2, "burst_move_sigma": 1},  # (ints)
    {"burst_volume_mult": 1.5, "burst_move_sigma": 0.5, "burst_min_move_bps": 30.0},
    {"burst_warmup_s": 2, "burst_volume_mult": 0.5},  # (a short warm-up: a short history read)
]


@needs_native
@pytest.mark.parametrize("seed", [1, 2, 5])
@pytest.mark.parametrize("params", PARAMS, ids=[",".join(p) or "default" for p in PARAMS])
def test_the_rule_in_c_is_the_methods_event_by_event(monkeypatch, seed, params):
    got, got_seen, got_full = run(monkeypatch, seed, True, params)
    want, want_seen, want_full = run(monkeypatch, seed, False, params)
    assert got == want and got_seen == want_seen
    assert got  # (bursts announced)
    assert want_full > 100 and got_full < want_full // 4  # (the rule read in full mostly in C)


CHANGES = {  # (the change, made again after every event)
    "params": (lambda d: setattr(d, "p", dataclasses.replace(d.p, burst_volume_mult=1.1, burst_move_sigma=0.5,
                                                             burst_min_move_bps=1.0)), False),
    "vols_list": (lambda d: setattr(d, "vols", list(d.vols)), False),
    "sq_sum_int": (lambda d: setattr(d, "sq_sum", 1), True),
    "sq_sum_negative": (lambda d: setattr(d, "sq_sum", -1e-12), True),
    "vol_sum_huge": (lambda d: setattr(d, "vol_sum", d.vol_sum + 2**60), False),
    "w_float": (lambda d: setattr(d, "w", float(d.w)), False),
}


@needs_native
@pytest.mark.parametrize("what", sorted(CHANGES))
def test_state_changed_under_the_hook_is_read_as_the_method_reads_it(monkeypatch, what):
    """A change C could read otherwise (other params than the hook's, a list, an int sum, a sum
    the sqrt refuses, past 2^53, a float window) is left to the method: the same outcome, raised or
    returned."""
    change, again = CHANGES[what]
    got, want = (run(monkeypatch, 2, hooks, {"burst_min_move_bps": 1.0}, change, again=again) for hooks in (True, False))
    if isinstance(want[0], str):  # (raised: the same error after the same event)
        assert got == want
    else:
        assert got[:2] == want[:2]


def test_which_params_c_reads_the_rule_with():
    p = DetectorParams()
    assert burst_mod._c_rule(p)
    for bad in ({"burst_warmup_s": 1.5}, {"burst_warmup_s": -1}, {"burst_warmup_s": True}, {"burst_volume_mult": "4"},
                {"burst_min_move_bps": 2**60}, {"burst_move_sigma": None}):
        assert not burst_mod._c_rule(dataclasses.replace(p, **bad)), bad


@needs_native
def test_rule_kits_c_refuses():
    s = EventScript(DetectorParams(**base.ONLY), (((5000, 1),), ((5001, 1),)))
    det = next(o for o in s.eng["KITEUSDT"].observers if isinstance(o, BurstDetector))
    good = [0, det, det.on_trade, det.trades, det.mids, Trade, (Trade.ts_exchange_ns, Trade.qty_lots), det.w_ns]
    kit = (det.p, FeedState.SYNCED, FeedState.TOP)
    NATIVE.BurstHook(*good, kit)
    for bad in ({"burst_warmup_s": 1.5}, {"burst_warmup_s": -2}, {"burst_volume_mult": "4"},
                {"burst_min_move_bps": 2**60}, {"burst_move_sigma": None}):
        with pytest.raises(ValueError):
            NATIVE.BurstHook(*good, (dataclasses.replace(det.p, **bad), *kit[1:]))
    for k in ((det.p,), (), (object(), FeedState.SYNCED, FeedState.TOP)):
        with pytest.raises(ValueError):
            NATIVE.BurstHook(*good, k)
    with pytest.raises(TypeError):
        NATIVE.BurstHook(*good, list(kit))


@needs_native
def test_the_rule_at_its_edge_is_the_methods():
    """States made by hand with ``burst_move_sigma`` at the move over sigma as Python computes them
    (and a ulp either side): any other rounding of the move, the sigma or their product in C would
    start (or not) a burst the method does not, in about half the cases."""
    import math
    import random
    from collections import deque

    rng = random.Random(21)
    outcomes = set()
    for case in range(300):
        vols = [rng.randrange(0, 5000) for _ in range(rng.randrange(2, 40))]
        sq = [rng.random() ** 3 * 1e-6 for _ in range(rng.randrange(1, 40))]
        mid0 = rng.randrange(2_000, 200_000)
        last = mid0 + rng.choice((-1, 1)) * rng.randrange(1, 400)
        sq_sum = math.fsum(sq) if rng.random() < 0.5 else sum(sq)
        edge = abs(math.log(last / mid0)) / math.sqrt(sq_sum / len(sq))
        ms = (edge, math.nextafter(edge, 0), math.nextafter(edge, math.inf))[case % 3]
        T = 50_000 * 10**9 + rng.randrange(0, 10**9)
        got = []
        for hooked in (True, False):
            p = DetectorParams(**{**base.ONLY, "burst_warmup_s": 2, "burst_move_sigma": ms,
                                  "burst_min_move_bps": 0.0, "burst_volume_mult": 0.1})
            s = EventScript(p, (((mid0 // 2, 10),), ((mid0 - mid0 // 2, 10),)))
            st = s.eng["KITEUSDT"]
            det = next(o for o in st.observers if isinstance(o, BurstDetector))
            det.sec, det.sec_vol, det.need = T // 10**9, 0, 0.0
            det.vols, det.vol_sum = deque(vols), sum(vols)
            det.sq, det.sq_sum = deque(sq), sq_sum
            det.mids.clear()
            det.mids.append((T - 10**6, mid0))
            det.last_mid = last
            call = det.trade_hook() if hooked else det.on_trade
            assert type(call).__name__ == ("BurstHook" if hooked else "method")
            out = call(st, Trade("KITEUSDT", 5000, 10**6, base.TakerSide.BUY, 1, T, T))
            got.append(([(a.id, a.state, a.message) for a in out], det.ep is None, det.wsum, tuple(det.mids)))
        assert got[0] == got[1], (case, ms)
        outcomes.add(got[0][1])
    assert outcomes == {True, False}  # (bursts started and not)


@needs_native
def test_the_hook_keeps_no_references():
    """Many calls through the rule (and its refusals) leave no object behind."""
    import gc
    import sys

    class Set:  # (monkeypatch's undo list would grow)
        setattr = staticmethod(setattr)
    only = dict(base.ONLY)

    def once():
        run(Set, 3, True, {"burst_min_move_bps": 1.0}, CHANGES["sq_sum_int"][0], again=True)
        base.ONLY = only
        run(Set, 3, True)
    once()
    gc.collect()
    refs = (FeedState.SYNCED, FeedState.TOP)
    before = len(gc.get_objects()), sys.getallocatedblocks(), [sys.getrefcount(o) for o in refs]
    for _ in range(3):
        once()
    gc.collect()
    after = len(gc.get_objects()), sys.getallocatedblocks(), [sys.getrefcount(o) for o in refs]
    assert after[0] - before[0] < 50 and after[1] - before[1] < 300 and after[2] == before[2]
