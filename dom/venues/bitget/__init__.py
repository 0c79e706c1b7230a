"""Bitget v2 (USDT futures): the only place Bitget's wire format, REST paths and field names live.
``codec.py`` (frames <-> events, the CRC32 checksum over Bitget's own fixed-decimal strings,
pure; the built-in market serves its encoder), ``client.py`` (the public websocket; the book
in-stream, resubscribed to resync), ``context.py`` (open interest and 24 h over REST)."""

from __future__ import annotations

from typing import Any

from dom.core.checksum import WireDecimals
from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


class Bitget:
    info = VenueInfo(
        name="bitget", title="Bitget v2 USDT futures", native=True,
        sequence="none to chain (seq kept); resubscribe to resync",
        checksum="CRC32 over the top 25 levels", context="funding, mark/index (stream), open interest, 24 h (REST)",
        symbol_form="BTCUSDT", trade_ids=False,
    )
    rule = Rule.BITGET

    def __init__(self) -> None:
        # The decimals Bitget writes each symbol with, learned by the live decoder from each
        # snapshot and read by the checksum verifier: one table for both.
        self.learned = WireDecimals()

    def verifier(self):
        from dom.venues.bitget.codec import verifier

        return verifier(self.learned)

    def decoder(self, instruments, **options):
        from dom.venues.bitget.codec import BitgetDecoder

        return BitgetDecoder(instruments, learned=self.learned)

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.venues.bitget.client import BitgetFeed

        return BitgetFeed(symbols, emit=lambda evs: None, endpoint=endpoint, learned=self.learned, **settings)

    def context_poller(self, client, emit, params):
        from dom.venues.bitget.context import BitgetContextPoller

        return BitgetContextPoller(client.rest, client.symbols, client.instruments, emit, params)


VENUE = Bitget()
