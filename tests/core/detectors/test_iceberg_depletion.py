"""The refill's timing (``iceberg_min_depletion``): with it on, a possible refill counts only when
its depth message also traded at least that share of what the level showed before it. A
refilling order puts its slice back as the last one is traded away (an exchange's native
iceberg in the same matching event), so its refills come in the message that depleted the level;
others' joins come whatever the level traded, and with the rule on they are no opportunity (no
miss), no link and not in the symbol's baseline of adds."""

import random

from dom.core.detectors import DetectorParams
from dom.core.types import AlertKind, AlertState, BookSide, TakerSide
from tests.core.detectors.script import MS, EventScript, flat_book
from tests.core.detectors.test_iceberg import JITTERED, VARIED

PX = 4997
OFF = dict(iceberg_min_depletion=0.0)
ON = dict(iceberg_min_depletion=0.5)


class Script(EventScript):
    """The baseline: buyers lift all one of ten asks shows and sellers put back their own sizes
    (``VARIED``, 300-2999 lots) in the same message: 60 adds, each in a message that depleted
    its level, so the baseline holds them with the rule on or off."""

    kind = AlertKind.ICEBERG

    def __init__(self, push_ms=100, **params):
        super().__init__(DetectorParams(walls=False, absorptions=False, spoofs=False, **params), flat_book(30))
        shown = {px: 1000 for px in range(5002, 5012)}
        for i, size in enumerate(VARIED):
            px = 5002 + i % 10
            self.t += (push_ms - 10) * MS  # (a push's trades 10 ms before it)
            self.trade(px, shown[px], TakerSide.BUY)
            shown[px] = size
            self.delta(asks=[(px, size)], dt_ms=10)
            self.idle(300)

    def news(self):
        return [a for a in self.alerts if a.state is AlertState.NEW and a.px_ticks == PX]


def _order_among_joins(joins=(2600, 400), delay_pushes=0, rest=0, push_ms=100, **params):
    """A refilling bid at 0.4997 (``JITTERED`` slices, 1000 +-30%). Each cycle: sellers take most
    of the slice; another trader joins (``joins``, out of the slice's band) in a push without
    trades, while the level still trades (within the refill window); sellers take what the level
    shows but ``rest`` lots, and the order's next slice comes in that message (``delay_pushes`` > 0:
    that many pushes later, in a push without trades)."""
    s = Script(push_ms=push_ms, **params)
    s.delta(bids=[(PX, 1000)], dt_ms=push_ms)
    shown = 1000
    for i, size in enumerate(JITTERED):
        s.t += (push_ms - 10) * MS  # (a push's trades 10 ms before it)
        s.sell(PX, shown - 100)
        s.delta(bids=[(PX, 100)], dt_ms=10)
        join = joins[i % len(joins)]
        s.delta(bids=[(PX, 100 + join)], dt_ms=min(push_ms, 200))  # (within the refill window of the trade)
        s.t += (push_ms - 10) * MS
        s.sell(PX, 100 + join - rest)
        if delay_pushes:
            s.delta(bids=[(PX, rest)], dt_ms=10)
            for _ in range(delay_pushes - 1):
                s.idle(push_ms)
            s.delta(bids=[(PX, rest + size)], dt_ms=min(push_ms, 200))
        else:
            s.delta(bids=[(PX, rest + size)], dt_ms=10)
        shown = size
        s.idle(200)
    s.idle(500)
    return s


def _level(s):
    return s.eng["KITEUSDT"].observers[0].levels[(BookSide.BID, PX)]


def test_an_order_refilled_as_its_level_is_traded_away_is_flagged_among_others_joins():
    """Per add, each join that comes once the slice traded is a miss: 12 refills among 12 joins
    are no evidence at the baseline's 1 in 5. With the rule on the joins (in pushes that traded
    nothing) are no possible refill at all: the refills come in a row."""
    off = _order_among_joins(**OFF)
    assert not off.news(), "per add the joins hide it"
    assert len(_level(off).adds) == 2 * len(JITTERED), "off: the joins are possible refills"
    on = _order_among_joins(**ON)
    news = on.news()
    assert len(news) == 1
    ev = news[0].evidence
    assert ev["refills"] >= 6 and ev["refills_in_window"] == ev["opportunities"]
    assert [a[0] for a in _level(on).adds] == list(JITTERED), "on: the order's slices only"
    # ... and the symbol's baseline of adds holds the timed ones only: the 60 ordinary adds (each
    # in the message that traded its level away) and the slices, not the joins
    assert len(off.eng["KITEUSDT"].observers[0].recent_adds) == len(VARIED) + 2 * len(JITTERED)
    assert sorted(on.eng["KITEUSDT"].observers[0].recent_adds) == sorted(VARIED + list(JITTERED))


