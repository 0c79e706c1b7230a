"""The absorption detector on hand-written event scripts (DETECTORS.md §2.3 failure modes).

The book: bids 0.5000 down and asks 0.5001 up, 1000 lots a level, so the median level size is
1000 and the volume threshold is the notional floor (5,000 USDT = 10,000 lots at 0.5). After
30 s of quiet (the baselines' warm-up) a passive bid of 50,000 lots appears at 0.5000 and
sellers hit it.
"""

import tomllib
from pathlib import Path

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, FeedState, FeedStatus, TakerSide
from tests.core.detectors.script import EventScript, flat_book, MS


class Script(EventScript):
    kind = AlertKind.ABSORPTION

    def __init__(self, **params):
        super().__init__(DetectorParams(walls=False, icebergs=False, spoofs=False, **params), flat_book(30))

    def hit(self, seconds, per_100ms=2, qty=500, shown=50_000, late_ms=0, px=5000):
        """Sellers hit the bid at ``px``: ``per_100ms`` trades of ``qty`` each 100 ms; the depth
        shows the level shrinking by what traded. ``late_ms``: trades reach us that much after
        the depth message that already shows them."""
        pending = []
        for _ in range(int(seconds * 10)):
            for k in range(per_100ms):
                pending.append((self.t + (k + 1) * 100 * MS // (per_100ms + 1), qty))
            shown -= per_100ms * qty
            self.delta(bids=[(px, shown)])
            if not late_ms:
                for t, q in pending:
                    self.trade(px, q, at_ns=t)
                pending = []
            else:
                due = [x for x in pending if x[0] <= self.t - late_ms * MS]
                for t, q in due:
                    self.trade(px, q, at_ns=t)
                pending = [x for x in pending if x not in due]
        for t, q in pending:
            self.trade(px, q, at_ns=t)
        return shown

    def of(self, state):
        return [a for a in self.alerts if a.state is state]


def test_heavy_selling_into_a_bid_that_holds_is_absorption_with_its_evidence():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    s.hit(3)  # 20 trades a second, 3,000 lots a second into one level that stays
    news = s.of(AlertState.NEW)
    assert len(news) == 1
    a = news[0]
    assert a.px_ticks == 5000 and a.side.value == "bid" and a.id.startswith("KITEUSDT:absorption:bid:5000:")
    ev = a.evidence
    assert ev["traded_lots"] >= ev["threshold_lots"] >= 10_000  # the notional floor at 0.5
    assert 40_000 <= ev["displayed_before_lots"] <= 50_000 and 0 < ev["displayed_now_lots"] < 45_000
    assert ev["trades_in_rate_window"] >= 3 and ev["one_sided"] == 1.0
    assert ev["refill_lb_lots"] == 0  # the shown size fell by what traded: nothing hidden
    assert ev["subtype"] == "visible" and 0.0 <= a.score <= 1.0
    assert "Absorption" in a.message and "holds" in a.message
    s.idle(5000)  # the sellers stop
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.id == a.id
    assert end.evidence["end"] == "held" and end.evidence["end_reason"] == "aggression_faded"
    assert end.evidence["confirmed"] is True  # it held for the confirmation time H


def test_a_level_that_breaks_ends_broken_and_a_sweep_is_not_absorption():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    s.hit(3)
    assert len(s.of(AlertState.NEW)) == 1
    s.trade(4999, 800)  # a trade beyond the level: it did not hold
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "broken"
    assert end.evidence["end_reason"] == "traded_through"

    s = Script()
    s.idle(31_000)
    s.t += 50 * MS
    for _ in range(30):  # one sweep: 15,000 lots at 0.5000 and on through 0.4999, all at once
        s.trade(5000, 500)
    s.trade(4999, 1000)
    s.delta(bids=[(5000, 0), (4999, 0)])
    s.idle(2000)
    assert s.alerts == []


def test_a_single_block_print_is_not_a_flow_of_aggression():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    s.t += 50 * MS
    s.trade(5000, 30_000)  # one print takes it all
    s.hit(1, per_100ms=1, qty=100, shown=20_000)
    s.idle(2000)
    assert s.alerts == []


def test_a_block_print_inside_a_flow_does_not_hide_the_flow():
    """The flow without its largest print must reach the volume threshold (10,000 lots) on its own:
    a 25,000-lot block and then two seconds of 10,000 lots a second is the flow, absorbed."""
    for large in (0.0, 3.0):
        s = Script(absorption_large_mult=large)
        s.idle(31_000)
        s.delta(bids=[(5000, 80_000)])
        s.t += 50 * MS
        s.trade(5000, 25_000)
        s.hit(2, shown=55_000)
        news = s.of(AlertState.NEW)
        assert len(news) == 1
        # A level 80x the book's P95 level (absorption_large_mult) needs only half the threshold without
        # the block print.
        bar = 1.0 if not large else 0.5
        assert news[0].evidence["traded_lots"] - 25_000 >= bar * news[0].evidence["threshold_lots"]
        assert news[0].evidence["large_level"] is bool(large)


def test_the_same_flow_is_not_absorption_where_the_touch_is_always_this_busy():
    def busy_book(**params):
        s = Script(**params)
        for _ in range(400):  # 40 s: both touches hit 20 times a second with 500 lots, the level refilled
            s.delta(bids=[(5000, 1000 + s.u % 2)], asks=[(5001, 1000 + s.u % 2)])
            for _ in range(2):
                s.trade(5000, 500, TakerSide.SELL)
                s.trade(5001, 500, TakerSide.BUY)
        return s

    for params in ({}, {"absorption_rate_vol_mult": 0.0}):  # the count rule with and without the volume one
        s = busy_book(**params)
        s.delta(bids=[(5000, 50_000)])
        s.hit(3)  # what was heavy in a quiet book is this symbol's normal pace, in prints and in volume
        assert s.of(AlertState.NEW) == []
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    s.hit(3)
    assert len(s.of(AlertState.NEW)) == 1  # the quiet book: same flow, absorption


def test_aggression_on_both_sides_is_not_one_side_leaning_on_a_level():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)], asks=[(5001, 50_000)])
    shown = 50_000
    for _ in range(30):
        shown -= 1000
        s.delta(bids=[(5000, shown)], asks=[(5001, shown)])
        for _ in range(2):
            s.trade(5000, 500, TakerSide.SELL)
            s.trade(5001, 500, TakerSide.BUY)
    assert s.of(AlertState.NEW) == []


