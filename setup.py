"""The optional C accelerator of the book and the Binance decoder (``dom/core/_native*.c``; see
dom/core/accel.py).

Everything else is in pyproject.toml. ``optional=True``: without a compiler (or Python headers)
the build prints a warning and installs dom without it; dom then runs its pure-Python paths,
which give the same results. Build it in a checkout with ``python3 setup.py build_ext --inplace``.
"""

from setuptools import Extension, setup

_PARTS = ["_native.c", "_native_parse.c", "_native_wire.c", "_native_frame.c", "_native_json.c", "_native_book.c", "_native_dsp.c", "_native_band.c", "_native_pick.c",
          "_native_chain.c", "_native_stats.c",
          "_native_pulls.c", "_native_pdh.c", "_native_pgate.c", "_native_pstats.c", "_native_pstore.c", "_native_pmeth.c", "_native_pjd.c", "_native_pjd_tape.c", "_native_plevel.c",
          "_native_abs.c", "_native_abs_tab.c", "_native_ice.c", "_native_ice_tab.c",
          "_native_ice_judge.c", "_native_ice_read.c", "_native_steps.c", "_native_steps_type.c",
          "_native_trd.c", "_native_trd_hook.c", "_native_trd_spoof.c", "_native_roll.c", "_native_roll_view.c",
          "_native_rpl.c", "_native_wdh.c", "_native_wdh_tail.c", "_native_wdh_hold.c", "_native_wdh_hand.c", "_native_wjg.c", "_native_wj.c", "_native_wpk.c", "_native_idh.c", "_native_idh_read.c", "_native_idh_level.c",
          "_native_idh_math.c", "_native_idh_sizes.c", "_native_adh.c", "_native_adh_ep.c", "_native_atd.c", "_native_atd_ep.c",
          "_native_atd_wall.c", "_native_swp.c",
          "_native_swp_runs.c", "_native_bst.c", "_native_bst_rule.c", "_native_bk.c", "_native_mrg.c",
          "_native_mrg_cmp.c", "_native_mrg_pump.c", "_native_mrg_trade.c", "_native_mrg_type.c", "_native_dcd.c", "_native_dcd_event.c"]

# -fvisibility=hidden: the parts share their functions with each other, not with the process (the
# module exports PyInit__native alone).
setup(ext_modules=[Extension("dom.core._native", [f"dom/core/{p}" for p in _PARTS],
                             depends=["dom/core/_native.h", "dom/core/_native_pstore.h", "dom/core/_native_abs.h",
                                      "dom/core/_native_ice.h", "dom/core/_native_steps.h", "dom/core/_native_trd.h",
                                      "dom/core/_native_roll.h", "dom/core/_native_idh.h", "dom/core/_native_bst.h", "dom/core/_native_adh.h", "dom/core/_native_atd.h",
                                      "dom/core/_native_swp.h", "dom/core/_native_mrg.h", "dom/core/_native_dcd.h"],
                             optional=True, extra_compile_args=["-O2", "-fvisibility=hidden"])])
