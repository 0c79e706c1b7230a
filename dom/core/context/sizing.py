"""Position sizing by the 1% rule, exactly (Decimal money, whole lots), and the book walk.

    size(equity=5000, risk_pct=1, entry=1.00, stop=0.95, contract_size=100)  # -> 10 contracts, 50 at risk

Liquidation distance is an estimate for an isolated position: the price moves by about
``1/leverage - maintenance margin rate`` before the margin is gone; a stop beyond it is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

D = Decimal


@dataclass(frozen=True)
class Sizing:
    side: str  # "long" | "short"
    contracts: Decimal
    notional: Decimal
    margin: Decimal
    loss_at_stop: Decimal
    loss_pct_of_equity: Decimal
    liquidation_price: Decimal
    stop_beyond_liquidation: bool


def size(equity: Decimal | str | int, risk_pct: Decimal | str | int, entry: Decimal | str, stop: Decimal | str,
         contract_size: Decimal | str | int = 1, lot_step: Decimal | str | int = 1,
         leverage: Decimal | str | int = 1, maintenance_rate: Decimal | str = "0.005") -> Sizing:
    equity, risk_pct, entry, stop = D(str(equity)), D(str(risk_pct)), D(str(entry)), D(str(stop))
    cs, step, lev, mmr = D(str(contract_size)), D(str(lot_step)), D(str(leverage)), D(str(maintenance_rate))
    if entry <= 0 or stop <= 0 or equity <= 0 or cs <= 0 or step <= 0 or lev <= 0:
        raise ValueError("equity, prices, contract size, lot step and leverage must be positive")
    if entry == stop:
        raise ValueError("entry and stop must differ")
    side = "long" if stop < entry else "short"
    per_contract = abs(entry - stop) * cs
    budget = equity * risk_pct / 100
    contracts = (budget / per_contract / step).to_integral_value(rounding=ROUND_FLOOR) * step
    notional = contracts * cs * entry
    margin = notional / lev
    loss = contracts * per_contract
    move = 1 / lev - mmr
    liq = entry * (1 - move) if side == "long" else entry * (1 + move)
    beyond = stop <= liq if side == "long" else stop >= liq
    return Sizing(side, contracts, notional, margin, loss, loss / equity * 100, liq, beyond)


@dataclass(frozen=True)
class Walk:
    filled_lots: int
    avg_px: Fraction  # in ticks, exact
    worst_px: int
    levels: int
    slippage_ticks: Fraction  # average price vs the best price, against you
    share_of_visible: float
    complete: bool


def walk(levels: Iterable[tuple[int, int]], lots: int) -> Walk:
    """Walk ``lots`` through one side of the book, best level first (asks for a buy)."""
    remaining, cost, n, worst, best, visible = lots, 0, 0, 0, None, 0
    for px, q in levels:
        visible += q
        if remaining <= 0:
            continue
        best = px if best is None else best
        take = min(q, remaining)
        cost += take * px
        remaining -= take
        worst = px
        n += 1
    filled = lots - remaining
    if filled == 0 or best is None:
        return Walk(0, Fraction(0), 0, 0, Fraction(0), 0.0, False)
    avg = Fraction(cost, filled)
    return Walk(filled, avg, worst, n, abs(avg - best), lots / visible if visible else 1.0, remaining == 0)