def test_the_passive_side_leaving_ends_it_held():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    shown = s.hit(3)
    assert len(s.of(AlertState.NEW)) == 1
    s.delta(bids=[(5000, 500)])  # most of what is shown goes away without trades
    s.idle(500)
    end = s.alerts[-1]
    assert shown >= 20_000 and end.state is AlertState.END
    assert end.evidence["end"] == "held" and end.evidence["end_reason"] == "withdrawn"


def test_trades_arriving_after_their_depth_message_are_no_withdrawal():
    s = Script()
    s.idle(31_000)
    late = []
    for i in range(40):  # 2,000 lots trade each 100 ms; the level shows 1,000 then 3,000 again
        s.delta(bids=[(5000, 1000 if i % 2 else 3000)])
        late += [(s.t - k * 20 * MS, 500) for k in range(4)]
        for t, q in [x for x in late if x[0] <= s.t - 200 * MS]:  # they reach us 200 ms late
            s.trade(5000, q, at_ns=t)
        late = [x for x in late if x[0] > s.t - 200 * MS]
    s.delta(bids=[(5000, 1000)])
    for t, q in late:
        s.trade(5000, q, at_ns=t)
    assert len(s.of(AlertState.NEW)) == 1
    assert s.of(AlertState.END) == []  # a drop whose trades had not arrived yet is not a pull
    s.idle(5000)
    assert s.alerts[-1].evidence["end_reason"] == "aggression_faded"


