"""The OKX, Bybit and Bitget codecs: round trips, the frames the venues send, instrument lists."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from dom.core import checksum as ck
from dom.core.book import OrderBook
from dom.core.types import BookDelta, BookSnapshot, MarkPrice, TakerSide, Trade
from dom.core.units import Instrument
from dom.core.wire import DecodeError
from dom.venues.bitget import codec as bitget
from dom.venues.bybit import codec as bybit
from dom.venues.okx import codec as okx

MS = 1_000_000
T = 1_700_000_000_123 * MS
INST = Instrument("SYM", "0.01", "0.001")


def _events(sym: str, seq: bool):
    snap = BookSnapshot(
        sym, ((10_000, 1_500), (9_990, 20)), ((10_010, 7),), 100 if seq else -1, T, 5, -12345
    )
    delta = BookDelta(
        sym,
        ((10_000, 0), (9_995, 3)),
        ((10_010, 9_000),),
        101 if seq else -1,
        101 if seq else -1,
        100 if seq else -1,
        T + MS,
        6,
        2**31 - 1,
    )
    return snap, delta


def _venue(name):
    inst = Instrument("BTC-USDT-SWAP" if name == "okx" else "BTCUSDT", "0.01", "0.001")
    dec = {"okx": okx.OkxDecoder, "bybit": bybit.BybitDecoder, "bitget": bitget.BitgetDecoder}[
        name
    ]({inst.symbol: inst})
    return inst, dec


@pytest.mark.parametrize("name", ["okx", "bitget"])
@pytest.mark.parametrize("seq", [True, False])
def test_book_round_trip_with_checksum(name, seq):
    inst, dec = _venue(name)
    mod = okx if name == "okx" else bitget
    for ev in _events(inst.symbol, seq):
        assert dec.decode(mod.encode_book(ev, inst), ev.ts_recv_ns) == [ev]


def test_bybit_book_round_trip_and_u_1_is_a_snapshot():
    inst, dec = _venue("bybit")
    snap = BookSnapshot(inst.symbol, ((10_000, 1_500),), ((10_010, 7),), 500, T, 5)
    delta = BookDelta(inst.symbol, ((10_000, 0),), ((10_020, 2),), 501, 501, -1, T + MS, 6)
    for ev in (snap, delta):
        assert dec.decode(bybit.encode_book(ev, inst), ev.ts_recv_ns) == [ev]
    restart = BookDelta(inst.symbol, ((10_000, 2),), ((10_010, 1),), 1, 1, -1, T, 7)
    (out,) = dec.decode(bybit.encode_book(restart, inst), 7)
    assert out == BookSnapshot(inst.symbol, ((10_000, 2),), ((10_010, 1),), 1, T, 7)


@pytest.mark.parametrize("name", ["okx", "bybit", "bitget"])
def test_trade_round_trip(name):
    inst, dec = _venue(name)
    mod = {"okx": okx, "bybit": bybit, "bitget": bitget}[name]
    for taker in TakerSide:
        t = Trade(inst.symbol, 10_005, 42, taker, 987654321, T, 9, 987654321, 987654321)
        assert dec.decode(mod.encode_trade(t, inst), 9) == [t]


@pytest.mark.parametrize("name", ["okx", "bybit", "bitget", "kraken"])
def test_a_trade_at_price_zero_is_refused(name):
    """A print at price 0 is no trade (it would drag VWAP, the profile and the tape to 0): each
    venue's decoder refuses it as Binance's does, and takes the same trade at one tick."""
    if name == "kraken":
        from dom.venues.kraken import codec as mod

        inst = Instrument("XMR/USD", "0.01", "0.00000001")
        dec = mod.KrakenDecoder({inst.symbol: inst})
    else:
        inst, dec = _venue(name)
        mod = {"okx": okx, "bybit": bybit, "bitget": bitget}[name]
    ok = Trade(inst.symbol, 1, 42, TakerSide.BUY, -1 if name == "kraken" else 7, T, 9)
    if name != "kraken":
        ok = Trade(inst.symbol, 1, 42, TakerSide.BUY, 7, T, 9, 7, 7)
    assert dec.decode(mod.encode_trade(ok, inst), 9) == [ok]
    zero = dataclasses.replace(ok, px_ticks=0)
    with pytest.raises(DecodeError, match="not positive"):
        dec.decode(mod.encode_trade(zero, inst), 9)


@pytest.mark.parametrize("name", ["okx", "bybit", "bitget"])
@pytest.mark.parametrize("rate", [-7_500, 0, 10_000])
def test_mark_round_trip(name, rate):
    inst, dec = _venue(name)
    mark = MarkPrice(
        inst.symbol, 10_003, 0 if name == "okx" else 10_001, rate, T + 3600_000 * MS, T, 4
    )
    if name == "okx":  # two channels; the second completes the picture
        frames = okx.encode_mark(mark, inst)
        out = [e for f in frames for e in dec.decode(f, 4)]
        assert out[-1] == mark
    else:
        mod = bybit if name == "bybit" else bitget
        assert dec.decode(mod.encode_mark(mark, inst), 4) == [mark]


def test_real_frames_decode_as_the_venue_means_them():
    o = okx.OkxDecoder({"BTC-USD-220527": Instrument("BTC-USD-220527", "0.1", "1")})
    raw = (
        b'{"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"update","data":[{"asks":[["30249.4","0","0","0"],'
        b'["30261","4","0","1"]],"bids":[["30182.6","452","0","1"]],"ts":"1652459225464","checksum":-914047754}]}'
    )
    (d,) = o.decode(raw, 1)
    assert d == BookDelta(
        "BTC-USD-220527",
        ((301826, 452),),
        ((302494, 0), (302610, 4)),
        -1,
        -1,
        -1,
        1652459225464 * MS,
        1,
        -914047754,
    )
    assert o.decode(b'{"event":"error","msg":"bad","code":"60012"}', 1) == [] and o.errors
    # OKX now sends checksum 0 on every frame (the field is deprecated): no checksum, not a mismatch.
    (d0,) = o.decode(raw.replace(b"-914047754", b"0"), 1)
    assert d0.checksum is None
    b = bitget.BitgetDecoder({"UNIUSDT": Instrument("UNIUSDT", "0.001", "1")})
    (t,) = b.decode(
        b'{"action":"update","arg":{"instType":"mc","channel":"trade","instId":"UNIUSDT"},'
        b'"data":[["1649290078916","9.977","1","sell"]]}',
        2,
    )
    assert (t.px_ticks, t.qty_lots, t.taker, t.trade_id) == (9977, 1, TakerSide.SELL, -1)
    assert (
        b.decode(
            b'{"action":"snapshot","arg":{"instType":"mc","channel":"trade","instId":"UNIUSDT"},'
            b'"data":[["1649290076332","9.964","1","sell"]]}',
            2,
        )
        == []
    )  # history, not news
    (m,) = b.decode(
        b'{"action":"snapshot","arg":{"instType":"mc","channel":"ticker","instId":"UNIUSDT"},"data":[{'
        b'"instId":"UNIUSDT","markPrice":"9.9655","indexPrice":"9.969","capitalRate":"-0.000100",'
        b'"nextSettleTime":1649314800000,"systemTime":1649290077309}]}',
        3,
    )
    assert (m.mark_px_ticks, m.index_px_ticks, m.funding_rate_e8) == (
        9966,
        9969,
        -10_000,
    )  # half to even
    y = bybit.BybitDecoder({"BTCUSDT": Instrument("BTCUSDT", "0.1", "0.001")})
    (t,) = y.decode(
        b'{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,'
        b'"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick",'
        b'"i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}',
        3,
    )
    assert (
        t.trade_id == 0x20F43950D8DD5B319112A178EB6023AF
        and t.taker is TakerSide.BUY
        and t.px_ticks == 165785
    )
    assert y.decode(b'{"success":true,"ret_msg":"","op":"subscribe","conn_id":"x"}', 3) == []


def test_unknown_symbols_are_counted_not_raised():
    o = okx.OkxDecoder({})
    assert (
        o.decode(
            okx.encode_trade(Trade("Z", 1, 1, TakerSide.BUY, 1, T, 0), Instrument("Z", "1", "1")), 0
        )
        == []
    )
    assert o.unknown_symbols == {"Z": 1}


def test_checksum_spellings():
    step = Instrument("S", "0.001", "0.00000001")
    assert (
        ck.shortest(step.price, 30_316_000) == "30316" and ck.shortest(step.price, 5_160) == "5.16"
    )
    assert ck.shortest(step.qty, 20_000) == "0.0002"
    assert (
        ck.fixed(step.price, 113_370, 3) == "113.370" and ck.fixed(step.price, 6_400, 2) == "6.40"
    )
    with pytest.raises(ValueError):
        ck.fixed(step.price, 113_371, 2)
    book = OrderBook()
    book.apply_snapshot([(3, 1)], [(4, 2), (5, 1)])
    assert ck.book_string(book, str, str) == "3:1:4:2:5:1"  # the longer side runs on alone
    assert ck.crc32_signed("3:1:4:2:5:1") == ck.signed32(__import__("zlib").crc32(b"3:1:4:2:5:1"))


def test_bitget_learns_decimals_from_the_snapshot_and_notices_changes():
    inst = Instrument("DASHUSDT", "0.001", "0.001")
    dec = bitget.BitgetDecoder({"DASHUSDT": inst})
    snap = (
        b'{"action":"snapshot","arg":{"instType":"mc","channel":"books","instId":"DASHUSDT"},"data":[{'
        b'"asks":[["113.42","6.40"]],"bids":[["113.37","237.61"]],"checksum":0,"ts":"1649290077548"}]}'
    )
    dec.decode(snap, 0)
    assert dec.places["DASHUSDT"] == (2, 2) and dec.format_changes == 0
    book = OrderBook()
    book.apply_snapshot([(113_370, 237_610)], [(113_420, 6_400)])
    assert dec.book_checksum(book, inst) == ck.crc32_signed("113.37:237.61:113.42:6.40")
    dec.decode(
        snap.replace(b'"update"', b"")
        .replace(b'"snapshot"', b'"update"')
        .replace(b'"6.40"', b'"6.4"'),
        0,
    )
    assert dec.format_changes == 1


INSTRUMENT_BODIES = {
    "bybit": {
        "retCode": 0,
        "result": {
            "category": "inverse",
            "list": [
                {
                    "symbol": "BTCUSD",
                    "contractType": "InversePerpetual",
                    "baseCoin": "BTC",
                    "quoteCoin": "USD",
                    "priceFilter": {"tickSize": "0.50"},
                    "lotSizeFilter": {"qtyStep": "1"},
                },
                {
                    "symbol": "BTCUSDT",
                    "contractType": "LinearPerpetual",
                    "baseCoin": "BTC",
                    "quoteCoin": "USDT",
                    "priceFilter": {"tickSize": "0.10"},
                    "lotSizeFilter": {"qtyStep": "0.001"},
                },
                {
                    "symbol": "BAD",
                    "priceFilter": {"tickSize": "-1"},
                    "lotSizeFilter": {"qtyStep": "1"},
                },
            ],
        },
    },
    "bitget": {
        "code": "00000",
        "data": [
            {
                "symbol": "BTCUSDT",
                "baseCoin": "BTC",
                "quoteCoin": "USDT",
                "pricePlace": "1",
                "priceEndStep": "5",
                "volumePlace": "3",
                "sizeMultiplier": "0.001",
            },
            {
                "symbol": "ETHUSDT",
                "baseCoin": "ETH",
                "quoteCoin": "USDT",
                "pricePrecision": "2",
                "quantityPrecision": "4",
            },
            {"symbol": "BAD", "pricePlace": "x"},
        ],
    },
}


def test_instrument_lists_including_inverse_contracts():
    y = bybit.instruments_from_rest(orjson.dumps(INSTRUMENT_BODIES["bybit"]))
    assert set(y) == {"BTCUSD", "BTCUSDT"}
    assert (
        y["BTCUSD"].inverse and y["BTCUSD"].quote == "USD" and y["BTCUSD"].px("60000.5") == 120001
    )
    assert not y["BTCUSDT"].inverse and y["BTCUSDT"].lots("0.005") == 5
    assert y["BTCUSD"].notional(120_000, 250) == 250  # 250 contracts of 1 USD
    g = bitget.instruments_from_rest(INSTRUMENT_BODIES["bitget"])
    assert set(g) == {"BTCUSDT", "ETHUSDT"}
    assert g["BTCUSDT"].tick_size == "0.5" and g["BTCUSDT"].lot_size == "0.001"
    assert g["ETHUSDT"].tick_size == "0.01" and g["ETHUSDT"].lot_size == "0.0001"
    o = okx.instruments_from_rest(
        {
            "code": "0",
            "data": [
                {
                    "instType": "SWAP",
                    "instId": "BTC-USD-SWAP",
                    "instFamily": "BTC-USD",
                    "tickSz": "0.1",
                    "lotSz": "1",
                    "ctVal": "100",
                    "ctValCcy": "USD",
                    "ctType": "inverse",
                },
                {
                    "instType": "SWAP",
                    "instId": "BTC-USDT-SWAP",
                    "instFamily": "BTC-USDT",
                    "tickSz": "0.1",
                    "lotSz": "0.01",
                    "ctVal": "0.01",
                    "ctValCcy": "BTC",
                    "ctType": "linear",
                },
                {"instType": "SWAP", "instId": "NOPE", "tickSz": "0", "lotSz": "1"},
            ],
        }
    )
    assert set(o) == {"BTC-USD-SWAP", "BTC-USDT-SWAP"}
    inv, lin = o["BTC-USD-SWAP"], o["BTC-USDT-SWAP"]
    assert inv.inverse and inv.contract_size == "100" and inv.quote == "USD" and inv.base == "BTC"
    assert not lin.inverse and lin.contract_size == "0.01" and lin.quote == "USDT"
    assert (
        str(lin.notional(600_000, 100)) == "600.00000"
    )  # 1 contract (100 lots of 0.01) x 0.01 BTC x 60000
    assert okx.instruments_from_rest(b"[]") == {} and bybit.instruments_from_rest(b"{}") == {}
    with pytest.raises(DecodeError):
        okx.instruments_from_rest(b"{not json")


def test_kraken_round_trips_and_checksum():
    from dom.venues.kraken import codec as kraken

    inst = Instrument("XMR/USD", "0.01", "0.00000001")
    dec = kraken.KrakenDecoder({inst.symbol: inst})
    snap = BookSnapshot(
        inst.symbol, ((35_413, 500_000_000),), ((35_420, 89_594_024),), -1, T + 481_570_000, 3
    )
    delta = BookDelta(
        inst.symbol, ((35_413, 0),), ((35_411, 1),), -1, -1, -1, T + 5_000, 4, 2583817756
    )
    for ev in (snap, delta):
        assert dec.decode(kraken.encode_book(ev, inst), ev.ts_recv_ns) == [ev]
    assert dec.windows["XMR/USD"].depth == 1000 and dec.learned.places["XMR/USD"] == (2, 8)
    t = Trade(inst.symbol, 35_411, 89_594_024, TakerSide.SELL, -1, T, 5)
    assert dec.decode(kraken.encode_trade(t, inst), 5) == [t]
    assert kraken.seconds_to_ns("1618678133.384218") == 1618678133_384218000
    book = OrderBook()
    book.apply_snapshot([(35_413, 500_000_000)], [(35_420, 89_594_024)])
    # asks first, then bids; "354.20" -> "35420", "0.89594024" -> "89594024"
    assert kraken.book_checksum(book, inst, (2, 8)) == __import__("zlib").crc32(
        b"3542089594024" + b"35413500000000"
    )
    assert dec.decode(b'{"event":"heartbeat"}', 0) == []
    pairs = kraken.instruments_from_rest(
        {
            "error": [],
            "result": {
                "XXMRZUSD": {
                    "altname": "XMRUSD",
                    "wsname": "XMR/USD",
                    "pair_decimals": 2,
                    "lot_decimals": 8,
                    "tick_size": "0.01",
                },
                "XXBTZCHF": {
                    "altname": "XBTCHF",
                    "wsname": "XBT/CHF",
                    "pair_decimals": 1,
                    "lot_decimals": 8,
                },
                "BROKEN": {"wsname": "A/B", "pair_decimals": "x", "lot_decimals": 8},
            },
        }
    )
    assert set(pairs) == {"XMR/USD", "XBT/CHF"}
    assert pairs["XBT/CHF"].tick_size == "0.1" and pairs["XBT/CHF"].lot_size == "0.00000001"
    assert pairs["XMR/USD"].base == "XMR" and pairs["XMR/USD"].quote == "USD"


def test_kraken_levels_pushed_past_the_depth_are_deleted_explicitly():
    from dom.venues.kraken import codec as kraken

    inst = Instrument("XBT/USD", "0.1", "0.00000001")
    dec = kraken.KrakenDecoder({inst.symbol: inst})
    snap = BookSnapshot(inst.symbol, ((1000, 1), (999, 1)), ((1002, 1), (1003, 1)), -1, T, 0)
    dec.decode(kraken.encode_book(snap, inst, depth=2), 0)
    # A better bid arrives: Kraken's depth-2 book drops 999 without a word.
    up = BookDelta(inst.symbol, ((1001, 5),), (), -1, -1, -1, T, 0)
    (d,) = dec.decode(kraken.encode_book(up, inst, depth=2), 0)
    assert d.bids == ((1001, 5), (999, 0)) and d.asks == ()
    # A deletion makes room: nothing to cut.
    down = BookDelta(inst.symbol, (), ((1002, 0), (1004, 2)), -1, -1, -1, T, 0)
    (d,) = dec.decode(kraken.encode_book(down, inst, depth=2), 0)
    assert d.asks == ((1002, 0), (1004, 2)) and d.bids == ()


def test_bitget_checksum_zero_is_no_checksum():
    inst = Instrument("BTCUSDT", "0.01", "0.0001")
    dec = bitget.BitgetDecoder({inst.symbol: inst})
    raw = (
        b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"books","instId":"BTCUSDT"},'
        b'"data":[{"asks":[["27000.50","8.7600"]],"bids":[["27000.00","2.7100"]],"checksum":0,'
        b'"seq":123,"ts":"1695716059516"}],"ts":1695716059516}'
    )
    (snap,) = dec.decode(raw, 1)
    assert isinstance(snap, BookSnapshot) and snap.checksum is None and snap.last_id == 123
    assert dec.places["BTCUSDT"] == (2, 4)


@pytest.mark.parametrize("msg", [
    None, [], "x", {"arg": []}, {"arg": {"channel": "trades", "instId": "A"}, "data": [{"checksum": 1}]},
    {"arg": {"channel": "books", "instId": 5}, "data": [{"checksum": 1}]},
    {"arg": {"channel": "books", "instId": "A"}, "data": [{"checksum": True}]},
    {"arg": {"channel": "books", "instId": "A"}, "data": [{"checksum": 1 << 40}]},
    {"arg": {"channel": "books", "instId": "A"}, "data": [{"checksum": "12"}]},
    {"arg": {"channel": "books", "instId": "A"}, "data": []},
    {"arg": {"channel": "books", "instId": "A"}, "data": [[1]]},
    {"arg": {"channel": ["books"], "instId": "A"}, "data": [{"checksum": 1}]},
])
def test_okx_book_message_checksum_refuses_what_is_not_one(msg):
    from dom.venues.okx.codec import book_message_checksum

    assert book_message_checksum(msg) is None


def test_okx_book_message_checksum_reads_the_last_row():
    from dom.venues.okx.codec import book_message_checksum

    msg = {"arg": {"channel": "books", "instId": "BTC-USDT-SWAP"}, "action": "update",
           "data": [{"bids": [], "asks": [], "checksum": -855196043}]}
    assert book_message_checksum(msg) == ("BTC-USDT-SWAP", -855196043)
