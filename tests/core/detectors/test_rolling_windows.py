"""The incremental windows behind the detectors' baselines give what a full recomputation gives."""

import random

from dom.core.detectors.rolling import RollingSamples
from dom.core.detectors.tape import TakerTape


def test_rolling_samples_match_a_sorted_window():
    rng = random.Random(3)
    r = RollingSamples()
    ref: list[tuple[int, int]] = []
    t = 0
    for _ in range(3000):
        t += rng.randint(0, 3)
        v = rng.randint(0, 50)
        r.add(t, v)
        ref.append((t, v))
        horizon = t - 100
        r.expire(horizon)
        while ref and ref[0][0] < horizon:
            ref.pop(0)
        assert list(r.sorted) == sorted(v for _, v in ref)
        assert len(r) == len(ref)



def test_rolling_samples_read_now_and_then_match_a_sorted_window():
    """Reads between many adds and expiries (the batched merge and removal), duplicates included."""
    rng = random.Random(4)
    r = RollingSamples()
    ref: list[tuple[int, int]] = []
    t = 0
    for step in range(4000):
        t += rng.randint(0, 3)
        vs = [rng.randint(0, 30) for _ in range(rng.choice([1, 1, 5, 20]))]
        if len(vs) == 1 and rng.random() < 0.5:
            r.add(t, vs[0])
        else:
            r.add_many(t, vs)
        ref += [(t, v) for v in vs]
        horizon = t - rng.choice([50, 100, 400])
        r.expire(horizon)
        while ref and ref[0][0] < horizon:
            ref.pop(0)
        assert len(r) == len(ref)
        if rng.random() < 0.1:
            assert r.sorted == sorted(v for _, v in ref)


def test_taker_tape_volume_after_matches_a_scan_even_out_of_order():
    rng = random.Random(5)
    tape = TakerTape()
    ref: list[tuple[int, int, int]] = []
    T = 1000
    for i in range(5000):
        # mostly in order; now and then a trade stamped earlier than the last one
        T += rng.randint(0, 5)
        t = T - rng.randint(1, 40) if rng.random() < 0.02 else T
        q = rng.randint(1, 9)
        tape.append(t, 0, q)
        ref.append((t, 0, q))
        if i % 7 == 0:
            horizon = T - 200
            tape.expire(horizon)
            while ref and ref[0][0] < horizon:
                ref.pop(0)
        lo = T - rng.randint(0, 250)
        assert tape.volume_after(lo) == sum(x for t0, _, x in ref if t0 > lo)
        assert list(tape) == ref


def test_taker_tape_volume_after_at_its_edges_and_across_compactions():
    """The bisect over the listed times against a scan: spans starting before, at, between and
    after the kept trades (ties in T included), an emptied tape, questions now and then (trades
    listed in batches, or expired before ever listed), and runs long enough that the lists'
    expired front is dropped several times."""
    rng = random.Random(11)
    compacted = restarted = 0
    for run in range(6):
        tape = TakerTape()
        ref: list[tuple[int, int, int]] = []
        assert tape.volume_after(0) == 0 and tape.total == 0
        T = 0
        long = run < 3  # long windows: the lists' front is dropped; short ones: they start anew
        for i in range(6000 if long else 600):
            T += rng.choice([0, 0, 1, 2, 7])  # many trades share a time
            q = rng.randint(1, 1000)
            tape.append(T, rng.randint(0, 3), q)
            ref.append((T, 0, q))
            if rng.random() < 0.3:
                horizon = T - rng.choice([400, 2000] if long else [0, 5, 60]) + (1 if rng.random() < 0.05 else 0)
                tape.expire(horizon)
                ref = [x for x in ref if x[0] >= horizon]
            if rng.random() < 0.5:
                continue
            base = tape.base
            kept = [t0 for t0, _, _ in ref]
            for lo in (-1, T, T + 1, T - 1, *(kept[:1] + kept[-1:]), rng.randint(T - 500, T)):
                assert tape.volume_after(lo) == sum(x for t0, _, x in ref if t0 > lo)
            assert tape.total == sum(x for _, _, x in ref) and len(tape) == len(ref)
            if tape.base != base:
                compacted += tape.base < tape.popped
                restarted += tape.base == tape.popped
        assert tape.volume_after(-1) == sum(x for _, _, x in ref)
        assert tape.ts[tape.popped - tape.base:] == [t0 for t0, _, _ in ref]  # (the lists: the kept trades)
    assert compacted >= 3 and restarted >= 10


def test_adaptive_slack_p99_is_the_sorted_window_s():
    from collections import deque

    from dom.core.detectors.slack import AdaptiveSlack

    rng = random.Random(7)
    s = AdaptiveSlack(300)
    ref: deque[int] = deque(maxlen=1000)
    depth = 10**12
    for i in range(1, 6001):
        depth += rng.randint(0, 3_000_000)
        trade = depth - (rng.randint(1, 900_000_000) if rng.random() < 0.1 else -rng.randint(0, 5_000_000))
        s.on_trade(depth, trade)
        ref.append(max(0, depth - trade))
        if i % 100 == 0:
            srt = sorted(ref)
            assert s.lag == srt[int(0.99 * (len(srt) - 1))]
            assert s.ns == max(300 * 1_000_000, s.lag + 50 * 1_000_000)
        assert sorted(x for x in ref if x) == s.pos


def test_adaptive_slack_once_per_engine_trade_whoever_reports_it():
    """Detectors sharing a slack each report every trade with the engine's count: it counts once,
    exactly as one caller's ``on_trade`` per trade."""
    from dom.core.detectors.slack import AdaptiveSlack

    rng = random.Random(11)
    shared, alone = AdaptiveSlack(300), AdaptiveSlack(300)
    depth = 10**12
    for n in range(1, 3001):
        depth += rng.randint(0, 3_000_000)
        trade = depth - rng.randint(-5_000_000, 600_000_000)
        for _ in range(rng.randint(1, 3)):  # absorption, then pulled liquidity, ...
            shared.on_trade_once(n, depth, trade)
        alone.on_trade(depth, trade)
        assert (shared.n, shared.lag, shared.ns, shared.pos) == (alone.n, alone.lag, alone.ns, alone.pos)
    assert shared.n == 3000 and shared.lag > 0
