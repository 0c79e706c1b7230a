"""dom's book vs ccxt.pro's, on the same Binance USDⓈ-M depth stream, with a top-20 read after
every message. Both sides start from the raw frame text, so parsing counts: dom decodes decimal
strings to integer ticks/lots; ccxt.pro parses JSON and takes floats (as its binanceusdm
``handle_order_book_message`` does).

    python benchmarks/book.py [--reps 5] [--synthetic-updates 1000000]

ccxt.pro's side is what it runs for each depth message: orjson (its websocket client's parser
when orjson is installed, as dom's install makes it) and ``handle_order_book`` (market lookup,
``pu`` sequence check, apply). The first two rounds of issue #18 timed stdlib ``json`` and
``handle_order_book_message`` (the apply without the sequence check dom does); that figure is
printed too, as ``ccxt'``.

Prints updates/s for each and the ratio: dom and ccxt.pro run alternately ``--reps`` times in
this one process, each timed in CPU time of the process (``time.process_time``: on a shared
machine, time spent waiting for a core is not the code's), and the ratio is the median of the
per-pair ratios. Then ``dom replay`` throughput on the real recording (wall time, median of 3).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


def real_stream() -> tuple[bytes, list[bytes]]:
    snap = b""
    frames = []
    for line in gzip.open(DATA, "rb"):
        raw = line.split(b" ", 1)[1].rstrip()
        if raw.startswith(b'{"lastUpdateId"'):
            snap = raw
        elif b"@depth" in raw[:40]:
            frames.append(raw)
    return snap, frames


def synthetic_stream(updates: int, seed: int = 7) -> tuple[bytes, list[bytes]]:
    """Random updates around a mid that walks; the book stays uncrossed: when the mid moves,
    the same message deletes the levels the other side now reaches (a crossed book stops dom
    applying until a resync, so a stream that crosses measures nothing but decoding)."""
    rng = random.Random(seed)
    mid = 600_000
    bids = [[f"{(mid - i) / 10:.1f}", f"{rng.randint(1, 5000) / 1000:.3f}"] for i in range(1, 1001)]
    asks = [[f"{(mid + i) / 10:.1f}", f"{rng.randint(1, 5000) / 1000:.3f}"] for i in range(1, 1001)]
    live_b = {mid - i for i in range(1, 1001)}
    live_a = {mid + i for i in range(1, 1001)}
    snap = json.dumps({"lastUpdateId": 1, "E": 0, "T": 0, "bids": bids, "asks": asks}).encode()
    frames = []
    u = 1
    done = 0
    while done < updates:
        n = rng.randint(1, 20)
        mid += rng.choice((-1, 0, 0, 1))
        b, a = [], []
        for px in sorted(p for p in live_b if p >= mid):
            live_b.discard(px)
            b.append([f"{px / 10:.1f}", "0.000"])
        for px in sorted(p for p in live_a if p <= mid):
            live_a.discard(px)
            a.append([f"{px / 10:.1f}", "0.000"])
        for _ in range(n):
            off = int(rng.expovariate(0.08)) + 1
            zero = rng.random() < 0.25
            qty = "0.000" if zero else f"{rng.randint(1, 5000) / 1000:.3f}"
            live, px, rows = (live_b, mid - off, b) if rng.random() < 0.5 else (live_a, mid + off, a)
            (live.discard if zero else live.add)(px)
            rows.append([f"{px / 10:.1f}", qty])
        k = len(b) + len(a)
        msg = {"e": "depthUpdate", "E": u, "T": u, "s": "BTCUSDT", "U": u + 1, "u": u + k, "pu": u, "b": b, "a": a}
        frames.append(json.dumps({"stream": "btcusdt@depth@0ms", "data": msg}).encode())
        u += k
        done += k
    return snap, frames


def count_updates(frames: list[bytes]) -> int:
    n = 0
    for f in frames:
        d = json.loads(f)["data"]
        n += len(d["b"]) + len(d["a"])
    return n


def run_dom(snap: bytes, frames: list[bytes]) -> float:
    from dom.core.engine import Engine
    from dom.core.units import Instrument
    from dom.venues.binance_usdm.codec import BinanceDecoder

    inst = Instrument("BTCUSDT", "0.10", "0.001")
    dec = BinanceDecoder({"BTCUSDT": inst})
    eng = Engine([inst])
    book = eng["BTCUSDT"].book
    t0 = time.process_time()
    eng.feed(dec.decode_snapshot("BTCUSDT", snap, 0))
    decode, feed, top = dec.decode, eng.feed, book.top
    for raw in frames:
        for ev in decode(raw, 0):
            feed(ev)
        top(20)
    return time.process_time() - t0


class _WsClient:
    """The parts of ccxt.pro's websocket client that ``handle_order_book`` touches: its url (a
    USDⓈ-M one, so the message is taken as the swap market's) and ``resolve`` (no one waits)."""

    url = "wss://fstream.binance.com/ws"
    verbose = False

    def __init__(self) -> None:
        self.futures: dict = {}
        self.subscriptions: dict = {}

    def resolve(self, result, message_hash):
        if message_hash in self.futures:
            raise AssertionError("nothing waits on the book here")
        return result


