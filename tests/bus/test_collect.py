"""Collectors and consumers on a real nats-server (the fixture starts it from the wheel): two
``dom collect`` processes sharding one built-in market, a ``dom run --bus`` consumer printing the
alert stream, and a consumer in this process whose books are compared, level for level (top 20),
with the collectors' books in the key-value bucket at the same sequence: after start, after one
collector is killed with SIGKILL and restarted, and after the server itself is restarted."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from dom.bus.codec import decode_snapshot, shard_of
from dom.bus.subjects import ALERT_STREAM, BOOK_BUCKET, alert_msg_id, book_key, event_subject, heartbeat_subject
from dom.core.engine import ObserverBase
from dom.core.types import FeedState

DOM = [sys.executable, "-m", "dom"]


def _env() -> dict:
    env = dict(os.environ)
    env.pop("DOM_CONFIG", None)
    return env


class TopRecorder(ObserverBase):
    """The consumer's top 20 levels a side after every update it applied, by sequence."""

    def __init__(self, store: dict, st) -> None:
        self.store = store.setdefault(st.symbol, {})

    def _keep(self, st) -> list:
        b, a = st.book.top(20)
        self.store[st.seq.last_id] = (list(b), list(a))
        if len(self.store) > 5000:
            del self.store[next(iter(self.store))]
        return []

    def on_delta(self, st, delta, changes):
        return self._keep(st)

    def on_synced(self, st, ts):
        return self._keep(st)


async def _wait(cond, timeout: float, what: str, step: float = 0.1) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(step)
    return time.monotonic() - t0


async def _compare_books(kv, tops: dict, symbols: list[str]) -> int:
    """Each symbol's whole book in the bucket against the consumer's book at the same sequence."""
    await asyncio.sleep(0.6)  # (the consumer has the updates up to the bucket's entry by now)
    same = 0
    for s in symbols:
        _, snap, _ = decode_snapshot((await kv.get(book_key("sim", s))).value)
        mine = tops.get(s, {}).get(snap.last_id)
        assert mine is not None, f"{s}: the consumer never had sequence {snap.last_id}"
        assert mine == (list(snap.bids[:20]), list(snap.asks[:20])), f"{s} differs at {snap.last_id}"
        same += 1
    return same


