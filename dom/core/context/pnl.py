"""Realized profit and loss of a journaled trade, exactly (``Decimal``): in quote currency, in
percent of equity and in R (multiples of the risk taken: entry-to-stop distance x size).

A trade is closed in one or more exits (the tiered plan: half at TP1, the rest later). Each exit
is ``(price, contracts, fee)``; fees are in quote currency and reduce the result. The playbook's
example: equity 5,000, 10 contracts of 100 units, long at 1.00 with the stop at 0.95 (risk 50 =
1%); half out at 1.05 and the rest at 1.00 gives +25.00, +0.5% of equity, +0.5 R.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Exit:
    price: Decimal
    contracts: Decimal
    fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class Realized:
    pnl: Decimal  # quote currency, after fees
    closed: Decimal  # contracts closed so far
    open: Decimal  # contracts still open
    pct_equity: Decimal | None  # None without an equity
    r: Decimal | None  # None without a stop
    avg_exit: Decimal | None

    @property
    def status(self) -> str:
        return "open" if self.closed == 0 else ("closed" if self.open == 0 else "partial")


def realize(side: str, entry: Decimal, contracts: Decimal, contract_size: Decimal, exits: list[Exit],
            stop: Decimal | None = None, equity: Decimal | None = None, entry_fee: Decimal = Decimal(0)) -> Realized:
    """The result of ``exits`` on a ``side`` ("long"/"short") position of ``contracts`` at
    ``entry``. ValueError if the exits close more than the position."""
    sign = 1 if side == "long" else -1
    closed = sum((x.contracts for x in exits), Decimal(0))
    if closed > contracts:
        raise ValueError(f"exits close {closed} contracts of {contracts}")
    gross = sum(((x.price - entry) * x.contracts * contract_size * sign for x in exits), Decimal(0))
    pnl = gross - sum((x.fee for x in exits), Decimal(0)) - (entry_fee if exits else Decimal(0))
    pct = (pnl / equity * 100) if equity else None
    risk = abs(entry - stop) * contracts * contract_size if stop is not None else Decimal(0)
    r = (pnl / risk) if risk else None
    avg = (sum((x.price * x.contracts for x in exits), Decimal(0)) / closed) if closed else None
    return Realized(pnl, closed, contracts - closed, pct, r, avg)


FUNDING_INTERVAL_NS = 8 * 3600 * 1_000_000_000  # Binance's default; venues with 4 h or 1 h differ


def funding_over_hold(side: str, contracts: Decimal, contract_size: Decimal, mark: Decimal, rate: Decimal,
                      next_at_entry_ns: int, next_at_exit_ns: int,
                      interval_ns: int = FUNDING_INTERVAL_NS) -> tuple[int, Decimal]:
    """Funding settled while a position was held: ``(events, amount)``, the amount positive when
    the position paid (a long pays a positive rate, a short receives it). The events are the
    funding times from the next one at entry up to, not including, the next one at exit (exact
    for any hold shorter than an interval, the scalper's case); the amount is an estimate at the
    exit's rate and mark (the rate of each past settlement is not kept)."""
    if next_at_entry_ns <= 0 or next_at_exit_ns <= next_at_entry_ns:
        return 0, Decimal(0)
    events = max(1, round((next_at_exit_ns - next_at_entry_ns) / interval_ns))
    sign = 1 if side == "long" else -1
    return events, sign * events * contracts * contract_size * mark * rate
