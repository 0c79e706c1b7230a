"""OKX v5 (USDT swaps): the only place OKX's wire format, REST paths and field names live.
``codec.py`` (frames <-> events, the CRC32 book checksum, pure; the built-in market serves its
encoder), ``client.py`` (the public websocket; the book in-stream, resubscribed to resync),
``context.py`` (open interest and 24 h over REST)."""

from __future__ import annotations

from typing import Any

from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


class Okx:
    info = VenueInfo(
        name="okx", title="OKX v5 USDT swaps", native=True,
        sequence="seqId/prevSeqId chain; resubscribe to resync",
        checksum="CRC32 over the top 25 levels (where OKX still sends it)",
        context="funding, mark (stream), open interest, 24 h (REST)",
        symbol_form="BTC-USDT-SWAP", trade_ids=False,
    )
    rule = Rule.OKX

    def verifier(self):
        from dom.venues.okx.codec import verify

        return verify

    def decoder(self, instruments, **options):
        from dom.venues.okx.codec import OkxDecoder

        return OkxDecoder(instruments)

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.venues.okx.client import OkxFeed

        return OkxFeed(symbols, emit=lambda evs: None, endpoint=endpoint, **settings)

    def context_poller(self, client, emit, params):
        from dom.venues.okx.context import OkxContextPoller

        return OkxContextPoller(client.rest, client.symbols, client.instruments, emit, params)


VENUE = Okx()
