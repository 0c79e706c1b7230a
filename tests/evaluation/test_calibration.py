"""dom/calibration.py on a hand-made book, and ``dom eval --calibration``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dom.calibration import BookStats

MS = 1_000_000


def _hand_book(raw_fills: bool = False) -> BookStats:
    st = BookStats(raw_fills=raw_fills, sample_ns=100_000 * MS)  # one dispersion sample only
    st.snapshot(0, [(10000, 10), (9999, 20), (9998, 30), (9997, 40), (9996, 1000)],
                [(10001, 10), (10002, 20), (10003, 30), (10004, 40), (10005, 50)])
    st.trade(100 * MS, 10001, 8, True)  # takes 8 of the 10 shown: a depletion
    st.depth(100 * MS, [], [(10001, 2)])
    st.depth(300 * MS, [], [(10001, 12)])  # +10 with no trades: R = 10, near (within 250 ms)
    st.trade(1200 * MS, 10001, 3, True)
    st.depth(1200 * MS, [], [(10001, 12)])  # 3 traded, size unchanged: R = 3, far (1-1.25 s after)
    st.depth(2500 * MS, [], [])  # past the 2 s window: the depletion is done
    return st


def test_statistics_of_a_hand_made_book_equal_the_hand_computation():
    r = _hand_book().result()
    # The sample after the first diff: bids 10 20 30 40 1000 (median 30, P90 by nearest rank 1000),
    # asks 2 20 30 40 50 (median 30, P90 50).
    assert r["band_p90_over_median"]["p10"] == pytest.approx(50 / 30, abs=1e-3)
    assert r["band_p90_over_median"]["p90"] == pytest.approx(1000 / 30, abs=1e-3)
    assert r["band_max_over_median"]["p90"] == pytest.approx(1000 / 30, abs=1e-3)
    assert r["depletions"] == 1
    # R > 0 in two messages of the 2 s window, 10 + 3 lots added; band median 30.
    assert r["refill_msgs_per_s_after_depletion"] == 1.0
    assert r["added_per_s_after_depletion_band_medians"] == pytest.approx(13 / 2 / 30, abs=1e-3)
    assert r["null_control"] == {"near_rate": 1.0, "far_rate": 1.0, "precision_est": 0.0}
    assert r["seconds"] == 2.5
    assert r["depth_msgs_per_s"] == 1.6
    assert r["levels_per_depth_msg_p50"] == 1
    assert r["prints_per_s"] == 0.8
    assert r["print_size_band_medians"]["p50"] == pytest.approx(8 / 30, abs=1e-3)
    assert r["wall_baseline_3p90_over_median"]["max"] is None  # fewer than 10 sizes at any distance


def test_a_level_refilled_only_a_second_later_counts_far_not_near():
    st = BookStats()
    st.snapshot(0, [(10000, 10), (9999, 10), (9998, 10)], [(10001, 10), (10002, 10), (10003, 10)])
    st.trade(100 * MS, 10000, 10, False)  # the best bid is taken
    st.depth(100 * MS, [(10000, 0)], [])
    st.depth(400 * MS, [], [(10003, 11)])  # elsewhere
    st.depth(1300 * MS, [(10000, 7)], [])  # refilled 1.2 s after
    st.depth(3000 * MS, [], [])
    nc = st.result()["null_control"]
    assert nc["near_rate"] == 0.0 and nc["far_rate"] == 1.0


def test_raw_fills_form_one_print_per_taker_order_and_100ms_merges():
    st = BookStats(raw_fills=True)
    st.snapshot(0, [(10000, 10), (9999, 10), (9998, 10)], [(10001, 50), (10002, 10), (10003, 10)])
    st.trade(100 * MS, 10001, 3, True)
    st.trade(100 * MS, 10001, 5, True)  # same taker order (same time, price, side)
    st.trade(150 * MS, 10001, 2, True)  # another order, inside 100 ms of the first: merged by aggTrade
    st.trade(300 * MS, 10001, 1, False)
    st.depth(400 * MS, [], [(10001, 40)])
    st.result()
    assert st.prints == [8, 2, 1]
    assert st.prints_100ms == [10, 1]


def test_calibration_command_compares_real_and_randomized(tmp_path):
    # An empty data folder: the recordings are skipped with a clear line, the markets still measured.
    r = subprocess.run([sys.executable, "-m", "dom", "eval", "--calibration", "--seeds", "10004", "--minutes", "0.5",
                        "--data", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "not found, skipped" in r.stdout
    assert "band P90/median" in r.stdout
    j = subprocess.run([sys.executable, "-m", "dom", "eval", "--calibration", "--seeds", "10004", "--minutes", "0.5",
                        "--data", str(tmp_path), "--json"], capture_output=True, text=True, timeout=120)
    res = orjson.loads(j.stdout)
    assert len(res["randomized"]) == 2 and res["randomized"][0]["params"]["seed"] == 10004
    assert {row["statistic"] for row in res["rows"]} >= {"null_control.precision_est", "prints_per_s",
                                                         "refill_timing.timed_share", "quoting.join_best_share",
                                                         "quoting.reshown_s.p50"}
    assert all(s["params"]["quoting"] is False and "join_share" not in s["params"] for s in res["randomized"])
    timing = [s["stats"]["refill_timing"] for s in res["randomized"]]
    n = sum(x["possible_refills"] for x in timing)
    assert res["refill_timing_pooled"]["possible_refills"] == n > 0
    assert res["refill_timing_pooled"]["timed_share"] == round(sum(x["timed"] for x in timing) / n, 3)
    assert "share timed with a depletion" in r.stdout and "randomized, all symbols pooled" in r.stdout
    assert "adds near the touch: share to the best" in r.stdout and "organic quoting on" not in r.stdout
    # --quoting: the markets apply their drawn organic quoting, and say so.
    q = subprocess.run([sys.executable, "-m", "dom", "eval", "--calibration", "--quoting", "--seeds", "10004",
                        "--minutes", "0.2", "--data", str(tmp_path), "--json"], capture_output=True, text=True,
                       timeout=120)
    qres = orjson.loads(q.stdout)
    assert all(s["params"]["quoting"] is True and "join_share" in s["params"] for s in qres["randomized"])
    assert [s["stats"] for s in qres["randomized"]] != [s["stats"] for s in res["randomized"]]


def _timing_book() -> BookStats:
    """Ten levels of 10 lots a side (the usual level size 10: a possible refill from 2 lots)."""
    st = BookStats()
    st.snapshot(0, [(10000 - i, 10) for i in range(10)], [(10001 + i, 10) for i in range(10)])
    st.trade(100 * MS, 10001, 5, True)
    st.depth(100 * MS, [], [(10001, 12)])  # traded 5 of 10, R = 5 + 2 = 7: timed
    st.trade(200 * MS, 10000, 1, False)
    st.depth(200 * MS, [(10000, 13)], [])  # traded 1 of 10, R = 1 + 3 = 4: not timed
    st.depth(300 * MS, [(10000, 16)], [])  # nothing traded, 100 ms after its last trade: R = 3, not timed
    st.depth(500 * MS, [(10000, 20)], [])  # 300 ms after its last trade: the level no longer trades
    st.depth(600 * MS, [], [(10005, 20)])  # a level that never traded
    st.trade(700 * MS, 10001, 12, True)
    st.depth(700 * MS, [], [(10001, 0)])  # traded away: R = 0, no add
    st.depth(800 * MS, [], [(10001, 8)])  # put back onto an empty level within 250 ms: timed
    st.trade(900 * MS, 9999, 1, False)
    st.depth(900 * MS, [(9999, 10)], [])  # R = 1, under 0.2 of the usual 10: no possible refill
    return st


def test_refill_timing_share_of_a_hand_made_stream():
    r = _timing_book().result()["refill_timing"]
    assert r["possible_refills"] == 4 and r["timed"] == 2
    assert r["timed_share"] == 0.5
    assert r["per_s"] == pytest.approx(4 / 0.9, abs=1e-3)
    assert r["timed_share_busy"] is None  # under 5 possible refills a second


def test_refill_timing_needs_the_add_to_reach_a_fifth_of_the_usual_level():
    st = BookStats()
    st.snapshot(0, [(10000 - i, 100) for i in range(10)], [(10001 + i, 100) for i in range(10)])
    st.trade(100 * MS, 10000, 50, False)
    st.depth(100 * MS, [(10000, 69)], [])  # R = 50 - 31 = 19 < 20: none
    st.trade(200 * MS, 10000, 50, False)
    st.depth(200 * MS, [(10000, 40)], [])  # R = 50 - 29 = 21: one, timed (50 >= 0.3 x 69)
    r = st.result()["refill_timing"]
    assert r == {"possible_refills": 1, "timed": 1, "per_s": 5.0, "timed_share": 1.0, "timed_share_busy": 1.0}


REAL_BTCUSDT = Path(__file__).resolve().parents[3] / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


@pytest.mark.skipif(not REAL_BTCUSDT.exists(), reason=f"{REAL_BTCUSDT} absent (the shared recordings)")
def test_refill_timing_on_the_real_btcusdt_recording():
    # The iceberg detector's own hooks on this recording: 2,978 possible refills, 32% timed at 0.3
    # (docs/history/detectors-icebergs.md, "the refill's timing against the depletion before it").
    from dom.commands.eval_calibration import recording_stats

    res = recording_stats(REAL_BTCUSDT)["BTCUSDT"]
    r = res["refill_timing"]
    assert 2500 <= r["possible_refills"] <= 3500
    assert 0.25 <= r["timed_share"] <= 0.36
    assert r["timed_share_busy"] == r["timed_share"]  # 9 possible refills a second
    # Of 6,146 adds at the best or 1-2 ticks behind it, 5,176 join a standing best queue; 3,822
    # emptied prices shown again (p50 3.9 s), 677 never within the recording.
    q = res["quoting"]
    assert q["adds_near_touch"] == 6146 and q["join_best_share"] == 0.842
    assert q["reshown_s"] == {"p10": 0.266, "p50": 3.883, "p90": 27.774, "n": 3822, "never": 677}
