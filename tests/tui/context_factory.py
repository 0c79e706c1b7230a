"""Apps for the context panel's tests: the built-in market run headless (finite, seeded) through
the live decoder, with the market context the poller would deliver (the built-in market's own
REST bodies, decoded by the poller's parsers) at the start and at the end of the run."""

from __future__ import annotations

from textual.app import App, ComposeResult

from dom.core.context.params import ContextParams
from dom.core.detectors import make_observers
from dom.runtime.pipeline import Pipeline
from dom.runtime.simulated import drive
from dom.runtime.view import UiModel
from dom.sim.context import SimContext
from dom.sim.market import Market
from dom.ui.app import DomApp
from dom.ui.widgets.context_panel import ContextPanel
from dom.venues.binance_usdm.context import parse_open_interest, parse_ticker


def context_model(seconds: float = 10, seed: int = 3, detectors: bool = True) -> tuple[UiModel, Market]:
    m = Market("mixed", seed=seed)
    sc = SimContext(m)
    model = UiModel()
    pipe = Pipeline("sim", detectors=make_observers() if detectors else None, context=ContextParams(),
                    observers=(model.observers,))
    model.attach(pipe)
    pipe.open(m.instruments)

    def poll() -> None:
        pipe.feed_context([parse_open_interest(sim.inst, sc.open_interest(sim), m.now) for sim in m.syms.values()])
        pipe.feed_context([parse_ticker(sim.inst, sc.ticker(sim), m.now) for sim in m.syms.values()])

    poll()
    drive(m, pipe, seconds)
    poll()
    return model, m


def make_app(seconds: float = 10, seed: int = 3) -> DomApp:
    model, _ = context_model(seconds, seed)
    return DomApp(model, runner=None, fps=0, clock=None)


class PanelApp(App):
    """The context panel alone, 44 columns wide as in the side column, with a plan set."""

    CSS = "ContextPanel { width: 44; height: 20; }"

    def __init__(self, model: UiModel, symbol: str) -> None:
        super().__init__()
        self.panel = ContextPanel(model)
        self.panel.symbol = symbol

    def compose(self) -> ComposeResult:
        yield self.panel


def make_panel_app() -> PanelApp:
    model, _ = context_model(10, 3)
    st = model.engine["KITEUSDT"]
    mid = st.book.mid2() // 2
    model.desk.set_entry("KITEUSDT", mid)
    model.desk.set_stop("KITEUSDT", mid - 15)
    return PanelApp(model, "KITEUSDT")
