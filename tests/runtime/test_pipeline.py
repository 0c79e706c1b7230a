"""The pipeline routes every output to its place, whichever driver feeds it."""

from __future__ import annotations

from dom.core.context.params import ContextParams
from dom.core.context.market import OpenInterest
from dom.core.detectors import make_observers
from dom.core.types import Alert, BookDelta, BookSnapshot, FeedState, MarkPrice, StatusChange
from dom.core.units import Instrument
from dom.runtime.pipeline import ListenerBase, Pipeline, SinkFanout
from dom.runtime.simulated import drive
from dom.sim.market import Market

INST = Instrument("BTCUSDT", "0.1", "0.001")


class Log(ListenerBase):
    def __init__(self) -> None:
        self.statuses: list[StatusChange] = []
        self.alerts: list[Alert] = []
        self.conns: list[tuple] = []

    def on_status(self, change):
        self.statuses.append(change)

    def on_alert(self, alert):
        self.alerts.append(alert)

    def on_conn(self, endpoint, state, detail):
        self.conns.append((endpoint, state, detail))


def test_snapshot_requests_go_to_the_driver_and_states_to_the_listeners():
    pipe = Pipeline("binanceusdm", context=None)
    log = Log()
    pipe.subscribe(log)
    asked: list[str] = []
    pipe.on_snapshot_request = asked.append
    pipe.open({"BTCUSDT": INST})
    pipe.feed([BookDelta("BTCUSDT", ((600000, 5),), ((600001, 5),), 10, 12, 9, 1, 2)])
    assert asked == ["BTCUSDT"]  # the first delta: the book needs a snapshot
    pipe.feed([BookSnapshot("BTCUSDT", ((600000, 4),), ((600001, 5),), 11, 1, 2)])
    assert [s.state for s in log.statuses] == [FeedState.SYNCED]
    assert pipe.engine["BTCUSDT"].book.best_bid() == (600000, 5)  # the buffered delta bridged it
    assert pipe.rates["BTCUSDT"].messages == 1
    pipe.connection("public", FeedState.CONNECTED, "ws://x")
    assert log.conns == [("public", FeedState.CONNECTED, "ws://x")]


def test_context_events_fill_the_context_and_a_newer_stream_mark_wins():
    pipe = Pipeline("binanceusdm", context=ContextParams())
    pipe.open({"BTCUSDT": INST})
    pipe.feed([MarkPrice("BTCUSDT", 600000, 600000, 10_000, 0, 2_000, 2_000)])  # from the stream
    pipe.feed_context([MarkPrice("BTCUSDT", 599000, 599000, 20_000, 0, 1_000, 1_000),  # polled, older
                       OpenInterest("BTCUSDT", 12345, 1_000, 1_000)])
    assert pipe.engine["BTCUSDT"].mark.mark_px_ticks == 600000
    assert pipe.context.get("BTCUSDT").open_interest == 12345
    doc = pipe.context_doc("BTCUSDT")
    assert doc["mark"] == "60000.0" and doc["funding_rate"] == "0.0001" and doc["open_interest"] == "12.345"


def test_alerts_reach_listeners_and_sinks_once_as_alert_json():
    class Sink:
        def __init__(self) -> None:
            self.docs: list[dict] = []

        def submit(self, doc):
            self.docs.append(doc)

    pipe = Pipeline("sim", detectors=make_observers(), context=None)
    log, sink = Log(), Sink()
    pipe.subscribe(log)
    pipe.subscribe(SinkFanout(pipe, [sink]))
    drive(Market("mixed", seed=3), pipe, 60)
    assert log.alerts and len(sink.docs) == len(log.alerts) == pipe.alerts
    assert [d["id"] for d in sink.docs] == [a.id for a in log.alerts]
    assert {d["venue"] for d in sink.docs} == {"sim"} and all(d["v"] == 1 for d in sink.docs)
