"""Run a recording of OKX, Bitget, Kraken or Bybit through its codec and the engine, and count
what the venue's own integrity data says about the rebuilt books: checksums compared and
matched, sequence gaps, crossed books, and where each failure happened.

Recordings read: cryptofeed's sample format (``OKX.ws.*``, ``BITGET.ws.*``, ``KRAKEN.ws.*``; the
line iterator is ``dom.store.recording``'s) and Bybit's order-book history files
(``*ob500.data``, zipped or not). Neither carries an instrument list, so tick and lot are
inferred from the recording: the finest decimal place written per symbol, which holds every
price and size in it exactly (the checksums do not depend on the grid: OKX's strings are the
shortest form, and the Bitget and Kraken decoders learn their decimals from the snapshots).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dom.core import wire
from dom.core.checksum import WireDecimals
from dom.core.engine import Engine
from dom.core.types import Alert, FeedState, SnapshotRequest, StatusChange
from dom.core.units import Instrument
from dom.store.recording import BadLine, Frame, iter_cryptofeed
from dom.venues.bitget import codec as bitget
from dom.venues.bybit import codec as bybit
from dom.venues.bybit.recording import iter_history
from dom.venues.kraken import codec as kraken
from dom.venues.okx import codec as okx
from dom.venues.sniff import VENUES, sniff_venue  # noqa: F401 (VENUES: this module's public name too)

_MAX_DETAILS = 50
_FAILURES = (FeedState.GAP, FeedState.CHECKSUM_FAILED, FeedState.CROSSED)


@dataclass
class FileCheck:
    venue: str
    symbols: list[str]
    frames: int = 0
    bad_lines: int = 0
    decode_errors: int = 0
    snapshots: int = 0
    deltas: int = 0
    trades: int = 0
    marks: int = 0
    applied: int = 0
    duplicates: int = 0
    checksums_compared: int = 0
    checksums_matched: int = 0
    gaps: int = 0
    crossed: int = 0
    snapshot_requests: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)  # line, symbol, state, detail
    synced_at_end: dict[str, bool] = field(default_factory=dict)
    instruments: dict[str, tuple[str, str]] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def frames(path: Path, venue: str) -> Iterator[Frame | BadLine]:
    return iter_history(path) if venue == "bybit" else iter_cryptofeed(path)


def _module(venue: str) -> Any:
    return {"okx": okx, "bitget": bitget, "bybit": bybit, "kraken": kraken}[venue]


def infer_instruments(path: Path, venue: str) -> dict[str, Instrument]:
    """Per symbol, a tick and a lot of one unit in the finest decimal place the recording uses."""
    places: dict[str, list[int]] = {}
    mod = _module(venue)
    for fr in frames(path, venue):
        if not isinstance(fr, Frame):
            continue
        try:
            msg = orjson.loads(fr.raw)
        except orjson.JSONDecodeError:
            continue
        for sym, px, sz in mod.numbers(msg):
            if type(sym) is not str or not wire.is_plain(px) or not wire.is_plain(sz):
                continue
            p = places.setdefault(sym, [0, 0])
            p[0] = max(p[0], len(px.partition(".")[2]))
            p[1] = max(p[1], len(sz.partition(".")[2]))
    return {s: Instrument(s, _unit(p), _unit(q)) for s, (p, q) in sorted(places.items())}


def _unit(places: int) -> str:
    return "1" if places == 0 else "0." + "0" * (places - 1) + "1"


def check_file(
    path: str | Path, venue: str | None = None, instruments: dict[str, Instrument] | None = None,
    observers: Any = None, on_alert: Any = None,
) -> FileCheck:
    """Replay ``path`` through codec + engine (with the venue's checksum) and count; with
    ``observers`` (the detectors), every alert goes to ``on_alert``."""
    path = Path(path)
    venue = venue or sniff_venue(path)
    if instruments is None:
        instruments = infer_instruments(path, venue)
    mod = _module(venue)
    # OKX's check is a function of the book alone; Bitget's and Kraken's need the decimals their
    # decoder learns from the snapshots, shared through one WireDecimals.
    decimals = WireDecimals()
    decoder: Any
    if venue == "okx":
        decoder, verify = okx.OkxDecoder(instruments), okx.verify
    elif venue == "bybit":
        decoder, verify = bybit.BybitDecoder(instruments), None
    else:
        cls = bitget.BitgetDecoder if venue == "bitget" else kraken.KrakenDecoder
        decoder, verify = cls(instruments, decimals), mod.verifier(decimals)
    engine = Engine(instruments, rule=mod.RULE, verify=verify, observers=observers)
    out = FileCheck(
        venue,
        sorted(instruments),
        instruments={s: (i.tick_size, i.lot_size) for s, i in instruments.items()},
    )
    for fr in frames(path, venue):
        if isinstance(fr, BadLine):
            out.bad_lines += 1
            continue
        out.frames += 1
        try:
            events = decoder.decode(fr.raw, fr.recv_ns)
        except wire.DecodeError as e:
            out.decode_errors += 1
            if len(out.failures) < _MAX_DETAILS:
                out.failures.append(
                    {"line": fr.line_no, "symbol": "", "state": "decode_error", "detail": str(e)}
                )
            continue
        for ev in events:
            kind = type(ev).__name__
            if kind == "BookSnapshot":
                out.snapshots += 1
            elif kind == "BookDelta":
                out.deltas += 1
            elif kind == "Trade":
                out.trades += 1
            elif kind == "MarkPrice":
                out.marks += 1
            for o in engine.feed(ev):
                if isinstance(o, SnapshotRequest):
                    out.snapshot_requests += 1
                elif isinstance(o, Alert):
                    out.alerts[o.kind.value] = out.alerts.get(o.kind.value, 0) + 1
                    if on_alert is not None:
                        on_alert(o, engine[o.symbol].instrument)
                elif (
                    isinstance(o, StatusChange)
                    and o.state in _FAILURES
                    and len(out.failures) < _MAX_DETAILS
                ):
                    out.failures.append(
                        {
                            "line": fr.line_no,
                            "symbol": o.symbol,
                            "state": o.state.value,
                            "detail": o.detail,
                        }
                    )
    for sym, st in engine.symbols.items():
        s = st.stats
        out.applied += s.applied
        out.duplicates += s.duplicates
        out.gaps += s.gaps
        out.crossed += s.crossed
        out.checksums_matched += s.checksum_ok
        out.checksums_compared += s.checksum_ok + s.checksum_failed
        out.synced_at_end[sym] = st.synced
    return out
