"""The optional C accelerator of the book's and the decoder's hot loops and of the detectors' filters
of a message's level changes (``dom.core._native``, built from ``dom/core/_native*.c`` by
``setup.py``), or None.

None when it was not built (no compiler at install: the install still succeeds), when it was
built from an older ``_native.c`` (it lacks a function of ``FUNCTIONS``), or when the
environment variable ``DOM_PURE_PYTHON`` is set to anything but ``""``/``"0"`` at import (the
switch that forces the pure-Python paths). Both give the same results, level for level; the
tests in ``tests/core/test_native.py`` (and, for the detectors' ``pick`` (``pick_changes``) and ``first_move``,
``tests/core/detectors/test_changes_pick.py``; ``pick_at`` and ``chain_scan``, ``test_iceberg_native.py``;
``band_buckets`` and ``sample_few``, ``test_wall_stats_native.py``; the ``PullStore`` type,
``test_spoof_store.py``; ``pulls_delta``, ``test_spoof_delta.py``; ``band_sizes``, ``band_hits`` and ``mid_range``,
``test_spoof_stats.py``; the type ``AbsSide``, absorption's per-side state, ``test_absorption_side.py``; the type ``IceWait``, the iceberg
detector's waiting changes and trades, ``test_iceberg_wait.py``; the type ``StepStore``, a step window's kept steps,
``test_step_store.py``; ``band_read``, the band of ``detectors/band.py``, ``test_band_native.py``; the type
``Slack``, the adaptive alignment slack, ``test_slack_native.py``; the trade hooks ``IceHook`` and ``SpoofHook``,
against the detectors' own ``on_trade``, ``test_trade_hooks.py``; the depth hook ``PullsHook``, against
pulled liquidity's own ``on_delta``, ``test_spoof_hook.py``; the type ``RollSamples``, the detectors' rolling
samples (``detectors/rolling.py``), ``test_rolling_native.py``; the walls' depth hook ``WallHook``, against
their own ``on_delta``, ``test_wall_hook.py``; ``tail_hill``, the step window's tail index, and ``nth_smallest``, a distance bucket's P90, ``test_wall_tail.py``;
the icebergs' depth hook ``IdhHook``, its sorted add sizes ``IdhSizes``, ``ice_binom_tail``, ``ice_beyond`` and
``ice_chains_short``, ``test_iceberg_delta_hook.py``; absorption's depth hook ``AbsHook``, against its own
``on_delta``, ``test_absorption_hook.py``; the sweeps' trade and depth hook ``SweepHook``, against
their own ``on_trade`` and ``on_delta``, ``test_sweep_hook.py``; the bursts' ``BurstHook``, likewise,
``test_burst_hook.py``; ``side_stats``, the walls' once-a-second statistics of a side, ``test_wall_side.py``;
pulled liquidity's tape reads ``tape_traded``, ``tape_near`` and ``tape_volume_after``, its band's
``band_median_top`` and the pulls it makes in C, ``test_pulls_native.py``; the type ``TimeMerge``, the
exchange-time merge (``dom.core.merge``), ``test_merge_native.py``, and its pump,
``tests/runtime/test_merge_pump.py``; the one-pass reader of the usual Binance frames that ``rpl_lines``,
``rpl_scan`` and ``frame`` try first, and ``split_lines``, a block's lines, ``test_native_dcd.py``)
run one against the other. The module is pure like the
rest of ``dom.core``: no I/O, no clock, no state of its own (an ``AbsSide`` or an ``IceWait`` holds its own
detector's state, nothing else).
"""

from __future__ import annotations

import os
from types import ModuleType

FUNCTIONS = ("levels", "apply", "apply_book", "top", "depth", "event", "frame", "pick_changes", "first_move", "pick_at",
             "band_read", "chain_scan", "band_buckets", "sample_few", "pulls_delta", "PullStore",
             "band_sizes", "band_hits", "mid_range", "AbsSide", "IceWait", "StepStore",
             "Slack", "IceHook", "SpoofHook", "RollSamples", "rpl_lines", "rpl_peek", "rpl_scan", "PullsHook",
             "WallHook", "tail_hill", "nth_smallest", "IdhHook", "IdhSizes", "ice_binom_tail", "ice_beyond",
             "ice_chains_short", "AbsHook", "SweepHook", "BurstHook", "side_stats", "book_apply",
             "tape_traded", "tape_near", "tape_volume_after", "band_median_top", "TimeMerge", "split_lines")
"""What this checkout's Python calls: a module built from an older ``_native.c`` (a checkout
updated without ``python3 setup.py build_ext --inplace``) lacks some, and is not used at all."""


def complete(module: ModuleType) -> bool:
    return all(callable(getattr(module, f, None)) for f in FUNCTIONS)


native: ModuleType | None = None
if os.environ.get("DOM_PURE_PYTHON", "") in ("", "0"):
    try:
        from dom.core import _native as native
    except ImportError:
        native = None
    if native is not None and not complete(native):
        native = None
