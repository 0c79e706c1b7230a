"""Pulled liquidity's parameters (``[detectors]``: ``DetectorParams`` in params.py gathers every kind's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpoofParams:
    spoofs: bool = True
    """Detect pulled liquidity: large orders cancelled as price approaches (DETECTORS.md §2.4)."""
    spoof_ratio: float = 5.0
    """A candidate is at least this many times the band median (the wall band, wall_band_ticks)."""
    spoof_min_notional: float = 5_000.0
    """Notional floor of a candidate, in quote currency."""
    spoof_min_d0_ticks: int = 2
    """A candidate is first seen at least this many ticks from its side's best."""
    spoof_drop_fraction: float = 0.7
    """A pull removes at least this fraction of the level's excess over the organic queue beside
    it (an order resting inside a queue never takes the whole level with it; DETECTORS.md §2.4
    asks 70%). At or below ``spoof_level_drop_fraction`` the level rule below decides, since it
    asks its fraction of the excess plus the band median; 0.9 made the excess rule bind for
    excesses over 8x the median and missed their 80-90% pulls (docs/history/detectors-pulls.md,
    "The drop fraction") ..."""
    spoof_queue_ticks: int = 3
    """... the queue being the median size of the levels within this many ticks on either side
    (at least the band median); the excess must be at least (spoof_ratio - 1) x the band median ..."""
    spoof_level_drop_fraction: float = 0.8
    """... and at least this fraction of the whole level, less what the queue beside it holds above
    the band median (where no queue stands beside it: of the whole level; 0: off) ..."""
    spoof_drop_window_ms: int = 500
    """... within this long."""
    spoof_level_drop_big: float = 0.0
    """A level whose step is at least ``spoof_waive_step`` x what the step test asks (a lone placed
    order) is held to this fraction in the whole-level rule above instead (0: off, the rule's own
    fraction): organic orders that joined its price after it was placed stay when it is pulled ..."""
    spoof_level_drop_order: float = 0.0
    """... or passes it when the drop is at least this many times the level's largest one-message
    increase (the order as placed; 0: off)."""
    spoof_max_traded_fraction: float = 0.35
    """Trades at the level explain at most this fraction of the drop (the rest was cancelled; an
    organic queue in front of the order trades there as price arrives) ..."""
    spoof_traded_through: bool = False
    """... counting the trades beyond its price too (true: the rule before; a level is filled only
    at its own price, and trades beyond it in the pull's push came after it had gone)."""
    spoof_near_ticks: int = 5
    """At the pull the level is within max(this, half its first distance) of the touch ..."""
    spoof_approach_s: int = 5
    """... and closer than its largest distance of the last this many seconds ..."""
    spoof_min_approach_ticks: int = 2
    """... by at least this many ticks (price approaching)."""
    spoof_trade_approach: bool = True
    """The distance at the pull is also what the trades on the level's side within the depth push
    that showed the pull came to (a push may hold the last of the approach and the pull)."""
    spoof_min_life_ms: int = 1000
    """A candidate must have been shown this long before a pull counts ..."""
    spoof_short_life_ms: int = 600
    """... or this long (0: off) when its level arrived as one order far beyond the organic ones:
    its step at least ``spoof_short_life_step`` x what the step test asks (``spoof_step_rank``
    on, the window with its rank)."""
    spoof_short_life_step: float = 2.0
    spoof_max_life_s: int = 120
    """Pulls of levels older than this are not reported."""
    spoof_move_ticks: int = 10
    """Size re-added on the same side within this many ticks (>= half the drop) is a move, not a pull."""
    spoof_vol_pct: float = 95.0
    """No pull counts while the mid's range over the last second exceeds this rolling percentile
    of one-second ranges (a volatility spike: risk-off pulls are normal then). High (not P85),
    because the approach a pull answers is itself a move of the mid over that second; not P98,
    which let the preset market's risk-off pulls through (9-12 false alarms an hour)."""
    spoof_vol_min_ticks: float = 2.5
    """... but a range of this many ticks is never a spike (a symbol whose mid rarely moves)."""
    spoof_warm_step: float = 0.0
    """Before the rolling percentile has its first 30 one-second ranges (the warm-up) no pull counts,
    unless its level arrived as one order at least this many times what the step test asks after
    the first book (a candidate first seen over 2 s after the sync: its step was seen, not its
    standing size taken for one); ``spoof_vol_min_ticks`` is then its volatility limit (0: off)."""
    spoof_flow_s: int = 15
    """Takers hitting the candidate's side (sellers into bids, buyers into asks) over this many
    seconds before the pull ..."""
    spoof_flow_min_s: int = 3
    """... but no earlier than the candidate was first seen, unless that leaves less than this many
    seconds (the flow that pushed price toward it while it stood; 0: the whole window always) ..."""
    spoof_min_flow_share: float = 0.55
    """... make at least this share of the taker volume: price was pushed toward the order (a mid
    that only jumped there, or drifted with no such flow, is not an approach; 0: off)."""
    spoof_flow_step: float = 1.5
    """... unless its level arrived as one order this many times what the step test asks (0: off;
    ``spoof_step_rank`` on, the window with its rank): such a step already tells a placed order
    from the queue, which is what the flow share guards."""
    spoof_waive_step: float = 1.5
    """A level that arrived as one order this many times what the step test asks (0: off) is held
    to looser rules (a lone placed order): a mid range up to ``spoof_waive_range`` x the volatility
    limit, within ``spoof_waive_near_ticks`` of the touch, no approach ticks asked, and trades at
    its price up to ``spoof_waive_traded_fraction`` of the drop (on since 2026-12-07 with the
    volatility part up to 1.5x and the distance not waived: docs/history/detectors-pulls.md, "The
    misses left by cause")."""
    spoof_waive_range: float = 1.5
    """(1: the volatility rule not waived) ..."""
    spoof_waive_range_before: float = 0.0
    """... and that only when the mid's range over the second before the depth message that showed
    the pull was at most this x the volatility limit (0: price had not moved; one push carried
    it into the order, where a risk-off spike builds over more than one; large: no such
    condition) ..."""
    spoof_waive_near_ticks: int = 5
    """(``spoof_near_ticks``: the distance not waived) ..."""
    spoof_waive_approach: bool = True
    """(false: the approach ticks still asked) ..."""
    spoof_waive_traded_fraction: float = 0.9
    """(``spoof_max_traded_fraction``: the traded share not waived; 0.9 since 2026-12-07 with
    ``spoof_step_pass`` 0.85, docs/history/detectors-pulls.md, "The traded part and the step pass
    alone"; 0.6 before)."""
    spoof_layer_ms: int = 200
    """Pulls on one side within this long of each other are one (layered) episode."""
    spoof_two_sided_fraction: float = 0.5
    """A pull on the other side within ``spoof_layer_ms`` (quotes withdrawn on both sides) stops a
    report when its drop is at least this fraction of this pull's ..."""
    spoof_two_sided_requote: bool = False
    """... unless its size came back nearby on its side (at least half its drop re-added within
    ``spoof_move_ticks``, as the moved rule reads it): quotes re-placed as price moves (a market
    maker's ladder, a wall trailing the touch) are not quotes withdrawn (false: every such pull
    counts, the rule before; measured 2026-12-07 on seeds 5100-5259, no label more: left off)."""
    spoof_max_wait_ms: int = 500
    """A pull waits for its trades (the trade stream may lag) at most this long before it is judged."""
    spoof_step_rank: int = 10
    """The step test: a pulled level arrived as one order beyond the organic ones. Its largest
    single increase (one depth message) while a candidate is at least ``spoof_step_ratio`` x the
    ``spoof_step_rank``-th largest increase of the symbol's band over ``wall_step_window_s``
    (pulled liquidity's own window; 0: off; steps.py, ``spoof_steps``)."""
    spoof_step_ratio: float = 2.0
    """... this many times."""
    spoof_step_pass: float = 0.85
    """The step test's last word (the rule a pull is judged by last, ``is_pull``) asks this
    fraction of what it asks (1: all of it, the rule before 2026-12-07; 0.85 since, with
    ``spoof_waive_traded_fraction`` 0.9); the waiver, the flow's and the life's steps and the
    warm-up still read their multiples of the whole (spoofs sized near the organic top of a
    heavy-tailed draw: their step 0.8-2x the 10th largest organic one)."""
