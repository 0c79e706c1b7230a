import math
import random

from dom.core.context.correlation import Series, corr_beta, weakness

S = 1_000_000_000


def test_known_correlation_and_beta_on_a_synthetic_pair():
    rng = random.Random(5)
    ref, alt = Series(60, maxlen=2000), Series(60, maxlen=2000)
    a = b = 100.0
    rho, beta = 0.8, 1.5
    for i in range(1500):
        x = rng.gauss(0, 0.001)
        e = rng.gauss(0, 0.001)
        y = beta * x + beta * math.sqrt(1 / rho**2 - 1) * e  # corr(x, y) = rho by construction
        a *= math.exp(x)
        b *= math.exp(y)
        ref.add(i * 60 * S, a)
        alt.add(i * 60 * S, b)
    c, bt = corr_beta(ref.returns(), alt.returns())
    assert abs(c - rho) < 0.05 and abs(bt - beta) < 0.15


def test_weakness_warning_fires_on_a_drop_and_not_on_a_rise():
    s = Series(60)
    for i in range(20):
        s.add(i * 60 * S, 100 - 0.14 * max(0, i - 4))  # flat, then -2.1% over the last 15 bars
    assert weakness(s, 900, 2.0) == "BTC -2.1% in 15 m"
    assert weakness(s, 900, 2.5) is None
    up = Series(60)
    for i in range(20):
        up.add(i * 60 * S, 100 + 0.15 * i)
    assert weakness(up, 900, 2.0) is None
