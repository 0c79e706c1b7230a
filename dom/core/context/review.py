"""Reviewing closed trades: which setups and conditions pay, in R (risk multiples).

Groups (setup tag, side, hour of day UTC, BTC volatility regime and funding at entry where the
journal recorded them, the alert kinds live at entry) each get: trades, win rate, average R,
expectancy (average R, counting only trades with a stop) and total P&L. The equity curve is the
running sum of P&L in trade order; the R distribution is a histogram of whole-R buckets.
Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

BARS = " ▁▂▃▄▅▆▇█"


@dataclass
class Closed:
    """One closed trade as the review reads it."""

    tag: str
    side: str
    hour_utc: int
    pnl: Decimal
    r: Decimal | None = None
    btc_vol: str = ""  # "calm" / "normal" / "volatile", or "" when not recorded
    funding: str = ""  # "positive" / "negative" / "flat", or ""
    alerts: tuple[str, ...] = ()


@dataclass
class Group:
    trades: int = 0
    wins: int = 0
    pnl: Decimal = Decimal(0)
    rs: list[Decimal] = field(default_factory=list)

    def add(self, t: Closed) -> None:
        self.trades += 1
        self.wins += t.pnl > 0
        self.pnl += t.pnl
        if t.r is not None:
            self.rs.append(t.r)

    def doc(self) -> dict:
        avg_r = sum(self.rs, Decimal(0)) / len(self.rs) if self.rs else None
        return {"trades": self.trades, "win_rate": round(self.wins / self.trades, 3) if self.trades else None,
                "avg_r": None if avg_r is None else float(round(avg_r, 3)),
                "expectancy_r": None if avg_r is None else float(round(avg_r, 3)),
                "with_stop": len(self.rs), "pnl": str(self.pnl),
                "expectancy": str(self.pnl / self.trades) if self.trades else None}


def review(trades: list[Closed]) -> dict:
    by: dict[str, dict[str, Group]] = {k: {} for k in ("tag", "side", "hour_utc", "btc_vol", "funding", "alert")}
    total = Group()
    for t in trades:
        total.add(t)
        keys = {"tag": t.tag or "(untagged)", "side": t.side, "hour_utc": f"{t.hour_utc:02d}",
                "btc_vol": t.btc_vol or "(not recorded)", "funding": t.funding or "(not recorded)"}
        for dim, k in keys.items():
            by[dim].setdefault(k, Group()).add(t)
        for a in t.alerts or ("(none)",):
            by["alert"].setdefault(a, Group()).add(t)
    curve, run = [], Decimal(0)
    for t in trades:
        run += t.pnl
        curve.append(str(run))
    hist = Counter(int(r.to_integral_value(rounding="ROUND_FLOOR")) for t in trades if (r := t.r) is not None)
    return {"total": total.doc(), "by": {d: {k: g.doc() for k, g in sorted(gs.items())} for d, gs in by.items()},
            "equity_curve": curve, "r_histogram": {str(k): hist[k] for k in sorted(hist)}}


def sparkline(values: list[Decimal], width: int = 60) -> str:
    """The values as one line of block characters (resampled to ``width``)."""
    if not values:
        return ""
    if len(values) > width:
        values = [values[int(i * len(values) / width)] for i in range(width)]
    lo, hi = min(values), max(values)
    span = hi - lo or Decimal(1)
    return "".join(BARS[1 + int((v - lo) / span * (len(BARS) - 2))] for v in values)


def histogram_lines(hist: dict[str, int], width: int = 40) -> list[str]:
    if not hist:
        return []
    top = max(hist.values())
    return [f"{int(k):+3d}R..{int(k) + 1:+d}R {'█' * max(1, round(n / top * width))} {n}" for k, n in hist.items()]
