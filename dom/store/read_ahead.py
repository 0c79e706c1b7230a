"""A file's reads made one step ahead, on a thread: while the caller works on one block, the
next one is read and inflated (zlib's inflate and crc32 let go of the GIL on large buffers).

``read_ahead(read, size)`` gives what ``read(size)`` gives, call after call, until it returns
``b""``; if ``read`` raises, the same exception is raised to the caller at the same point (after
every block read before it). Nothing is read past that point. Closing the iterator early (an
exception in the caller, Ctrl-C, ``break``) stops the thread and waits for it, so no thread
outlives it, and the file may be closed safely right after.

Only ``dom replay``'s reading of a gzip recording uses it, and only with ``DOM_READ_AHEAD=1``
(off by default); nothing of the live path does. Off because its gain is not shown: the main
thread's CPU drops by the inflating (0.05-0.08 s of the 345 s recording), but the thread needs the
GIL back after each ``read1``'s file read, inflate and crc32 (~80 kB a call), and waits up to the
switch interval (5 ms) for it while the main thread runs, so the two may hardly overlap; on the
machine it was written on no core was free to measure it (docs/history/performance.md).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator

DEPTH = 4  # blocks read before the caller takes them (the thread waits when that many wait)


def enabled() -> bool:
    """Whether replays read ahead (``DOM_READ_AHEAD=1``; off by default)."""
    return os.environ.get("DOM_READ_AHEAD", "0") == "1"


def read_ahead(read: Callable[[int], bytes], size: int, depth: int = DEPTH) -> Iterator[bytes]:
    """``read(size)`` again and again on a thread, the results in order (see the module)."""
    ready: deque = deque()  # (True, data) or (False, exception); b"" ends
    cond = threading.Condition(threading.Lock())
    stop = False

    def fill() -> None:
        nonlocal stop
        while True:
            try:
                item = (True, read(size))
            except BaseException as e:  # (handed to the caller, raised there)
                item = (False, e)
            last = not item[0] or not item[1]
            with cond:
                while len(ready) >= depth and not stop:
                    cond.wait()
                if stop:
                    return
                ready.append(item)
                cond.notify()
            item = None  # (an exception's traceback holds this frame: no cycle through it)
            if last:
                return

    t = threading.Thread(target=fill, name="dom-read-ahead", daemon=True)
    t.start()
    try:
        while True:
            with cond:
                while not ready:
                    cond.wait()
                ok, value = ready.popleft()
                cond.notify()
            if not ok:
                raise value
            if not value:
                return
            yield value
    finally:
        with cond:
            stop = True
            cond.notify_all()
        t.join()
