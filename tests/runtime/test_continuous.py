"""The continuous recording as a user keeps it: ``dom run --record-dir`` on the built-in market
(short segments), then the ring replayed (the live run's alerts, byte for byte), each segment on
its own, read by hftbacktest's converter, and a journal entry opened at its moment
(``dom journal replay``: the same code under Pilot)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from dom.store.ring import segments

DOM = [sys.executable, "-m", "dom"]
S = 1_000_000_000


def _finals(text: str) -> list[str]:
    return [line.split(" funding")[0] for line in text.splitlines() if line.startswith("final ")]


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    base = tmp_path_factory.mktemp("continuous")
    env = {**os.environ, "DOM_DATA_DIR": str(base / "data"), "DOM_SIM_SPEED": "10",
           "DOM_RECORD_SEGMENT_MINUTES": "0.03", "DOM_RECORD_KEEP_HOURS": "1"}
    env.pop("DOM_CONFIG", None)
    # (No wall-clock staleness: under load a live book marked stale would reset its detectors,
    # which no recording holds; the drivers' equivalence test runs the same way.)
    # The tests below compare the live run's alerts with the ring's: they need some. On a loaded
    # machine the built-in market serves less in 12 s of wall clock, so a run that saw no alert
    # is made again, longer, in a fresh folder (the tests read only the last run's ring).
    for n, seconds in enumerate((12, 24, 40)):
        d = base / f"ring{n}"
        r = subprocess.run([*DOM, "run", "--record-dir", str(d), "--duration", str(seconds),
                            "--stale-after", "60", "--book-stale-after", "0"],
                           capture_output=True, text=True, timeout=180, env=env)
        assert r.returncode == 0, r.stderr
        assert f"continuous recording in {d}" in r.stderr
        if r.stdout.strip():
            break
    return d, r, env


def test_the_ring_replays_as_the_live_run_saw_it(ring):
    d, live, env = ring
    segs = segments(d)
    assert len(segs) >= 4, segs  # 12 s at 1.8 s a segment
    r = subprocess.run([*DOM, "replay", str(d)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert "gaps: 0" in r.stdout or "gaps: 0" in r.stderr
    assert _finals(r.stderr) == _finals(live.stderr) and len(_finals(r.stderr)) == 5
    assert live.stdout and r.stdout == live.stdout  # every alert, identical


def test_each_segment_replays_on_its_own(ring):
    d, _, env = ring
    for _, seg in segments(d)[1:-1]:  # (the first waits for the REST snapshot; the last may be short)
        r = subprocess.run([*DOM, "replay", "--json", "--no-alerts", str(seg)], capture_output=True, text=True,
                           timeout=60, env=env)
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["snapshots"] == 5 and doc["gaps"] == 0 and doc["crossed"] == 0 and doc["bad_lines"] == 0, seg
        assert doc["applied"] > 0 and all(b["state"] == "synced" for b in doc["books"].values()), seg


def test_the_ring_replays_the_same_with_one_engine_as_with_two(ring):
    """Each segment opens with the book as it was (a snapshot at its own id, which the detectors
    never see): the one engine recognises it while the merge holds deltas, as the two did."""
    from dom.config import load_config
    from dom.core.detectors import make_observers
    from dom.core.detectors.params import DetectorParams
    from dom.core.types import Alert
    from dom.runtime.replay import Replay

    d, _, _ = ring
    params = DetectorParams.from_mapping(load_config().detectors)
    runs = []
    for one in (True, False):
        alerts: list = []
        rp = Replay(d, observers=make_observers(params), hold_ms=params.merge_hold_ms, one_engine=one)
        s = rp.run(lambda o: alerts.append(repr(o)) if isinstance(o, Alert) else None).to_dict()
        del s["elapsed_s"], s["messages_per_s"]
        confirmed = {sym: st.stats.confirmed_snapshots for sym, st in rp.engine.symbols.items()}
        runs.append((s, alerts, confirmed, rp.pipeline.merge.late, rp.pipeline.merge.forced))
    assert all(n >= 3 for n in runs[0][2].values()) and runs[0][1]  # segments repeated the book; alerts
    assert runs[0] == runs[1]


def test_hftbacktest_reads_a_segment(ring):
    from hftbacktest import DEPTH_EVENT, DEPTH_SNAPSHOT_EVENT
    from hftbacktest.data.utils import binancefutures

    d, _, _ = ring
    _, seg = segments(d)[2]
    for f in sorted(seg.glob("*.gz")):
        data = binancefutures.convert(str(f), combined_stream=True, opt="t")
        kinds = data["ev"] & 0xFF
        assert (kinds == DEPTH_SNAPSHOT_EVENT).sum() > 0 and (kinds == DEPTH_EVENT).sum() > 0, f
        assert (data["px"] > 0).all()


async def test_journal_replay_opens_at_the_entry_and_the_transport_moves_from_there(ring, tmp_path):
    from dom.commands.journal import trade_moment
    from dom.core.detectors import make_observers
    from dom.runtime.live import LiveDriver
    from dom.runtime.pipeline import Pipeline
    from dom.runtime.replay_feed import ReplayFeed
    from dom.runtime.view import UiModel
    from dom.store.journal import Journal
    from dom.ui.app import DomApp

    d, _, _ = ring
    segs = segments(d)
    entry_ns = segs[3][0] + S  # a moment inside the fourth segment
    j = Journal(tmp_path / "j.sqlite")
    n = j.add("MOTHUSDT", "long", "0.6", 100, stop="0.59", equity=1000,
              context={"recording": {"dir": str(d), "recv_ns": entry_ns}})
    m = trade_moment(j, n, 2.0, None, "/nowhere")
    assert m.symbol == "MOTHUSDT" and m.start_ns == entry_ns - 2 * S
    assert m.paths == [str(p) for _, p in segs[2:]]  # from the segment holding entry - 2 s on

    feed = ReplayFeed(m.paths, speed=1.0, start_ns=m.start_ns)
    model = UiModel()
    pipe = Pipeline(feed.venue, detectors=make_observers(), observers=(model.observers,))
    model.attach(pipe)
    feed.alerts = lambda: pipe.alerts
    feed.on_rewind = model.rewind
    model.transport = feed
    drv = LiveDriver(feed, pipe, stale_after_s=0)
    # The first frame played at pace, taken as it is played: a loaded machine's poll below may
    # come a second or two of replay later.
    paced: list[int] = []
    inner = feed.emit

    def emit(events: list) -> None:
        if not paced and feed.state_text() == "x1":
            paced.append(feed.rec_ns)
        inner(events)

    feed.emit = emit
    await drv.start()
    task = asyncio.create_task(drv.run())
    app = DomApp(model, runner=None, fps=0, clock=None, symbol=m.symbol)
    loop = asyncio.get_running_loop()
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            t0 = loop.time()
            while feed.state_text() != "x1":
                assert loop.time() - t0 < 10, "never got to the entry"
                await asyncio.sleep(0.02)
            # There: the first frame played at pace is the first at or after entry - 2 s.
            assert paced and m.start_ns <= paced[0] < m.start_ns + S
            app.frame()
            await pilot.pause()
            assert app.symbol == "MOTHUSDT" and app.ladder.symbol == "MOTHUSDT"
            assert pipe.engine["MOTHUSDT"].synced
            bar = " ".join(text for text, _ in app.query_one("StatusBar").parts())
            assert "replay x1 " + time.strftime("%H:%M:%S", time.gmtime(feed.rec_ns / S)) in bar
            # Paused, [ goes ten seconds back: before the recording's start, so to its first
            # frame; the replay starts over (books and screen reset) and stays paused there.
            await pilot.press("space")
            played, before = pipe.engine["MOTHUSDT"].stats.depth_messages, feed.rec_ns
            await pilot.press("left_square_bracket")
            while feed.rewinds == 0 or feed.state_text() != "paused":
                assert loop.time() - t0 < 20
                await asyncio.sleep(0.02)
            assert feed.rec_ns == feed.first_ns < before
            assert pipe.engine["MOTHUSDT"].stats.depth_messages < played and not model.alerts
            # g: go to a time typed as HH:MM:SS (the entry's second): played through while paused.
            await pilot.press("g")
            await pilot.press(*time.strftime("%H:%M:%S", time.gmtime(entry_ns / S)), "enter")
            while feed.state_text() != "paused" or feed.rec_ns < entry_ns - S:
                assert loop.time() - t0 < 30
                await asyncio.sleep(0.02)
            assert entry_ns - S <= feed.rec_ns < entry_ns + S and feed.rewinds == 1
            assert pipe.engine["MOTHUSDT"].stats.depth_messages > 0
    finally:
        drv.stop()
        await task
        j.close()


def test_journal_replay_without_a_recording_says_so(tmp_path):
    env = {**os.environ, "DOM_DATA_DIR": str(tmp_path)}
    env.pop("DOM_CONFIG", None)
    add = subprocess.run([*DOM, "journal", "add", "BTCUSDT", "long", "--entry", "60000", "--contracts", "1"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert add.returncode == 0, add.stderr
    r = subprocess.run([*DOM, "journal", "replay", "1"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode != 0
    assert "no recording of trade #1 (BTCUSDT" in r.stderr and "--record" in r.stderr
    r = subprocess.run([*DOM, "journal", "replay", "7"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode != 0 and "no trade #7" in r.stderr


@pytest.mark.parametrize("link", [
    {"recording": "not a dict"},
    {"recording": {"dir": 5, "recv_ns": "soon"}},
    {"recording": {"dir": "/nowhere", "recv_ns": -5}},
    {"recording": {"dir": "/nowhere", "recv_ns": True}},
    {"recording": {"paths": [1, None], "recv_ns": 10**30}},
    {"recording": {"paths": "/etc/passwd"}},
])
def test_a_hostile_journal_link_is_one_clear_error(tmp_path, link):
    """Whatever a journal's context says about its recording (types, ranges), journal replay
    either finds a recording or says there is none: a JournalError, never a traceback."""
    from dom.commands.journal import trade_moment
    from dom.errors import JournalError
    from dom.store.journal import Journal

    j = Journal(tmp_path / "j.sqlite")
    n = j.add("BTCUSDT", "long", "60000", 1, context=link)
    with pytest.raises(JournalError, match=r"no recording of trade|is gone"):
        trade_moment(j, n, 30.0, None, str(tmp_path / "ring"))
    j.close()
