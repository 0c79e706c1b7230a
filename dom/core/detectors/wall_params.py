"""The walls' parameters (``[detectors]``: ``DetectorParams`` in params.py gathers every kind's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WallParams:
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
    wall_weak_least_ms: int = 0
    """The weak path's wait follows the symbol: ``wall_weak_margin`` x the longest any candidate
    stood that fell back unannounced after ``wall_persist_ms`` in the last
    ``wall_lifetime_window_s``, at least this and at most ``wall_weak_persist_ms`` (0: off, the
    fixed ``wall_weak_persist_ms``; wall_weak.py, docs/DETECTORS.md "Walls")."""
    wall_weak_margin: float = 1.0
    """... that many times the longest such candidate (see ``wall_weak_least_ms``)."""
    wall_weak_episodes: int = 3
    """... once at least this many such candidates were seen (before: ``wall_weak_persist_ms``; 0:
    none asked for, ``wall_weak_least_ms`` until one is seen)."""
    wall_weak_bound_ms: int = 0
    """A bound on the weak path's (graded) wait from the symbol's own large levels: a candidate
    whose step passes the ratio's need waits at most ``wall_weak_bound_margin`` x the longest any
    candidate of the symbol stood that fell back unannounced after ``wall_persist_ms`` in the last
    ``wall_lifetime_window_s``, at least this (and at least the persistence the full path asks),
    from the start: the wait a large level of this book has not yet been seen to outlast (0: off;
    wall_weak.py, docs/DETECTORS.md "Walls")."""
    wall_weak_bound_margin: float = 1.0
    """... that many times the longest such candidate (see ``wall_weak_bound_ms``)."""
    wall_ref_step_ratio: float = 0.0
    """A candidate whose step is at least this many times the step window's rank-th largest step
    itself (``ref``, not extrapolated while the window is young) and whose size is at least
    ``wall_ref_size_ratio`` x its side's band threshold is announced once it stood
    ``wall_ref_wait_ms``: under the weak need, or sooner than the graded wait (0: off;
    wall_ref.py, docs/DETECTORS.md "Walls")."""
    wall_ref_wait_ms: int = 20000
    """... this long (at least the full path's persistence) ..."""
    wall_ref_size_ratio: float = 2.0
    """... with its size at least this many times its side's band threshold."""
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
    wall_move_forget: bool = False
    """A candidate re-placed nearby (``wall_move_ticks``, ``wall_move_ms``, about its size: the
    same order moved before it was announced) takes its earlier level's step out of the step
    window, as an announced wall's move does: an order trailing the touch would otherwise leave a
    step of its size in the window at every move and lift the reference the organic orders set
    (false: the earlier steps stay; wall_moves.py, docs/DETECTORS.md "Walls")."""
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
