"""What a live session writes of itself: the continuous recording (``[record]``, ``--record``)
and the ``.meta.json`` that every recording made from a live source carries."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any

from dom.errors import ConfigError, DomError
from dom.runtime.pipeline import Pipeline


def _ts() -> str:
    return time.strftime("%H:%M:%S")


class RingTap:
    """The live client's raw frames and REST snapshots into the continuous recording
    (``[record]``, ``--record``). A disk that fails stops the recording, never the session: the
    error is said once on stderr (and on the screen's log) and counted."""

    def __init__(self, cfg: Any) -> None:
        self.cfg = cfg
        self.ring: Any = None
        self.failed = ""

    @property
    def enabled(self) -> bool:
        return bool(self.cfg.record.enabled)

    def client_kw(self) -> dict[str, Any]:
        if not self.enabled:
            return {}
        if self.cfg.feed.venue not in ("sim", "binanceusdm"):
            raise ConfigError("the continuous recording keeps Binance's raw frames: use --venue binanceusdm or sim "
                              f"(not {self.cfg.feed.venue})")
        return dict(on_frame=self.frame, on_snapshot_body=self.snapshot, book_ticker=True, raw_trades=True)

    def directory(self) -> str:
        import os
        from pathlib import Path

        if self.cfg.record.dir:
            return str(Path(self.cfg.record.dir).expanduser())
        base = os.environ.get("DOM_DATA_DIR")
        if not base:
            from platformdirs import user_data_dir

            base = user_data_dir("dom")
        return str(Path(base) / "recordings")

    def open(self, src: Any, pipe: Pipeline) -> None:
        """Start writing (after the pipeline exists: segment snapshots come from its books)."""
        if not self.enabled:
            return
        from dom.store.ring import RingRecorder
        from dom.venues.binance_usdm.frames import book_body

        def books(recv_ns: int):
            eng = pipe.engine
            for sym, st in (eng.symbols.items() if eng is not None else ()):
                if st.synced and st.seq.last_id >= 0:
                    yield sym, book_body(st.book, st.instrument, st.seq.last_id,
                                         st.stats.last_exchange_ns // 1_000_000)

        r = self.cfg.record
        self.ring = RingRecorder(self.directory(), recording_meta(self.cfg, src), books,
                                 keep_hours=r.keep_hours, segment_s=r.segment_minutes * 60)

    def _write(self, fn: str, *args: Any) -> None:
        if self.ring is None:
            return
        try:
            getattr(self.ring, fn)(*args)
        except (OSError, DomError) as e:
            self.failed = f"continuous recording stopped: {e}"
            print(f"{_ts()} {self.failed}", file=sys.stderr)
            with contextlib.suppress(OSError, DomError):
                self.ring.close()
            self.ring = None

    def frame(self, recv_ns: int, raw: Any) -> None:
        self._write("write_frame", recv_ns, raw)

    def snapshot(self, recv_ns: int, sym: str, body: bytes) -> None:
        self._write("write_snapshot", recv_ns, sym, body)

    def close(self) -> None:
        self._write("close")
        self.ring = None


def recording_meta(cfg: Any, src: Any) -> dict[str, Any]:
    """The ``.meta.json`` of a recording made from ``src``."""
    client = src.client
    return {
        "format": "dom-recording/1",
        "venue": src.venue.info.name,  # the wire protocol: how to decode the frames
        "label": src.name,  # what alerts call the venue ("sim" for the built-in market)
        "symbols": list(client.instruments),
        "endpoint": client.endpoint,
        "depth_ms": cfg.feed.depth_ms,
        "trade_stream": "aggTrade",  # @trade frames are there for hftbacktest; dom replays aggTrade
        "instruments": {
            s: {"tick_size": i.tick_size, "lot_size": i.lot_size, "contract_size": i.contract_size}
            for s, i in client.instruments.items()
        },
    }
