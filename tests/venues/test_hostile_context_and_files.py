"""Hostile input at the other Binance edges: context bodies (premiumIndex, openInterest,
ticker/24hr) and recording files. A bad body is a ContextDecodeError, never another exception or
a hang; a recording of hostile lines replays, counting them, never a traceback."""

from __future__ import annotations

import gzip
import time

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.core.units import Instrument
from dom.errors import RecordingError
from dom.runtime.replay import Replay
from dom.venues.binance_usdm.context import parse_open_interest, parse_premium, parse_ticker
from dom.venues.polling import ContextDecodeError

INST = Instrument("BTCUSDT", "0.1", "0.001")
PREMIUM = {"symbol": "BTCUSDT", "markPrice": "60000.12", "indexPrice": "60001.00", "lastFundingRate": "0.0001",
           "nextFundingTime": 1767225600000, "time": 1767225500000}
OI = {"symbol": "BTCUSDT", "openInterest": "1234.567", "time": 1767225500000}
TICKER = {"symbol": "BTCUSDT", "lastPrice": "60000.1", "openPrice": "59000.0", "highPrice": "61000.0",
          "lowPrice": "58000.0", "volume": "100.000", "quoteVolume": "6000000.00", "count": 12,
          "closeTime": 1767225500000}
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**80), 2**80), st.floats(),
                   st.text(max_size=60), st.sampled_from(["1e-999999999", "1e999999999", "Infinity", "NaN", "-0"]),
                   st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from([(parse_premium, PREMIUM), (parse_open_interest, OI), (parse_ticker, TICKER)]),
       key=st.sampled_from(sorted(set(PREMIUM) | set(OI) | set(TICKER))), value=VALUES)
def test_fuzz_context_bodies(which, key, value):
    fn, body = which
    t0 = time.perf_counter()
    try:
        fn(INST, {**body, key: value}, 1)
    except ContextDecodeError:
        pass
    assert time.perf_counter() - t0 < 1.0


def test_real_context_bodies_parse():
    assert parse_premium(INST, PREMIUM, 1).mark_px_ticks == 600001
    assert parse_open_interest(INST, OI, 1).oi_lots == 1234567
    assert parse_ticker(INST, TICKER, 1).last_px == 600001


_line = st.one_of(
    st.binary(max_size=80),
    st.builds(lambda d: b"1723161255030314667 " + orjson.dumps(d), st.fixed_dictionaries({
        "stream": st.sampled_from(["btcusdt@depth@0ms", "btcusdt@trade", "x"]),
        "data": st.fixed_dictionaries({"e": st.sampled_from(["depthUpdate", "trade", "bookTicker", "x"]),
                                       "s": st.sampled_from(["BTCUSDT", "", "NOPE"]),
                                       "T": st.one_of(st.none(), st.booleans(), st.integers(-(2**62), 2**62), st.text(max_size=60),
                                                    st.sampled_from(["1e-999999999", "Infinity"])),
                                       "U": st.integers(0, 10), "u": st.integers(0, 10), "pu": st.integers(-1, 10),
                                       "b": st.one_of(st.just([["61800.1", "1.000"]]), st.just({"1": "2"}),
                                                      st.just("x")),
                                       "a": st.just([])})})),
    st.builds(lambda d: b"1723161255030314667 " + orjson.dumps(d), st.fixed_dictionaries({
        "lastUpdateId": st.integers(0, 10), "T": st.integers(0, 10),
        "bids": st.one_of(st.just([["61800.0", "1.000"]] * 60), st.just({"61800.0": "1"}), st.just(None)),
        "asks": st.just([["61800.2", "1.000"]])})),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, min_size=1, max_size=30))
def test_fuzz_recording_files(tmp_path, lines):
    path = tmp_path / "fuzz.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    t0 = time.perf_counter()
    try:
        s = Replay(path).run()
    except RecordingError:
        return  # nothing dom can read: one clear error
    assert s.lines >= 0 and time.perf_counter() - t0 < 5.0
