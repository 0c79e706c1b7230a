"""The per-symbol context store: open-interest change, tickers, bars from book mids, correlation
aligned by bar, the reference's move and weakness; and the [context] settings."""

import math
import random
from decimal import Decimal

import pytest

from dom.core.context.market import MarketContext, OpenInterest, Ticker24h, aligned_returns
from dom.core.context.params import ContextParams
from dom.core.engine import Engine
from dom.core.types import BookDelta, BookSnapshot
from dom.core.units import Instrument
from dom.errors import ConfigError

S = 1_000_000_000


def test_open_interest_change_over_the_window_and_stale_events_ignored():
    c = MarketContext(oi_window_s=600)
    for i, oi in enumerate([1000, 1010, 1020, 1050, 1100]):
        c.apply(OpenInterest("X", oi, i * 300 * S, 0))
    c.apply(OpenInterest("X", 1, 2 * 300 * S, 0))  # older than the newest: ignored
    x = c.get("X")
    assert x.open_interest == 1100
    pct, span = x.oi_change(600)
    assert span == 600 and pct == pytest.approx((1100 / 1020 - 1) * 100)
    pct, span = x.oi_change(10_000)  # longer than what was seen: since the first sample
    assert span == 1200 and pct == pytest.approx(10.0)


def test_newest_ticker_wins_and_change_pct():
    c = MarketContext()
    t = Ticker24h("X", 5100, 5000, 5200, 4900, 10, Decimal("5"), 3, 2 * S, 0)
    c.apply(t)
    c.apply(Ticker24h("X", 1, 1, 1, 1, 1, Decimal(1), 1, 1 * S, 0))
    assert c.get("X").ticker is t and t.change_pct == pytest.approx(2.0)


def test_bars_come_from_book_mids_in_exchange_time_and_correlate_by_bar_index():
    """Two symbols fed through the engine: their 1 m returns are exact copies (one late by a
    bar at the start), so the correlation is 1 and beta the ratio of the moves."""
    insts = {s: Instrument(s, "0.1", "0.001") for s in ("BTCUSDT", "ALTUSDT")}
    ctx = MarketContext()
    eng = Engine(insts, observers=ctx.observers)
    for s in insts:
        eng.feed(BookSnapshot(s, ((9999, 1),), ((10001, 1),), 1, 0, 0))
    rng = random.Random(1)
    btc = alt = 10_000.0
    u = {s: 1 for s in insts}
    last = {s: 10_000 for s in insts}
    for minute in range(40):
        r = rng.gauss(0, 0.002)
        btc *= math.exp(r)
        alt *= math.exp(2 * r)
        for s, px in (("BTCUSDT", btc), ("ALTUSDT", alt)):
            if s == "ALTUSDT" and minute == 0:
                continue  # the alt starts a bar late: bars must line up by index, not by count
            p, o = round(px), last[s]
            bids = ((o - 1, 0), (p - 1, 1)) if o != p else ((p - 1, 1),)
            asks = ((o + 1, 0), (p + 1, 1)) if o != p else ((p + 1, 1),)
            eng.feed(BookDelta(s, bids, asks, u[s] + 1, u[s] + 1, u[s], minute * 60 * S + 5 * S, 0))
            u[s] += 1
            last[s] = p
    ref, other = ctx.get("BTCUSDT").bars_1m, ctx.get("ALTUSDT").bars_1m
    assert len(ref.closes) == 40 and len(other.closes) == 39
    xs, ys = aligned_returns(ref, other)
    assert len(xs) == len(ys) == 38
    corr, beta = ctx.correlation("ALTUSDT", 60)
    assert corr > 0.99 and beta == pytest.approx(2.0, rel=0.05)
    assert ctx.correlation("ALTUSDT", 300) is not None and ctx.bars("ALTUSDT", 300) == 8


def test_reference_move_and_weakness_warning():
    c = MarketContext(weakness_window_s=900, weakness_drop_pct=2.0)
    ref = c.get("BTCUSDT").bars_1m
    for i in range(20):
        ref.add(i * 60 * S, 100 - 0.14 * max(0, i - 4))
    move, covered = c.reference_move()
    assert covered == 900 and move == pytest.approx(-2.1, abs=0.01)
    assert c.weakness() == "BTC -2.1% in 15 m"
    strict = MarketContext(weakness_drop_pct=2.2)
    strict.symbols["BTCUSDT"] = c.get("BTCUSDT")
    assert strict.weakness() is None
    # Before the window is full, and timed from the window's high, not its first bar.
    early = MarketContext(weakness_window_s=900)
    ref = early.get("BTCUSDT").bars_1m
    for i, px in enumerate([99, 100, 101, 100.5, 99.5, 98.5]):
        ref.add(i * 60 * S, px)
    assert early.weakness() == "BTC -2.5% in 3 m"
    up = MarketContext()
    for i in range(20):
        up.get("BTCUSDT").bars_1m.add(i * 60 * S, 100 + i)
    assert up.weakness() is None


def test_context_settings_are_checked_and_name_the_key():
    p = ContextParams.from_mapping({"equity": 2500, "reference": "ETHUSDT", "tp1_share": 0.3})
    assert p.equity == 2500.0 and p.reference == "ETHUSDT" and p.tp1_share == 0.3
    for table, msg in (({"equty": 1}, "unknown key context.equty"), ({"risk_pct": "1%"}, "context.risk_pct: expected"),
                       ({"tp1_share": 1.5}, "context.tp1_share"), ({"poll_ticker_s": 0.1}, "at least 1 s")):
        with pytest.raises(ConfigError, match=msg):
            ContextParams.from_mapping(table)


def test_shipped_context_table_equals_the_built_in_defaults_and_bad_keys_fail_check_config(tmp_path):
    from pathlib import Path

    from dom.config import load_config

    default = Path(__file__).resolve().parents[2] / "config" / "default.toml"
    assert ContextParams.from_mapping(load_config(str(default), env={}).context) == ContextParams()
    bad = tmp_path / "c.toml"
    bad.write_text("[context]\nequity = -5\n")
    with pytest.raises(ConfigError, match="context.equity: must not be negative"):
        load_config(str(bad), env={})
