"""What a Binance recording is before it is replayed: its format, venue (USDⓈ-M or spot, from its
meta file or its depth frames), symbols and instruments (from the meta file, an exchangeInfo
beside a cryptofeed file, or inferred from the REST snapshot: the tick is the coarsest grid the
snapshot's prices sit on, the lot the finest decimal place of its sizes)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import orjson

from dom.core import accel
from dom.core.sequencer import Rule
from dom.core.units import Instrument
from dom.errors import RecordingError
from dom.store import recording as rec
from dom.store.recording_dir import is_symbol_dir, iter_dir, symbol_files
from dom.venues.binance_usdm.exchange_info import instruments_from_exchange_info

VENUES = {"binanceusdm": Rule.USDM, "binance": Rule.SPOT}

_PRESCAN_LINES = 20_000
_EVENTS = ("depthUpdate", "aggTrade", "trade", "bookTicker", None)


def scan(frames: Iterator[rec.Frame | rec.BadLine | tuple]) -> tuple[set[str], Rule | None, dict[str, tuple[str, str]]]:
    """Look at the start of a recording: symbols, depth rule, decimals in snapshot strings. A
    frame may come already read (``_scanned``): as the C accelerator's ``rpl_peek`` reads it."""
    symbols: set[str] = set()
    rule: Rule | None = None
    decimals: dict[str, tuple[str, str]] = {}
    native = accel.native
    peek = native.rpl_peek if native is not None else None
    for i, fr in enumerate(frames):
        if i > _PRESCAN_LINES:
            break
        if type(fr) is tuple or (peek is not None and type(fr) is rec.Frame and fr.snapshot_symbol is None):
            # The usual frame read in C: its event's "e" (None: missing, False: not a string), "s"
            # (None unless a string) and whether it has "pu" (the lines below on orjson's dict).
            seen = fr if type(fr) is tuple else peek(fr.raw)  # type: ignore[union-attr, misc]
            if seen is not None:
                e, s, has_pu = seen
                if s is not None and e in _EVENTS:
                    symbols.add(s)
                if e == "depthUpdate" and rule is None:
                    rule = Rule.USDM if has_pu else Rule.SPOT
                continue
        if not isinstance(fr, rec.Frame):
            continue
        try:
            msg = orjson.loads(fr.raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(msg, dict):
            continue
        if fr.snapshot_symbol is not None:
            pd = sd = 0
            rows = []
            for side in ("bids", "asks"):
                levels = msg.get(side)
                for row in levels[:1000] if isinstance(levels, list) else ():
                    try:
                        pd = max(pd, len(row[0].partition(".")[2]))
                        sd = max(sd, len(row[1].partition(".")[2]))
                        rows.append((row[0], row[1]))
                    except (AttributeError, IndexError, TypeError):
                        pass
            decimals[fr.snapshot_symbol] = (_grid([r[0] for r in rows], pd), _finest(sd))
            continue
        data = msg.get("data", msg)
        if not isinstance(data, dict):
            continue
        s = data.get("s")
        if isinstance(s, str) and data.get("e") in _EVENTS:
            symbols.add(s)
        if data.get("e") == "depthUpdate" and rule is None:
            rule = Rule.USDM if "pu" in data else Rule.SPOT
    return symbols, rule, decimals


def _scanned(reader: Iterator, pieces: list) -> Iterator[rec.Frame | rec.BadLine | tuple]:
    """The frames of ``reader``'s pieces as ``scan`` takes them, each piece kept in ``pieces`` as
    it is started: with the C accelerator, a block's usual lines already read (``rpl_scan``:
    what ``rpl_peek`` gives of the line's frame), the others as frames."""
    native = accel.native
    for piece in reader:
        pieces.append(piece)
        if type(piece) is not tuple:
            yield piece
        elif native is None:
            yield from rec.frames_of_block(*piece)
        else:
            n0, lines = piece
            for item in native.rpl_scan(lines, n0):
                if type(item) is tuple:
                    yield item
                else:
                    yield from rec.frames_of_block(item - 1, [lines[item - n0 - 1]])


def scale(step: str) -> int:
    return len(step.partition(".")[2])


def _finest(decimals: int) -> str:
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def _grid(texts: list[str], decimals: int) -> str:
    """The coarsest step the differences of these prices sit on, as a decimal string: a book
    quoted as "61659.70" on a 0.10 grid has a 0.1 tick, not 0.01. (Not for sizes: level sizes
    can be finer than the order lot, e.g. Binance spot BTCUSDT.)"""
    ints = []
    for t in texts:
        whole, _, frac = t.partition(".")
        try:
            ints.append(int(whole + frac.ljust(decimals, "0")))
        except ValueError:
            continue
    if len(ints) < 50:  # too few to tell the grid: the finest decimal place
        return _finest(decimals)
    ints = [abs(x - ints[0]) for x in ints[1:]]
    g = 0
    for x in ints:
        g = math.gcd(g, x)
    g = g or 1
    digits = str(g).rjust(decimals + 1, "0")
    whole, frac = digits[: len(digits) - decimals], digits[len(digits) - decimals:]
    text = f"{int(whole)}.{frac}".rstrip("0").rstrip(".") if decimals else str(g)
    return text


def ring_segments(path: Path) -> list:
    """A continuous recording's segments in ``path`` (dom.store.ring, imported for a directory
    only: a file's replay does not load it)."""
    from dom.store.ring import segments

    return segments(path)


def recording_files(path: str | Path | list) -> list[Path]:
    """One file, several in the order given, or a directory's recordings in name order (a day
    split over files: ``btcusdt_20240718.gz``, ``btcusdt_20240719.gz``); a continuous
    recording's directory is its segments, oldest first."""
    items = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    out: list[Path] = []
    for p in items:
        if p.is_dir() and is_symbol_dir(p):
            out.append(p)  # hftbacktest's layout: one file per symbol and day, read as one
        elif p.is_dir() and ring_segments(p):
            out += [d for _, d in ring_segments(p) if is_symbol_dir(d)]  # a continuous recording's ring
        elif p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.endswith(".meta.json")
                           and (f.suffix == ".gz" or ".ws." in f.name))
            if not found:
                raise RecordingError(f"no recordings in {p}")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise RecordingError(f"no such recording: {p}")
    if not out:
        raise RecordingError("no recording given")
    return out


