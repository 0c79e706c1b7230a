"""Bursts and sweeps on hostile event streams: times that jump forward by days or step back,
one-tick books, huge and tiny sizes, resyncs at any moment. Nothing may raise, and every episode
is well formed: one ``new`` first, at most one ``end`` and nothing after it, times never before
the ``new``, finite numbers in the evidence."""

from __future__ import annotations

import math
import random

from dom.core.detectors import DetectorParams, make_observers
from dom.core.engine import Engine
from dom.core.types import Alert, AlertKind, AlertState, BookDelta, BookSnapshot, FeedState, FeedStatus, TakerSide, Trade
from dom.core.units import Instrument

INST = Instrument("KITEUSDT", "0.0001", "1")


def test_hostile_streams_give_well_formed_episodes():
    kinds = set()
    for seed in range(12):
        kinds |= {a.kind for a in _fuzz(seed)}
    assert kinds == {AlertKind.BURST, AlertKind.SWEEP}, "the fuzz should reach both detectors' alerts"


def _fuzz(seed: int) -> list[Alert]:
    rng = random.Random(seed)
    p = DetectorParams(walls=False, icebergs=False, absorptions=False, spoofs=False, burst_warmup_s=5,
                       sweep_warmup_runs=5, sweep_min_notional=0.0, burst_min_move_bps=1.0)
    eng = Engine([INST], observers=make_observers(p))
    u, t, tid = 1, 1_700_000_000_000_000_000, 0
    mid = 5000
    eng.feed(BookSnapshot("KITEUSDT", tuple((mid - i, 100) for i in range(20)), tuple((mid + 1 + i, 100) for i in range(20)),
                          u, t, t))
    out: list[Alert] = []
    for _ in range(4000):
        r = rng.random()
        step = rng.choice((0, 1, 50, 1000, 10**8, 10**9, 3 * 10**9, -(10**8), 86_400 * 10**9))
        t = max(0, t + step * 1_000 // 1_000)
        if r < 0.45:
            mid = max(2, mid + rng.choice((-30, -3, -1, 0, 1, 3, 30)))
            bids = tuple((mid - i, rng.choice((0, 1, 100, 10**9))) for i in range(rng.randint(0, 4)))
            asks = tuple((mid + 1 + i, rng.choice((0, 1, 100, 10**9))) for i in range(rng.randint(0, 4)))
            out += eng.feed(BookDelta("KITEUSDT", bids, asks, u + 1, u + 1, u, t, t))
            u += 1
        elif r < 0.52:  # a run through several levels, sizes anywhere in range
            side = rng.choice(list(TakerSide))
            way = 1 if side is TakerSide.BUY else -1
            for k in range(rng.randint(2, 6)):
                tid += 1
                out += eng.feed(Trade("KITEUSDT", max(1, mid + way * k), rng.choice((1, 10**6, 10**12)), side, tid,
                                      t + k * rng.choice((0, 10**6, 6 * 10**7)), t))
        elif r < 0.95:
            tid += 1
            px = max(1, mid + rng.randint(-40, 40))
            out += eng.feed(Trade("KITEUSDT", px, rng.choice((1, 7, 500, 10**12)), rng.choice(list(TakerSide)),
                                  tid, t, t))
        elif r < 0.98:
            out += eng.feed(FeedStatus("KITEUSDT", FeedState.DISCONNECTED, "fuzz", t, t))
            out += eng.feed(BookSnapshot("KITEUSDT", tuple((mid - i, 100) for i in range(20)),
                                         tuple((mid + 1 + i, 100) for i in range(20)), u, t, t))
        else:
            u += rng.choice((2, 5))  # a gap: the engine resyncs
    alerts = [a for a in out if isinstance(a, Alert) and a.kind in (AlertKind.BURST, AlertKind.SWEEP)]
    eps: dict[str, list[Alert]] = {}
    for a in alerts:
        eps.setdefault(a.id, []).append(a)
        for v in a.evidence.values():
            assert not (isinstance(v, float) and not math.isfinite(v)), a
        assert 0.0 <= a.score <= 1.0 and a.qty_lots >= 0
    for ep in eps.values():
        assert ep[0].state is AlertState.NEW
        ends = [i for i, a in enumerate(ep) if a.state is AlertState.END]
        assert len(ends) <= 1 and (not ends or ends[0] == len(ep) - 1)
    return alerts