def test_hidden_refills_are_counted_as_the_refill_lower_bound():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 5000)])
    for _ in range(30):  # 1,000 lots trade each 100 ms, yet the level keeps showing 5,000
        s.delta(bids=[(5000, 5000 + s.u % 2)])
        s.trade(5000, 500, at_ns=s.t - 60 * MS)
        s.trade(5000, 500, at_ns=s.t - 30 * MS)
    s.idle(1000)
    new = s.of(AlertState.NEW)
    assert len(new) == 1
    last = s.alerts[-1].evidence
    assert last["refill_lb_lots"] >= 10_000 and last["subtype"] == "hidden"
    assert last["refill_lb_lots"] <= last["traded_lots"]  # a lower bound, never more than traded


def test_resync_mid_episode_ends_it_as_unknown_and_nothing_is_said_while_not_synced():
    s = Script()
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    s.hit(3)
    assert len(s.of(AlertState.NEW)) == 1
    s.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "test", 0, s.t))
    end = s.alerts[-1]
    assert end.state is AlertState.END and end.evidence["end"] == "unknown_resync"
    n = len(s.alerts)
    for _ in range(40):  # trades keep coming while the book is not synced
        s.t += 50 * MS
        s.trade(5000, 500)
    s.delta(bids=[(5000, 10_000)])
    assert len(s.alerts) == n


def test_no_alert_before_the_baselines_are_warm():
    s = Script()
    s.idle(5_000)
    s.delta(bids=[(5000, 50_000)])
    s.hit(3)
    assert s.alerts == []


def test_the_shipped_config_documents_the_built_in_defaults():
    table = tomllib.loads((Path(__file__).resolve().parents[3] / "config" / "default.toml").read_text())["detectors"]
    base = DetectorParams()
    keys = [k for k in table if k.startswith(("absorption", "spoof"))]
    assert "absorptions" in keys and "spoofs" in keys and len(keys) > 20
    assert DetectorParams.from_mapping({k: table[k] for k in keys}) == base
    for k in keys:
        assert table[k] == getattr(base, k), k


def test_a_level_nearly_emptied_by_the_flow_is_not_announced_as_holding():
    def run(start, **params):
        s = Script(**{"absorption_eaten": 0.0, **params})  # (this rule alone)
        s.idle(31_000)
        s.delta(bids=[(5000, start)])
        s.hit(1.3, shown=start)  # 13 x 1,000 lots traded; the threshold is crossed after 11
        s.idle(300)
        return s.of(AlertState.NEW)

    # At the confirmation 2,000 lots are left: twice the median level, no more. It is about to go.
    assert run(14_000) == []
    assert len(run(14_000, absorption_min_shown=0.0)) == 1  # the rule off: announced
    news = run(15_000)  # 3,000 left: it still holds a real size
    assert len(news) == 1 and news[0].evidence["displayed_now_lots"] == 3000


def test_the_volume_threshold_is_relative_to_the_median_touch_size():
    """DETECTORS.md §2.3: V_W >= 5x the median touch size. Here the touch queue is usually 5,000
    lots while the ten best levels' median is 1,000: 12,000 lots in 3 s (over the notional floor
    and 5x the median level, but under 5x the touch) is no absorption; 30,000 is."""
    for qty, found in ((400, 0), (1000, 1)):
        s = Script()
        for _ in range(310):
            s.delta(bids=[(5000, 5000 + s.u % 2)], asks=[(5001, 5000 + s.u % 2)])
        s.delta(bids=[(5000, 50_000)])
        s.hit(3, per_100ms=1, qty=qty)
        news = s.of(AlertState.NEW)
        assert len(news) == found
    assert 5000 <= news[0].evidence["median_touch_lots"] <= 5001 and news[0].evidence["threshold_lots"] >= 25_001


