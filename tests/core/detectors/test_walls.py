"""The wall detector on small hand-written event scripts."""

from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, AlertState, BookDelta, BookSnapshot, FeedState, FeedStatus, TakerSide, Trade
from tests.core.detectors.script import EventScript, INST, MS


class Script(EventScript):
    def __init__(self, **params):
        levels = 60
        book = (tuple((5000 - i, 1000 + 10 * i) for i in range(levels)),
                tuple((5001 + i, 1000 + 10 * i) for i in range(levels)))
        super().__init__(DetectorParams(**params), book)

    def idle(self, ms):
        for _ in range(ms // 100):
            self.delta(asks=[(5100, 7)])  # a far level flickers: time passes

    def warm(self):
        """Let the detector learn what normally rests at each distance (30 samples a distance)."""
        self.idle(41_000)

    def heavy_tail(self):
        """Thirty organic large orders (200k / k lots for k = 1..30: the step window's 10th largest
        20k), each put up and pulled 0.2 s later, 10.5 s apart."""
        for i, size in enumerate(int(200_000 / (j + 1)) for j in range(30)):
            px = 4985 - (i % 20)
            self.delta(bids=[(px, 1000 + 10 * (5000 - px) + size)])
            self.delta(bids=[(px, 1000 + 10 * (5000 - px))], dt_ms=200)
            self.idle(10_500)

    def states(self):
        return [a.state for a in self.alerts]


def test_a_persistent_large_level_is_a_wall_with_its_evidence():
    s = Script()
    s.warm()
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
    s.warm()
    s.delta(bids=[(4990, 60_000)], asks=[(5040, 60_000)])
    s.idle(3500)
    assert s.states() == [AlertState.NEW, AlertState.NEW]
    s.delta(bids=[(4990, 0)])  # gone without trades ...
    assert s.alerts[-1].state is AlertState.NEW  # ... it may move or come back: judged 2 s later
    s.idle(1800)
    assert s.alerts[-1].state is AlertState.NEW
    s.idle(300)
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "pulled"
    s.feed(Trade("KITEUSDT", 5040, 50_000, TakerSide.BUY, 1, s.t, s.t))
    s.delta(asks=[(5040, 2_000)])
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "consumed"
    assert end.evidence["traded_at_level_lots"] == 50_000


def test_thin_notional_and_ladders_are_not_walls():
    s = Script(wall_min_notional=1_000_000.0)
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(4000)
    assert s.alerts == []
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000), (4991, 70_000)])  # the smaller of two neighbours is no wall
    s.idle(4000)
    assert [a.px_ticks for a in s.alerts] == [4991]


def test_resync_mid_episode_ends_it_as_unknown_and_silences_the_detector():
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(3500)
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
    assert s.alerts[-1].state is AlertState.END and s.alerts[-1].evidence["end"] == "unknown_resync"
    n = len(s.alerts)
    s.delta(bids=[(4990, 0)])  # not synced: buffered, no alert
    assert len(s.alerts) == n


def test_a_moving_wall_stays_one_episode():
    """Its moves are told at most once per wall_update_ms (15 s), what happened in between in
    one update (before, one update per move, at most one a second: 69-89 lines for one wall)."""
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(4500)
    s.delta(bids=[(4990, 1070), (4993, 1070 - 30 + 58_500)])  # the order moved 3 ticks up (-2.5%)
    s.idle(1100)
    s.delta(bids=[(4993, 1040), (4988, 1120 + 61_000)])  # and 5 down
    s.idle(300)
    s.delta(bids=[(4988, 1120), (4990, 1070 + 60_000)])  # and back
    s.idle(1100)
    assert s.states() == [AlertState.NEW]  # the last line was under 15 s ago
    s.idle(12_000)
    assert s.states() == [AlertState.NEW, AlertState.UPDATE]
    assert s.alerts[-1].px_ticks == 4990 and s.alerts[-1].evidence["moves"] == 3
    s.delta(bids=[(4990, 1070), (4994, 1090 + 59_000)])
    s.idle(600)
    assert len(s.alerts) == 2
    s.delta(bids=[(4994, 1090)])
    s.idle(2100)
    assert s.states() == [AlertState.NEW, AlertState.UPDATE, AlertState.END]
    assert len({a.id for a in s.alerts}) == 1
    end = s.alerts[-1]
    assert end.px_ticks == 4994 and end.evidence["moves"] == 4 and end.evidence["end"] == "pulled"


