"""Depth messages as wide as a real book's (a BTCUSDT message holds ~68 level changes; the built-in
market's ~10): the C paths that keep a message's changes on the stack up to a count and past it on
the heap against their Python twins, call by call. The icebergs' wait (``IceWait.delta``,
_native_ice.c) keeps only the changes it picks, 32 on the stack: here messages of up to 160
changes with none, a few, exactly 32, 33 and all of them picked, and a value C declines before,
at and past the 32nd (nothing changed, NotImplemented). Pulled liquidity's message loop
(_native_pulls.c) holds its changes on the stack up to 128: the detector with its depth hook and
with ``on_delta`` on messages of up to 200 changes."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.types import BookSide
from tests.core.detectors.script import MS
from tests.core.detectors.test_iceberg_wait import pair, same
from tests.core.detectors.test_spoof_hook import market

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
BID, ASK = BookSide.BID, BookSide.ASK


def wide(rng, n, near, best=5000):
    """n changes, about ``near`` of them within 5 ticks of the touch (picked by the wait), the
    others far from it (picked only where trades wait or a level is followed)."""
    out = []
    for i in range(n):
        side = rng.choice((BID, ASK))
        d = rng.randrange(0, 5) if i < near else rng.randrange(6, 400)
        px = best - d if side is BID else best + 1 + d
        out.append((side, px, rng.randrange(0, 3000), rng.choice((0, rng.randrange(0, 3000)))))
    rng.shuffle(out)
    return out


@needs_native
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_wait_on_wide_messages_is_its_twin_call_by_call(seed):
    c, py = pair(seed == 2)
    rng = random.Random(seed)
    t = 0
    picked = set()
    for i in range(1500):
        t += rng.choice((1, 50, 100)) * MS
        r = rng.random()
        if r < 0.3:
            side = rng.choice((BID, ASK))
            px = 5000 - rng.randrange(0, 300) if side is BID else 5001 + rng.randrange(0, 300)
            args = (side, px, t, rng.choice((1, 5, 700)))
            assert c.trade(*args) == py.trade(*args)
        elif r < 0.7:
            n = rng.choice((0, 1, 31, 32, 33, 34, 68, 100, 160))
            near = rng.choice((0, 3, 31, 32, 33, 34, n))
            changes = wide(rng, n, min(near, n))
            touch = rng.choice(((5000, 5001),) * 6 + ((None, 5001), (None, None)))
            got, want = c.delta(t, changes, *touch), py.delta(t, changes, *touch)
            assert got == want is None, (i, n)
            if touch == (5000, 5001):
                picked.add(min(near, n))
        else:
            mark = t - 200 * MS if rng.random() < 0.95 else t + 10**12
            got, want = c.step(mark), py.step(mark)
            while want is not None:
                assert same(got, want), i
                got, want = c.step(mark), py.step(mark)
            assert got is None
        assert c.state() == py.state(), i
    assert {32, 33, 34} <= picked  # (the stack's edge and past it)


@needs_native
@pytest.mark.parametrize("at", [0, 20, 31, 32, 33, 60, 99])
@pytest.mark.parametrize("bad", [4.0, 1 << 62, True, "4", None])
def test_a_value_the_wait_declines_in_a_wide_message_changes_nothing(at, bad):
    c, _ = pair()
    rng = random.Random(at)
    c.trade(BID, 4990, 10, 7)
    c.delta(5, wide(rng, 70, 40), 5000, 5001)
    before = c.state()
    changes = wide(rng, 100, 100)  # (every one picked: the heap past the 32nd)
    side, px, b, a = changes[at]
    changes[at] = (side, px, b, bad) if at % 2 else (side, bad, b, a)
    assert c.delta(6, changes, 5000, 5001) is NotImplemented
    assert c.state() == before
    changes[at] = (side, px, b, a)[:3]
    assert c.delta(6, changes, 5000, 5001) is NotImplemented
    assert c.state() == before


@needs_native
@pytest.mark.parametrize("wide", [30, 68, 140, 200])
def test_pulls_on_wide_messages_hooked_or_on_delta_alike(wide):
    got = market(1, True, walls=False, wide=wide)
    assert got[2] == ["PullsHook"] and any(x[1] for x in got[1])  # (the hook made; pulls made and judged)
    assert max(len(x[0][0]) for x in got[1]) >= 2  # (candidates followed)
    assert got[:2] == market(1, False, walls=False, wide=wide)[:2]
