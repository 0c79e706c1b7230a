"""Score detectors against the built-in market's ground truth (DETECTORS.md §4).

The market runs headless as fast as it can; the detectors see only what it *published*, decoded
by the live decoder into the live engine. Alerts are grouped into episodes (by alert id) and
matched one-to-one, greedily by earliest detection, to labels of the same kind, side and symbol:

* wall, absorption: price within 1 tick and interval IoU >= 0.3;
* iceberg: exact price, detection in [first refill, end + 2 s];
* spoof: exact price, detection in [pull - 0.2 s, pull + 1 s];
* burst (news bursts, issue #16): same direction, detection in [start - 1 s, end + 2 s]; latency
  from the start;
* sweep: a price of the alert's within a tick of the labelled run's range, detection in
  [start - 0.2 s, end + 1 s]; latency from the fill at which the run became a sweep.

Further detections of an already matched label inside its window merge (not false alarms); the
rest are false alarms. Decoys are labels no alert should match. False alarms per hour come from
separate injection-free runs (decoys on); their sweeps are labelled too (the background's own
sweeps are real ones), so there only unmatched sweep alerts are false.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from dom.core.detectors import DetectorParams, make_observers
from dom.core.types import Alert
from dom.errors import DomError
from dom.runtime.pipeline import ListenerBase, Pipeline
from dom.runtime.simulated import drive
from dom.sim.market import Market
from dom.sim.randomize import MarketDraw, draw

SEC = 1_000_000_000
KINDS = ("wall", "iceberg", "absorption", "spoof", "burst", "sweep")


@dataclass
class Episode:
    id: str
    kind: str
    symbol: str
    side: str
    px: int
    t_detect: int
    t_end: int
    prices: set[int] = field(default_factory=set)  # every price it was reported at (moving walls)
    hidden_max: int = 0  # icebergs: the largest "at least X hidden" it reported, lots


@dataclass
class KindScore:
    labels: int = 0
    detectable: int = 0
    matched: int = 0
    matched_detectable: int = 0
    detections: int = 0
    false_alarms: int = 0
    other_large: int = 0  # wall/iceberg alerts on another agent's labelled large order (not counted)
    by_mode: dict[str, list[int]] = field(default_factory=dict)  # iceberg refill mode: [detectable, matched]
    hidden_ratios: list[float] = field(default_factory=list)  # reported hidden lower bound / true hidden
    latencies_ms: list[float] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        judged = self.detections - self.other_large
        p = (judged - self.false_alarms) / judged if judged else None
        strict = (judged - self.false_alarms) / self.detections if self.detections else None
        r = self.matched_detectable / self.detectable if self.detectable else None
        r_all = self.matched / self.labels if self.labels else None
        f1 = 2 * p * r / (p + r) if p and r else None
        lat = sorted(self.latencies_ms)
        pct = (lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 1)) if lat else (lambda q: None)
        hr = sorted(self.hidden_ratios)
        extra: dict[str, Any] = {}
        if self.by_mode:
            extra["recall_by_refill_mode"] = {m: _r(v[1] / v[0]) if v[0] else None
                                              for m, v in sorted(self.by_mode.items())}
        if hr:
            extra["hidden_lb_over_true"] = {"p50": _r(hr[len(hr) // 2]), "max": _r(hr[-1]),
                                            "share_at_most_1": _r(sum(x <= 1 for x in hr) / len(hr))}
        return extra | {"labels": self.labels, "detectable": self.detectable, "detections": self.detections,
                "false_alarms": self.false_alarms, "on_other_large_orders": self.other_large, "precision": _r(p),
                "precision_strict": _r(strict), "recall_detectable": _r(r),
                "recall_all": _r(r_all), "f1": _r(f1), "latency_p50_ms": pct(0.5), "latency_p90_ms": pct(0.9)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def episodes(alerts: Iterable[Alert], run_end: int) -> list[Episode]:
    eps: dict[str, Episode] = {}
    for a in alerts:
        e = eps.get(a.id)
        if e is None:
            e = eps[a.id] = Episode(a.id, a.kind.value, a.symbol, a.side.value, a.px_ticks, a.ts_ns, run_end)
        elif a.state.value == "end":
            e.t_end = a.ts_ns
        e.prices.add(a.px_ticks)
        e.hidden_max = max(e.hidden_max, int(a.evidence.get("hidden_lb_lots") or 0))
    return sorted(eps.values(), key=lambda e: e.t_detect)


def _iou(a0: int, a1: int, b0: int, b1: int) -> float:
    inter = max(0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


def _fits(e: Episode, lab: dict, px: int, path: tuple[int, ...] = ()) -> bool:
    """``path``: every price a moving wall stood at (its label's ``params.prices``); for a sweep,
    its first price (the run spans ``path[0]``..``px``); for a layered spoof, its levels."""
    if e.kind != lab["kind"] or e.side != lab["side"] or e.symbol != lab["symbol"]:
        return False
    t0, t1 = lab["t_start_ns"], lab["t_end_ns"]
    if e.kind in ("wall", "absorption"):
        near = any(abs(a - b) <= 1 for a in (e.prices or {e.px}) for b in (path or (px,)))
        if not near:
            return False
        if _iou(e.t_detect, e.t_end, t0, t1) >= 0.3:
            return True
        # An absorption is only there to see once the volume into the level crossed the
        # threshold (the oracle's time), which may come late in the agent's life: an alert is
        # also judged against that detectable part, as an iceberg's is
        # (docs/history/detectors-evaluation.md, "Matching against what the feed can show").
        first = lab.get("detectable_from_ns")
        return e.kind == "absorption" and first is not None and _iou(e.t_detect, e.t_end, max(t0, first), t1) >= 0.3
    if e.kind == "burst":
        return t0 - SEC <= e.t_detect <= t1 + 2 * SEC
    if e.kind == "sweep":
        lo, hi = min(path[0], px) - 1, max(path[0], px) + 1
        return any(lo <= a <= hi for a in (e.prices or {e.px})) and t0 - SEC // 5 <= e.t_detect <= t1 + SEC
    if e.px != px and not (e.kind == "spoof" and e.px in path):
        return False  # exact price; a layered spoof at any of its levels (reported at the largest)
    if e.kind == "iceberg":
        first = lab.get("detectable_from_ns") or t0
        return first - 2 * SEC <= e.t_detect <= t1 + 2 * SEC
    return t1 - SEC // 5 <= e.t_detect <= t1 + SEC  # spoof: around the pull


OTHER_LARGE = {"spoof", "absorption", "risk_off_pull", "iceberg"}
"""Labels whose agent rests a wall-sized order: the spoof's wall before its pull, the absorbing
side's passive order, the risk-off-pull decoy's order, an iceberg whose shown slice is as large
as a wall. A wall alert on one of them states a fact
(a large order rested there) but matches no ``wall`` label; it is counted apart, neither true nor
false (``on_other_large_orders``), and ``precision_strict`` counts it as false. The same holds for
an iceberg alert on an absorbing side that *is* an iceberg (``params.iceberg``: a native
iceberg with a peak of a sixth of its size, refilling under the burst)."""


def _on_other_large(e: Episode, labels: list[dict], prices: dict[str, Any]) -> bool:
    if e.kind == "iceberg":
        return any(lab["kind"] == "absorption" and lab["params"].get("iceberg") and lab["symbol"] == e.symbol
                   and lab["side"] == e.side and prices[lab["symbol"]].px(lab["price"]) == e.px
                   and lab["t_start_ns"] <= e.t_detect <= lab["t_end_ns"] + 2 * SEC for lab in labels)
    for lab in labels:
        kind = lab["params"].get("decoy") if lab["kind"] == "decoy" else lab["kind"]
        if kind not in OTHER_LARGE or lab["symbol"] != e.symbol or lab["side"] != e.side:
            continue
        px = prices[lab["symbol"]].px(lab["price"])
        layers = int(lab["params"].get("layers", 1) or 1)
        lo, hi = (px - layers, px + 1) if e.side == "bid" else (px - 1, px + layers)
        if any(lo <= a <= hi for a in (e.prices or {e.px})) and \
                _iou(e.t_detect, e.t_end, lab["t_start_ns"], lab["t_end_ns"]) > 0:
            return True
    return False


def _where(lab: dict, inst: Any) -> tuple[int, tuple[int, ...]]:
    """A label's price in ticks, parsed once, and its path: every price a moving wall stood at; a
    sweep's first price; a layered spoof's levels (its price and the ``layers`` - 1 behind it, away
    from the touch: one order each, pulled together)."""
    px = inst.px(lab["price"])
    if lab["kind"] == "sweep":
        return px, (inst.px(lab["params"]["first_price"]),)
    if lab["kind"] == "spoof":
        layers = int(lab["params"].get("layers", 1) or 1)
        step = -1 if lab["side"] == "bid" else 1
        return px, tuple(px + step * j for j in range(layers))
    return px, tuple(inst.px(x) for x in lab["params"].get("prices", ()))


def score(eps: list[Episode], labels: list[dict], prices: dict[str, Any]) -> dict[str, KindScore]:
    out = {k: KindScore() for k in KINDS}
    truth = [lab for lab in labels if lab["kind"] in out]
    for lab in truth:
        s = out[lab["kind"]]
        s.labels += 1
        s.detectable += lab["detectable_from_ns"] is not None
        mode = lab["params"].get("refill_mode")
        if mode and lab["detectable_from_ns"] is not None:
            s.by_mode.setdefault(mode, [0, 0])[0] += 1
    where = [_where(lab, prices[lab["symbol"]]) for lab in truth]
    matched: set[int] = set()
    for e in eps:
        s = out.get(e.kind)
        if s is None:
            continue
        s.detections += 1
        hit = None
        for i, lab in enumerate(truth):
            if _fits(e, lab, *where[i]):
                hit = i
                if i not in matched:
                    break
        if hit is None:
            if e.kind in ("wall", "iceberg") and _on_other_large(e, labels, prices):
                s.other_large += 1
            else:
                s.false_alarms += 1
        elif hit not in matched:
            matched.add(hit)
            lab = truth[hit]
            s.matched += 1
            if lab["detectable_from_ns"] is not None:
                s.matched_detectable += 1
                s.latencies_ms.append((e.t_detect - lab["detectable_from_ns"]) / 1e6)
                mode = lab["params"].get("refill_mode")
                if mode:
                    s.by_mode[mode][1] += 1
            true_hidden = lab["params"].get("hidden_executed")
            if e.kind == "iceberg" and true_hidden:
                h = prices[lab["symbol"]].lots(true_hidden)
                if h > 0:
                    s.hidden_ratios.append(e.hidden_max / h)
    return out


class _Collect(ListenerBase):
    def __init__(self, alerts: list[Alert]) -> None:
        self.alerts = alerts

    def on_alert(self, alert: Alert) -> None:
        self.alerts.append(alert)


def run_market(preset: str, seed: int, minutes: float, params: DetectorParams, depth_ms: int = 100,
               skew_ms: float = 0.0, injections: bool = True, symbols: int | None = None,
               market_draw: MarketDraw | None = None) -> tuple[list[Alert], list[dict], Market]:
    """``market_draw``: a randomized market (its depth interval and skew replace the arguments)."""
    if market_draw is not None:
        depth_ms, skew_ms = market_draw.depth_ms, market_draw.skew_ms
    m = Market(preset, seed=seed, depth_ms=depth_ms, injections=injections, tickers=False, symbols=symbols,
               draw=market_draw)
    pipe = Pipeline("sim", detectors=make_observers(params), hold_ms=max(0, params.merge_hold_ms))
    alerts: list[Alert] = []
    pipe.subscribe(_Collect(alerts))
    drive(m, pipe, minutes * 60, skew_ms)
    pipe.flush()
    m.close_labels()
    return alerts, m.labels, m


def _score_seed(job: tuple) -> tuple[dict[str, KindScore], dict[str, int], dict | None]:
    """One seed: its labelled run scored, and the alerts of its injection-free twin (false alarms);
    randomized, the seed's drawn market (the twin runs the same draw on another seed)."""
    preset, seed, minutes, params, depth_ms, skew_ms, symbols, randomize, quoting = job
    d = draw(seed, quoting=quoting) if randomize else None
    run = "labelled run"
    try:
        alerts, labels, m = run_market(preset, seed, minutes, params, depth_ms, skew_ms, symbols=symbols,
                                       market_draw=d)
        run = f"injection-free twin (seed {seed + 100_000})"
        clean, clean_labels, cm = run_market(preset, seed + 100_000, minutes, params, depth_ms, skew_ms,
                                             injections=False, symbols=symbols, market_draw=d)
    except DomError as e:  # the built-in market sent what dom rejects: say where, to replay it
        raise DomError(f"seed {seed}{' (randomized)' if randomize else ''}, {run}, {minutes:g} min: "
                       f"the built-in market published what dom rejected: {e}") from e
    scores = score(episodes(alerts, m.now), labels, m.instruments)
    fa = {k: 0 for k in KINDS}
    clean_eps = episodes(clean, cm.now)
    for e in clean_eps:
        if e.kind == "sweep":
            continue  # scored against the clean run's own sweeps below
        if not (e.kind in ("wall", "iceberg") and _on_other_large(e, clean_labels, cm.instruments)):
            fa[e.kind] = fa.get(e.kind, 0) + 1
    fa["sweep"] = score([e for e in clean_eps if e.kind == "sweep"], clean_labels, cm.instruments)["sweep"].false_alarms
    return scores, fa, None if d is None else d.as_dict()


def evaluate(preset: str, seeds: list[int], minutes: float, params: DetectorParams | None = None,
             depth_ms: int = 100, skew_ms: float = 0.0, progress=None, jobs: int = 1,
             symbols: int | None = None, randomize: bool = False, quoting: bool = False) -> dict[str, Any]:
    """Score ``seeds``; with ``jobs`` > 1 the seeds run in that many processes (the result is the
    same: seeds are merged in order). ``randomize``: each seed's market is drawn from it
    (dom/sim/randomize.py; ``preset``, ``depth_ms``, ``skew_ms`` and ``symbols`` unused); the
    result then holds each seed's draw and counts and the breakdown by drawn parameter.
    ``quoting`` (with ``randomize``): the markets apply their drawn organic quoting (an option)."""
    params = params or DetectorParams()
    total = {k: KindScore() for k in KINDS}
    fa = {k: 0 for k in KINDS}
    work = [(preset, seed, minutes, params, depth_ms, skew_ms, symbols, randomize, quoting) for seed in seeds]
    per_seed: list[dict] = []
    pool = None
    if jobs > 1 and len(seeds) > 1:
        from concurrent.futures import ProcessPoolExecutor  # only here: dom eval --jobs
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(seeds)))
        results = pool.map(_score_seed, work)
    else:
        results = map(_score_seed, work)
    try:
        for i, (scores, seed_fa, drawn) in enumerate(results):
            if drawn is not None:
                per_seed.append(seed_counts(drawn, scores, seed_fa))
            for k, s in scores.items():
                t = total[k]
                for f in ("labels", "detectable", "matched", "matched_detectable", "detections", "false_alarms",
                          "other_large"):
                    setattr(t, f, getattr(t, f) + getattr(s, f))
                t.latencies_ms += s.latencies_ms
                t.hidden_ratios += s.hidden_ratios
                for mode, (d, mt) in s.by_mode.items():
                    v = t.by_mode.setdefault(mode, [0, 0])
                    v[0] += d
                    v[1] += mt
            for k, n in seed_fa.items():
                fa[k] = fa.get(k, 0) + n
            if progress:
                progress(i + 1, len(seeds))
    finally:
        if pool is not None:
            pool.shutdown()
    hours = len(seeds) * minutes / 60
    rows = {}
    for k, s in total.items():
        r = s.row()
        r["false_alarms_per_hour_clean"] = round(fa[k] / hours, 2) if hours else None
        rows[k] = r
    out = {"preset": preset, "symbols": symbols, "seeds": [seeds[0], seeds[-1]], "minutes_per_seed": minutes,
           "depth_ms": depth_ms, "skew_ms": skew_ms, "market_hours": round(2 * hours, 3), "kinds": rows}
    if randomize:
        from dom.evaluation_breakdown import at_targets_condition, breakdown

        out.update(preset="randomized", symbols=2, depth_ms=None, skew_ms=None, per_seed=per_seed,
                   breakdown=breakdown(per_seed, minutes), at_targets=at_targets_condition(per_seed, minutes))
    return out


