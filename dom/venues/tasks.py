"""Running a feed's concurrent loops as one unit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


async def run_together(tasks: Iterable[asyncio.Task]) -> None:
    """Wait for ``tasks``; when one fails or the caller is cancelled, cancel the rest and wait
    until they have finished (the first failure propagates)."""
    tasks = list(tasks)
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
