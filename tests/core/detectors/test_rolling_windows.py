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
