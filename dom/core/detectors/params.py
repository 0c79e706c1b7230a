"""Detector parameters: every threshold in one documented, frozen place (``[detectors]``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from dom.core.settings import from_table


@dataclass(frozen=True)
class DetectorParams:
    REMOVED: ClassVar[dict[str, str]] = {
        "absorption_max_trade_share": "a block print is judged against the volume threshold since "
                                      "2026-12-04 (V_W without its largest print must reach it)",
    }
    """Keys that were parameters once: a config that still sets one is told why it went."""

    walls: bool = True
    """Detect large resting orders."""
    wall_ratio: float = 8.0
    """A wall is at least this many times the median level size in its band (DETECTORS.md §2.1)."""
    wall_strong_ratio: float = 16.0
    """From this multiple on, the score saturates."""
    wall_band_ticks: int = 50
    """The band: levels within min(1% of mid, this many ticks) on the same side ..."""
    wall_band_min_levels: int = 20
    """... or the nearest this many levels when fewer stand there (a tick much finer than the
    spacing of the levels, as on Binance spot BTCUSDT)."""
    wall_persist_ms: int = 3000
    """A candidate must stand at least this long before it is announced ..."""
    wall_persist_max_ms: int = 8000
    """... and longer, up to this, where large levels come and go often: the time after which,
    by the large levels of the last ``wall_lifetime_window_s`` that fell back within this time,
    at most ``wall_false_per_h`` of them an hour would still stand (docs/DETECTORS.md)."""
    wall_false_per_h: float = 0.5
    """The budget of that rule: ordinary large levels per hour allowed to outlive the requirement."""
    wall_lifetime_window_s: int = 1800
    """The large levels whose lifetimes set the requirement: those of this last window ..."""
    wall_lifetime_min: int = 10
    """... once at least this many of them fell back (before, ``wall_persist_ms`` holds)."""
    wall_min_notional: float = 10_000.0
    """Notional floor in quote currency (a thin book makes everything a 'wall')."""
    wall_p95_window_s: int = 1800
    """Rolling window of the band level-size P95 a wall must also exceed."""
    wall_step_rank: int = 10
    """The step test: a wall arrived as one order beyond the organic ones. Its largest single
    increase (one level, one depth message) is at least ``wall_step_ratio`` x the
    ``wall_step_rank``-th largest increase of the symbol's levels in the last
    ``wall_step_window_s``, the announced walls' own left out (0: off; steps.py)."""
    wall_step_ratio: float = 1.5
    """... this many times ..."""
    wall_step_window_s: int = 1800
    """... over this window."""
    wall_step_horizon_s: int = 600
    """While the window is younger than this, its rank-th largest step is extrapolated to this
    horizon along the tail of its own largest steps (a young window has not yet seen the organic
    flow's top; 0: no extrapolation; steps.py)."""
    wall_step_exceed: float = 1.5
    """... and at least the size the window's organic steps are expected to exceed only this many
    times: its rank-th largest extrapolated by (rank / this) ** (1 / alpha) along the tail of its
    own largest steps, alpha estimated with the rank - 1 largest censored (a heavy tail's top
    orders lie far beyond its 10th largest, a capped one's do not; 0: no such requirement;
    steps.py; docs/DETECTORS.md, "Walls")."""
    wall_step_book_ratio: float = 0.0
    """While the window is young, what a candidate's step must reach is at most this many times
    the largest level the band showed from the window's start until the candidate came (levels 2+
    ticks from the touch, announced walls left out: a level holds at least its largest order), and
    at least ``wall_step_ratio`` x the window's rank-th largest step (0: no such bound; steps.py;
    docs/DETECTORS.md, "Walls")."""
    wall_weak_persist_ms: int = 30000
    """A candidate whose step passes the ratio but not the exceedance is announced once it stood
    this long (0: never): a large organic order rarely rests that long where a wall does."""
    wall_weak_graded: bool = True
    """... and one whose step lies between that need and the full one stands a time between the
    full path's and that, linear in the step's log (``persistence.graded_wait``; False: the weak
    path's whole time)."""
    wall_traded_fraction: float = 0.0
    """A candidate into which takers traded at least this fraction of its peak at its price while
    it stood waits only ``wall_persist_ms`` and needs only the ratio's step (not the exceedance;
    0: off; wall_traded.py, docs/DETECTORS.md "Walls")."""
    wall_traded_lifetimes: bool = False
    """... and such a level's end (a candidate that fell back, a wall that ended) is left out of
    the large-level lifetimes that set the adaptive persistence: takers ended it, not its owner."""
    wall_neighbourhood_ticks: int = 3
    """Only the largest level within this many ticks is a wall (market-maker ladders)."""
    wall_distance_ratio: float = 3.0
    """A wall is also at least this many times the P90 of level sizes at its distance from the touch (books
    are humped and touch queues swell in quiet spells: a level is compared with the large end of
    what is normal where it stands; a departure from DETECTORS.md §2.1, see docs/DETECTORS.md)."""
    wall_distance_samples: int = 600
    """Recent level sizes kept per side and distance bucket (sampled once a second)."""
    wall_distance_warmup: int = 30
    """Samples at a distance before walls are reported there."""
    wall_move_ticks: int = 10
    """A wall that leaves its level and reappears within this many ticks is the same wall, moved..."""
    wall_move_ms: int = 500
    """... if it reappears within this time ..."""
    wall_move_size_tolerance: float = 0.15
    """... with an increase within this fraction of the size that left."""
    wall_update_ms: int = 15000
    """A wall's updates (a move, a size change) go out at most this often, what changed in
    between told together: a trailing wall may move twice a second, a flickering level change
    size as often (at most a few lines a minute per episode)."""
    wall_ladder_fraction: float = 0.5
    """Two or more levels within the neighbourhood at least this fraction of its size: a ladder."""
    wall_local_ticks: int = 5
    """The standout test looks at the levels within this many ticks of a wall ..."""
    wall_local_ratio: float = 3.0
    """... whose median must be at most 1/this of the wall's size (it stands out from the book around it)."""
    wall_edge_levels: int = 2
    """Levels this close to the deepest known level are not new walls: on a top-N feed a level
    crossing the edge looks like an add (DETECTORS.md §2.1)."""
    wall_update_change: float = 0.25
    """An 'update' is sent when the size moved by this fraction since the last alert."""
    wall_end_fraction: float = 0.5
    """Hysteresis: a wall stays while its level holds this fraction of the wall threshold and of
    its peak ..."""
    wall_dip_ms: int = 2000
    """... and a dip under that which recovers (or moves) within this long is the same episode
    (a flickering level is one episode, not one per flicker); a candidate's dip under the
    threshold this short does not restart its ``wall_persist_ms``."""
    wall_consumed_fraction: float = 0.1
    """... unless trades are taking it: a wall being eaten stays (with updates as it shrinks)
    until less than this fraction of its largest size is left."""

    icebergs: bool = True
    """Detect iceberg-like refilling levels."""
    align_slack_ms: int = 300
    """Depth changes are judged this long (exchange time) after they happen, so trades from the
    other stream can arrive first (DETECTORS.md §2.0; >= the p99 trade-vs-depth skew)."""
    merge_hold_ms: int = 250
    """The detectors read a symbol's depth and trades merged in exchange-time order, holding each
    event this long (exchange time) for the other stream (dom/core/merge.py): alerts come this
    much later than the book shows the change, and no longer depend on how the streams
    interleaved on arrival. 0: no merge, arrival order."""
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
    iceberg_overrun_chance: float = 0.0
    """A second, looser bar for the chance (iceberg_hold.py ``Overrun``): met by a level that also
    traded in one push at least all it showed at the push's start, stood afterwards, and nothing
    traded through it. 0: off."""
    iceberg_min_overruns: int = 1
    """... this many such pushes since the level last stood unbroken."""

    absorptions: bool = True
    """Detect heavy aggression absorbed by a level that holds (DETECTORS.md §2.3)."""
    absorption_window_s: int = 10
    """W: taker volume into a level is summed over this many seconds."""
    absorption_baseline_s: int = 1800
    """Rolling window of the baseline samples (V_W at the touch, once a second)."""
    absorption_baseline_pct: float = 95.0
    """Percentile of the baseline samples ..."""
    absorption_baseline_mult: float = 0.0
    """... times this is one lower bound of the V_W threshold (0: off; on the built-in market it
    traded recall for precision along the same curve as the intensity rule)."""
    absorption_touch_mult: float = 5.0
    """Another: this many times the median touch size (the best level's size, sampled once a
    second, rolling; DETECTORS.md §2.3)."""
    absorption_level_mult: float = 5.0
    """Volume: V_W also reaches this many times the median level size (of the ten best, sampled
    once a second, rolling). 0: off. In a book thick away from the touch the median touch is
    thinner than the levels behind it, and an ordinary level that becomes the touch after a move
    takes 5x a thin touch in ordinary flow."""
    absorption_min_notional: float = 5_000.0
    """And the notional floor of V_W, in quote currency."""
    absorption_rate_ms: int = 1000
    """Intensity: aggressive trades into the level over this span ..."""
    absorption_rate_pct: float = 90.0
    """... at least this percentile of the number of trades into the whole side over the same span
    (sampled once a second, rolling) ..."""
    absorption_rate_mult: float = 2.0
    """... times this ..."""
    absorption_min_trades: int = 3
    """... and at least this many."""
    absorption_rate_vol_mult: float = 3.0
    """Or (0: off) taker volume into the level over the same span at least this many times a
    percentile (``absorption_rate_pct``) of the taker volume into the whole side over such a span
    (sampled once a second, rolling), with ``absorption_min_trades`` prints: a volume, which the
    venue's trade aggregation does not change, where the print count cannot rise (a venue that
    merges one price's fills over 100 ms prints there at most ~10 times a second)."""
    absorption_large_mult: float = 3.0
    """A level that shows at least this many times a percentile (``absorption_large_pct``) of the
    sizes of the ten best levels (each sampled once a second, rolling over
    ``absorption_baseline_s``) when V_W crosses the threshold (0: off) is a large passive order
    against the flow it takes: its intensity needs only ``absorption_large_pace`` of either bar,
    and V_W without its largest print ``absorption_large_block`` of the volume threshold. Large
    against the book's own large levels, not its median: where organic orders run to hundreds of
    times the median, a level of a dozen medians is an ordinary one."""
    absorption_large_pct: float = 95.0
    """... that percentile."""
    absorption_large_pace: float = 0.6
    """... this fraction of the count bar or of the volume bar (above 0.5: more than the side's
    usual busy second) ..."""
    absorption_large_block: float = 0.5
    """... and this fraction of the volume threshold left without the largest print."""
    absorption_large_far: float = 0.0
    """And (0: off) at least this many times a percentile (``absorption_large_far_pct``) of the
    largest level the band showed 2+ ticks from the touch (within ``wall_band_ticks``; sampled
    once a second, rolling over ``absorption_baseline_s``): the organic large orders' reach. In a
    book thick away from the touch with large organic orders, the ten best levels' P95 falls short
    of it, and an organic order that becomes the touch is "large" while it is an ordinary one."""
    absorption_large_far_pct: float = 95.0
    """... that percentile."""
    absorption_deep_mult: float = 0.0
    """Or (0: off) ``V_W`` without its largest print at least this many times the volume threshold
    and the touch's usual ``V_W`` (its percentile ``absorption_baseline_pct``, sampled once a
    second): a flow into one level that deep needs neither intensity bar (still one-sided and
    holding). A steady flow into a level that keeps holding has no busy second to show against the
    side's; the volume it took, against the symbol's own touch, is what aggregation and the book's
    dispersion do not change. Measured in docs/DETECTORS.md, "the deep flow"."""
    absorption_one_sided: float = 0.6
    """Takers into this side make at least this share of all taker volume over W (one-sidedness)."""
    absorption_warmup_s: int = 30
    """Seconds of baseline samples needed before any alert."""
    absorption_track_fraction: float = 0.25
    """Levels are followed closely (volume balance) once V_W reaches this fraction of the threshold."""
    absorption_confirm_ms: int = 100
    """A level is announced when it still holds this long after V_W crossed the threshold (> the
    trade/depth skew, so a sweep's late trade-through is seen first)."""
    absorption_confirm_slack: bool = False
    """... and, on, at least the alignment slack (``align_slack_ms``, or more where the trade
    stream runs further behind). Off: on randomized report seeds it cost recall (0.618 -> 0.560)
    for fewer false alarms (1.44 -> 1.26 an hour), docs/DETECTORS.md."""
    absorption_eaten: float = 0.35
    """(0: off) A level that, when it would be announced, shows at most this fraction of the most
    it showed since it was followed, and whose refills (``refill_lb``) explain less than
    ``absorption_eaten_refill`` of the volume traded into it, is a resting order the flow is eating
    down, not a level holding: it is not announced (absorption_eaten.py). Measured in docs/DETECTORS.md, "the eaten-down level"."""
    absorption_eaten_refill: float = 0.5
    """... that fraction of the traded volume."""
    absorption_min_shown: float = 2.0
    """... and still shows more than this many times the median level size (a level nearly
    emptied by the flow is about to break, not holding)."""
    absorption_min_shown_touch: float = 1.0
    """... and more than this many times the median touch size (0: off): an absorbing level is a
    large passive order, not a touch the flow has brought under the usual touch's size."""
    absorption_hold_ms: int = 3000
    """H: still holding this long after the crossing, the episode is 'confirmed' (an update)."""
    absorption_fade_ms: int = 3000
    """Aggression has faded when the number of trades into the level over this window ..."""
    absorption_fade_fraction: float = 0.15
    """... falls to this fraction of its peak over such a window: the episode ends, held."""
    absorption_resume_s: int = 5
    """A level that held and absorbs again within this many seconds continues its episode (same id)."""
    absorption_withdraw_fraction: float = 0.5
    """A depth message removing this fraction of the shown size that trades do not explain is the
    passive side leaving: the episode ends, held."""

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
    excesses over 8x the median and missed their 80-90% pulls (docs/DETECTORS.md) ..."""
    spoof_queue_ticks: int = 3
    """... the queue being the median size of the levels within this many ticks on either side
    (at least the band median); the excess must be at least (spoof_ratio - 1) x the band median ..."""
    spoof_level_drop_fraction: float = 0.8
    """... and at least this fraction of the whole level, less what the queue beside it holds above
    the band median (where no queue stands beside it: of the whole level; 0: off) ..."""
    spoof_drop_window_ms: int = 500
    """... within this long."""
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
    spoof_flow_s: int = 15
    """Takers hitting the candidate's side (sellers into bids, buyers into asks) over this many
    seconds before the pull ..."""
    spoof_flow_min_s: int = 3
    """... but no earlier than the candidate was first seen, unless that leaves less than this many
    seconds (the flow that pushed price toward it while it stood; 0: the whole window always) ..."""
    spoof_min_flow_share: float = 0.55
    """... make at least this share of the taker volume: price was pushed toward the order (a mid
    that only jumped there, or drifted with no such flow, is not an approach; 0: off)."""
    spoof_flow_step: float = 2.0
    """... unless its level arrived as one order this many times what the step test asks (0: off;
    ``spoof_step_rank`` on, the window with its rank): such a step already tells a placed order
    from the queue, which is what the flow share guards."""
    spoof_waive_step: float = 0.0
    """A level that arrived as one order this many times what the step test asks (0: off) is held
    to looser rules (a lone placed order): a mid range up to ``spoof_waive_range`` x the volatility
    limit, within ``spoof_waive_near_ticks`` of the touch, no approach ticks asked, and trades at
    its price up to ``spoof_waive_traded_fraction`` of the drop."""
    spoof_waive_range: float = 3.0
    """(1: the volatility rule not waived) ..."""
    spoof_waive_range_before: float = 0.0
    """... and that only when the mid's range over the second before the depth message that showed
    the pull was at most this x the volatility limit (0: price had not moved; one push carried
    it into the order, where a risk-off spike builds over more than one; large: no such
    condition) ..."""
    spoof_waive_near_ticks: int = 10
    """(``spoof_near_ticks``: the distance not waived) ..."""
    spoof_waive_approach: bool = True
    """(false: the approach ticks still asked) ..."""
    spoof_waive_traded_fraction: float = 0.6
    """(``spoof_max_traded_fraction``: the traded share not waived)."""
    spoof_layer_ms: int = 200
    """Pulls on one side within this long of each other are one (layered) episode."""
    spoof_two_sided_fraction: float = 0.5
    """A pull on the other side within ``spoof_layer_ms`` (quotes withdrawn on both sides) stops a
    report when its drop is at least this fraction of this pull's."""
    spoof_max_wait_ms: int = 500
    """A pull waits for its trades (the trade stream may lag) at most this long before it is judged."""
    spoof_step_rank: int = 10
    """The step test: a pulled level arrived as one order beyond the organic ones. Its largest
    single increase (one depth message) while a candidate is at least ``spoof_step_ratio`` x the
    ``spoof_step_rank``-th largest increase of the symbol's band over ``wall_step_window_s``
    (pulled liquidity's own window; 0: off; steps.py, ``spoof_steps``)."""
    spoof_step_ratio: float = 2.0
    """... this many times."""

    bursts: bool = True
    """Detect momentum bursts: volume and price move far above the symbol's usual, at once (issue #16)."""
    burst_window_s: int = 3
    """The burst window: volume and move over the last this many seconds."""
    burst_baseline_s: int = 600
    """The usual volume per window and the usual move come from this many seconds before."""
    burst_warmup_s: int = 120
    """Nothing is said before this many seconds of history."""
    burst_volume_mult: float = 4.0
    """The window's volume is at least this many times the usual window's ..."""
    burst_move_sigma: float = 4.0
    """... and the mid moved at least this many times the usual window move (root mean square) ..."""
    burst_min_move_bps: float = 50.0
    """... and at least this many basis points."""
    burst_end_mult: float = 1.5
    """The episode ends once the window's volume is under this many times the usual (frozen at the start)."""

    sweeps: bool = True
    """Detect sweeps: one aggressive run taking several price levels within a moment (issue #16)."""
    sweep_window_ms: int = 100
    """A run: trades of one taker side within this long of its first, prices never stepping back ..."""
    sweep_min_levels: int = 3
    """... taking at least this many distinct prices ..."""
    sweep_min_notional: float = 5_000.0
    """... at least this much notional (quote currency) ..."""
    sweep_size_pct: float = 99.9
    """... and a size at or above this percentile of the symbol's runs (all of them, of any size) ..."""
    sweep_baseline_s: int = 600
    """... over the last this many seconds."""
    sweep_warmup_runs: int = 200
    """Nothing is said before this many runs have been seen."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any] | None) -> "DetectorParams":
        return from_table(cls(), table, "detectors")
