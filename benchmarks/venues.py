"""Decode and checksum cost of the OKX, Bitget, Kraken and Bybit codecs on the real recordings:

    python benchmarks/venues.py [--repeat 5]

Prints, per recording, microseconds per frame to decode, per book event to apply without a
checksum, and per verified checksum (best of ``--repeat`` runs; the data is ../shared/data).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dom.core.checksum import WireDecimals
from dom.core.engine import Engine
from dom.core.types import BookDelta, BookSnapshot
from dom.store.recording import Frame
from dom.venues import checks
from dom.venues.bitget import codec as bitget
from dom.venues.bybit import codec as bybit
from dom.venues.kraken import codec as kraken
from dom.venues.okx import codec as okx

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = [
    ("cryptofeed/OKX.ws.1.0", "okx"),
    ("cryptofeed/BITGET.ws.1.0", "bitget"),
    ("cryptofeed/BITGET.ws.2.0", "bitget"),
    ("cryptofeed/KRAKEN.ws.50.0", "kraken"),
    ("nautilus_trader/bybit/xrpusdt-ob500.data.zip", "bybit"),
]


def parts(venue: str, insts: dict):
    learned = WireDecimals()
    if venue == "okx":
        return okx.OkxDecoder(insts), okx.verify, okx.RULE
    if venue == "bybit":
        return bybit.BybitDecoder(insts), None, bybit.RULE
    mod, cls = (
        (bitget, bitget.BitgetDecoder) if venue == "bitget" else (kraken, kraken.KrakenDecoder)
    )
    return cls(insts, learned=learned), mod.verifier(learned), mod.RULE


def best(fn, repeat: int) -> float:
    out = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t0)
    return out


def measure(path: Path, venue: str, repeat: int) -> tuple[int, float, float, float | None]:
    """(frames, decode us/frame, apply us/book event, us per verified checksum or None)."""
    insts = checks.infer_instruments(path, venue)
    frames = [f for f in checks.frames(path, venue) if isinstance(f, Frame)]
    dec, verify, rule = parts(venue, insts)
    books = [
        e
        for f in frames
        for e in dec.decode(f.raw, f.recv_ns)
        if isinstance(e, (BookDelta, BookSnapshot))
    ]

    def decode_all() -> None:
        d = parts(venue, insts)[0]
        for f in frames:
            d.decode(f.raw, f.recv_ns)

    def feed(verify_fn) -> float:
        def run() -> None:
            eng = Engine(insts, rule=rule, verify=verify_fn)
            for e in books:
                eng.feed(e)

        return best(run, repeat)

    plain = feed(None)
    n_cs = sum(1 for e in books if e.checksum is not None)
    per_cs = (feed(verify) - plain) / n_cs * 1e6 if verify and n_cs else None
    t_dec = best(decode_all, repeat)
    return len(frames), t_dec / len(frames) * 1e6, plain / max(1, len(books)) * 1e6, per_cs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    print(
        f"{'recording':44} {'frames':>6} {'decode us/frame':>16} {'apply us/event':>15} {'verify us':>10}"
    )
    for rel, venue in FILES:
        path = DATA / rel
        if not path.exists():
            print(f"{rel:44} missing")
            continue
        n, dec_us, apply_us, cs_us = measure(path, venue, a.repeat)
        cs = f"{cs_us:10.1f}" if cs_us is not None else f"{'-':>10}"
        print(f"{rel:44} {n:6d} {dec_us:16.1f} {apply_us:15.1f} {cs}")


if __name__ == "__main__":
    main()
