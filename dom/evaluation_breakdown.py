"""Randomized evaluation, broken down by drawn parameter (issue #20): which part of which range
breaks which rule.

For each parameter of ``dom.sim.randomize.RANGES`` the seeds are split into bins: terciles of
the drawn values for a continuous parameter (cut at the 1/3 and 2/3 quantiles of the seeds'
values), one bin per value for a choice. In each bin and for each kind: recall (detectable
subset), precision (as ``KindScore.row``: alerts on another agent's large order left out), and
false alarms per hour on the injection-free twins of the bin's seeds.
"""

from __future__ import annotations

from typing import Any

from dom.sim.randomize import RANGES

SCORED = ("wall", "iceberg", "absorption", "spoof")
_FIELDS = ("labels", "detectable", "matched_detectable", "detections", "false_alarms", "other_large",
           "clean_false_alarms")


def bins(name: str, values: list[float]) -> list[tuple[str, Any, Any]]:
    """``(label, lo, hi)`` per bin of ``name`` over these seeds' values (lo <= v <= hi)."""
    how = RANGES[name][2]
    if how == "choice":
        return [(str(v), v, v) for v in sorted(set(values))]
    s = sorted(values)
    n = len(s)
    if n < 3:
        return [(f"{s[0]:.3g}..{s[-1]:.3g}", s[0], s[-1])]
    c1, c2 = s[n // 3], s[(2 * n) // 3]
    out = [(f"<{c1:.3g}", s[0], c1), (f"{c1:.3g}..{c2:.3g}", c1, c2), (f">={c2:.3g}", c2, s[-1])]
    return out


def _in_bin(v: float, k: int, edges: list[tuple[str, Any, Any]], choice: bool) -> bool:
    _, lo, hi = edges[k]
    if choice:
        return v == lo
    if k == 0:
        return v < hi
    if k == len(edges) - 1:
        return v >= lo
    return lo <= v < hi


def cell(seeds: list[dict], kind: str, minutes: float) -> dict[str, Any]:
    """Recall, precision and clean false alarms per hour of ``kind`` over these seeds."""
    t = {f: sum(s["counts"][kind][f] for s in seeds) for f in _FIELDS}
    judged = t["detections"] - t["other_large"]
    hours = len(seeds) * minutes / 60
    return {"recall": _r(t["matched_detectable"] / t["detectable"]) if t["detectable"] else None,
            "precision": _r((judged - t["false_alarms"]) / judged) if judged else None,
            "fa_per_h": _r(t["clean_false_alarms"] / hours) if hours else None,
            "detectable": t["detectable"], "detections": t["detections"]}


def _r(x: float) -> float:
    return round(x, 3)


TARGETS = {"wall": (0.95, 0.90), "iceberg": (0.80, 0.65), "absorption": (0.75, 0.75), "spoof": (0.65, 0.55)}
"""Issue #20's targets on randomized markets (precision, recall on the detectable subset), at
100 ms depth and a skew of at most 200 ms (every draw's), with at most ``TARGET_FA_PER_H`` false
alarms an hour of each kind on the injection-free twins."""
TARGET_FA_PER_H = 1.0


def at_targets_condition(per_seed: list[dict], minutes: float) -> dict[str, Any]:
    """The seeds drawn at 100 ms depth, scored per kind beside the targets: ``{"seeds", kind:
    cell | {"target": {...}, "met": bool | None}}`` (``met`` None when a figure is missing)."""
    members = [s for s in per_seed if s["params"]["depth_ms"] == 100]
    out: dict[str, Any] = {"seeds": len(members)}
    for kind, (p, r) in TARGETS.items():
        c = cell(members, kind, minutes) if members else {"recall": None, "precision": None, "fa_per_h": None}
        figures = (c["precision"], c["recall"], c["fa_per_h"])
        met = None
        if None not in figures:
            met = c["precision"] >= p and c["recall"] >= r and c["fa_per_h"] <= TARGET_FA_PER_H
        out[kind] = c | {"target": {"precision": p, "recall": r, "fa_per_h": TARGET_FA_PER_H}, "met": met}
    return out


def targets_lines(at: dict[str, Any]) -> list[str]:
    """``at_targets_condition`` as text: one line per kind, its figures and the target's."""
    fmt = lambda v, d=2: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
    lines = [f"at the targets' condition (100 ms depth, {at['seeds']} of the seeds): P / R (detectable) / "
             f"false alarms an hour, against the target"]
    for kind in TARGETS:
        c, t = at[kind], at[kind]["target"]
        verdict = {True: "met", False: "missed", None: "not measured"}[c["met"]]
        lines.append(f"  {kind:11}{fmt(c['precision']):>6} {fmt(c['recall']):>5} {fmt(c['fa_per_h'], 1):>6}"
                     f"   target {t['precision']:.2f} {t['recall']:.2f} {t['fa_per_h']:.1f}   {verdict}")
    return lines


def breakdown(per_seed: list[dict], minutes: float) -> dict[str, list[dict]]:
    """``{parameter: [{"bin", "seeds", kind: cell, ...}, ...]}`` over the randomized seeds."""
    out: dict[str, list[dict]] = {}
    if not per_seed:
        return out
    for name in RANGES:
        if any(name not in s["params"] for s in per_seed):
            continue  # (the quoting fields, drawn but not applied without --quoting)
        values = [s["params"][name] for s in per_seed]
        edges = bins(name, values)
        choice = RANGES[name][2] == "choice"
        rows = []
        for k, (label, _, _) in enumerate(edges):
            members = [s for s in per_seed if _in_bin(s["params"][name], k, edges, choice)]
            if not members:
                continue
            rows.append({"bin": label, "seeds": len(members)} | {kind: cell(members, kind, minutes) for kind in SCORED})
        out[name] = rows
    return out


def highlights(bd: dict[str, list[dict]], top: int = 3) -> dict[str, list[str]]:
    """Per kind, the parameters whose bins differ most in recall, precision or false alarms/h."""
    out: dict[str, list[str]] = {}
    for kind in SCORED:
        spread = []
        for name, rows in bd.items():
            for metric in ("recall", "precision", "fa_per_h"):
                vals = [(r[kind][metric], r["bin"]) for r in rows if r[kind][metric] is not None]
                if len(vals) < 2:
                    continue
                lo, hi = min(vals), max(vals)
                gap = hi[0] - lo[0]
                if metric == "fa_per_h":
                    gap = gap / max(1.0, hi[0])  # relative: rates are not on the 0-1 scale
                if gap <= 0:
                    continue
                spread.append((gap, f"{metric} {lo[0]:g} at {name} {lo[1]} vs {hi[0]:g} at {hi[1]}"))
        spread.sort(key=lambda x: -x[0])
        out[kind] = [text for _, text in spread[:top]]
    return out


def table(bd: dict[str, list[dict]]) -> list[str]:
    """The breakdown as text lines: one row per bin, P / R / FA/h per kind."""
    fmt = lambda v, d=2: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
    head = f"{'parameter':18}{'bin':>16}{'seeds':>6}" + "".join(f"{k[:10]:>22}" for k in SCORED)
    lines = [head, f"{'':40}" + "".join(f"{'P     R    FA/h':>22}" for _ in SCORED)]
    for name, rows in bd.items():
        for i, r in enumerate(rows):
            cells = "".join(f"{fmt(r[k]['precision']):>9} {fmt(r[k]['recall']):>5} {fmt(r[k]['fa_per_h'], 1):>6}"
                            for k in SCORED)
            lines.append(f"{name if i == 0 else '':18}{r['bin']:>16}{r['seeds']:>6}{cells}")
    return lines
