"""OKX's book updates and trades are read inline when they have their usual shape, and by the
general field-by-field path otherwise: on any frame, both ways give the same events, or the same
DecodeError, and count the same unknown symbols."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.core.units import Instrument
from dom.core import wire
from dom.core.wire import DecodeError
from dom.venues.okx import codec as okx

INST = {"BTC-USDT-SWAP": Instrument("BTC-USDT-SWAP", "0.1", "0.01")}
UPDATE = {
    "arg": {"channel": "books", "instId": "BTC-USDT-SWAP"},
    "action": "update",
    "data": [{"asks": [["60000.1", "3.5", "0", "2"]], "bids": [["59999.9", "0", "0", "0"]],
              "ts": "1700000000001", "checksum": -12345, "seqId": 11, "prevSeqId": 10}],
}
TRADE = {
    "arg": {"channel": "trades", "instId": "BTC-USDT-SWAP"},
    "data": [{"instId": "BTC-USDT-SWAP", "tradeId": "123", "px": "60000.1", "sz": "0.05",
              "side": "sell", "ts": "1700000000002"}],
}


def both_ways(raw: bytes | str, insts: dict[str, Instrument] = INST):
    """(inline-first result, general-path result): events, or the DecodeError's text."""
    out = []
    for fast in (True, False):
        dec = okx.OkxDecoder(insts)
        try:
            evs = dec.decode(raw, 7) if fast else dec._decode(wire.loads(raw, orjson.loads), 7)
        except DecodeError as e:
            evs = f"DecodeError: {e}"
        out.append((evs, dec.unknown_symbols))
    return out


def test_usual_frames_take_the_inline_way_and_agree():
    for doc in (UPDATE, TRADE):
        (fast, _), (slow, _) = both_ways(orjson.dumps(doc))
        assert fast == slow and len(fast) == 1 and not isinstance(fast, str)
    dec = okx.OkxDecoder(INST)
    dec._decode = None  # the inline way alone: no fallback to call
    assert len(dec.decode(orjson.dumps(UPDATE), 7)) == len(dec.decode(orjson.dumps(TRADE), 7)) == 1


EDGES = [  # (base, field of data[0], value): the edges of each check the inline way makes
    *[(TRADE, "sz", v) for v in ("0", "00", "0.00", "1e2", "+5", " 5", ".5", "0.001", 5, None)],
    *[(TRADE, "px", v) for v in ("0", "1e2", "60000.15", "-1", 60000.1, "")],
    *[(TRADE, "tradeId", v) for v in ("", "0", "9" * 19, "9" * 20, "9" * 21, 123, -1, True, "1.5", "１")],
    *[(TRADE, "ts", v) for v in ("", "0", str(2**53 - 1), str(2**53), "0" * 17 + "1", 17e11, 1700000000002)],
    *[(TRADE, "side", v) for v in ("BUY", "", 1, ["buy"])],
    *[(TRADE, "instId", v) for v in ("ETH-USDT-SWAP", "", ["BTC-USDT-SWAP"], 1)],
    *[(UPDATE, "checksum", v) for v in (0, 0.0, False, True, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, "5", "0")],
    *[(UPDATE, "seqId", v) for v in (0, -1, 2**63 - 1, 2**63, "11", True, 1.0, None)],
    *[(UPDATE, "prevSeqId", v) for v in (-1, -2, 0, 2**63, "10", False, None)],
    *[(UPDATE, "ts", v) for v in ("", "1" * 16, "1" * 17, str(2**53), 1700000000001, None)],
    *[(UPDATE, "bids", v) for v in ([], [["1", "1"]], [["1"]], [["-1", "1"]], [["1", "1e2"]], {}, None, "")],
]


