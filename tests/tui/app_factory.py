"""A DomApp on a finite seeded feed: the built-in market run headless for a few seconds, decoded
by the live decoder into an engine with the detectors and the UI's observers. No live timers."""

from __future__ import annotations

from dom.core.detectors import make_observers
from dom.core.engine import Engine
from dom.core.types import Alert
from dom.sim.headless import drive
from dom.sim.market import Market
from dom.ui.app import DomApp
from dom.ui.model import UiModel


def seeded_model(seconds: float = 10, seed: int = 3) -> tuple[UiModel, Market]:
    m = Market("mixed", seed=seed)
    model = UiModel(venue="binanceusdm")
    det = make_observers()
    eng = Engine(m.instruments, observers=lambda st: det(st) + model.observers(st))
    model.engine = eng
    drive(m, eng, seconds, lambda o: model.on_alert(o) if isinstance(o, Alert) else None)
    return model, m


def make_app(seconds: float = 10, seed: int = 3) -> DomApp:
    model, _ = seeded_model(seconds, seed)
    return DomApp(model, runner=None, fps=1000)
