"""The adaptive slack in C (``Slack``, _native_trd.c) against its pure-Python twin
(``AdaptiveSlack``, slack.py): the same numbers and the same state trade by trade on random lags
(repeats of the engine's count, negative lags, runs past the window and its refresh), and what C
does not take (it hands itself over to the twin, which goes on the same)."""

from __future__ import annotations

import random

import pytest

from dom.core import accel
from dom.core.detectors.slack import AdaptiveSlack, make_slack

NATIVE = accel.native
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C accelerator is not built (python3 setup.py "
                                  "build_ext --inplace) or DOM_PURE_PYTHON is set")
MS = 1_000_000


def lags(rng: random.Random, n: int):
    """(count, depth time, trade time): counts repeated (a second detector reporting the same
    trade) or skipped; lags mostly 0 or negative, some up to a second, equal ones often."""
    depth, count = 10**15, 0
    for _ in range(n):
        depth += rng.choice((0, 1, 2 * MS, 40 * MS))
        if rng.random() < 0.85:
            count += rng.choice((1, 1, 1, 2))
        r = rng.random()
        if r < 0.5:
            lag = -rng.randrange(0, 5 * MS)
        elif r < 0.7:
            lag = rng.choice((1, 7 * MS, 7 * MS, 300 * MS))  # equal lags: the sorted array's ties
        else:
            lag = rng.randrange(0, 1000 * MS)
        yield count, depth, depth - lag


@needs_native
@pytest.mark.parametrize("seed", range(6))
def test_c_slack_is_its_twin_trade_by_trade(seed):
    rng = random.Random(seed)
    c, py = NATIVE.Slack(300 * MS, AdaptiveSlack.from_state), AdaptiveSlack(300)
    for i, (n, d, t) in enumerate(lags(rng, 4000)):
        if rng.random() < 0.1:
            c.on_trade(d, t)
            py.on_trade(d, t)
        else:
            c.on_trade_once(n, d, t)
            py.on_trade_once(n, d, t)
        assert (c.ns, c.lag, c.n, c.last, c.floor) == (py.ns, py.lag, py.n, py.last, py.floor), i
        if i % 97 == 0:
            assert c.state() == py.state()
    assert c.state() == py.state() and c.native
    assert c.n > 2000 and c.lag > 0 and c.ns > 300 * MS  # (the window filled, its P99 above the floor)


@needs_native
@pytest.mark.parametrize("bad", ["float_time", "huge_time", "huge_count", "bool_count"])
def test_c_slack_hands_itself_to_the_twin_on_what_it_does_not_take(bad):
    rng = random.Random(42)
    c, py = NATIVE.Slack(300 * MS, AdaptiveSlack.from_state), AdaptiveSlack(300)
    feed = list(lags(rng, 1500))
    for n, d, t in feed[:700]:
        c.on_trade_once(n, d, t)
        py.on_trade_once(n, d, t)
    n, d, t = feed[700]
    args = {"float_time": (n, float(d), t), "huge_time": (n, d, -(1 << 70)), "huge_count": (1 << 80, d, t),
            "bool_count": (n, True, t)}[bad]
    c.on_trade_once(*args)  # not taken: the twin takes over, with the same state, and goes on
    py.on_trade_once(*args)
    assert not c.native
    assert c.state() == py.state()
    for n, d, t in feed[701:]:
        c.on_trade_once(n, d, t)
        py.on_trade_once(n, d, t)
        assert (c.ns, c.lag, c.n, c.last, c.floor) == (py.ns, py.lag, py.n, py.last, py.floor)
    assert c.state() == py.state() and c.n > 1000


@needs_native
def test_c_slack_constructor_declines_what_it_does_not_take():
    for floor in (-1, 1 << 62, 3.0, "300", None):
        with pytest.raises((TypeError, ValueError)):
            NATIVE.Slack(floor, AdaptiveSlack.from_state)
    with pytest.raises((TypeError, ValueError)):
        NATIVE.Slack(300 * MS, None)
    with pytest.raises(TypeError):
        NATIVE.Slack(300 * MS, AdaptiveSlack.from_state).on_trade_once(1, 2)
    # make_slack: C where it takes the floor, the twin else
    assert type(make_slack(300)) is NATIVE.Slack
    for odd in (1 << 50, 300.5, -1):
        assert type(make_slack(odd)) is AdaptiveSlack
