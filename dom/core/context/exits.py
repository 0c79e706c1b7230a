"""Tiered take-profit plan: TP1 (default 50% of the position) and TP2 at the next volume-profile
levels (POC / VAH / VAL) or walls in the trade's direction, and the break-even move after TP1.

    plan = plan_exits(entry_px=100, stop_px=95, lots=10, levels=[(105, "VAH")], walls=[110],
                      unit_value=Decimal("1"))
    plan.tp1   # Target(px=105, lots=5, source="VAH", r=1)
    plan.tp2   # Target(px=109, lots=5, source="wall", r=2.8): one tick in front of the wall
    plan.locked_after_tp1   # 25: TP1's profit, kept once the stop moves to the entry

Prices are ticks, sizes lots; ``unit_value`` is the money one tick is worth on one lot
(tick size x lot size x contract size), so money comes out exact. With no level in view a
target falls back to whole R multiples (1R, 2R, ...), labelled as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Target:
    px: int
    lots: int
    source: str  # "POC" | "VAH" | "VAL" | "wall" | "1R" | "2R" ...
    r: Fraction  # distance from the entry in units of the risk (entry to stop)
    profit: Decimal  # money if filled (lots x ticks x unit value)


@dataclass(frozen=True)
class ExitPlan:
    side: str  # "long" | "short"
    entry_px: int
    stop_px: int
    lots: int
    risk: Decimal  # money lost at the stop, all lots
    tp1: Target
    tp2: Target | None  # None when the position is one lot (TP1 takes it all)
    locked_after_tp1: Decimal  # TP1's profit: what the trade keeps once the stop is at the entry

    @property
    def total_profit(self) -> Decimal:
        return self.tp1.profit + (self.tp2.profit if self.tp2 else Decimal(0))

    def break_even_note(self, px_str=str, qty_str=str) -> str:
        """The break-even move, in words."""
        if self.tp2 is None:
            return "TP1 closes the whole position"
        return (f"after TP1 move the stop to the entry {px_str(self.entry_px)}: the last "
                f"{qty_str(self.tp2.lots)} risk nothing, {self.locked_after_tp1:f} is locked in")


def candidates(side: str, entry_px: int, levels: Iterable[tuple[int, str]], walls: Iterable[int],
               wall_offset_ticks: int = 1) -> list[tuple[int, str]]:
    """Target prices beyond the entry in the trade's direction, nearest first. A wall is
    resistance (long) or support (short): the target sits ``wall_offset_ticks`` in front of it."""
    d = 1 if side == "long" else -1
    out: dict[int, str] = {}
    for px, name in levels:
        if (px - entry_px) * d > 0:
            out.setdefault(px, name)
    for w in walls:
        px = w - d * wall_offset_ticks
        if (px - entry_px) * d > 0:
            out.setdefault(px, "wall")
    return sorted(out.items(), key=lambda kv: (kv[0] - entry_px) * d)


def plan_exits(entry_px: int, stop_px: int, lots: int, levels: Iterable[tuple[int, str]] = (),
               walls: Iterable[int] = (), unit_value: Decimal = Decimal(1), tp1_share: Fraction | float = Fraction(1, 2),
               min_r: Fraction | float = Fraction(1, 2), wall_offset_ticks: int = 1) -> ExitPlan:
    """The plan for ``lots`` entered at ``entry_px`` with the stop at ``stop_px`` (the side
    follows: a stop below the entry is a long). ``levels``: (price, name) of profile levels;
    ``walls``: prices of walls on the side the trade runs into (asks for a long)."""
    if entry_px == stop_px:
        raise ValueError("entry and stop must differ")
    if lots <= 0:
        raise ValueError("lots must be positive")
    side = "long" if stop_px < entry_px else "short"
    d = 1 if side == "long" else -1
    risk_ticks = abs(entry_px - stop_px)
    share = Fraction(tp1_share).limit_denominator(10_000) if isinstance(tp1_share, float) else Fraction(tp1_share)
    floor_r = Fraction(min_r).limit_denominator(10_000) if isinstance(min_r, float) else Fraction(min_r)
    tp1_lots = lots if lots == 1 else min(lots, max(1, int(lots * share)))
    tp2_lots = lots - tp1_lots

    found = [(px, n) for px, n in candidates(side, entry_px, levels, walls, wall_offset_ticks)
             if Fraction((px - entry_px) * d, risk_ticks) >= floor_r]

    def target(after_px: int | None, n_lots: int) -> Target:
        for px, name in found:
            if after_px is None or (px - after_px) * d > 0:
                return _target(px, n_lots, name, entry_px, risk_ticks, d, unit_value)
        k = 1  # no level in view: the next whole R multiple beyond the previous target
        while True:
            px = entry_px + d * k * risk_ticks
            if after_px is None or (px - after_px) * d > 0:
                return _target(px, n_lots, f"{k}R", entry_px, risk_ticks, d, unit_value)
            k += 1

    tp1 = target(None, tp1_lots)
    tp2 = target(tp1.px, tp2_lots) if tp2_lots else None
    return ExitPlan(side, entry_px, stop_px, lots, Decimal(risk_ticks * lots) * unit_value, tp1, tp2, tp1.profit)


def _target(px: int, lots: int, source: str, entry_px: int, risk_ticks: int, d: int, unit_value: Decimal) -> Target:
    ticks = (px - entry_px) * d
    return Target(px, lots, source, Fraction(ticks, risk_ticks), Decimal(ticks * lots) * unit_value)