class RecordingInfo:
    """An opened recording (one file, or several read as one in order): ``path`` (the first),
    ``paths``, ``format``, ``venue``, ``rule``, ``instruments``, and ``frames()`` to read it from
    the start."""

    def __init__(self, path: str | Path | list, venue: str | None = None, symbols: list[str] | None = None) -> None:
        self.paths = recording_files(path)
        self.path = self.paths[0]
        self._primed: tuple[list, Iterator] | None = None  # the frames the scan read, and their reader
        if venue is not None and venue not in VENUES:
            raise RecordingError(f"unknown venue {venue!r} (choose from {', '.join(VENUES)})")
        if self.path.is_dir():  # per-symbol files: the meta files together say the whole
            self.format = "hftbacktest"
            meta = {}
            # Every directory's: a continuous recording's later segments may hold a symbol its
            # first did not (no frame of it yet when the first segment closed).
            for d in (p for p in self.paths if p.is_dir()):
                for files in symbol_files(d).values():
                    m = rec.read_meta(files[0])
                    meta = {**m, **meta, "symbols": sorted({*meta.get("symbols", []), *m.get("symbols", [])}),
                            "instruments": {**m.get("instruments", {}), **meta.get("instruments", {})}}
            if not meta.get("symbols"):
                meta.pop("symbols", None)
        else:
            self.format = rec.sniff_format(self.path)
            meta = rec.read_meta(self.path)
        # The scan reads at most the first _PRESCAN_LINES + 2 frames. The pieces they came in
        # (whole blocks of lines) are kept, with the open reader, for the first frames() or
        # pieces() call, so a replay does not read them a second time.
        reader = self._read()
        pieces: list = []
        scanned, rule, decimals = scan(islice(_scanned(reader, pieces), _PRESCAN_LINES + 2))
        self._primed = (pieces, reader)
        venue = venue or meta.get("venue")
        if venue is None:
            venue = "binance" if rule is Rule.SPOT else "binanceusdm"
        if venue not in VENUES:
            raise RecordingError(f"{self.path}: unknown venue {venue!r} in its meta file")
        self.venue = venue
        self.label = str(meta.get("label") or venue)  # what the alerts call the venue
        # dom's own recordings hold aggTrade (what dom follows) and @trade (for hftbacktest)
        self.raw_trades = meta.get("trade_stream") != "aggTrade"
        self.rule = VENUES[venue]
        wanted = [s.upper() for s in symbols] if symbols else sorted(meta.get("symbols") or scanned)
        if not wanted:
            raise RecordingError(f"{self.path}: found no symbols; pass --symbol")
        self.instruments = self._instruments(wanted, meta, decimals)

    def frames(self) -> Iterator[rec.Frame | rec.BadLine]:
        """Every file's frames in turn (line numbers are each file's own)."""
        for piece in self.pieces():
            if type(piece) is tuple:
                yield from rec.frames_of_block(*piece)  # type: ignore[misc]
            else:
                yield piece  # type: ignore[misc]

    def pieces(self) -> Iterator[tuple[int, list[bytes]] | rec.Frame | rec.BadLine]:
        """``frames()`` as read: a hftbacktest file's lines in ``(n0, lines)`` blocks (the frames
        ``rec.frames_of_block`` makes of them), any other file's frames one by one."""
        primed, self._primed = self._primed, None
        if primed is not None:  # the first call: the pieces the scan read, then the same reader on
            pieces, reader = primed
            pieces.reverse()
            while pieces:
                yield pieces.pop()
        else:
            reader = self._read()
        yield from reader

    def _read(self) -> Iterator[tuple[int, list[bytes]] | rec.Frame | rec.BadLine]:
        for p in self.paths:
            if p.is_dir():
                yield from iter_dir(p)
                continue
            fmt = rec.sniff_format(p) if p != self.path else self.format
            yield from rec.iter_cryptofeed(p) if fmt == "cryptofeed" else rec.hftbacktest_blocks(p)

    def _instruments(self, wanted: list[str], meta: dict, decimals: dict[str, tuple[str, str]]) -> dict[str, Instrument]:
        known: dict[str, Instrument] = {}
        for sym, spec in (meta.get("instruments") or {}).items():
            known[sym] = Instrument(sym, spec["tick_size"], spec["lot_size"], str(spec.get("contract_size", "1")))
        if self.format == "cryptofeed":
            info = rec.exchange_info_beside(self.path)
            if info:
                for sym, inst in instruments_from_exchange_info(info).items():
                    known.setdefault(sym, inst)
        out = {}
        for sym in wanted:
            dec = decimals.get(sym) or (decimals.get("") if len(wanted) == 1 else None)
            inst = known.get(sym)
            if inst is not None and (dec is None or (scale(dec[0]) <= inst.price.scale and scale(dec[1]) <= inst.qty.scale)):
                out[sym] = inst
                continue
            # No spec, or the recording's own strings are finer than the spec (an exchangeInfo
            # taken on another day): the recording's decimals are exact.
            if dec is None:
                raise RecordingError(
                    f"{self.path}: no tick/lot size for {sym} (no meta file and no snapshot to infer them from)"
                )
            out[sym] = Instrument(sym, dec[0], dec[1])
        return out