def test_a_thick_stretch_of_book_is_not_a_wall():
    s = Script()
    s.warm()
    # 60k among levels of 25-29k: no ladder (none is half its size), just a thick stretch
    s.delta(bids=[(4985 + i, 25_000 + 400 * i) for i in range(11) if i != 5] + [(4990, 60_000)])
    s.idle(4000)
    assert s.alerts == []


def test_a_level_is_judged_against_what_usually_rests_at_its_distance():
    """The touch queue is usually 20x the band median here; 30x is nothing special at the touch,
    while the same size 10 ticks away is a wall."""
    s = Script()
    for _ in range(410):  # 41 s during which the best bid always holds ~20-25k lots
        s.delta(bids=[(5000, 20_000 + (s.u % 6) * 1_000)])
    s.delta(bids=[(5000, 30_000)])
    s.idle(4000)
    assert s.alerts == []
    s.delta(bids=[(4990, 30_000)])
    s.idle(4000)
    assert [(a.px_ticks, a.state) for a in s.alerts] == [(4990, AlertState.NEW)]


def test_a_level_at_the_edge_of_a_top_n_book_is_not_a_new_wall():
    """A 20-level book (a top-N feed): the deepest levels may be scrolling in, not added."""
    eng = Engine([INST], observers=make_observers(DetectorParams(wall_distance_warmup=5)))
    bids = tuple((5000 - i, 1000) for i in range(20))
    asks = tuple((5001 + i, 1000) for i in range(20))
    out: list[Alert] = []
    eng.feed(BookSnapshot("KITEUSDT", bids, asks, 100, 0, 0))
    u, t = 100, 0

    def delta(b=(), a=()):
        nonlocal u, t
        t += 100 * MS
        out.extend(o for o in eng.feed(BookDelta("KITEUSDT", tuple(b), tuple(a), u + 1, u + 1, u, t, t))
                   if isinstance(o, Alert))
        u += 1

    for i in range(200):
        delta(a=[(5019, 1000 + i % 2)])
    delta(b=[(4981, 60_000)])  # the deepest bid: at the edge
    delta(b=[(4990, 60_000)])  # mid-book: a wall
    for i in range(40):
        delta(a=[(5019, 1000 + i % 2)])
    assert [(a.px_ticks, a.state) for a in out] == [(4990, AlertState.NEW)]


def test_a_wall_trailing_the_touch_through_a_sweep_stays_one_episode():
    """A sweep takes the bids down 12 ticks and the wall keeps its 10 ticks from the touch:
    further than an ordinary move, but at the distance it kept, so the same order."""
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(4500)
    assert s.states() == [AlertState.NEW]
    swept = [(px, 0) for px in range(4988, 5001) if px != 4990]
    s.delta(bids=swept + [(4990, 0), (4978, 1220 + 59_000)])
    s.idle(15_000)
    assert s.states() == [AlertState.NEW, AlertState.UPDATE]
    assert s.alerts[-1].px_ticks == 4978 and len({a.id for a in s.alerts}) == 1


def test_a_moved_wall_is_recognised_when_other_orders_change_both_levels():
    """Orders join the old level as the wall leaves it and the new level had others leave: the
    sizes differ by more than the 15% tolerance, but by less than a typical level."""
    s = Script(wall_min_notional=1_000.0)
    s.warm()
    s.delta(bids=[(4990, 13_100)])
    s.idle(4500)
    assert s.states() == [AlertState.NEW]
    s.delta(bids=[(4990, 2_200), (4993, 1_070 + 10_900 + 1_700)])  # left: 10,900; arrived: 12,600
    s.idle(15_000)
    assert s.states() == [AlertState.NEW, AlertState.UPDATE] and s.alerts[-1].px_ticks == 4993


