"""A symbol followed by its top of book only (a whole-venue scan subscribes depth only for the
symbols opened or pinned): state TOP, depth ignored, trades and best bid/ask updates reach the
observers that need no book (bursts, sweeps, the context's bars) and their alerts pass; the
others see nothing. Following the depth again syncs the book as at start."""

from dom.core.context.market import MarketContext
from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine, ObserverBase
from dom.core.merge import TimeMerge
from dom.core.types import (
    Alert,
    AlertKind,
    AlertState,
    BookDelta,
    BookSnapshot,
    BookTicker,
    FeedState,
    SnapshotRequest,
    StatusChange,
    TakerSide,
    Trade,
)
from dom.core.units import Instrument

INST = Instrument("KITEUSDT", "0.0001", "1")
MS = 1_000_000
S = 1_000_000_000


class Spy(ObserverBase):
    def __init__(self, needs_book: bool) -> None:
        self.needs_book = needs_book
        self.calls: list[str] = []

    def on_delta(self, sym, delta, changes):
        self.calls.append("delta")
        return []

    def on_trade(self, sym, trade):
        self.calls.append("trade")
        return []

    def on_ticker(self, sym, ticker):
        self.calls.append("ticker")
        return []


def ticker(t_ns: int, bid: int, ask: int, u: int = 1) -> BookTicker:
    return BookTicker("KITEUSDT", u, bid, 500, ask, 500, t_ns, t_ns)


def trade(t_ns: int, px: int, qty: int, tid: int, taker=TakerSide.BUY) -> Trade:
    return Trade("KITEUSDT", px, qty, taker, tid, t_ns, t_ns)


def test_top_only_symbol_ignores_depth_and_feeds_only_bookless_observers():
    book, top = Spy(True), Spy(False)
    eng = Engine([INST], observers=lambda st: [book, top])
    out = eng.follow_depth("KITEUSDT", False, 5)
    st = eng["KITEUSDT"]
    assert st.state is FeedState.TOP and st.top_only
    assert [type(o) for o in out] == [StatusChange] and out[0].state is FeedState.TOP
    assert eng.follow_depth("KITEUSDT", False) == []  # already so
    assert eng.feed(BookDelta("KITEUSDT", ((5000, 10),), (), 1, 1, 0, S, S)) == []
    assert eng.feed(BookSnapshot("KITEUSDT", ((5000, 10),), ((5001, 10),), 1, S, S)) == []
    assert st.stats.ignored_depth == 2 and not st.book.bids and st.state is FeedState.TOP
    eng.feed(ticker(2 * S, 5000, 5001))
    eng.feed(trade(2 * S, 5001, 7, 1))
    assert book.calls == [] and top.calls == ["ticker", "trade"]
    assert st.last_ticker.bid_px == 5000 and st.last_trade.qty_lots == 7 and st.stats.trades == 1


def test_following_the_depth_again_syncs_from_a_snapshot_and_leaving_it_drops_the_book():
    eng = Engine([INST], observers=lambda st: [Spy(True)])
    eng.follow_depth("KITEUSDT", False)
    out = eng.follow_depth("KITEUSDT", True, 7)
    st = eng["KITEUSDT"]
    assert not st.top_only and st.state is FeedState.SYNCING and out[0].detail == "depth followed"
    out = eng.feed(BookDelta("KITEUSDT", ((5000, 10),), (), 11, 11, 10, S, S))
    assert any(isinstance(o, SnapshotRequest) for o in out)
    eng.feed(BookSnapshot("KITEUSDT", ((5000, 5),), ((5001, 5),), 10, S, S))
    assert st.synced and st.book.best_bid() == (5000, 10)
    eng.follow_depth("KITEUSDT", False, 9)
    assert st.state is FeedState.TOP and st.book.best_bid() is None


def _sweep_engine() -> Engine:
    p = DetectorParams(walls=False, icebergs=False, spoofs=False, absorptions=False, bursts=False)
    eng = Engine([INST], observers=make_observers(p))
    eng.follow_depth("KITEUSDT", False)
    return eng