def seed_counts(drawn: dict, scores: dict[str, KindScore], fa: dict[str, int]) -> dict:
    """One randomized seed's draw and its counts per kind (what the breakdown sums)."""
    counts = {k: {"labels": s.labels, "detectable": s.detectable, "matched_detectable": s.matched_detectable,
                  "detections": s.detections, "false_alarms": s.false_alarms, "other_large": s.other_large,
                  "clean_false_alarms": fa.get(k, 0)} for k, s in scores.items()}
    return {"seed": drawn["seed"], "params": drawn, "counts": counts}


ROBUSTNESS = ((100, 0.0), (250, 0.0), (500, 0.0), (100, 200.0), (100, 1000.0))
"""Depth push interval (ms) and /market-behind-/public stream skew (ms) of the robustness rows."""


def robustness(preset: str, seeds: list[int], minutes: float, params: DetectorParams | None = None,
               progress=None, jobs: int = 1, symbols: int | None = None) -> list[dict[str, Any]]:
    """The same scoring under slower depth pushes and stream skew (DETECTORS.md §4 strata)."""
    out = []
    for i, (depth_ms, skew_ms) in enumerate(ROBUSTNESS):
        res = evaluate(preset, seeds, minutes, params, depth_ms, skew_ms, jobs=jobs, symbols=symbols)
        out.append({"depth_ms": depth_ms, "skew_ms": skew_ms, "kinds": res["kinds"]})
        if progress:
            progress(i + 1, len(ROBUSTNESS))
    return out
