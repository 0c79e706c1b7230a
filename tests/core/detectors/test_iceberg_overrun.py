"""The looser bar (iceberg_hold.py ``Overrun``, ``iceberg_overrun_chance``): a level whose
same-size chain is less unlikely than the flag asks is flagged still when it traded in a push at
least all it showed at the push's start and stood, with nothing traded through it."""

from dom.core.detectors.iceberg_hold import Overrun
from dom.core.types import AlertState
from tests.core.detectors.script import MS
from tests.core.detectors.test_iceberg import VARIED, Script

# Ordinary joins of exactly 1000 lots now and then: 1000 put back five times has a chance of
# about 8e-5 (between the flag's 2e-5 and the looser bar's 1e-4).
SOME_ALIKE = [1000] * 4 + VARIED[:56]
LOOSE = dict(iceberg_overrun_chance=1e-4, iceberg_min_overruns=1)


def test_overrun_counts_pushes_that_traded_all_the_level_showed_and_left_it_standing():
    o = Overrun(mark=50)
    o.on_traded(before=1000, after=1000, v=1000, through=50)  # all it showed traded, 1000 back: one
    o.on_traded(before=1000, after=400, v=1300, through=50)  # 300 beyond what it showed: two
    o.on_traded(before=1000, after=600, v=400, through=50)  # a part of its queue: not one
    assert (o.pushes, o.lots) == (2, 300)
    o.on_traded(before=600, after=0, v=600, through=50)  # emptied by the trade: the stand ends
    assert (o.pushes, o.lots) == (0, 0)
    o.on_traded(before=500, after=500, v=500, through=50)
    assert o.pushes == 1
    o.on_traded(before=500, after=500, v=500, through=80)  # something traded through it: ends
    assert (o.pushes, o.mark) == (0, 80)


def _flagged(through_each_time=0, gap_ms=200, **params):
    s = Script(ordinary=SOME_ALIKE, **params)
    for _ in range(5):
        s.t += 50 * MS
        s.sell(5000, 1000)
        if through_each_time:
            s.sell(4999, through_each_time)  # a small lot below the bid, before the refill shows
        s.delta(bids=[(5000, 1000)], dt_ms=50)
        s.idle(gap_ms)
    s.idle(500)
    return [a for a in s.alerts if a.state is AlertState.NEW and a.px_ticks == 5000]


def test_a_chain_below_the_flag_is_flagged_when_the_level_traded_beyond_what_it_showed():
    assert _flagged() == [], "the defaults: the chance alone does not reach the flag"
    news = _flagged(**LOOSE)
    assert len(news) == 1
    ev = news[0].evidence
    assert 2e-5 <= ev["organic_chance"] < 1e-4
    assert ev["overrun_pushes"] >= 1 and ev["overrun_lots"] == 0  # it traded exactly what it showed
    assert ev["traded_lots"] >= 3000


def test_the_looser_bar_asks_for_a_level_nothing_traded_through():
    """The same refills, but each time a small lot also trades below the bid: the level holds
    (the hold test passes) but never stood unbroken through a push, so the looser bar is not met.
    The pushes come about a second apart: the trades through the level are those received by the
    time a push is judged (a trade at a level whose depth did not change, as here, at the
    watermark: 600 ms after it), so with pushes closer together the next push's trade through it
    may have come already, and it then breaks the stand at the earlier push, not its own."""
    assert _flagged(through_each_time=100, gap_ms=800, **LOOSE) == []
    assert _flagged(through_each_time=100, gap_ms=800, **LOOSE, iceberg_max_chance=1e-4), "the chance is there"
    assert _flagged(gap_ms=800, **LOOSE), "and without the trades through it the level is flagged"
