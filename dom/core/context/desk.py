"""The risk desk behind the context panel: equity, risk %, leverage, and per symbol the entry and
stop set from the ladder; evaluated against the live book into a :class:`PlanView` (size by the
1% rule, the walk of that size through the book, the tiered exits, every warning). No Textual
here: the panel renders a PlanView, tests assert on it, the journal stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dom.core.context.exits import ExitPlan, plan_exits
from dom.core.context.liquidity import (
    Depth,
    market_warnings,
    slippage_bps,
    visible_depth,
    walk_warnings,
)
from dom.core.context.market import SymbolContext
from dom.core.context.params import ContextParams
from dom.core.context.sizing import Sizing, Walk, size, walk
from dom.core.profile import Profile
from dom.core.types import BookSide

LEVERAGES = (1, 2, 3, 5, 10, 20, 25, 50)
RISKS = ("0.25", "0.5", "1", "2")
WALK_LEVELS = 500


def num(d: Decimal) -> str:
    """5000.0 -> "5,000"; 0.50 -> "0.5": a setting as a person writes it."""
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():f}"


@dataclass
class Plan:
    entry_px: int | None = None
    stop_px: int | None = None


@dataclass(frozen=True)
class PlanView:
    symbol: str
    side: str = ""
    entry_px: int | None = None
    stop_px: int | None = None
    sizing: Sizing | None = None
    lots: int = 0
    walk: Walk | None = None
    best_px: int = 0
    slippage_bps: float = 0.0
    exits: ExitPlan | None = None
    depth: Depth | None = None
    warnings: tuple[str, ...] = ()
    note: str = ""  # what is missing, in words ("set the stop (t) ...")


@dataclass
class TradeDesk:
    params: ContextParams = field(default_factory=ContextParams)
    plans: dict[str, Plan] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.params
        self.equity = Decimal(str(p.equity))
        self.risk_pct = Decimal(str(p.risk_pct))
        self.leverage = Decimal(str(p.leverage))

    def plan(self, symbol: str) -> Plan:
        return self.plans.setdefault(symbol, Plan())

    def set_entry(self, symbol: str, px: int) -> None:
        self.plan(symbol).entry_px = px

    def set_stop(self, symbol: str, px: int) -> None:
        self.plan(symbol).stop_px = px

    def clear(self, symbol: str) -> None:
        self.plans.pop(symbol, None)

    def cycle_leverage(self) -> None:
        later = [x for x in LEVERAGES if x > self.leverage]
        self.leverage = Decimal(later[0] if later else LEVERAGES[0])

    def cycle_risk(self) -> None:
        later = [x for x in RISKS if Decimal(x) > self.risk_pct]
        self.risk_pct = Decimal(later[0] if later else RISKS[0])

    # ---------------------------------------------------------------------------- evaluate
    def evaluate(self, st: Any, ctx: SymbolContext | None, profile: Profile | None = None,
                 walls: dict[BookSide, list[int]] | None = None) -> PlanView:
        """The plan of ``st.symbol`` against its book (``st``: the engine's SymbolState)."""
        p, inst, book = self.params, st.instrument, st.book
        tick_value = inst.price.to_decimal(1) * inst.qty.to_decimal(1) * Decimal(inst.contract_size)
        depth = visible_depth(book, p.depth_band_bps, tick_value) if st.synced else None
        warnings = market_warnings(p, *self._quote_figures(st, ctx), depth, inst.quote)
        plan = self.plans.get(st.symbol) or Plan()
        base = dict(symbol=st.symbol, entry_px=plan.entry_px, stop_px=plan.stop_px, depth=depth)
        if plan.entry_px is None or plan.stop_px is None:
            missing = "entry (e)" if plan.entry_px is None else "stop (t)"
            return PlanView(**base, warnings=tuple(warnings), note=f"set the {missing} at the ladder's cursor")
        if plan.entry_px == plan.stop_px:
            return PlanView(**base, warnings=tuple(warnings), note="entry and stop are the same price")
        price = inst.price.to_decimal
        s = size(self.equity, self.risk_pct, price(plan.entry_px), price(plan.stop_px),
                 contract_size=inst.contract_size, lot_step=inst.lot_size, leverage=self.leverage,
                 maintenance_rate=str(p.maintenance_rate))
        lots = int(s.contracts / inst.qty.to_decimal(1))
        if s.stop_beyond_liquidation:
            warnings.insert(0, f"stop beyond est. liquidation ~{s.liquidation_price.quantize(price(1))} "
                               f"at {num(self.leverage)}x")
        if s.margin > self.equity:
            warnings.insert(0, f"margin {num(s.margin.quantize(Decimal(1)))} > equity: raise leverage or widen the stop")
        base.update(side=s.side, sizing=s, lots=lots)
        if lots <= 0:
            return PlanView(**base, warnings=tuple(warnings), note="the risk budget buys less than one lot")
        side = book.asks if s.side == "long" else book.bids
        best = side.best_px() or 0
        w = walk(side.top(WALK_LEVELS), lots) if st.synced else None
        bps = slippage_bps(w, best) if w is not None and w.filled_lots else 0.0
        if w is not None and w.filled_lots:
            depth_lots = (depth.ask_lots if s.side == "long" else depth.bid_lots) if depth else None
            warnings += walk_warnings(p, w, best, lots, depth_lots)
        levels = []
        if profile is not None:
            levels = [(profile.poc, "POC"), (profile.vah, "VAH"), (profile.val, "VAL")]
        wall_side = BookSide.ASK if s.side == "long" else BookSide.BID
        exits = plan_exits(plan.entry_px, plan.stop_px, lots, levels, (walls or {}).get(wall_side, []),
                           unit_value=tick_value, tp1_share=p.tp1_share, min_r=p.tp_min_r,
                           wall_offset_ticks=p.wall_offset_ticks)
        return PlanView(**base, walk=w, best_px=best, slippage_bps=bps, exits=exits, warnings=tuple(warnings))

    @staticmethod
    def _quote_figures(st: Any, ctx: SymbolContext | None) -> tuple[Decimal | None, Decimal | None]:
        """(24 h quote volume, open interest notional), where known."""
        if ctx is None:
            return None, None
        inst = st.instrument
        vol = ctx.ticker.quote_volume if ctx.ticker is not None else None
        oi = ctx.open_interest
        px = st.mark.mark_px_ticks if st.mark is not None else (ctx.ticker.last_px if ctx.ticker else None)
        oi_quote = inst.notional(px, oi) if oi is not None and px else None
        return vol, oi_quote

    def marks(self, view: PlanView) -> dict[int, str]:
        """Prices to mark on the ladder: entry, stop, TP1, TP2."""
        out: dict[int, str] = {}
        if view.exits is not None:
            if view.exits.tp2 is not None:
                out[view.exits.tp2.px] = "TP2"
            out[view.exits.tp1.px] = "TP1"
        if view.stop_px is not None:
            out[view.stop_px] = "STP"
        if view.entry_px is not None:
            out[view.entry_px] = "ENT"
        return out


def book_context(st: Any, market: Any, view: PlanView | None, alerts: list, now_ns: int, top: int = 5) -> dict:
    """What the journal stores beside a trade: the book and the market at that moment."""
    inst = st.instrument
    px, q = inst.px_str, inst.qty_str
    bids, asks = st.book.top(top)
    ctx = market.get(st.symbol) if market is not None else None
    out: dict[str, Any] = {
        "ts_ns": now_ns, "book_state": st.state.value,
        "bids": [[px(p), q(x)] for p, x in bids], "asks": [[px(p), q(x)] for p, x in asks],
        "spread": px(st.book.spread()) if st.book.spread() is not None else None,
        "alerts": [{"kind": a.kind.value, "state": a.state.value, "side": a.side.value, "price": px(a.px_ticks),
                    "size": q(a.qty_lots), "score": round(a.score, 3), "ts_ns": a.ts_ns}
                   for a in alerts if a.symbol == st.symbol][:10],
    }
    if st.mark is not None:
        m = st.mark
        out.update(funding_rate=f"{m.funding_rate_e8 / 1e8:.8f}", next_funding_ns=m.next_funding_ns,
                   mark=px(m.mark_px_ticks), index=px(m.index_px_ticks))
    if ctx is not None:
        if ctx.open_interest is not None:
            out["open_interest"] = q(ctx.open_interest)
            ch = ctx.oi_change(market.oi_window_s)
            if ch is not None:
                out["open_interest_change_pct"] = round(ch[0], 3)
        if ctx.ticker is not None:
            out["volume_24h_quote"] = str(ctx.ticker.quote_volume)
        corr = {}
        for bar_s, name in ((60, "1m"), (300, "5m")):
            cb = market.correlation(st.symbol, bar_s)
            if cb is not None:
                corr[name] = {"corr": round(cb[0], 3), "beta": round(cb[1], 3)}
        out["correlation"] = {"reference": market.reference, **corr}
        move = market.reference_move()
        if move is not None:
            out["reference_move_pct"] = round(move[0], 3)
            out["reference_move_s"] = move[1]
        if market.weakness():
            out["reference_warning"] = market.weakness()
    if view is None:  # (an exit: the book and the market, no plan)
        return out
    if view.sizing is not None:
        out["plan"] = {"stop": px(view.stop_px), "risk_money": str(view.sizing.loss_at_stop),
                       "notional": str(view.sizing.notional), "slippage_bps": round(view.slippage_bps, 2)}
        if view.exits is not None:
            e = view.exits
            out["plan"]["tp1"] = [px(e.tp1.px), q(e.tp1.lots), e.tp1.source]
            if e.tp2 is not None:
                out["plan"]["tp2"] = [px(e.tp2.px), q(e.tp2.lots), e.tp2.source]
    out["warnings"] = list(view.warnings)
    return out
