"""A slice of a real recording for tests: its first ``seconds`` of receive time, gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path


def slice_recording(src: Path, dst: Path, seconds: float) -> None:
    with gzip.open(src, "rb") as f, gzip.open(dst, "wb") as out:
        t0 = None
        for line in f:
            t = int(line.split(b" ", 1)[0])
            t0 = t if t0 is None else t0
            if t - t0 > seconds * 1e9:
                break
            out.write(line)
