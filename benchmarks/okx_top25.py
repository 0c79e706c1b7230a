"""How often would reusing the previous OKX checksum be exact? The checksum is a function of the
top 25 levels of each side; an update that changes no level at or better than either side's
25th level leaves its input string unchanged. Counted two ways per verified update: by that
rule, and by comparing the string itself before and after (the most any reuse could save):

    python benchmarks/okx_top25.py            # the built-in market's OKX stream (20 s, 20 symbols)
    python benchmarks/okx_top25.py RECORDING  # a recording (../shared/data/cryptofeed/OKX.ws.1.0)

On 2026-12-04 both were about 1%: not worth a second path through the checksum
(docs/history/performance.md, "Native vs ccxt.pro per venue").
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from dom import venues
from dom.core import checksum as ck
from dom.core.engine import Engine
from dom.core.types import BookDelta


def market_frames(seconds: float) -> tuple[list[tuple[int, bytes]], dict]:
    from benchmarks.ingest import start_market

    async def run(url: str):
        frames: list[tuple[int, bytes]] = []
        feed = venues.get("okx").client([], url)
        feed.on_frame = lambda ns, raw: frames.append((ns, bytes(raw)))
        task = asyncio.create_task(feed.run())
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return frames, feed.instruments

    proc, url = start_market(20, 4.0)
    try:
        return asyncio.run(run(url))
    finally:
        proc.terminate()
        proc.wait(10)


def recording_frames(path: Path) -> tuple[list[tuple[int, bytes]], dict]:
    from dom.store.recording import Frame
    from dom.venues import checks

    insts = checks.infer_instruments(path, "okx")
    return [(f.recv_ns, f.raw) for f in checks.frames(path, "okx") if isinstance(f, Frame)], insts


def untouched(side, levels) -> bool:
    """No level of the update at or better than the side's 25th (fewer than 25: never)."""
    if len(side) < ck.DEPTH:
        return False
    edge = side.nth_px(ck.DEPTH)
    return all(px < edge for px, _ in levels) if side._r > 0 else all(px > edge for px, _ in levels)


def main() -> int:
    frames, insts = recording_frames(Path(sys.argv[1])) if len(sys.argv) > 1 else market_frames(20)
    okx = venues.get("okx")
    dec, eng = okx.decoder(insts), Engine(insts, okx.rule, verify=okx.verifier())
    n = same = by_rule = 0
    for ns, raw in frames:
        if raw == b"pong":
            continue
        for ev in dec.decode(raw, ns):
            st = eng.symbols.get(ev.symbol)
            if type(ev) is BookDelta and st is not None and st.synced and ev.checksum is not None:
                px, qty = ck.cached(st.instrument.price, None), ck.cached(st.instrument.qty, None)
                before = ck.book_string(st.book, px, qty)
                rule = untouched(st.book.bids, ev.bids) and untouched(st.book.asks, ev.asks)
                eng.feed(ev)
                unchanged = ck.book_string(st.book, px, qty) == before
                assert unchanged or not rule  # the rule never says "unchanged" wrongly
                n, same, by_rule = n + 1, same + unchanged, by_rule + rule
            else:
                eng.feed(ev)
    print(f"{n:,} verified updates: top-25 string unchanged {same:,} ({same / max(n, 1):.1%}), "
          f"no level at or better than the 25th touched {by_rule:,} ({by_rule / max(n, 1):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
