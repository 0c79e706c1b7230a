"""What the built-in market publishes in a step, in Binance USDⓈ-M's wire format: the fills as
aggTrades (and per-fill trades), depth diffs netted per push with the bookTicker, and markPrice.

Functions of one symbol's state (``dom.sim.market.SymbolSim``); ``Market.advance`` calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dom.sim.aggregation import account_windowed, publish_print
from dom.sim.matching import ASK, BID
from dom.venues.binance_usdm import codec as wire
from dom.venues.binance_usdm import frames

if TYPE_CHECKING:
    from dom.sim.market import SymbolSim

FUNDING_PERIOD_NS = 8 * 3600 * 1_000_000_000


@dataclass(frozen=True, slots=True)
class Msg:
    endpoint: str  # "public" (depth, bookTicker) or "market" (aggTrade, markPrice)
    stream: str  # e.g. "btcusdt@depth@100ms"
    raw: bytes  # the event JSON, exactly as the venue sends it (no envelope)
    t_ns: int  # exchange time


def account_fills(sim: "SymbolSim", out: list, t: int, raw_trades: bool) -> None:
    """The step's fills: the labels' and agents' accounting, then one aggTrade per taker order and
    price (or merged over the aggregation window), and the per-fill @trade stream while someone listens."""
    fills = sim.book.take_fills()
    watched = sim.traded_at
    if watched and fills:
        for _, px, qty, side, _, _ in fills:
            key = (1 - side, px)  # the maker's side
            if key in watched:
                watched[key] += qty
    if sim.agg is not None:
        account_windowed(sim, fills, out, t)
        return
    if not fills:
        return
    inst, sym = sim.inst, sim.spec.symbol
    i, n = 0, len(fills)
    while i < n:
        ts, px, qty, side, owner, _ = fills[i]
        label_fill = sim.sweeps.fill  # every true fill, before aggregation (dom/sim/news.py)
        label_fill(ts, px, qty, side)
        if owner is not None:
            owner.on_fill(qty, ts, None)
        j = i + 1
        total = qty
        while j < n and fills[j][0] == ts and fills[j][1] == px and fills[j][3] == side:
            label_fill(ts, px, fills[j][2], side)
            if fills[j][4] is not None:
                fills[j][4].on_fill(fills[j][2], ts, None)
            total += fills[j][2]
            j += 1
        first = sim.fill_id
        publish_print(sim, out, ts, px, side, total, j - i, ts)
        ms = ts // 1_000_000
        if raw_trades:  # the per-fill @trade stream, only while someone listens
            tstream = wire.trade_stream(sym)
            for k in range(i, j):
                out.append(Msg("market", tstream, frames.encode_trade(
                    sym, ms, first + k - i, inst.px_str(px), inst.qty_str(fills[k][2]), side == ASK), ts))
        i = j

def push_depth(sim: "SymbolSim", out: list, t: int, depth_ms: int, tickers: bool) -> None:
    """A depth push: the book's diff since the last one, the bookTicker if the top changed, and the
    agents told the push is out (their traded-at counters reset)."""
    _publish_book(sim, out, t, depth_ms, tickers)
    if sim.traded_at:
        for ag in sim.agents:
            ag.on_publish(t)
        for key in sim.traded_at:
            sim.traded_at[key] = 0

def _publish_book(sim: "SymbolSim", out: list, t: int, depth_ms: int, tickers: bool) -> None:
    d = sim.book.take_dirty()
    if d is not None:
        U, u, bids, asks = d
        inst = sim.inst
        ps, qs = inst.px_str, inst.qty_str
        ms = t // 1_000_000
        pb, pa = sim.pub
        for px, q in bids:
            if q:
                pb[px] = q
            else:
                pb.pop(px, None)
        for px, q in asks:
            if q:
                pa[px] = q
            else:
                pa.pop(px, None)
        body = frames.encode_depth(sim.spec.symbol, ms, U, u, sim.last_u, [[ps(p), qs(q)] for p, q in bids],
                                 [[ps(p), qs(q)] for p, q in asks])
        sim.last_u = u
        out.append(Msg("public", wire.depth_stream(sim.spec.symbol, depth_ms), body, t))
    if tickers:
        bb, ba = sim.book.best(BID), sim.book.best(ASK)
        if bb is not None and ba is not None:
            top = (bb, sim.book.level(BID, bb), ba, sim.book.level(ASK, ba))
            if top != sim.last_ticker:
                sim.last_ticker = top
                inst = sim.inst
                ms = t // 1_000_000
                raw = frames.encode_book_ticker(sim.spec.symbol, sim.last_u, inst.px_str(top[0]),
                                              inst.qty_str(top[1]), inst.px_str(top[2]), inst.qty_str(top[3]), ms)
                out.append(Msg("public", wire.book_ticker_stream(sim.spec.symbol), raw, t))

def publish_mark(sim: "SymbolSim", out: list, t: int) -> None:
    """markPrice once a second: the mid as mark, the flow's fair price as index, a funding rate from
    the premium, open interest on a small random walk."""
    mid = sim.mid()
    if mid is None:
        return
    inst = sim.inst
    tick = inst.price.to_float(1)
    index = sim.flow.fair
    premium = (mid - index) / max(index, 1.0)
    sim.funding_rate = max(-0.0075, min(0.0075, 0.0001 + 0.1 * premium))
    sim.open_interest = max(1, int(sim.open_interest * (1 + sim.rng.gauss(0, 0.0005))))
    nxt = (t // FUNDING_PERIOD_NS + 1) * FUNDING_PERIOD_NS
    ms = t // 1_000_000
    dec = max(0, inst.price.scale) + 1
    raw = frames.encode_mark_price(sim.spec.symbol, ms, f"{mid * tick:.{dec}f}", f"{index * tick:.{dec}f}",
                                 f"{sim.funding_rate:.8f}", nxt // 1_000_000)
    out.append(Msg("market", wire.mark_price_stream(sim.spec.symbol), raw, t))
