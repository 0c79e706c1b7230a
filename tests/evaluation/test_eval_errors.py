"""A seed whose market dom rejects names itself: an hour-long evaluation that stops on a
simulator bug says which seed and which run to replay."""

import pytest

from dom import evaluation
from dom.core.detectors import DetectorParams
from dom.errors import DomError


def test_a_rejected_frame_in_the_twin_names_the_seed_and_the_run(monkeypatch):
    real = evaluation.run_market

    def run_market(preset, seed, minutes, params, *a, injections=True, **kw):
        if not injections:
            raise DomError("negative price '-0.0003'")
        return real(preset, seed, minutes, params, *a, injections=injections, **kw)

    monkeypatch.setattr(evaluation, "run_market", run_market)
    params = DetectorParams(walls=False, icebergs=False, absorptions=False, spoofs=False, bursts=False, sweeps=False)
    with pytest.raises(DomError) as err:
        evaluation._score_seed(("mixed", 7, 0.05, params, 100, 0.0, 1, True, False))
    msg = str(err.value)
    assert msg.startswith("seed 7 (randomized), injection-free twin (seed 100007), 0.05 min:")
    assert msg.endswith("negative price '-0.0003'")