def test_a_wall_being_eaten_stays_until_little_is_left():
    """Trades take the wall down in steps: it stays (updates say what is left) until less than
    10% of it stands, then ends as consumed."""
    s = Script()
    s.warm()
    s.delta(asks=[(5040, 60_000)])
    s.idle(4000)
    assert s.states() == [AlertState.NEW]
    left = 60_000
    for i in range(5):
        s.feed(Trade("KITEUSDT", 5040, 10_000, TakerSide.BUY, 10 + i, s.t, s.t))
        left -= 10_000
        s.delta(asks=[(5040, left)])
        s.idle(3000)
    # what is left is told at most once per 15 s (the last line went out 15 s after the first)
    assert s.states() == [AlertState.NEW, AlertState.UPDATE] and s.alerts[-1].evidence["size_lots"] == 10_000
    s.feed(Trade("KITEUSDT", 5040, 9_000, TakerSide.BUY, 20, s.t, s.t))
    s.delta(asks=[(5040, 1_000)])
    assert s.alerts[-1].state is AlertState.END and s.alerts[-1].evidence["end"] == "consumed"
    assert len({a.id for a in s.alerts}) == 1


class SparseScript(Script):
    def __init__(self, **params):
        # A tick far finer than the levels: one level every 20 ticks (as Binance spot BTCUSDT).
        book = (tuple((5000 - 20 * i, 1000 + 10 * i) for i in range(60)),
                tuple((5001 + 20 * i, 1000 + 10 * i) for i in range(60)))
        EventScript.__init__(self, DetectorParams(**params), book)


def test_a_sparse_book_is_judged_against_its_nearest_levels():
    """Only 3 levels stand within 50 ticks: the band takes the nearest 20 levels instead."""
    s = SparseScript()
    s.warm()
    s.delta(bids=[(4880, 60_000)])
    s.idle(4000)
    assert [a.px_ticks for a in s.alerts] == [4880]
    s = SparseScript(wall_band_min_levels=0)
    s.warm()
    s.delta(bids=[(4880, 60_000)])
    s.idle(4000)
    assert s.alerts == []


def test_300ms_trade_skew_gives_no_wall_updates_down_to_size_0():
    """With the trade stream 300 ms behind depth, a wall being eaten looked pulled and "moved"
    from level to level down to size 0 (a move matched a nearby level that *shrank* by about
    what was left of the wall). A move is an increase nearby, about the wall's size."""
    from dom.core.detectors.params import DetectorParams
    from dom.core.types import AlertKind, AlertState
    from dom.evaluation import run_market

    alerts, _, _ = run_market("mixed", 3, 5, DetectorParams(), skew_ms=300)
    walls = [a for a in alerts if a.kind is AlertKind.WALL]
    assert walls
    assert not [a for a in walls if a.state is AlertState.UPDATE and a.qty_lots == 0]


def test_a_flickering_wall_is_one_episode_with_few_lines():
    """A real ETHUSDT level went 32 -> 3.8 -> 28.7 -> 9.8 -> 0 in 15 s and gave 25 lines. The
    same shape here: dips under the exit threshold that recover within wall_dip_ms (2 s) are
    the same episode, and size changes are told at most once per 15 s."""
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(1000)
    s.delta(bids=[(4990, 7_000)])  # a candidate's dip ...
    s.idle(500)
    s.delta(bids=[(4990, 60_000)])  # ... does not restart its 3 s
    s.idle(1600)
    assert s.states() == [AlertState.NEW]
    for q in (7_100, 53_800, 18_400, 53_800, 7_100, 60_000, 18_400):
        s.delta(bids=[(4990, q)])
        s.idle(1500)
    assert s.states() == [AlertState.NEW]
    s.delta(bids=[(4990, 0)])
    s.idle(2100)
    assert s.states() == [AlertState.NEW, AlertState.END] and s.alerts[-1].evidence["end"] == "pulled"
    assert len({a.id for a in s.alerts}) == 1


def test_the_distance_baseline_leaves_out_the_walls_it_found():
    """A wall standing for minutes at 10 ticks would be a fifth of the samples at 10-14 ticks and
    lift their P90 to its own size: a second wall there would need 3x that. Levels in an
    announced wall's episode are not sampled."""
    s = Script()
    s.warm()
    s.delta(bids=[(4990, 60_000)])
    s.idle(150_000)
    assert [a.px_ticks for a in s.alerts if a.state is AlertState.NEW] == [4990]
    assert s.alerts[0].evidence["p90_at_distance_lots"] < 2_000
    s.delta(bids=[(4986, 60_000)])
    s.idle(4000)
    news = [a for a in s.alerts if a.state is AlertState.NEW]
    assert [a.px_ticks for a in news] == [4990, 4986]
    assert news[1].evidence["p90_at_distance_lots"] < 2_000
