"""A DomApp on a finite seeded feed: the built-in market run headless for a few seconds, decoded
by the live decoder into an engine with the detectors and the UI's observers. No live timers."""

from __future__ import annotations

from dom.core.detectors import make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, SnapshotRequest
from dom.feeds.binance_wire import BinanceDecoder
from dom.sim.market import Market
from dom.ui.app import DomApp
from dom.ui.model import UiModel


def seeded_model(seconds: float = 10, seed: int = 3) -> tuple[UiModel, Market]:
    m = Market("mixed", seed=seed)
    model = UiModel(venue="binanceusdm")
    det = make_observers()
    eng = Engine(m.instruments, observers=lambda st: det(st) + model.observers(st))
    model.engine = eng
    dec = BinanceDecoder(m.instruments)
    for recv, msg in m.frames(seconds):
        for ev in dec.decode(msg.raw, recv):
            for o in eng.feed(ev):
                if isinstance(o, SnapshotRequest):
                    eng.feed(dec.decode_snapshot(o.symbol, m.snapshot_body(o.symbol), recv))
                elif isinstance(o, Alert):
                    model.on_alert(o)
    return model, m


def make_app(seconds: float = 10, seed: int = 3) -> DomApp:
    model, _ = seeded_model(seconds, seed)
    return DomApp(model, runner=None, fps=1000)