def _start(args: list[str], out=subprocess.PIPE, err=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([*DOM, *args], stdout=out, stderr=err, text=True, env=_env())


async def test_two_collectors_one_consumer_and_every_fault(bus, tmp_path):
    import nats

    from dom.bus.client import BusClient
    from dom.bus.venue import BusVenue
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline

    sim = _start(["sim", "--port", "0", "--symbols", "12", "--speed", "4"], err=subprocess.DEVNULL)
    procs = [sim]
    try:
        first = sim.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)\s+\(symbols: ([A-Z0-9, ]+)\)", first)
        assert m, first
        url, symbols = m.group(1), m.group(2).split(", ")
        shards = {i: [s for s in symbols if shard_of(s, 2) == i] for i in (0, 1)}
        assert shards[0] and shards[1], shards
        consumer = _start(["run", "--bus", bus.url, "--venue", "sim", "--summary-every", "0"])
        procs.append(consumer)

        def collector(i: int, name: str) -> subprocess.Popen:
            p = _start(["collect", "--venue", "sim", "--endpoint", url, "--bus", bus.url, "--shard", f"{i}/2",
                        "--sink", f"jsonl:{tmp_path / name}"], out=subprocess.DEVNULL,
                       err=open(tmp_path / f"{name}.log", "w"))  # noqa: SIM115
            procs.append(p)
            return p

        collector(0, "c0.jsonl")
        c1 = collector(1, "c1.jsonl")

        tops: dict = {}
        client = BusClient(bus.url, "sim", symbols, lost_after_s=1.5)
        pipe = Pipeline("sim", BusVenue.rule, observers=(lambda st: [TopRecorder(tops, st)],), hold_ms=0)
        drv = LiveDriver(client, pipe, [], stale_after_s=0)
        await drv.start()
        run = asyncio.create_task(drv.run())
        eng = pipe.engine
        all_synced = lambda: all(eng[s].synced for s in symbols)  # noqa: E731
        nc = await nats.connect(bus.url)
        kv = await nc.jetstream().key_value(BOOK_BUCKET)
        try:
            await _wait(all_synced, 30, "every book synced through the bus")
            await asyncio.sleep(3)
            assert await _compare_books(kv, tops, symbols) == len(symbols)

            # Hostile messages on the collectors' subjects: counted, the books go on.
            for subject, data in ((event_subject("sim", symbols[0], "book"), b'{"s": "x"}'),
                                  (event_subject("sim", symbols[0], "trades"), b"[" * 100_000),
                                  (event_subject("sim", symbols[1], "status"), b'{"state": ["gap"]}'),
                                  (heartbeat_subject("sim"), b"\xff\xfe")):
                await nc.publish(subject, data)
            await nc.flush()
            await _wait(lambda: client.stats.bad_frames == 4, 5, "the bad messages counted")
            assert all_synced()

            # A collector killed: its symbols say "source lost" within 2 s, the others go on.
            c1.send_signal(signal.SIGKILL)
            c1.wait(10)
            lost = await _wait(lambda: all(not eng[s].synced for s in shards[1]), 2.0, "source lost")
            assert all(eng[s].state is FeedState.STALE for s in shards[1])
            assert all(eng[s].synced for s in shards[0])
            print(f"source lost after {lost:.2f} s")
            collector(1, "c1b.jsonl")
            await _wait(all_synced, 30, "the restarted collector's books synced again")
            await asyncio.sleep(2)
            assert await _compare_books(kv, tops, symbols) == len(symbols)

            # The server restarted (same port and store): everyone reconnects, the books resync.
            await nc.close()
            bus.stop()
            await asyncio.sleep(1.5)
            bus.start()
            nc = await nats.connect(bus.url)
            kv = await nc.jetstream().key_value(BOOK_BUCKET)
            await asyncio.sleep(4)
            await _wait(all_synced, 30, "books synced after the server restart")
            await asyncio.sleep(2)
            assert await _compare_books(kv, tops, symbols) == len(symbols)
            assert client.stats.bad_frames == 4
        finally:
            drv.stop()
            await asyncio.wait_for(run, 10)
            await nc.close()

        for p in procs[2:]:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs[2:]:
            p.wait(30)
        await asyncio.sleep(1)
        consumer.send_signal(signal.SIGINT)
        out, err = consumer.communicate(timeout=30)
        assert consumer.returncode == 0, err[-2000:]
        got = [json.loads(line) for line in out.splitlines()]
        ids = [alert_msg_id(d) for d in got]
        assert len(ids) == len(set(ids)), "an alert delivered twice"
        stream = await _stream(bus.url)
        assert got == stream, "the consumer printed the stream, once each, in order"

        def lines(name: str) -> list[str]:
            return [alert_msg_id(json.loads(x)) for x in (tmp_path / name).read_text().splitlines()]

        whole = lines("c0.jsonl") + lines("c1b.jsonl")  # the collectors that stopped cleanly
        assert len(whole) >= 10, "too few alerts to say anything"  # (about 15-30 in the minute this runs)
        assert set(whole) <= set(ids)
        before_kill = lines("c1.jsonl")[:-5]  # (the last few may have died in its queue with it)
        assert set(before_kill) <= set(ids)
        assert {d["venue"] for d in got} == {"sim"}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)


async def _stream(url: str) -> list[dict]:
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(ALERT_STREAM)
        return [json.loads((await js.get_msg(ALERT_STREAM, s)).data)
                for s in range(info.state.first_seq, info.state.last_seq + 1)]
    finally:
        await nc.close()


@pytest.mark.parametrize("shard", ["2/2", "x", "1/0", "0/99999"])
def test_a_bad_shard_is_one_clear_error(shard):
    r = subprocess.run([*DOM, "collect", "--bus", "nats://127.0.0.1:1", "--shard", shard], capture_output=True,
                       text=True, timeout=60, env=_env())
    assert r.returncode != 0 and "--shard" in r.stderr and "Traceback" not in r.stderr


def test_a_consumer_with_no_collector_says_so():
    from dom.bus.server import NatsServer, server_binary
    from dom.errors import ConfigError

    try:
        server_binary()
    except ConfigError as e:
        pytest.skip(str(e))
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        srv = NatsServer(port=0, store_dir=d)
        srv.start()
        try:
            env = {**_env(), "DOM_FEED_BUS_WAIT_S": "2"}
            r = subprocess.run([*DOM, "run", "--bus", srv.url, "--venue", "sim", "--duration", "5"],
                               capture_output=True, text=True, timeout=60, env=env)
        finally:
            srv.stop()
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "no collector publishes venue sim" in r.stderr, r.stderr[-500:]


def test_a_consumer_pointed_at_no_server_says_so_in_seconds():
    """Nothing listens on the port: one line after [feed] bus_wait_s (nats-py's first connect with
    reconnects allowed would retry for ever)."""
    env = {**_env(), "DOM_FEED_BUS_WAIT_S": "2"}
    t0 = time.monotonic()
    r = subprocess.run([*DOM, "run", "--bus", "nats://127.0.0.1:1", "--duration", "3"], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode != 0 and time.monotonic() - t0 < 30 and "Traceback" not in r.stderr
    assert "cannot reach the bus at nats://127.0.0.1:1" in r.stderr, r.stderr[-500:]