def test_aggregated_prints_are_judged_by_their_volume_where_the_count_cannot_rise():
    """A venue that merges one price's fills over 100 ms (Binance aggTrade) prints at most about
    ten times a second at a price. Where the side's usual pace is 20 small prints a second, twice
    that count is out of reach however heavy the flow; the level's volume against the side's
    usual volume is not. Where the side usually trades that volume, the same flow is ordinary."""

    def run(warm_qty, **params):
        s = Script(**params)
        for _ in range(310):  # 31 s: 20 prints of warm_qty lots a second into each touch
            s.delta(bids=[(5000, 1000 + s.u % 2)], asks=[(5001, 1000 + s.u % 2)])
            for _ in range(2):
                s.trade(5000, warm_qty, TakerSide.SELL)
                s.trade(5001, warm_qty, TakerSide.BUY)
        s.delta(bids=[(5000, 50_000)])
        s.hit(3, per_100ms=1, qty=1000)  # one merged print each 100 ms: 10 a second, 10,000 lots
        return s.of(AlertState.NEW)

    assert run(5, absorption_rate_vol_mult=0.0) == []  # the print count alone: never reached
    news = run(5, absorption_rate_vol_mult=3.0)
    assert len(news) == 1
    ev = news[0].evidence
    assert ev["trades_in_rate_window"] < ev["baseline_trades_in_rate_window"]  # it passed by volume:
    assert ev["volume_in_rate_window_lots"] >= 3 * ev["baseline_volume_in_rate_window_lots"] > 0
    assert f"{ev['volume_in_rate_window_lots']} in 1000 ms" in news[0].message  # not a print count under its bar
    assert run(500, absorption_rate_vol_mult=3.0) == []  # 10,000 lots a second is this side's pace


def test_the_volume_threshold_can_also_ask_a_multiple_of_the_median_level():
    """``absorption_level_mult``: V_W must also reach that many median level sizes. Here the
    notional floor (10,000 lots) is the threshold; 11,400 lots in 9.5 s pass it, not 12 median
    levels (12,000 lots)."""

    def run(**params):
        s = Script(**params)
        s.idle(31_000)
        s.delta(bids=[(5000, 50_000)])
        s.hit(9.5, per_100ms=2, qty=60)  # 1,200 lots a second
        return s.of(AlertState.NEW)

    news = run()
    assert len(news) == 1 and news[0].evidence["threshold_lots"] == 10_001
    assert run(absorption_level_mult=12.0) == []
    news = run(absorption_level_mult=10.0)  # 10 x 1,000 lots: the floor's own size
    assert len(news) == 1 and news[0].evidence["threshold_lots"] == 10_001


def test_a_level_left_under_the_usual_touch_size_is_not_announced_as_holding():
    """``absorption_min_shown_touch``: where the touch queue is usually 5,000 lots (the ten best
    levels' median 1,000), a bid the flow has brought down to 3,000-4,000 lots at the
    confirmation shows more than twice the median level but less than a usual touch: an ordinary
    touch being eaten, not a large passive order holding."""

    def run(start, **params):
        s = Script(**{"absorption_eaten": 0.0, **params})  # (this rule alone)
        for _ in range(310):
            s.delta(bids=[(5000, 5000 + s.u % 2)], asks=[(5001, 5000 + s.u % 2)])
        s.delta(bids=[(5000, start)])
        s.hit(3, per_100ms=1, qty=1000, shown=start)  # 30,000 lots; the threshold is 25,001
        s.idle(300)
        return s.of(AlertState.NEW)

    assert run(32_000) == []
    news = run(32_000, absorption_min_shown_touch=0.0)  # the rule off: announced
    assert len(news) == 1 and 2_000 < news[0].evidence["displayed_now_lots"] < 5_000
    assert news[0].evidence["median_touch_lots"] in (5000, 5001) and news[0].evidence["min_shown_lots"] == 2000
    news = run(40_000)  # it still shows more than a usual touch: it holds
    assert len(news) == 1 and news[0].evidence["displayed_now_lots"] > news[0].evidence["min_shown_lots"] >= 5000


