"""The bus as a source's adapter (``--bus URL``): what the drivers need to know of it."""

from __future__ import annotations

from typing import Any

from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


class BusVenue:
    """Updates come renumbered by the collectors, gap-free, each naming the one before it:
    Binance's ``pu`` rule, with whole books from the key-value bucket as the snapshots."""

    rule = Rule.USDM

    def __init__(self, venue: str) -> None:
        self.info = VenueInfo(venue, f"{venue} through the bus", True, "collector sequence (pu)", "",
                              "marks and funding as the collectors had them", "as the venue's")

    def verifier(self) -> None:
        return None  # the collectors verified the venue's checksums; the bus carries none

    def context_poller(self, client: Any, emit: Any, params: Any) -> None:
        return None
