"""The built-in market's news bursts, sweeps and sector rotation (issue #16), seen the way a
client sees them: published through the Binance codec, decoded by the live decoder into the
pipeline, detected and ranked by the scanner."""

from __future__ import annotations

from dom.core.context.params import ContextParams
from dom.core.detectors import DetectorParams, make_observers
from dom.runtime.pipeline import Pipeline
from dom.runtime.simulated import drive
from dom.runtime.view import UiModel
from dom.sim.market import Market
from dom.sim.presets import preset

SEC = 1_000_000_000


def _specs(n_per_sector: int = 1) -> list:
    """BTCUSDT and the first ``n_per_sector`` small caps of each of the sectors preset's sectors."""
    specs = preset("sectors")
    out, seen = [specs[0]], {}
    for s in specs[1:]:
        if seen.get(s.sector, 0) < n_per_sector:
            seen[s.sector] = seen.get(s.sector, 0) + 1
            out.append(s)
    return out


def _run(m: Market, seconds: float, params: DetectorParams) -> UiModel:
    model = UiModel()
    pipe = Pipeline("sim", detectors=make_observers(params), context=ContextParams(), observers=(model.observers,))
    model.attach(pipe)
    drive(m, pipe, seconds)
    pipe.flush()
    return model


def test_a_rotation_into_a_sector_puts_it_first_in_the_scanner():
    specs = _specs()
    m = Market(specs=specs, seed=5, injections=False, decoys=False, sector_factors=True)
    m.sectors.random_episodes = False
    label = m.rotate("Gaming", 40.0, 480)
    off = DetectorParams(walls=False, icebergs=False, absorptions=False, spoofs=False, bursts=False, sweeps=False)
    model = _run(m, 480, off)
    doc = model.scan("rs_1h")
    secs = doc["sectors"]
    assert secs[0]["sector"] == "Gaming", [(s["sector"], s["median_rs_1h"]) for s in secs]
    assert secs[0]["median_rs_1h"] > 2.0  # ~40 %/h for 8 minutes: about 5 % net of beta
    assert all(s["median_rs_1h"] < 1.5 for s in secs[1:])
    m.close_labels()
    (lab,) = [x for x in m.labels if x["kind"] == "rotation"]
    assert lab is label and lab["params"]["sector"] == "Gaming" and lab["t_end_ns"] - lab["t_start_ns"] == 480 * SEC


def test_news_bursts_move_the_price_are_labelled_and_flagged():
    m = Market(specs=_specs()[:3], seed=11, news=True, decoys=False, news_every_s=100.0, sweep_every_s=40.0)
    m.injection_rate = 0.0  # only the news and the sweep orders
    only = DetectorParams(walls=False, icebergs=False, absorptions=False, spoofs=False)
    model = _run(m, 500, only)
    m.close_labels()
    bursts = [x for x in m.labels if x["kind"] == "burst"]
    sweeps = [x for x in m.labels if x["kind"] == "sweep"]
    assert len(bursts) >= 3 and len(sweeps) >= 5
    for lab in bursts:
        assert lab["t_start_ns"] - m.start_ns >= 150 * SEC  # never before there is a history to be unusual against
        assert 0.8 <= abs(lab["params"]["move_pct"]) <= 3.0 and lab["detectable_from_ns"] == lab["t_start_ns"]
    alerts = [a for a in model.episode_list()]
    found = {a.symbol for a in alerts if a.kind.value == "burst"}
    assert found & {lab["symbol"] for lab in bursts}
    for a in alerts:
        if a.kind.value == "burst":
            match = [lab for lab in bursts if lab["symbol"] == a.symbol and lab["side"] == a.side.value
                     and lab["t_start_ns"] - SEC <= int(a.id.rsplit(":", 1)[1]) <= lab["t_end_ns"] + 2 * SEC]
            assert match, f"a burst alert no news explains: {a.message}"
    for lab in sweeps:
        assert lab["params"]["levels"] >= 3 and lab["params"]["notional"] >= 5000