def run_ccxt(snap: bytes, frames: list[bytes], handler: str = "full") -> float:
    """ccxt.pro on the same frames. ``full`` (what ccxt.pro runs for each depth message): the
    frame parsed by orjson, as ccxt.pro's websocket client does when orjson is installed (dom
    requires it), then ``handle_order_book``: the market lookup, the ``pu`` sequence check and
    the apply. ``apply``: stdlib ``json`` and ``handle_order_book_message`` alone (the apply,
    no sequence check), what the first two rounds of issue #18 measured."""
    import ccxt.pro
    import orjson

    ex = ccxt.pro.binanceusdm()
    market = {"id": "BTCUSDT", "symbol": "BTC/USDT:USDT", "type": "swap", "spot": False, "swap": True,
              "future": False, "option": False, "contract": True, "linear": True}
    ex.markets = {"BTC/USDT:USDT": market}
    ex.markets_by_id = {"BTCUSDT": [market]}
    client = _WsClient()
    full = handler == "full"
    t0 = time.process_time()
    s = (orjson.loads if full else json.loads)(snap)
    ob = ex.order_book(ex.parse_order_book(s, "BTC/USDT:USDT", None, "bids", "asks"))
    ob["nonce"] = s["lastUpdateId"]
    if full:
        ex.orderbooks["BTC/USDT:USDT"] = ob
        handle_full = ex.handle_order_book
        loads = orjson.loads
        for raw in frames:
            handle_full(client, loads(raw)["data"])
            ob["bids"][:20]
            ob["asks"][:20]
    else:
        handle = ex.handle_order_book_message
        loads = json.loads
        for raw in frames:
            msg = loads(raw)["data"]
            handle(None, msg, ob)
            ob["bids"][:20]
            ob["asks"][:20]
    t = time.process_time() - t0
    last = orjson.loads(frames[-1])["data"]["u"] if frames else s["lastUpdateId"]
    if ob["nonce"] != last or ex.orderbooks.get("BTC/USDT:USDT", ob) is not ob:
        raise AssertionError(f"ccxt.pro did not apply every message (nonce {ob['nonce']}, last u {last})")
    return t


def bench(name: str, snap: bytes, frames: list[bytes], reps: int) -> float:
    updates = count_updates(frames)
    runs = [(run_dom(snap, frames), run_ccxt(snap, frames), run_ccxt(snap, frames, "apply")) for _ in range(reps)]
    d = statistics.median(p[0] for p in runs)
    c = statistics.median(p[1] for p in runs)
    a = statistics.median(p[2] for p in runs)
    ratio = statistics.median(cc / dd for dd, cc, _ in runs)
    ratio_a = statistics.median(aa / dd for dd, _, aa in runs)
    print(f"{name}: {len(frames):,} messages, {updates:,} level updates, top-20 read after each message")
    print(f"  dom    {updates / d:12,.0f} updates/s  ({d:.3f} s CPU; {d / len(frames) * 1e6:.2f} us a message)")
    print(f"  ccxt   {updates / c:12,.0f} updates/s  ({c:.3f} s CPU; {c / len(frames) * 1e6:.2f} us a message; "
          "orjson + handle_order_book)")
    print(f"  ccxt'  {updates / a:12,.0f} updates/s  ({a:.3f} s CPU; json + handle_order_book_message, rounds 1-2)")
    print(f"  ratio  {ratio:.2f}x (dom / ccxt.pro, median of {reps} alternating rounds); "
          f"{ratio_a:.2f}x against ccxt'")
    return ratio


def replay_throughput() -> None:
    from dom.runtime.replay import Replay

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        s = Replay(DATA).run()
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    print(f"dom replay of the real recording (345 s of market, {s.messages:,} lines): {t:.3f} s "
          f"({s.messages / t:,.0f} lines/s, {345 / t:.0f}x real time), median of 3")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--synthetic-updates", type=int, default=1_000_000)
    a = ap.parse_args()
    if not DATA.exists():
        print(f"real recording not found at {DATA}; only the synthetic stream is measured", file=sys.stderr)
    else:
        bench("real BTCUSDT recording", *real_stream(), a.reps)
    bench("synthetic stream", *synthetic_stream(a.synthetic_updates), a.reps)
    if DATA.exists():
        replay_throughput()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