def test_a_sweep_on_a_top_only_symbol_is_alerted_from_trades_alone():
    eng = _sweep_engine()
    alerts: list[Alert] = []
    t, tid = S, 0
    for i in range(250):  # the baseline: ordinary runs
        t += 200 * MS
        tid += 1
        eng.feed(ticker(t, 5000, 5001, u=i))
        alerts += eng.feed(trade(t, 5001 if i % 2 else 5000, 100 + (i * 37) % 900, tid,
                                 TakerSide.BUY if i % 2 else TakerSide.SELL))
    t += 300 * MS
    for px in (5001, 5002, 5003):
        tid += 1
        alerts += [o for o in eng.feed(trade(t, px, 5000, tid)) if isinstance(o, Alert)]
    eng.feed(ticker(t + 400 * MS, 5003, 5004))
    assert all(isinstance(o, Alert) for o in alerts)
    kinds = [(a.kind, a.state) for a in alerts if isinstance(a, Alert)]
    assert kinds[0] == (AlertKind.SWEEP, AlertState.NEW)
    st = eng["KITEUSDT"]
    ends = [o for o in st.observers[0].on_ticker(st, ticker(t + 500 * MS, 5003, 5004))]  # already ended
    assert ends == []


def _quiet_burst_engine() -> tuple[Engine, list, int, int, int]:
    """A TOP symbol with bursts alone after 300 s of a tick of noise and a trade every 500 ms: the
    engine, the outputs so far, and the last time, trade id and ticker id."""
    p = DetectorParams(walls=False, icebergs=False, spoofs=False, absorptions=False, sweeps=False)
    eng = Engine([INST], observers=make_observers(p))
    eng.follow_depth("KITEUSDT", False)
    out: list = []
    t, tid, u = S, 0, 0
    for i in range(3000):
        t += 100 * MS
        u += 1
        out += eng.feed(ticker(t, 5000 + i % 2, 5001 + i % 2, u))
        if i % 5 == 0:
            tid += 1
            out += eng.feed(trade(t, 5001, 100, tid))
    return eng, out, t, tid, u


def test_a_burst_on_a_top_only_symbol_reads_its_move_from_the_tickers():
    eng, alerts, t, tid, u = _quiet_burst_engine()
    assert alerts == []
    for i in range(30):  # 3 s: 1.2 % up on ten times the volume
        t += 100 * MS
        u += 1
        px = 5000 + 2 * (i + 1)
        alerts += eng.feed(ticker(t, px, px + 1, u))
        tid += 1
        alerts += eng.feed(trade(t, px + 1, 200, tid))
    new = [a for a in alerts if isinstance(a, Alert) and a.kind is AlertKind.BURST]
    assert new and new[0].state is AlertState.NEW and new[0].evidence["direction"] == "up"


def test_the_merge_holds_a_top_only_symbols_tickers_in_time_order_with_its_trades():
    m = TimeMerge(250 * MS)
    m.held_tickers.add("KITEUSDT")
    out = m.push(ticker(1000 * MS, 5000, 5001))
    out += m.push(trade(900 * MS, 5001, 1, 1))  # 100 ms earlier, on another connection
    assert out == []
    out = m.push(ticker(1300 * MS, 5000, 5001))
    assert [type(e) for e in out] == [Trade, BookTicker] and out[1].ts_exchange_ns == 1000 * MS
    plain = TimeMerge(250 * MS)  # a followed symbol's tickers go straight through
    assert [type(e) for e in plain.push(ticker(1000 * MS, 5000, 5001))] == [BookTicker]


def test_the_context_bars_take_the_mid_from_the_tickers():
    ctx = MarketContext("BTCUSDT")
    eng = Engine([INST], observers=ctx.observers)
    eng.follow_depth("KITEUSDT", False)
    for i in range(130):
        eng.feed(ticker(i * S, 5000 + i, 5001 + i))
    c = ctx.symbols["KITEUSDT"]
    # the bar of 120-129 s: the mean of its ten mids (twice the mid, in ticks)
    assert len(c.bars_1m.closes) == 3 and c.bars_1m.closes[-1] == sum(10001 + 2 * i for i in range(120, 130)) / 10


def test_a_burst_on_a_top_only_symbol_is_started_by_the_trade_that_brings_its_volume():
    """The move first (tickers on little volume), then the volume (trades, no ticker after them): the
    trade that brings the window to a burst's volume starts it on a TOP symbol as on a synced one."""
    eng, alerts, t, tid, u = _quiet_burst_engine()
    for i in range(20):  # 2 s: 0.8 % up, no trade
        t += 100 * MS
        u += 1
        px = 5000 + 2 * (i + 1)
        alerts += eng.feed(ticker(t, px, px + 1, u))
    assert not [a for a in alerts if isinstance(a, Alert)]
    for _ in range(10):  # then ten times the window's volume, trades only
        tid += 1
        alerts += eng.feed(trade(t, 5041, 300, tid))
    new = [a for a in alerts if isinstance(a, Alert) and a.kind is AlertKind.BURST]
    assert new and new[0].state is AlertState.NEW and new[0].evidence["direction"] == "up"
