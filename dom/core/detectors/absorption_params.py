"""Absorption's parameters (``[detectors]``: ``DetectorParams`` in params.py gathers every kind's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AbsorptionParams:
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
    absorption_rate_young_ms: int = 0
    """(0: off) A flow into a level followed for less than ``absorption_rate_ms`` (followed closely
    since its V_W reached ``absorption_track_fraction`` of the threshold) is judged over its own
    span: both intensity bars are scaled by max(its span, this many ms) / ``absorption_rate_ms``.
    A burst that began 0.3 s ago has had 0.3 s to show its pace; over a full rate window the quiet
    before it dilutes the count and the volume, and a short-lived absorber is broken before a
    second of its flow is seen."""
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
    dispersion do not change. Measured (left off) in docs/history/detectors-absorption.md, "a deep
    flow standing in for the pace"."""
    absorption_far_before: float = 0.5
    """(0: off) A level whose latest unbroken run of samples (once a second, within ``wall_band_ticks``
    of the best) showing at least this fraction of what it shows when V_W crosses the threshold
    began while it stood 2+ ticks from the best, with ``absorption_far_before_n`` samples taken
    there, is an organic resting order the price came to, not an absorber placed at the touch
    against the flow: it does not cross (absorption_away.py). Large organic orders that became the
    touch. On at 0.5 (0: off); measured in docs/history/detectors-absorption.md, "an order the price
    came to"."""
    absorption_far_before_n: int = 3
    """... that many samples (seconds) 2+ ticks from the best ..."""
    absorption_far_before_s: int = 60
    """... looking back at most this many seconds."""
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
    for fewer false alarms (1.44 -> 1.26 an hour), docs/history/detectors-absorption.md, "the
    confirmation and the slack"."""
    absorption_moved_off: bool = False
    """(False: off) A level that, when it would be announced, is no longer the best because better
    levels stand in front of it (the price moved off it, nothing traded through it) and still shows
    more than the hold minimum is announced: it held and the flow turned away, the way an absorber
    ends a push. Off, such a level is dropped as not holding. On a feed of slow depth pushes the
    price has often left the level by the first message after the confirmation. Measured, left off
    (fresh check seeds: recall +0.029, precision -0.025: organic orders the price left pass too),
    docs/history/detectors-absorption.md, "a level the price moved off"."""
    absorption_moved_off_first: bool = False
    """... and (False: at any confirming message) only when the message that confirms is the first
    depth message after the crossing: the price had left the level before the feed showed it again
    (slow depth pushes). A level seen still the best after the crossing and left later is dropped.
    Not checked on fresh seeds (docs/history/detectors-absorption.md, "a level the price moved off")."""
    absorption_eaten: float = 0.35
    """(0: off) A level that, when it would be announced, shows at most this fraction of the most
    it showed since it was followed, and whose refills (``refill_lb``) explain less than
    ``absorption_eaten_refill`` of the volume traded into it, is a resting order the flow is eating
    down, not a level holding: it is not announced (absorption_eaten.py). Measured in
    docs/history/detectors-absorption.md, "the eaten-down level"."""
    absorption_eaten_refill: float = 0.5
    """... that fraction of the traded volume."""
    absorption_mean_print: float = 0.0
    """(0: off) A level that, when it would be announced, shows less than the volume traded into it
    and took at least this fraction of the volume threshold per print (the volume traded into it
    over the prints since it was followed closely) is an ordinary resting order a few large market
    orders ran into, not an absorber taking a burst of many: it is not announced
    (absorption_prints.py). Measured in docs/history/detectors-absorption.md, "a few large prints"."""
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
