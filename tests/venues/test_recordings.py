"""Every checksum and sequence id in the real OKX, Bitget and Bybit recordings, through the codecs
and the engine; and copies with one thing broken, caught at that message."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import orjson
import pytest

from dom.core.engine import Engine
from dom.core.types import BookDelta
from dom.store.recording import Frame, iter_cryptofeed
from dom.venues import checks
from dom.venues.bitget import codec as bitget
from dom.venues.kraken import codec as kraken
from dom.venues.okx import codec as okx

OKX = "cryptofeed/OKX.ws.1.0"
BITGET_SPOT = "cryptofeed/BITGET.ws.1.0"
BITGET_MC = "cryptofeed/BITGET.ws.2.0"
BYBIT = "nautilus_trader/bybit/xrpusdt-ob500.data.zip"
KRAKEN = "cryptofeed/KRAKEN.ws.50.0"

# What OKX's /api/v5/public/instruments said of these three (tick, lot, contract value, type).
OKX_REST = {
    "code": "0",
    "msg": "",
    "data": [
        {
            "instType": "SPOT",
            "instId": "BTC-USDT",
            "baseCcy": "BTC",
            "quoteCcy": "USDT",
            "tickSz": "0.1",
            "lotSz": "0.00000001",
            "ctVal": "",
            "ctType": "",
        },
        {
            "instType": "SWAP",
            "instId": "UNI-USD-SWAP",
            "uly": "UNI-USD",
            "instFamily": "UNI-USD",
            "baseCcy": "",
            "quoteCcy": "",
            "settleCcy": "UNI",
            "tickSz": "0.001",
            "lotSz": "1",
            "ctVal": "10",
            "ctValCcy": "USD",
            "ctType": "inverse",
        },
        {
            "instType": "FUTURES",
            "instId": "BTC-USD-220527",
            "uly": "BTC-USD",
            "instFamily": "BTC-USD",
            "baseCcy": "",
            "quoteCcy": "",
            "settleCcy": "BTC",
            "tickSz": "0.1",
            "lotSz": "1",
            "ctVal": "100",
            "ctValCcy": "USD",
            "ctType": "inverse",
        },
    ],
}


@pytest.mark.parametrize(
    "rel, compared", [(OKX, 290), (BITGET_SPOT, 443), (BITGET_MC, 194), (KRAKEN, 4269)]
)
def test_every_checksum_in_the_recording_matches(shared_data: Path, rel: str, compared: int):
    r = checks.check_file(shared_data / rel)
    assert (r.checksums_matched, r.checksums_compared) == (compared, compared)
    assert r.decode_errors == r.bad_lines == r.gaps == r.crossed == r.snapshot_requests == 0
    assert r.failures == [] and all(r.synced_at_end.values())
    assert r.applied == r.deltas and (r.trades > 0 or rel == KRAKEN)


def test_kraken_trades_on_their_own_connection(shared_data: Path):
    r = checks.check_file(shared_data / "cryptofeed/KRAKEN.ws.48.0")
    assert r.trades == 10 and r.decode_errors == 0 and r.deltas == 0


def test_okx_checksums_hold_with_the_exchanges_own_instruments(shared_data: Path):
    """Spot, an inverse swap and an inverse future, in their real units (coarser than what the
    recording's strings alone suggest): all 290 checksums still verify."""
    insts = okx.instruments_from_rest(OKX_REST)
    assert (
        insts["UNI-USD-SWAP"].inverse
        and insts["BTC-USD-220527"].inverse
        and not insts["BTC-USDT"].inverse
    )
    r = checks.check_file(shared_data / OKX, instruments=insts)
    assert (r.checksums_matched, r.checksums_compared) == (290, 290)
    assert set(r.symbols) == {"BTC-USDT", "UNI-USD-SWAP", "BTC-USD-220527"}


def test_bitget_checksums_use_the_wire_decimals_not_the_tick(shared_data: Path):
    """With ticks and lots finer than Bitget writes (as a REST priceEndStep could give), the
    decoder's learned decimals still rebuild Bitget's strings: "113.370" is not "113.37"."""
    fine = {s: bitget.Instrument(s, "0.0001", "0.0001") for s in ("DASHUSDT", "UNIUSDT")}
    r = checks.check_file(shared_data / BITGET_MC, instruments=fine)
    assert (r.checksums_matched, r.checksums_compared) == (194, 194)


def test_bybit_ob500_chain_has_no_gap_and_no_crossed_book(shared_data: Path):
    r = checks.check_file(shared_data / BYBIT)
    assert (r.snapshots, r.deltas, r.applied) == (1, 49, 49)
    assert r.gaps == r.crossed == r.decode_errors == r.duplicates == 0
    assert r.synced_at_end == {"XRPUSDT": True} and r.checksums_compared == 0


# --------------------------------------------------------------------------------- corrupted copies
def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _book_lines(
    lines: list[bytes], channel: bytes = b'"channel":"books"', action: bytes = b'"action":"update"'
):
    return [i for i, ln in enumerate(lines) if channel in ln and action in ln]


def _write(tmp: Path, name: str, lines: list[bytes]) -> Path:
    out = tmp / name
    out.write_bytes(b"\n".join(lines))
    return out


@pytest.mark.parametrize("rel", [OKX, BITGET_SPOT, BITGET_MC, KRAKEN])
def test_one_wrong_checksum_is_caught_at_that_message(shared_data: Path, tmp_path: Path, rel: str):
    src = shared_data / rel
    lines = _lines(src)
    if rel == KRAKEN:
        i = [k for k, ln in enumerate(lines) if b'"c":"' in ln][40]
        m = re.search(rb'"c":"(\d+)"', lines[i])
        sym = re.search(rb'"book-1000","([^"]+)"\]', lines[i]).group(1).decode()
    else:
        i = _book_lines(lines)[40]
        m = re.search(rb'"checksum":(-?\d+)', lines[i])
        sym = re.search(rb'"instId":"([^"]+)"', lines[i]).group(1).decode()
    lines[i] = lines[i][: m.start(1)] + str(int(m.group(1)) ^ 1).encode() + lines[i][m.end(1) :]
    r = checks.check_file(_write(tmp_path, src.name, lines))
    first = r.failures[0]
    assert (first["line"], first["symbol"], first["state"]) == (i + 1, sym, "checksum_failed")
    assert r.checksums_compared - r.checksums_matched == 1
    assert r.snapshot_requests >= 1
    # No snapshot follows in the file: that book stays unsynced, the others are untouched.
    assert r.synced_at_end[sym] is False
    assert all(ok for s, ok in r.synced_at_end.items() if s != sym)


_BID_SIZE = {
    "okx": rb'"bids":\[\["[^"]+","(\d+(?:\.\d+)?)"',
    "bitget": rb'"bids":\[\["[^"]+","(\d+(?:\.\d+)?)"',
    "kraken": rb'"b":\[\["[^"]+","(\d+(?:\.\d+)?)"',
}


@pytest.mark.parametrize("rel, venue", [(OKX, "okx"), (BITGET_MC, "bitget"), (KRAKEN, "kraken")])
def test_one_wrong_size_is_caught_at_that_message(
    shared_data: Path, tmp_path: Path, rel: str, venue: str
):
    """Change the size of the best bid inside one update: its checksum no longer holds."""
    src = shared_data / rel
    insts = checks.infer_instruments(src, venue)
    dec = {"okx": okx.OkxDecoder, "bitget": bitget.BitgetDecoder, "kraken": kraken.KrakenDecoder}[
        venue
    ](insts)
    eng = Engine(
        insts, rule=checks._module(venue).RULE, verify=okx.verify if venue == "okx" else dec.verify
    )
    target = None
    for fr in iter_cryptofeed(src):
        assert isinstance(fr, Frame)
        for ev in dec.decode(fr.raw, fr.recv_ns):
            eng.feed(ev)
            if (
                target is None
                and isinstance(ev, BookDelta)
                and ev.checksum is not None
                and ev.bids
                and ev.bids[0][1] > 0
                and [p for p, _ in ev.bids].count(ev.bids[0][0]) == 1
                and eng[ev.symbol].book.best_bid() == ev.bids[0]
            ):
                target = fr.line_no, ev.symbol
    assert target is not None
    line_no, sym = target
    lines = _lines(src)
    ln = lines[line_no - 1]
    m = re.search(_BID_SIZE[venue], ln)
    size = m.group(1)
    bumped = size[:-1] + (b"8" if size.endswith(b"9") else bytes([size[-1] + 1]))
    lines[line_no - 1] = ln[: m.start(1)] + bumped + ln[m.end(1) :]
    r = checks.check_file(_write(tmp_path, src.name, lines), instruments=insts)
    assert r.failures[0]["line"] == line_no and r.failures[0]["symbol"] == sym
    assert r.failures[0]["state"] == "checksum_failed" and r.synced_at_end[sym] is False
    assert r.checksums_compared - r.checksums_matched == 1


def test_a_missing_bybit_message_is_a_gap_at_the_next_one(shared_data: Path, tmp_path: Path):
    with zipfile.ZipFile(shared_data / BYBIT) as z:
        lines = z.read(z.namelist()[0]).splitlines()
    del lines[20]  # the 20th delta
    r = checks.check_file(_write(tmp_path, "bybit_XRPUSDT_ob500.data", lines), venue="bybit")
    assert r.gaps == 1 and r.failures[0]["line"] == 21 and r.failures[0]["state"] == "gap"
    assert (
        "gap at id 20254890: follows 20254889, the book is at 20254888" in r.failures[0]["detail"]
    )
    assert r.synced_at_end == {"XRPUSDT": False} and r.snapshot_requests == 1


def test_a_repeated_bybit_message_is_a_duplicate_not_a_gap(shared_data: Path, tmp_path: Path):
    with zipfile.ZipFile(shared_data / BYBIT) as z:
        lines = z.read(z.namelist()[0]).splitlines()
    lines.insert(11, lines[10])
    r = checks.check_file(_write(tmp_path, "bybit_XRPUSDT_ob500.data", lines), venue="bybit")
    assert r.duplicates == 1 and r.gaps == 0 and r.synced_at_end == {"XRPUSDT": True}


def test_the_bybit_zip_reader_reads_the_one_member(shared_data: Path, tmp_path: Path):
    from dom.venues.bybit.recording import iter_history

    frames = list(iter_history(shared_data / BYBIT))
    assert len(frames) == 50 and all(isinstance(f, Frame) for f in frames)
    first = orjson.loads(frames[0].raw)
    assert first["type"] == "snapshot" and frames[0].recv_ns == first["ts"] * 1_000_000
    plain = tmp_path / "x.data"
    shutil.copy(shared_data / BYBIT, tmp_path / "copy.zip")
    with zipfile.ZipFile(tmp_path / "copy.zip") as z:
        plain.write_bytes(z.read(z.namelist()[0]))
    assert [f.raw for f in iter_history(plain)] == [f.raw for f in frames]


def test_the_bybit_reader_counts_bad_lines_and_refuses_an_ambiguous_zip(
    shared_data: Path, tmp_path: Path
):
    from dom.errors import RecordingError
    from dom.venues.bybit.recording import iter_history

    with zipfile.ZipFile(shared_data / BYBIT) as z:
        lines = z.read(z.namelist()[0]).splitlines()
    lines[5:5] = [b"not json", b'{"topic":"orderbook.500.XRPUSDT","ts":"soon"}']
    r = checks.check_file(_write(tmp_path, "bybit_XRPUSDT_ob500.data", lines), venue="bybit")
    assert r.bad_lines == 2 and r.applied == 49 and r.gaps == 0
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.data", b"{}")
        z.writestr("b.data", b"{}")
    with pytest.raises(RecordingError):
        list(iter_history(two))


def test_kraken_depth_window_cuts_nothing_kraken_did_not_cut(shared_data: Path):
    """No level of this sample is pushed past depth 1000 (Kraken's explicit deletions keep the
    books smaller), so the decoder's depth window must add no deletion of its own: every
    update decodes to exactly its own levels. (The cut itself is tested in test_codecs.)"""
    src = shared_data / KRAKEN
    dec = kraken.KrakenDecoder(checks.infer_instruments(src, "kraken"))
    for fr in iter_cryptofeed(src):
        msg = orjson.loads(fr.raw)
        for ev in dec.decode(fr.raw, fr.recv_ns):
            if isinstance(ev, BookDelta):
                sent = sum(len(p.get("a", [])) + len(p.get("b", [])) for p in msg[1:-2])
                assert len(ev.bids) + len(ev.asks) == sent
    assert all(w.depth == 1000 and len(w.bids) <= 1000 for w in dec.windows.values())


def test_bybit_keeps_its_book_at_exactly_the_subscribed_depth(shared_data: Path):
    """Bybit deletes levels leaving its 500-level window and adds those entering it: the
    rebuilt book has 500 levels a side after every message."""
    from dom.venues.bybit import codec as bybit
    from dom.venues.bybit.recording import iter_history

    src = shared_data / BYBIT
    insts = checks.infer_instruments(src, "bybit")
    dec, eng = bybit.BybitDecoder(insts), Engine(insts, rule=bybit.RULE)
    sizes = set()
    for fr in iter_history(src):
        for ev in dec.decode(fr.raw, fr.recv_ns):
            eng.feed(ev)
        book = eng["XRPUSDT"].book
        sizes.add((len(book.bids), len(book.asks)))
    assert sizes == {(500, 500)} and eng["XRPUSDT"].synced