@pytest.mark.parametrize("base,key,value", EDGES)
def test_each_edge_either_way_gives_the_same(base, key, value):
    doc = json.loads(json.dumps(base))
    doc["data"][0][key] = value
    (fast, unknown_fast), (slow, unknown_slow) = both_ways(json.dumps(doc))
    assert fast == slow and unknown_fast == unknown_slow


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=24) | st.sampled_from(["", "0", "00", "1e2", " 5", "+5", ".5", "5.", "-1",
                                              "１２", "9" * 17, "9" * 21, "0.001", "60000.10",
                                              "BTC-USDT-SWAP", "ETH-USDT-SWAP", "buy", "update"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_fields = ["asks", "bids", "ts", "checksum", "seqId", "prevSeqId", "instId", "tradeId", "px", "sz",
           "side"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([UPDATE, TRADE]), where=st.sampled_from(["data", "arg", "msg", "row"]),
       key=st.sampled_from(_fields + ["channel", "action", "event", "data"]), value=_json,
       drop=st.booleans())
def test_one_field_changed_either_way_gives_the_same(base, where, key, value, drop):
    doc = orjson.loads(orjson.dumps(base))
    target = {"data": doc["data"][0], "arg": doc["arg"], "msg": doc}.get(where)
    if where == "row":
        side = doc["data"][0].get("asks")
        if side is None:
            return
        row = side[0]
        row[hash(key) % len(row)] = value
    elif drop:
        target.pop(key, None)
    else:
        target[key] = value
    (fast, unknown_fast), (slow, unknown_slow) = both_ways(json.dumps(doc))  # (ints past 64 bits)
    assert fast == slow
    assert unknown_fast == unknown_slow


def test_the_recorded_okx_stream_decodes_the_same_either_way(shared_data: Path):
    from tests.venues.test_recordings import OKX, OKX_REST

    insts = okx.instruments_from_rest(OKX_REST)
    n = 0
    for line in (shared_data / OKX).read_bytes().splitlines():
        i = line.find(b"{")
        if i < 0:
            continue
        raw = line[i:]
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        (fast, _), (slow, _) = both_ways(raw, insts)
        assert fast == slow
        n += fast != [] and not isinstance(fast, str)
    assert n > 300  # (364 frames with events)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 999), max_size=30), st.lists(st.integers(1, 999), max_size=30))
def test_verify_is_the_checksum_of_the_book(bid_sizes, ask_sizes):
    """``verify`` (run per update, its calls inlined) is ``book_checksum`` compared, exactly."""
    from dom.core.book import OrderBook

    inst = INST["BTC-USDT-SWAP"]
    book = OrderBook()
    book.apply_snapshot([(600_000 - i, q) for i, q in enumerate(bid_sizes)],
                        [(600_001 + i, q) for i, q in enumerate(ask_sizes)])
    cs = okx.book_checksum(book, inst)
    assert okx.verify(book, inst, cs)
    assert not any(okx.verify(book, inst, c) for c in (cs + 1, cs - 1, cs + (1 << 32), cs - (1 << 32)))


# Sizes in whole contracts (lot 1, as on most OKX swaps) are read by int() where they are plain
# ASCII digits: the same number, or the same DecodeError, as the general reading (wire.num).
WHOLE = {"BTC-USDT-SWAP": Instrument("BTC-USDT-SWAP", "0.1", "1")}
SIZES = ["0", "00", "007", "1", "59634", "9" * 17, "9" * (wire.MAX_NUM_LEN - 1),
         "9" * wire.MAX_NUM_LEN, "9" * (wire.MAX_NUM_LEN + 1), "1.0", "1.", "1.5", "1e2", "+5",
         " 5", "5 ", "-1", "５", "٣", "²", "", "5_0", "0x10", "1" * 5000]


def reference_levels(rows: list) -> tuple | str:
    """Row by row through ``wire.num``, on a fresh instrument (no cache): the plain reading."""
    inst = Instrument("BTC-USDT-SWAP", "0.1", "1")
    try:
        return tuple((wire.num(inst.price, r[0], "price"), wire.num(inst.qty, r[1], "size"))
                     for r in rows)
    except DecodeError as e:
        return f"DecodeError: {e}"


def read_levels(rows: list) -> tuple | str:
    try:
        return wire.levels(WHOLE["BTC-USDT-SWAP"], rows)
    except DecodeError as e:
        return f"DecodeError: {e}"


@pytest.mark.parametrize("sz", SIZES, ids=lambda s: repr(s)[:24])
def test_whole_contract_sizes_read_as_the_general_way(sz):
    assert read_levels([["60000.1", sz, "0", "1"]]) == reference_levels([["60000.1", sz]])
    rows = [["60000.1", "2"], ["60000.2", sz]]
    assert read_levels(rows) == reference_levels(rows)
    doc = json.loads(json.dumps(TRADE))
    doc["data"][0]["sz"] = sz
    (fast, _), (slow, _) = both_ways(json.dumps(doc), WHOLE)
    assert fast == slow
    if sz == "59634":  # (the usual case does come out, both ways)
        assert fast[0].qty_lots == 59634 and read_levels([["1", sz]]) == ((10, 59634),)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.-+ _e٣５²", max_size=24))
def test_any_size_text_on_whole_contracts_reads_as_the_general_way(sz):
    assert read_levels([["60000.1", sz]]) == reference_levels([["60000.1", sz]])
    doc = json.loads(json.dumps(TRADE))
    doc["data"][0]["sz"] = sz
    (fast, _), (slow, _) = both_ways(json.dumps(doc), WHOLE)
    assert fast == slow
