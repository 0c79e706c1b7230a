"""The sweep detector on hand-written scripts: one taker run through several levels within
100 ms (issue #16). Book: bids 0.5000 down, asks 0.5001 up, 1000 lots a level; the notional floor
is 5,000 USDT (10,000 lots at 0.5). Each script first trades 250 runs of 100-1,000 lots (the
baseline: a run must be outsized against them)."""

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, FeedState, FeedStatus, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book

BUY, SELL = TakerSide.BUY, TakerSide.SELL


class Script(EventScript):
    kind = AlertKind.SWEEP

    def __init__(self, **params):
        super().__init__(DetectorParams(walls=False, icebergs=False, spoofs=False, absorptions=False, bursts=False,
                                        **params), flat_book(30))

    def warm(self, n=250):
        for i in range(n):
            self.delta(asks=[(self.idle_px, 1000 + self.u % 2)], dt_ms=200)
            self.trade(5001 if i % 2 else 5000, 100 + (i * 37) % 900, BUY if i % 2 else SELL)
        self.idle(300)

    def run(self, prices, qty=5000, taker=BUY, step_ms=0):
        t0 = self.t
        for i, px in enumerate(prices):
            self.trade(px, qty, taker, at_ns=t0 + i * step_ms * MS)


def test_buyers_taking_three_asks_at_once_is_a_sweep_with_the_whole_run_in_its_end():
    s = Script()
    s.warm()
    s.run([5001, 5002, 5003], step_ms=0)
    assert [a.state for a in s.alerts] == [AlertState.NEW]
    new = s.alerts[0]
    assert new.side.value == "ask" and new.px_ticks == 5003 and new.qty_lots == 15_000
    assert new.evidence["levels"] == 3 and new.evidence["direction"] == "up"
    s.trade(5004, 2000, BUY, at_ns=s.t + 40 * MS)  # still inside the 100 ms: the run grows
    s.idle(300)  # time passes: the run is over
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    end = s.alerts[1]
    assert end.id == new.id
    ev = end.evidence
    assert ev["levels"] == 4 and ev["first_px"] == 5001 and ev["last_px"] == 5004 and ev["span_ticks"] == 3
    assert ev["size_lots"] == 17_000 and ev["trades"] == 4 and ev["duration_ms"] == 40
    assert ev["notional"] == round(0.5001 * 5000 + 0.5002 * 5000 + 0.5003 * 5000 + 0.5004 * 2000, 2)
    assert ev["end"] == "run_over" and "buyers took 4 levels 0.5001 -> 0.5004" in end.message


def test_sellers_mirror():
    s = Script()
    s.warm()
    s.run([5000, 4999, 4998, 4998, 4997], taker=SELL, step_ms=10)
    s.idle(300)
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    assert s.alerts[0].side.value == "bid" and s.alerts[0].evidence["direction"] == "down"
    assert s.alerts[1].evidence["levels"] == 4 and s.alerts[1].px_ticks == 4997


def test_what_is_not_a_sweep():
    s = Script()
    s.run([5001, 5002, 5003, 5004], qty=20_000)  # before the baseline: silent
    s.idle(300)
    s.warm()
    s.run([5001, 5002])  # two levels
    s.idle(300)
    s.run([5001, 5002, 5003], step_ms=60)  # three levels, but over 120 ms
    s.idle(300)
    s.run([5001, 5003, 5002, 5004])  # steps back at the third: two runs of two and one
    s.idle(300)
    s.run([5001, 5002, 5003], qty=1000)  # three levels, 1,500 USDT: under the notional floor
    s.idle(300)
    s.run([5001, 5002], taker=BUY)
    s.run([5000], taker=SELL)  # the other side does not extend a buyers' run
    s.idle(300)
    assert s.alerts == []
    s.run([5001, 5002, 5003], qty=300, taker=SELL)  # three levels, 900 lots: not outsized here
    s.idle(300)
    assert s.alerts == []
    t = Script(sweep_min_notional=1000.0)
    t.warm()
    t.run([5001, 5002, 5003], qty=1000)
    assert [a.state for a in t.alerts] == [AlertState.NEW]  # the floor is the config's
    assert t.alerts[0].evidence["outsized_from_lots"] <= 1000 and t.alerts[0].evidence["runs_in_baseline"] > 200


def test_nothing_while_the_book_is_not_synced_and_a_resync_ends_the_run():
    s = Script()
    s.warm()
    s.run([5001, 5002, 5003])
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "gone", s.t, s.t))
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    assert s.alerts[1].evidence["end"] == "unknown_resync"
    s.run([5001, 5002, 5003, 5004], step_ms=1)
    assert len(s.alerts) == 2


def test_no_warm_up_asked_still_needs_one_run_to_compare_with():
    s = Script(sweep_warmup_runs=0, sweep_window_ms=0, sweep_min_notional=0.0)
    s.run([5001, 5002, 5003])  # the very first run: nothing to be outsized against, no error
    s.idle(300)
    s.run([5001, 5002, 5003], qty=20_000)
    assert [a.state for a in s.alerts] == [AlertState.NEW]
