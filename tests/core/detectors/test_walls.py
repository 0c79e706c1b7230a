"""The wall detector on small hand-written event scripts."""

from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, AlertState, BookDelta, BookSnapshot, FeedState, FeedStatus, TakerSide, Trade
from dom.core.units import Instrument

INST = Instrument("KITEUSDT", "0.0001", "1")
MS = 1_000_000


class Script:
    def __init__(self, **params):
        self.eng = Engine([INST], observers=make_observers(DetectorParams(**params)))
        bids = tuple((5000 - i, 1000 + 10 * i) for i in range(60))
        asks = tuple((5001 + i, 1000 + 10 * i) for i in range(60))
        self.u = 100
        self.t = 0
        self.alerts: list[Alert] = []
        self.feed(BookSnapshot("KITEUSDT", bids, asks, self.u, 0, 0))

    def feed(self, ev):
        self.alerts += [o for o in self.eng.feed(ev) if isinstance(o, Alert)]

    def delta(self, bids=(), asks=(), dt_ms=100):
        self.t += dt_ms * MS
        self.feed(BookDelta("KITEUSDT", tuple(bids), tuple(asks), self.u + 1, self.u + 1, self.u, self.t, self.t))
        self.u += 1

    def idle(self, ms):
        for _ in range(ms // 100):
            self.delta(asks=[(5100, 7)])  # a far level flickers: time passes

    def states(self):
        return [a.state for a in self.alerts]


def test_a_persistent_large_level_is_a_wall_with_its_evidence():
    s = Script()
    s.idle(1000)
    s.delta(bids=[(4990, 60_000)])  # 60k lots at 0.4990 = ~30k USDT, ~50x the band median
    s.idle(2000)
    assert s.alerts == []  # not yet: must persist 3 s
    s.idle(1200)
    assert s.states() == [AlertState.NEW]
    a = s.alerts[0]
    assert a.px_ticks == 4990 and a.qty_lots == 60_000 and a.side.value == "bid"
    assert a.evidence["ratio_to_median"] > 5 and a.evidence["distance_ticks"] == 10
    assert a.evidence["persisted_ms"] >= 3000 and 0.5 <= a.score <= 1
    assert a.id.startswith("KITEUSDT:wall:bid:4990:")


def test_pulled_wall_ends_as_pulled_and_consumed_as_consumed():
    s = Script()
    s.idle(1000)
    s.delta(bids=[(4990, 60_000)], asks=[(5040, 60_000)])
    s.idle(3500)
    assert s.states() == [AlertState.NEW, AlertState.NEW]
    s.delta(bids=[(4990, 0)])  # gone without trades
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "pulled"
    s.feed(Trade("KITEUSDT", 5040, 50_000, TakerSide.BUY, 1, s.t, s.t))
    s.delta(asks=[(5040, 2_000)])
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "consumed"
    assert end.evidence["traded_at_level_lots"] == 50_000


def test_thin_notional_and_ladders_are_not_walls():
    s = Script(wall_min_notional=1_000_000.0)
    s.idle(1000)
    s.delta(bids=[(4990, 60_000)])
    s.idle(4000)
    assert s.alerts == []
    s = Script()
    s.idle(1000)
    s.delta(bids=[(4990, 60_000), (4991, 70_000)])  # the smaller of two neighbours is no wall
    s.idle(4000)
    assert [a.px_ticks for a in s.alerts] == [4991]


def test_resync_mid_episode_ends_it_as_unknown_and_silences_the_detector():
    s = Script()
    s.idle(1000)
    s.delta(bids=[(4990, 60_000)])
    s.idle(3500)
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
    assert s.alerts[-1].state is AlertState.END and s.alerts[-1].evidence["end"] == "unknown_resync"
    n = len(s.alerts)
    s.delta(bids=[(4990, 0)])  # not synced: buffered, no alert
    assert len(s.alerts) == n
