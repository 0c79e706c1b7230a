"""One-to-one matching of alert episodes to ground-truth labels (DETECTORS.md §4)."""

import subprocess
import sys

import orjson

from dom.core.units import Instrument
from dom.evaluation import Episode, score

S = 1_000_000_000
PRICES = {"X": Instrument("X", "0.0001", "1")}


def label(kind, price, t0, t1, detectable=None, side="bid"):
    return {"id": f"{kind}{t0}", "kind": kind, "symbol": "X", "side": side, "price": price,
            "t_start_ns": t0 * S, "t_end_ns": t1 * S, "params": {},
            "detectable_from_ns": None if detectable is None else detectable * S}


def ep(kind, px, t, t_end, side="bid", i=0):
    return Episode(f"{kind}{t}{i}", kind, "X", side, px, t * S, t_end * S)


def test_wall_matches_within_a_tick_and_by_interval_overlap():
    labels = [label("wall", "0.5000", 10, 70, detectable=13)]
    res = score([ep("wall", 5001, 14, 70), ep("wall", 5000, 20, 60, i=1), ep("wall", 5003, 14, 70, i=2)],
                labels, PRICES)["wall"]
    assert (res.matched, res.detections) == (1, 3)
    assert res.false_alarms == 1  # 3 ticks away; the second inside the window merges
    assert res.latencies_ms == [1000.0]
    row = res.row()
    assert row["precision"] == round(2 / 3, 3) and row["recall_detectable"] == 1.0


def test_wall_with_little_overlap_is_a_false_alarm():
    res = score([ep("wall", 5000, 65, 200)], [label("wall", "0.5000", 10, 70, 13)], PRICES)["wall"]
    assert res.matched == 0 and res.false_alarms == 1


def test_absorption_is_also_judged_against_the_part_of_its_label_the_feed_can_show():
    """Detectable 10.5 s into a 14 s label: an alert from then to the end overlaps the whole
    label by 0.25 (under 0.3) but the detectable part by 1.0. A wall is judged on the whole label."""
    lab = label("absorption", "0.5000", 0, 14, detectable=10.5)
    assert score([ep("absorption", 5000, 10.5, 14)], [lab], PRICES)["absorption"].matched == 1
    assert score([ep("absorption", 5000, 13.5, 20)], [lab], PRICES)["absorption"].matched == 0  # too late for either
    assert score([ep("absorption", 5000, 10.5, 14)], [dict(lab, detectable_from_ns=None)],
                 PRICES)["absorption"].matched == 0
    wall = dict(lab, kind="wall")
    assert score([ep("wall", 5000, 10.5, 14)], [wall], PRICES)["wall"].matched == 0


def test_spoof_window_is_around_the_pull_and_sides_must_agree():
    labels = [label("spoof", "0.5000", 10, 30, detectable=30, side="ask")]
    assert score([ep("spoof", 5000, 30, 30, side="ask")], labels, PRICES)["spoof"].matched == 1
    assert score([ep("spoof", 5000, 32, 32, side="ask")], labels, PRICES)["spoof"].matched == 0
    assert score([ep("spoof", 5000, 30, 30, side="bid")], labels, PRICES)["spoof"].false_alarms == 1


def test_a_layered_spoof_matches_at_any_of_its_levels():
    """Three orders at 0.5000, 0.5001 and 0.5002 (asks, away from the touch), pulled together: the
    detector reports the episode at its largest level, which organic orders beside the layers may
    make a deeper one. A level past the layers, or on the touch's side of the label, is not it."""
    lab = dict(label("spoof", "0.5000", 10, 30, detectable=30, side="ask"), params={"layers": 3})
    for px in (5000, 5001, 5002):
        assert score([ep("spoof", px, 30, 30, side="ask")], [lab], PRICES)["spoof"].matched == 1
    for px in (4999, 5003):
        assert score([ep("spoof", px, 30, 30, side="ask")], [lab], PRICES)["spoof"].false_alarms == 1
    bid = dict(lab, side="bid")
    assert score([ep("spoof", 4998, 30, 30)], [bid], PRICES)["spoof"].matched == 1
    assert score([ep("spoof", 5001, 30, 30)], [bid], PRICES)["spoof"].false_alarms == 1
    # Both levels reported: one spoof found, the second report merges into it (not a false alarm).
    res = score([ep("spoof", 5000, 30, 30, side="ask"), ep("spoof", 5002, 30, 30, side="ask", i=1)],
                [lab], PRICES)["spoof"]
    assert (res.matched, res.detections, res.false_alarms) == (1, 2, 0)
    single = dict(lab, params={"layers": 1})
    assert score([ep("spoof", 5001, 30, 30, side="ask")], [single], PRICES)["spoof"].false_alarms == 1


