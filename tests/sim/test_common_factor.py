"""The common factor is visible in what the built-in market publishes: small caps move with the
BTC-like major, and a scripted market-wide drop trips the reference-weakness warning."""

import orjson

from dom.core.context.correlation import Series, corr_beta, weakness
from dom.sim.market import Market


def _mid_series(m: Market, seconds: float, bar_s: int) -> dict[str, Series]:
    """Per symbol, the published bookTicker mid sampled every 0.5 s into bars of ``bar_s``."""
    series = {s: Series(bar_s, maxlen=10_000) for s in m.syms}
    mid: dict[str, float] = {}
    for i in range(int(seconds * 20)):
        for msg in m.advance():
            if msg.stream.endswith("@bookTicker"):
                d = orjson.loads(msg.raw)
                mid[d["s"]] = (float(d["b"]) + float(d["a"])) / 2
        if i % 10 == 0:
            for s, px in mid.items():
                series[s].add(m.now, px)
    return series


def test_small_caps_move_with_the_major():
    m = Market("mixed", seed=11, injections=False, decoys=False, tickers=True)
    series = _mid_series(m, 1200, 30)
    ref = series.pop("BTCUSDT").returns()
    assert len(ref) >= 38
    for s, ser in series.items():
        c, beta = corr_beta(ref, ser.returns())
        assert c > 0.7 and beta > 0.5, (s, c, beta)


def test_without_the_arbitrage_the_small_caps_drift_apart():
    """The control: the same market with the factor-following traders switched off follows the
    factor only loosely (the organic flow leans toward fair value a little)."""
    m = Market("mixed", seed=11, injections=False, decoys=False, tickers=True)
    for sim in m.syms.values():
        sim.flow.arb_rate = 0.0
    series = _mid_series(m, 1200, 30)
    ref = series.pop("BTCUSDT").returns()
    corrs = [corr_beta(ref, ser.returns())[0] for ser in series.values()]
    assert sum(corrs) / len(corrs) < 0.6, corrs


def test_a_scripted_drop_trips_the_reference_weakness_warning():
    m = Market("mixed", seed=12, injections=False, decoys=False, tickers=True)
    m.move_factor(-3.0, 600)
    series = _mid_series(m, 900, 60)
    msg = weakness(series["BTCUSDT"], 840, 2.0)
    assert msg is not None and msg.startswith("BTC -"), msg
    for s, ser in series.items():  # every symbol fell with it
        assert ser.closes[-1] < ser.closes[0] * 0.98, s