def test_the_rule_holds_at_250_and_500_ms_pushes():
    for push_ms in (250, 500):
        assert _order_among_joins(push_ms=push_ms, **ON).news(), push_ms
        assert [a[0] for a in _level(_order_among_joins(push_ms=push_ms, **ON)).adds] == list(JITTERED)


def test_a_refill_a_push_after_the_level_was_traded_away_counts_only_into_an_empty_level():
    """A slice put back a push after its level was traded away, in a push that traded nothing:
    into a level that shows nothing it is timed (the message before traded the level away), into
    a level where others' 300 lots still rest it is not (the rule's limit: refills slower than
    the depth interval at a level that keeps a queue are not counted)."""
    empty = _level(_order_among_joins(delay_pushes=1, **ON))
    assert [a[0] for a in empty.adds] == list(JITTERED)
    resting = _order_among_joins(delay_pushes=1, rest=300, **ON)
    assert not resting.news()
    assert [a[0] for a in _level(resting).adds if a[0] in JITTERED] == [], "no slice after a quiet push counts"
    off = _level(_order_among_joins(delay_pushes=1, rest=300, **OFF))
    assert [a[0] for a in off.adds if a[0] in JITTERED] == list(JITTERED), "off: each is a possible refill"


def _random_level(rng, n=40, push_ms=100, **params):
    """A bid whose adds are ordinary: at random, sellers take all it shows or a part, and others
    join with sizes of the baseline's law (300-2999 lots) in the same push or the next."""
    s = Script(push_ms=push_ms, **params)
    shown = 1000
    s.delta(bids=[(PX, shown)], dt_ms=push_ms)
    for _ in range(n):
        take = shown if shown < 2 or rng.random() < 0.5 else rng.randrange(1, shown)
        s.t += (push_ms - 10) * MS  # (a push's trades 10 ms before it)
        if take:
            s.sell(PX, take)
        shown -= take
        if rng.random() < 0.5:  # the join in the message that traded
            shown += rng.randrange(300, 3000)
            s.delta(bids=[(PX, shown)], dt_ms=10)
        else:
            s.delta(bids=[(PX, shown)], dt_ms=10)
            shown += rng.randrange(300, 3000)
            s.delta(bids=[(PX, shown)], dt_ms=min(push_ms, 200))
        s.idle(rng.choice((100, 300, 700)))
    s.idle(500)
    return s


def test_ordinary_adds_at_random_times_are_not_flagged_with_the_rule_on():
    """Twelve such levels at 100 and 500 ms pushes: about two thirds of their adds come in a
    message that traded half the level or more and count; none is flagged, none near the bar."""
    rng = random.Random(7)
    for _ in range(12):
        s = _random_level(rng, push_ms=rng.choice((100, 500)), **ON)
        assert not s.news()
        lv = _level(s)
        assert 15 <= len(lv.adds) < 40 and lv.chance > 1e-3


def test_the_default_is_off():
    assert DetectorParams().iceberg_min_depletion == 0.0


def _one_add(traded, bar):
    """The bid shows 1000; a push that traded ``traded`` of it shows 800 more than what is left."""
    s = Script(iceberg_min_depletion=bar)
    s.delta(bids=[(PX, 1000)], dt_ms=100)
    s.t += 90 * MS
    s.sell(PX, traded)
    s.delta(bids=[(PX, 1000 - traded + 800)], dt_ms=10)
    s.idle(300)
    return [a[0] for a in _level(s).adds]


def test_the_bar_is_the_share_of_what_the_level_showed_before_the_message():
    assert _one_add(500, 0.5) == [800]
    assert _one_add(500, 0.51) == []
    assert _one_add(400, 0.5) == []
    assert _one_add(400, 0.4) == [800]
    assert _one_add(1, 0.0) == [800], "off: any possible refill"