def open_recording(path: str | Path | list, venue: str | None = None, symbols: list[str] | None = None) -> RecordingInfo:
    return RecordingInfo(path, venue, symbols)


# A recorded frame's event kind -> (the endpoint Binance serves it on, the stream kind a live
# client subscribes to: a recording's raw @trade frames serve @aggTrade subscribers).
_ROUTES = {"depth": ("public", "depth"), "bookTicker": ("public", "bookTicker"),
           "aggTrade": ("market", "aggTrade"), "trade": ("market", "aggTrade"),
           "markPrice": ("market", "markPrice")}
_EVENT_KIND = {"depthUpdate": "depth", "bookTicker": "bookTicker", "aggTrade": "aggTrade",
               "trade": "trade", "markPriceUpdate": "markPrice"}


def route(raw: bytes, trades_as_agg: bool = True) -> tuple[str, str, bytes, int] | None:
    """A recorded websocket frame -> ``(endpoint, stream name, event JSON, exchange ms)`` as a
    Binance server would publish it today, or None for what it would not serve. With
    ``trades_as_agg`` raw ``trade`` frames go to ``@aggTrade`` subscribers as aggTrade events (a
    recording that has no aggTrade); without, to ``@trade`` ones (dom's recordings hold both)."""
    try:
        msg = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(msg, dict) and "data" in msg:
        stream, data = msg.get("stream"), msg.get("data")
    else:
        stream, data = None, msg
    if not isinstance(data, dict):
        return None
    kind = _EVENT_KIND.get(data.get("e")) if "e" in data else ("bookTicker" if "A" in data else None)
    sym = data.get("s")
    if kind is None or not isinstance(sym, str):
        return None
    endpoint, served = _ROUTES[kind]
    if kind == "trade":
        if not trades_as_agg:
            served = "trade"
        elif data.get("e") == "trade":
            # Served as what an @aggTrade subscriber reads: one aggregate per fill, numbered by
            # the fill's own id (the recording has no aggregation to reproduce).
            t = data.get("t")
            data = {"e": "aggTrade", "E": data.get("E"), "s": sym, "a": t, "p": data.get("p"),
                    "q": data.get("q"), "f": t, "l": t, "T": data.get("T"), "m": data.get("m")}
    name = stream if isinstance(stream, str) and kind != "trade" else f"{sym.lower()}@{served}"
    ts = data.get("E") or data.get("T") or 0
    return endpoint, name, orjson.dumps(data), ts if type(ts) is int else 0
