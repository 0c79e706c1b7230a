"""Hostile input at the Binance edge: every frame below once killed or froze a live run or a
replay. Each is now a counted bad frame; the books stay exact; nothing takes long."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.core.units import Instrument
from dom.sim.server import SimServer
from dom.venues.binance_usdm.codec import BinanceDecoder, DecodeError
from tests.venues.harness import Harness

INST = {"BTCUSDT": Instrument("BTCUSDT", "0.1", "0.001")}
DEPTH = {"e": "depthUpdate", "E": 1, "T": 1, "s": "BTCUSDT", "U": 1, "u": 2, "pu": 0,
         "b": [["100.0", "1.000"]], "a": []}
MARK = {"e": "markPriceUpdate", "E": 1, "s": "BTCUSDT", "p": "100.0", "i": "100.0", "r": "0.0001", "T": 1}
TRADE = {"e": "aggTrade", "E": 1, "a": 7, "s": "BTCUSDT", "p": "100.0", "q": "0.010", "f": 1, "l": 2, "T": 1,
         "m": True}
TICKER = {"e": "bookTicker", "u": 5, "s": "BTCUSDT", "b": "100.0", "B": "1.000", "a": "100.1", "A": "2.000", "T": 1,
          "E": 1}

HOSTILE = {
    "depth_T_as_a_2000_char_string": {**DEPTH, "T": "1" * 2000},
    "depth_E_as_a_string": {**DEPTH, "T": 0, "E": "1723161256299"},
    "mark_r_as_a_json_number": {**MARK, "r": 0.0001},
    "mark_p_infinity": {**MARK, "p": "Infinity"},
    "size_1e_minus_999999999": {**DEPTH, "b": [["100.0", "1e-999999999"]]},
    "price_1e_plus_999999999": {**DEPTH, "b": [["1e999999999", "1.000"]]},
    "snapshot_bids_as_an_object": {**DEPTH, "b": {"100.0": "1.000"}},
    "level_of_three": {**DEPTH, "a": [["100.1", "1.000", "x"]]},
    "ids_as_booleans": {**DEPTH, "U": True, "u": True},
    "ids_backwards": {**DEPTH, "U": 9, "u": 2},
    "symbol_as_a_list": {**DEPTH, "s": ["BTCUSDT"]},
    "trade_id_negative": {**TRADE, "a": -5},
    "trade_maker_as_a_string": {**TRADE, "m": "true"},
    "trade_price_zero": {**TRADE, "p": "0.0"},
    "ticker_bid_price_negative": {**TICKER, "b": "-100.0"},
    "ticker_ask_price_negative": {**TICKER, "a": "-0.1"},
    "ticker_bid_size_negative": {**TICKER, "B": "-1.000"},
    "ticker_ask_size_negative": {**TICKER, "A": "-0.001"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_frame_is_a_decode_error(name):
    dec = BinanceDecoder(INST)
    t0 = time.thread_time()  # CPU time: a loaded machine does not make it fail, a slow parse does
    with pytest.raises(DecodeError):
        dec.decode(orjson.dumps(HOSTILE[name]), 1)
    assert time.thread_time() - t0 < 0.1


def test_thousand_deep_envelopes_and_arrays_are_bounded():
    dec = BinanceDecoder(INST)
    deep = b'{"stream":"x","data":' * 1000 + orjson.dumps(DEPTH) + b"}" * 1000
    assert dec.decode(deep, 1) == []  # one envelope is unwrapped; what is inside is no event
    with pytest.raises(DecodeError):
        dec.decode(b"[" * 5000 + b"]" * 5000, 1)
    with pytest.raises(DecodeError):
        dec.decode_snapshot("BTCUSDT", b'{"lastUpdateId":1,"bids":{"1":"2"},"asks":[]}', 1)


def test_a_well_formed_frame_still_decodes():
    (ev,) = BinanceDecoder(INST).decode(orjson.dumps(DEPTH), 5)
    assert ev.bids == ((1000, 1000),) and ev.first_id == 1 and ev.last_id == 2 and ev.ts_exchange_ns == 1_000_000


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=30,
)
_keys = st.sampled_from(sorted(set(DEPTH) | set(MARK) | set(TRADE) | set(TICKER) | {"stream", "data", "lastUpdateId", "bids"}))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([DEPTH, MARK, TRADE, TICKER]), key=_keys, value=_json)
def test_fuzz_one_field_of_a_real_frame(base, key, value):
    """Any value in any field: a DecodeError or events, never another exception, never slow."""
    dec = BinanceDecoder(INST)
    try:
        raw = orjson.dumps({**base, key: value})
    except (TypeError, orjson.JSONEncodeError):
        return  # not JSON (NaN floats encode as null; huge ints do not encode)
    t0 = time.thread_time()  # CPU time: a loaded machine does not make it fail, a slow parse does
    try:
        dec.decode(raw, 1)
    except DecodeError:
        pass
    assert time.thread_time() - t0 < 0.1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes(raw):
    try:
        events = BinanceDecoder(INST).decode(raw, 1)
    except DecodeError:
        events = []
    # whatever got through is a list of core events (random bytes almost never make one)
    assert isinstance(events, list) and all(getattr(e, "symbol", None) == "BTCUSDT" for e in events)


async def test_a_live_run_lives_through_every_hostile_frame_with_exact_books():
    """The frames above sent by the built-in market to a live client: counted, ignored, the
    client keeps its connections, and the books stay exact (a dropped depth frame is a gap)."""
    async with SimServer(seed=4, port=0) as srv, Harness(srv) as h:
        frames = [orjson.dumps(v) for v in HOSTILE.values()]
        srv.faults.inject(frames, "public")
        srv.faults.inject([orjson.dumps(HOSTILE["mark_r_as_a_json_number"]),
                           orjson.dumps(HOSTILE["mark_p_infinity"])], "market")
        for _ in range(100):
            if h.feed.stats.bad_frames >= len(frames) + 2:
                break
            await asyncio.sleep(0.05)
        assert h.feed.stats.bad_frames >= len(frames) + 2
        assert h.feed.stats.reconnects == 0
        await h.assert_exact()


@pytest.mark.parametrize("row", [["100.0", "-1.000"], ["-100.0", "1.000"]])
def test_a_negative_level_is_refused_every_time_it_comes(row):
    """The parse cache holds only valid values: the second copy of a bad string is refused too,
    not read from the cache as a level (a negative size would act as a delete)."""
    dec = BinanceDecoder(INST)
    for _ in range(2):
        with pytest.raises(DecodeError):
            dec.decode(orjson.dumps({**DEPTH, "b": [row]}), 1)


@pytest.mark.parametrize("row", ["15", {"1": 0, "5": 0}, ["1", "5", "x"], ["1"]])
def test_a_row_that_is_not_a_pair_is_refused_when_its_strings_are_cached(row):
    """The levels are first read from the parse caches in one pass; a row that unpacks into two
    cached strings without being a [price, size] list must still be refused."""
    dec = BinanceDecoder({"BTCUSDT": Instrument("BTCUSDT", "1", "1")})
    for n in (1, 30):  # a short side is read row by row, a long one in one pass first
        good = [["1", "5"], ["5", "1"]] * n
        ok = dec.decode(orjson.dumps({**DEPTH, "b": good}), 1)
        assert ok[0].bids == ((1, 5), (5, 1)) * n
        with pytest.raises(DecodeError):
            dec.decode(orjson.dumps({**DEPTH, "b": good + [row]}), 1)
        with pytest.raises(DecodeError):
            dec.decode(orjson.dumps({**DEPTH, "b": [row] + good}), 1)


@pytest.mark.parametrize("pure", [False, True], ids=["accelerated", "pure_python"])
@pytest.mark.parametrize("key", ["b", "B", "a", "A"])
def test_a_negative_ticker_price_or_size_is_refused_on_every_path(monkeypatch, key, pure):
    """A bookTicker's prices and sizes are refused negative as a depth level's are, whichever
    reader takes the frame (from its bytes, from a parsed object, or the exact Python way), each
    time it comes, while the frame with the value's positive twin still decodes."""
    from dom.core import accel

    if pure:
        monkeypatch.setattr(accel, "native", None)
    dec = BinanceDecoder(INST)
    value = TICKER[key]
    bad = {**TICKER, key: "-" + value}
    for raw in (orjson.dumps(bad), orjson.dumps(bad).decode(), orjson.dumps({"stream": "x", "data": bad})) * 2:
        with pytest.raises(DecodeError, match="negative"):
            dec.decode(raw, 1)
    (ev,) = dec.decode(orjson.dumps(TICKER), 1)
    assert (ev.bid_px, ev.bid_qty, ev.ask_px, ev.ask_qty) == (1000, 1000, 1001, 2000)
