"""The iceberg-like levels' parameters (``[detectors]``: ``DetectorParams`` in params.py gathers every kind's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IcebergParams:
    icebergs: bool = True
    """Detect iceberg-like refilling levels."""
    iceberg_min_refills: int = 3
    """Same-size refills before a level is flagged."""
    iceberg_min_add: float = 0.2
    """An add counts as a possible refill from this fraction of the side's usual level size (a
    slow average of the median of the top 10 levels) upwards."""
    iceberg_refill_window_ms: int = 250
    """An add at a traded level counts as a possible refill until this long after its last trade."""
    iceberg_chain_traded: float = 0.8
    """A refill follows the previous one only after the level traded this fraction of it: a
    refilling order puts its next slice up once the last one is taken."""
    iceberg_exact_tolerance: float = 0.005
    """Refill sizes are compared in three bands: exact (this fraction) ..."""
    iceberg_jitter_tolerance: float = 0.1
    """... within this fraction (a randomised peak) ..."""
    iceberg_loose_tolerance: float = 0.3
    """... and within this fraction (a strongly randomised peak). At round prices, where traders
    keep topping a level up to about the same size, only exact repeats count."""
    iceberg_round_ticks: int = 10
    """A price is round when it is a multiple of this many ticks."""
    iceberg_max_chance: float = 2e-5
    """A level is flagged when ordinary adds would hit the refill size as often with at most this
    probability (binomial over the window's opportunities, from the symbol's own add sizes at
    traded levels; DETECTORS.md §2.0)."""
    iceberg_window: int = 12
    """The chance is judged over this many latest opportunities (adds that came once the level
    traded the last refill): a fixed window, so a long busy episode is not tested on more and
    more adds."""
    iceberg_baseline_adds: int = 2000
    """Recent adds at traded levels (the symbol's, both sides) behind that chance."""
    iceberg_baseline_min: int = 50
    """No flag before the baseline holds this many adds."""
    iceberg_level_prior: float = 16.0
    """The level's own adds that came while no refill was due also set the chance an ordinary
    add falls in the band; the symbol's rate counts as this many of them (a prior). With
    ``iceberg_level_alpha`` > 0 it is the prior of the gated rate (0 there: the idle adds' share);
    with no gate it applies always, and 0 is off (ungated it cost the presets recall: 16 took
    seeds 100-149 from 0.529 to 0.473)."""
    iceberg_level_alpha: float = 0.01
    """Gate on the level's own adds (iceberg_chain.py ``level_rate``): the level's rate replaces the
    symbol's only when that many idle adds in the band are unlikely at the symbol's rate (a
    one-sided binomial chance below this bar). 0: no gate (the prior alone decides)."""
    iceberg_end_s: int = 10
    """An episode ends after this many seconds without trades at the level."""
    iceberg_max_through: float = 1.0
    """A level is flagged only while it holds price: since its chain's first link, the volume
    traded on its side through it (within ``iceberg_hold_ticks`` beyond) is at most this share of
    the volume traded at it (iceberg_hold.py: liquidity refilling levels as price walks is not one
    order). 0: off."""
    iceberg_hold_ticks: int = 5
    """... counting the trades this many ticks beyond the level."""
    iceberg_min_turnover: float = 1.0
    """A level is flagged only once it traded at least this many times the most it ever showed
    (below 1 all that traded could have been its shown queue). 0: off."""
    iceberg_min_queue_turn: float = 0.0
    """A level is flagged only when, between its chain's links, it traded at least this share of
    what it showed right after the earlier link (the median over the chain's gaps; iceberg_queue.py):
    a refill joins the back of the queue, so the next one is due only once the queue in front of
    it traded away; a crowded touch's regular per-push adds come whatever the queue does. 0: off
    (at 0.5 the randomized check seeds' twin false alarms fell 37%, short of the 40% asked: left off,
    docs/history/detectors-icebergs.md, "The queue a chain's gaps traded")."""
    iceberg_min_chain_share: float = 0.4
    """A level is flagged only when its chain is a real part of what it shows: over the chain's
    links, the median of (the link's size) / (the level's size right after the message that carried
    it) at least this (iceberg_share.py; a crowded touch's repeated per-push adds are a small part of
    its queue). 0: off (on the randomized check seeds 6200-6259 0.4 took the twins' false alarms
    from 3.90 to 0.40 an hour with the same 2 of 26 detectable matched; presets 100-149 0.986 /
    0.514: docs/history/detectors-icebergs.md, "The chain's share of what its level shows")."""
    iceberg_min_depletion: float = 0.0
    """A possible refill counts (in the chain, its chance and the symbol's baseline of adds) only
    when its depth message also traded at least this share of what the level showed before it:
    a refilling order puts its next slice back as the last one is traded away (an exchange's
    native iceberg in the same matching event), so its refills come in the message that depleted
    the level; others' joins at a busy level come whatever the level traded. 0: off (at 0.3 the
    randomized check seeds 6860-6919 matched 4 of 53 detectable labels against 5 and the presets
    100-149 0.292 of 391 against 0.514: left off, docs/history/detectors-icebergs.md)."""
    iceberg_due_periods: bool = False
    """Judge a chain's chance per due period rather than per add (iceberg_period.py): the level's
    traded volume cut into periods of ``iceberg_chain_traded`` x the last link from the point its
    refill is due, each a hit when an add in the band came in it, with the chance
    ``1 - (1 - q)**m`` for its ``m`` adds; the window counts periods. False: the per-add test (on
    the randomized check seeds 6360-6459 it took the matched labels 9 -> 7 of 59 and the twins' false
    alarms 3.72 -> 5.34 an hour; presets 100-149 0.972 / 0.535: left off)."""
    iceberg_overrun_chance: float = 0.0
    """A second, looser bar for the chance (iceberg_hold.py ``Overrun``): met by a level that also
    traded in one push at least all it showed at the push's start, stood afterwards, and nothing
    traded through it. 0: off."""
    iceberg_min_overruns: int = 1
    """... this many such pushes since the level last stood unbroken."""
