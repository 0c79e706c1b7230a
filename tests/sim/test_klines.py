"""Klines of the built-in market (``GET /fapi/v1/klines``): a previous day pinned to the 24 h
ticker's open and the session's start price within the day's range, then the session's own bars
(the last trade price sampled each step); Binance's errors for bad parameters."""

import asyncio

import aiohttp

from dom.sim.server import SimServer


async def _get(session, url):
    async with session.get(url) as r:
        return r.status, await r.json(content_type=None)


async def test_klines_history_then_the_sessions_own_bars():
    async with SimServer(seed=5, port=0, speed=20) as srv, aiohttp.ClientSession() as s:
        await asyncio.sleep(4)  # 80 s of market
        await srv.pause()
        base = srv.url + "/fapi/v1/klines?symbol=KITEUSDT"
        st, rows = await _get(s, base + "&interval=1m&limit=1500")
        assert st == 200 and 1441 <= len(rows) <= 1443
        sim = srv.market.syms["KITEUSDT"]
        inst = sim.inst
        day = srv.rest.context.days["KITEUSDT"]
        assert [len(r) for r in rows[:1]] == [12] and all(b[0] - a[0] == 60_000 for a, b in zip(rows, rows[1:]))
        hist = [r for r in rows if r[0] < srv.market.start_ns // 1_000_000 // 60_000 * 60_000]
        closes = [inst.px(r[4]) for r in hist]
        assert all(day.low_px <= c <= day.high_px for c in closes)
        assert abs(closes[0] - day.open_px) <= 0.01 * day.open_px and closes[-1] == sim.flow.start_px
        assert inst.px(rows[-1][4]) == sim.last_trade_px  # the session's bar: the last trade now
        for r in rows:
            assert inst.px(r[3]) <= min(inst.px(r[1]), inst.px(r[4])) <= max(inst.px(r[1]), inst.px(r[4])) <= inst.px(r[2])
        st, five = await _get(s, base + "&interval=5m&limit=3")
        assert st == 200 and len(five) == 3 and all(r[0] % 300_000 == 0 for r in five)
        srv.resume()


async def test_bad_klines_requests_get_binances_errors():
    async with SimServer(seed=5, port=0) as srv, aiohttp.ClientSession() as s:
        base = srv.url + "/fapi/v1/klines?"
        for q, code in (("symbol=KITEUSDT&interval=7m", -1120), ("symbol=KITEUSDT", -1102),
                        ("symbol=KITEUSDT&interval=1m&limit=0", -1130), ("symbol=KITEUSDT&interval=1m&limit=x", -1100),
                        ("symbol=NOPE&interval=1m", -1121)):
            st, body = await _get(s, base + q)
            assert st == 400 and body["code"] == code, q
