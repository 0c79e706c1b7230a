"""The built-in market's context endpoints: Binance's exact shapes, plausible values, rolling
24 h window, deterministic per seed."""

from decimal import Decimal

import aiohttp

from dom.sim.context import DAY_S, SimContext
from dom.sim.market import Market
from dom.sim.publish import FUNDING_PERIOD_NS
from dom.sim.server import SimServer

PREMIUM_KEYS = {"symbol", "markPrice", "indexPrice", "estimatedSettlePrice", "lastFundingRate", "interestRate",
                "nextFundingTime", "time"}
OI_KEYS = {"symbol", "openInterest", "time"}
TICKER_KEYS = {"symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "lastPrice", "lastQty", "openPrice",
               "highPrice", "lowPrice", "volume", "quoteVolume", "openTime", "closeTime", "firstId", "lastId", "count"}
STRINGS = {"priceChange", "priceChangePercent", "weightedAvgPrice", "lastPrice", "lastQty", "openPrice", "highPrice",
           "lowPrice", "volume", "quoteVolume", "markPrice", "indexPrice", "estimatedSettlePrice", "lastFundingRate",
           "interestRate", "openInterest"}


def _check_types(d: dict) -> None:
    for k, v in d.items():
        if k in STRINGS:
            assert isinstance(v, str) and Decimal(v).is_finite(), (k, v)
        elif k != "symbol":
            assert isinstance(v, int), (k, v)


async def test_context_endpoints_answer_in_binance_shapes_on_loopback():
    async with SimServer(seed=4, port=0) as srv, aiohttp.ClientSession() as http:
        base = srv.url + "/fapi/v1/"
        async with http.get(base + "premiumIndex?symbol=KITEUSDT") as r:
            prem = await r.json()
        async with http.get(base + "premiumIndex") as r:
            every = await r.json()
        async with http.get(base + "openInterest?symbol=KITEUSDT") as r:
            oi = await r.json()
        async with http.get(base + "ticker/24hr?symbol=KITEUSDT") as r:
            tick = await r.json()
        async with http.get(base + "openInterest") as r:
            missing = (r.status, await r.json())
        async with http.get(base + "ticker/24hr?symbol=NOPEUSDT") as r:
            unknown = (r.status, await r.json())
    assert set(prem) == PREMIUM_KEYS and set(oi) == OI_KEYS and set(tick) == TICKER_KEYS
    assert {d["symbol"] for d in every} == set(srv.symbols) and all(set(d) == PREMIUM_KEYS for d in every)
    for d in (prem, oi, tick):
        _check_types(d)
    assert prem["nextFundingTime"] * 1_000_000 % FUNDING_PERIOD_NS == 0
    assert len(prem["lastFundingRate"].split(".")[1]) == 8 and abs(Decimal(prem["lastFundingRate"])) <= Decimal("0.0075")
    assert oi["openInterest"] == srv.market.syms["KITEUSDT"].inst.qty_str(srv.market.syms["KITEUSDT"].open_interest)
    lo, hi, last = (Decimal(tick[k]) for k in ("lowPrice", "highPrice", "lastPrice"))
    assert lo <= Decimal(tick["openPrice"]) <= hi and lo <= last <= hi
    assert Decimal(tick["priceChange"]) == last - Decimal(tick["openPrice"])
    assert tick["closeTime"] - tick["openTime"] == DAY_S * 1000
    assert missing == (400, {"code": -1102, "msg": "Mandatory parameter 'symbol' was not sent."})
    assert unknown == (400, {"code": -1121, "msg": "Invalid symbol."})


def test_the_24h_window_rolls_from_the_previous_day_into_the_session_deterministically():
    a, b = Market("mixed", seed=7), Market("mixed", seed=7)
    ca, cb = SimContext(a), SimContext(b)
    kite = a.syms["KITEUSDT"]
    day = ca.days["KITEUSDT"]
    first = ca.ticker(kite)
    assert int(first["volume"]) == day.volume_lots and first["openPrice"] == kite.inst.px_str(day.open_px)
    quote_per_day = Decimal(first["quoteVolume"])
    assert Decimal(1_000_000) < quote_per_day < Decimal(10_000_000_000)  # a plausible perpetual's day
    for m in (a, b):
        for _ in range(20 * 60):  # one minute
            m.advance()
    t1, t2 = ca.ticker(kite), cb.ticker(b.syms["KITEUSDT"])
    assert t1 == t2 and ca.premium_index(kite) == cb.premium_index(b.syms["KITEUSDT"])
    left = 1 - 60 / DAY_S
    assert int(t1["volume"]) == int(day.volume_lots * left) + kite.volume_24h
    assert kite.volume_24h > 0 and t1["count"] == int(day.count * left) + kite.trades_n
    assert SimContext(Market("mixed", seed=8)).days["KITEUSDT"] != day  # another seed, another day
