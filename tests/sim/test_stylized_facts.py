"""Loose realism checks of the built-in market (the figures are printed by benchmarks/sim.py)."""

from dom.sim.facts import measure


def test_stylized_facts_in_range():
    facts = measure(300, seed=2, preset="mixed")
    for f in facts:
        assert f.crossed == 0  # the book is never crossed
        assert 0.55 <= f.spread_one_tick <= 0.97  # mostly one tick ...
        assert f.spread_p99_ticks >= 2  # ... with a tail
        assert 1.0 <= f.size_hill_alpha <= 3.0  # heavy-tailed trade sizes
        assert f.size_kurtosis > 3
        assert f.sign_acf1 > 0.1  # trade signs persist
    assert sum(f.absret_acf1 > 0 for f in facts) >= 3  # volatility clusters on most symbols
