"""Bybit v5 (linear perpetuals): the only place Bybit's wire format, REST paths and field names
live. ``codec.py`` (frames <-> events, pure; the built-in market serves its encoder),
``recording.py`` (the recorded ob500 format), ``client.py`` (the public websocket; the book
in-stream, resubscribed to resync), ``context.py`` (funding, open interest, 24 h over REST)."""

from __future__ import annotations

from typing import Any

from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


class Bybit:
    info = VenueInfo(
        name="bybit", title="Bybit v5 linear perpetuals", native=True,
        sequence="u contiguous, u == 1 a fresh snapshot; resubscribe to resync",
        checksum="", context="funding, mark/index (stream), open interest, 24 h (REST tickers)",
        symbol_form="BTCUSDT", trade_ids=False,
    )
    rule = Rule.BYBIT

    def verifier(self):
        return None

    def decoder(self, instruments, **options):
        from dom.venues.bybit.codec import BybitDecoder

        return BybitDecoder(instruments)

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.venues.bybit.client import BybitFeed

        return BybitFeed(symbols, emit=lambda evs: None, endpoint=endpoint, **settings)

    def context_poller(self, client, emit, params):
        from dom.venues.bybit.context import BybitContextPoller

        return BybitContextPoller(client.rest, client.symbols, client.instruments, emit, params)


VENUE = Bybit()
