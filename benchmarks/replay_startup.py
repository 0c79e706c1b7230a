"""What ``dom replay FILE --json`` does before it reads the file: the CLI's parser, the command's
imports, the config loaded and the detectors built, the venue sniffed. Prints its CPU time.

    env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=/tmp/pyc-X PYTHONPATH=<tree> python3 benchmarks/replay_startup.py

Run it twice first (bytecode and the dataclasses' cached code written), then measure; for
instructions, under ``valgrind --tool=callgrind`` with the real interpreter
(``/root/.pyenv/versions/3.11.7/bin/python3``), whose ``python3 -c pass`` is the floor.
"""

from __future__ import annotations

import time

t0 = time.thread_time()
from pathlib import Path  # noqa: E402

from dom.cli import build_parser  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"


def main() -> None:
    args = build_parser("replay").parse_args(["replay", str(DATA), "--json"])
    import orjson  # noqa: F401

    from dom.alert_json import alert_to_line  # noqa: F401
    from dom.commands.replay import _detectors, _other_venue
    from dom.core.types import Alert  # noqa: F401
    from dom.errors import RecordingError  # noqa: F401
    from dom.runtime.replay import Replay  # noqa: F401

    _detectors(args)
    _other_venue(args.file)
    print(f"start-up CPU {(time.thread_time() - t0) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