def test_recall_counts_detectable_and_all():
    labels = [label("iceberg", "0.5000", 10, 40, detectable=15), label("iceberg", "0.5010", 10, 40)]
    res = score([ep("iceberg", 5000, 16, 40)], labels, PRICES)["iceberg"].row()
    assert res["recall_detectable"] == 1.0 and res["recall_all"] == 0.5


def test_alerts_on_other_agents_icebergs_are_counted_apart():
    """An absorbing side that is itself an iceberg, and an iceberg whose slice is wall-sized:
    an iceberg alert on the first and a wall alert on the second are neither true nor false."""
    absorbing = label("absorption", "0.5000", 10, 30, detectable=12)
    absorbing["params"] = {"iceberg": True}
    res = score([ep("iceberg", 5000, 20, 30)], [absorbing], PRICES)["iceberg"]
    assert (res.false_alarms, res.other_large) == (0, 1)
    assert res.row()["precision"] is None and res.row()["precision_strict"] == 0.0
    visible = dict(absorbing, params={"iceberg": False})
    assert score([ep("iceberg", 5000, 20, 30)], [visible], PRICES)["iceberg"].false_alarms == 1
    iceberg = label("iceberg", "0.5000", 10, 40, detectable=15)
    res = score([ep("wall", 5000, 14, 40)], [iceberg], PRICES)["wall"]
    assert (res.false_alarms, res.other_large) == (0, 1)


def test_burst_matches_by_side_within_its_window_with_latency_from_the_news():
    labels = [label("burst", "0.5000", 100, 160, detectable=100, side="ask")]
    res = score([ep("burst", 5040, 101, 130, side="ask"), ep("burst", 5090, 150, 170, side="ask", i=1),
                 ep("burst", 5040, 101, 130, side="bid", i=2), ep("burst", 5040, 163, 170, side="ask", i=3)],
                labels, PRICES)["burst"]
    # the first matches (any price: a burst moves), the second merges, the other side and the
    # one after end + 2 s are false
    assert (res.matched, res.detections, res.false_alarms) == (1, 4, 2)
    assert res.latencies_ms == [1000.0]


def test_sweep_matches_a_price_in_its_range_around_the_run():
    sweep = label("sweep", "0.5005", 50, 50, detectable=50, side="ask")
    sweep["params"] = {"first_price": "0.5001", "levels": 5}
    res = score([ep("sweep", 5003, 50, 50, side="ask"), ep("sweep", 5008, 50, 50, side="ask", i=1),
                 ep("sweep", 5003, 52, 52, side="ask", i=2)], [sweep], PRICES)["sweep"]
    assert (res.matched, res.false_alarms) == (1, 2)  # 3 ticks past the run; 2 s after it


def test_eval_in_two_processes_gives_the_same_result():
    from dom.evaluation import evaluate

    one = evaluate("smallcap", [3, 4], 2.0)
    two = evaluate("smallcap", [3, 4], 2.0, jobs=2)
    assert one == two and sum(r["labels"] for r in one["kinds"].values()) > 0


def test_eval_command_prints_json():
    r = subprocess.run([sys.executable, "-m", "dom", "eval", "--seeds", "1", "--minutes", "1", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    res = orjson.loads(r.stdout)
    assert set(res["kinds"]) == {"wall", "iceberg", "absorption", "spoof", "burst", "sweep"}
    assert res["market_hours"] > 0 and res["market_minutes_per_wall_second"] > 0
