"""The burst measurement against a hand computation on made-up seconds."""

from __future__ import annotations

import math

import pytest

from dom.core.context.burst import BurstMeter

S = 1_000_000_000
T0 = 1_796_000_000 * S


def test_volume_and_move_of_the_last_window_against_the_earlier_ones():
    m = BurstMeter(window_s=10, history_s=600)
    assert m.measure() is None
    # 8 quiet windows of 10 s: 5 lots a second, the mid alternating 100 / 100.1 window by window.
    for w in range(8):
        for s in range(10):
            t = T0 + (w * 10 + s) * S
            m.mid(t, 100.0 if w % 2 == 0 else 100.1)
            m.trade(t, 5)
    quiet = m.measure()
    # the newest window (w = 7) is like the others: its volume is the usual, its move the usual
    assert quiet == (pytest.approx(1.0), pytest.approx(1.0))
    # A burst window: 40 lots a second and the mid up to 101.
    for s in range(10):
        t = T0 + (80 + s) * S
        m.mid(t, 101.0)
        m.trade(t, 40)
    vol_x, sigma = m.measure()
    assert vol_x == pytest.approx(400 / 50)  # 400 lots against the usual 50
    usual_move = math.log(100.1 / 100.0)  # every earlier window moved this much (up or down)
    assert sigma == pytest.approx(math.log(101.0 / 100.1) / usual_move)


def test_old_seconds_leave_the_history_and_late_ones_are_not_counted():
    m = BurstMeter(window_s=10, history_s=60)
    for s in range(200):
        m.trade(T0 + s * S, 1)
        m.mid(T0 + s * S, 100.0 + s % 2)
    assert len(m.secs) == 60 and m.secs[0][0] == T0 // S + 140
    m.trade(T0, 1000)  # two minutes late: dropped
    assert sum(v for _, v, _ in m.secs) == 60
