"""Does an iceberg-like level hold price? (issue #20)

A refilling order keeps its price: while its slices are taken and put back, takers on that side
trade *at* the level, and trade *through* it (below a bid, above an ask) only in the short gaps
before a refill. Liquidity that refills as price walks is the other way round: each level of a
run trades a while, then price moves through it to the next, and the next one shows the same
regular adds (the flow's add sizes do not depend on the price). Such a run looks like a string of
icebergs on adjacent levels; what tells it apart is that the side kept trading beyond each of them.

``Through`` counts, per book side, the volume traded at each price (cumulated). For a level, the
volume traded on its side within ``depth`` ticks beyond it (a price walking through passes the
adjacent ticks; a sweep that jumps them still prints at some of them) is ``beyond``. The iceberg
detector keeps that sum beside each possible refill, so from the chain's first link on it knows
what traded at the level and what traded through it; ``holds`` asks the second to be a small
share of the first. Both counts are volumes on one side over one stretch of time, so the test
does not depend on the symbol's size law, on trade aggregation, or on how long the episode is.

``Overrun`` counts the pushes in which a level traded at least all it showed at the push's start
and still stood at its end, with nothing traded through it: the classic L2 sign of hidden size
(executions at a price beyond the displayed quantity, the level not depleting). Organic joins can
do it too, at a touch that refills as fast as it trades; it is corroboration for a looser chance
(``iceberg_overrun_chance``), not a test of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from dom.core import accel
from dom.core.types import BookSide

if TYPE_CHECKING:
    from dom.core.detectors.iceberg import _Level
    from dom.core.detectors.params import DetectorParams

_BID = BookSide.BID


class Through:
    """Per side, the volume traded at each price since the start (maker side: a sell hits bids)."""

    __slots__ = ("vol", "bid", "ask")

    def __init__(self) -> None:
        self.bid: dict[int, int] = {}  # the bid side's table (a trade's hot path adds to it directly)
        self.ask: dict[int, int] = {}
        self.vol: dict[BookSide, dict[int, int]] = {BookSide.BID: self.bid, BookSide.ASK: self.ask}

    def add(self, side: BookSide, px: int, qty: int) -> None:
        d = self.vol[side]
        d[px] = d.get(px, 0) + qty

    def prune(self, live: Iterable[tuple[BookSide, int]], depth: int, limit: int) -> None:
        """Forget the prices of a side holding more than ``limit`` of them, except those within
        ``depth`` ticks of a level still followed (``live``: (side, price)): their sums are what an
        open chain's start is measured against. A level followed later starts its chain from the
        sums as they are then, so a session that walks over thousands of prices keeps a bounded
        table and every open chain's counts unchanged."""
        for side, d in self.vol.items():
            if len(d) <= limit:
                continue
            keep: set[int] = set()
            for s, px in live:
                if s is side:
                    keep.update(range(px - depth, px + depth + 1))
            for k in [k for k in d if k not in keep]:
                del d[k]

    def beyond(self, side: BookSide, px: int, depth: int) -> int:
        """Volume traded so far on ``side`` at the ``depth`` prices beyond ``px`` (below a bid,
        above an ask)."""
        d = self.vol[side]
        step = -1 if side is _BID else 1
        native = accel.native
        if native is not None:  # (in C where it takes the numbers: _native_idh_math.c)
            got = native.ice_beyond(d, px, step, depth)
            if got is not NotImplemented:
                return got
        return sum(d.get(px + step * i, 0) for i in range(1, depth + 1))


class Overrun:
    """Per level, since it last stood unbroken (nothing traded through it, never emptied by a
    trade): the pushes that traded at least what the level showed at their start and left it
    standing (``pushes``), and the volume they traded beyond what it showed (``lots``). What traded
    through it is what was received by the time the push is judged (slack.py), so a trade through
    it in a push judged later may break the stand one push early."""

    __slots__ = ("mark", "pushes", "lots")

    def __init__(self, mark: int) -> None:
        self.mark = mark  # the volume traded through the level when this stand began
        self.pushes = 0
        self.lots = 0

    def on_traded(self, before: int, after: int, v: int, through: int) -> None:
        """A push at the level that traded ``v``; ``through``: the volume traded through it so far."""
        if through > self.mark or after <= 0:  # broken: the stand begins again
            self.mark, self.pushes, self.lots = through, 0, 0
            return
        if 0 < before <= v:
            self.pushes += 1
            self.lots += v - before


def turned_over(traded: int, max_shown: int, min_turnover: float) -> bool:
    """Did the level trade at least ``min_turnover`` times the most it ever showed? Below 1 all
    that traded could have been the shown queue: no evidence of hidden size at all (a crowded
    touch whose joins cluster in size looks regular but never trades its queue through)."""
    return traded >= min_turnover * max_shown


def holds(at: int, through: int, max_share: float) -> bool:
    """Did the level hold: is the volume traded through it at most ``max_share`` of the volume
    traded at it (over the same stretch)? ``max_share`` 0: the test is off."""
    return max_share <= 0 or through <= max_share * at


def chain_volumes(lv: _Level, through: Through, ticks: int) -> tuple[int, int]:
    """(traded at the level, traded through it) since its chain's first link."""
    return lv.traded - lv.start[0], through.beyond(lv.side, lv.px, ticks) - lv.start[1]


def flaggable(lv: _Level, through: Through, p: DetectorParams) -> bool:
    """Did the level trade more than it showed, and hold price since its chain began? The turnover
    counts what traded since the episode began, or since its chain's first link when that came
    earlier (the chain of another order that took the level over began before its episode)."""
    if not turned_over(lv.traded - min(lv.traded0, lv.start[0]), lv.max_q, p.iceberg_min_turnover):
        return False
    return holds(*chain_volumes(lv, through, p.iceberg_hold_ticks), p.iceberg_max_through)