def test_a_large_level_needs_less_pace_but_more_than_the_usual_one():
    """``absorption_large_mult``: both touches are hit 20 times a second, 250 lots a print (the
    count bar 40 prints a second, the volume bar 15,000 lots). A bid of 50,000 lots (50x the
    P95 of the ten best levels' sizes) hit 30 times a second (7,500 lots) reaches neither bar,
    but a level that large against the flow it takes needs only 0.6 of one: absorption. At the
    usual pace (20 a second: half the count bar) it is this symbol's ordinary flow, however
    large the level."""

    def run(per_100ms, **params):
        s = Script(**params)
        for _ in range(400):
            s.delta(bids=[(5000, 1000 + s.u % 2)], asks=[(5001, 1000 + s.u % 2)])
            for _ in range(2):
                s.trade(5000, 250, TakerSide.SELL)
                s.trade(5001, 250, TakerSide.BUY)
        s.delta(bids=[(5000, 50_000)])
        s.hit(3, per_100ms=per_100ms, qty=250, shown=50_000)
        return s.of(AlertState.NEW)

    news = run(3)
    assert len(news) == 1 and news[0].evidence["large_level"] is True
    ev = news[0].evidence
    assert ev["trades_in_rate_window"] < 2 * ev["baseline_trades_in_rate_window"]  # under the count bar
    assert run(3, absorption_large_mult=0.0) == []  # the rule off: not paced enough
    assert run(2) == []  # the usual pace into a large level


def test_a_large_level_is_large_against_the_organic_orders_resting_away_from_the_touch():
    """``absorption_large_far``: the book also rests an organic bid of 200,000 lots 15 ticks from
    the touch (outside the ten best levels, inside the band), so a 50,000-lot bid at the touch,
    50x the P95 of the ten best levels' sizes, is still under the organic orders' reach: with the
    floor on it needs the full pace, and 30 prints a second (0.6 of the bar) is not absorption.
    A 300,000-lot bid, beyond that reach, is; with the floor off (the default) the 50,000 is."""

    def run(shown, **params):
        s = Script(**params)
        for _ in range(400):
            s.delta(bids=[(5000, 1000 + s.u % 2), (4985, 200_000)], asks=[(5001, 1000 + s.u % 2)])
            for _ in range(2):
                s.trade(5000, 250, TakerSide.SELL)
                s.trade(5001, 250, TakerSide.BUY)
        s.delta(bids=[(5000, shown)])
        s.hit(3, per_100ms=3, qty=250, shown=shown)
        return s.of(AlertState.NEW)

    news = run(50_000)
    assert len(news) == 1 and news[0].evidence["large_level"] is True and "far_level_lots" not in news[0].evidence
    assert run(50_000, absorption_large_far=1.0) == []  # an ordinary order for this book
    news = run(300_000, absorption_large_far=1.0)
    assert len(news) == 1 and news[0].evidence["large_level"] is True
    assert news[0].evidence["far_level_lots"] == 200_000
    assert run(300_000, absorption_large_far=2.0) == []  # under twice that reach


def test_with_the_slack_wait_a_level_traded_through_within_it_is_never_announced():
    # The flow crosses the threshold at 1.1 s; with absorption_confirm_slack a level is announced
    # only once it held the alignment slack (300 ms) past the crossing.
    def run(**params):
        s = Script(**params)
        s.idle(31_000)
        s.delta(bids=[(5000, 50_000)])
        s.hit(1.2)  # crossed at 1.1 s: 100 ms past it, not yet 300 ms
        s.trade(4999, 800)  # through the level: it did not hold
        s.delta(bids=[(5000, 0)])
        s.idle(2000)
        return s

    s = run(absorption_confirm_slack=True)
    assert s.alerts == []
    s = run()  # the default: announced at 100 ms, then broken at once
    assert [a.state for a in s.alerts] == [AlertState.NEW, AlertState.END]
    assert s.alerts[-1].evidence["end_reason"] == "traded_through"

    s = Script(absorption_confirm_slack=True)  # one that holds past the slack is announced at it
    s.idle(31_000)
    s.delta(bids=[(5000, 50_000)])
    t0 = s.t
    s.hit(1.5)
    news = s.of(AlertState.NEW)
    assert len(news) == 1 and news[0].ts_ns - t0 == 1400 * MS
