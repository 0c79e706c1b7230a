"""Binance USDⓈ-M futures: the only place Binance's wire format, REST paths and field names live.

``codec.py`` (frames <-> events, pure; the built-in market serves its encoder), the sequencing
rule (``pu`` chains each event to the previous one; the REST snapshot bridges with
``U <= lastUpdateId <= u``), ``client.py`` (websockets + REST), ``context.py`` (funding, open
interest, 24 h over REST) and ``recording_scan.py`` (what a recording's first frames tell)."""

from __future__ import annotations

from typing import Any

from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


class BinanceUsdm:
    info = VenueInfo(
        name="binanceusdm", title="Binance USDⓈ-M futures", native=True,
        sequence="U/u/pu chain from the REST snapshot; aggTrade ids",
        checksum="", context="funding, mark/index (stream), open interest, 24 h (REST)",
        symbol_form="BTCUSDT", trade_ids=True, whole_venue=True,
    )
    rule = Rule.USDM

    def verifier(self):
        return None

    def decoder(self, instruments, **options):
        from dom.venues.binance_usdm.codec import BinanceDecoder

        return BinanceDecoder(instruments, **options)

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.venues.binance_usdm.client import BinanceUsdmFeed

        return BinanceUsdmFeed(symbols, emit=lambda evs: None, endpoint=endpoint, **settings)

    def context_poller(self, client, emit, params):
        from dom.venues.binance_usdm.context import BinanceContextPoller

        followed = getattr(client, "depth_symbols", None)  # whole-venue mode: probe the others' depth
        probe = (client.decoder, followed) if followed is not None and client.decoder is not None else None
        return BinanceContextPoller(client.rest, client.symbols, client.instruments, emit, params, probe=probe)


VENUE = BinanceUsdm()


class BinanceSpot(BinanceUsdm):
    """Binance spot, for its recordings: the same codec, the ``U == previous u + 1`` rule."""

    info = VenueInfo(
        name="binance", title="Binance spot (recordings only)", native=True,
        sequence="U == previous u + 1 from the REST snapshot", checksum="", context="",
        symbol_form="BTCUSDT", note="no live client: dom follows futures", trade_ids=True,
    )
    rule = Rule.SPOT

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.errors import ConfigError

        raise ConfigError("Binance spot is supported in recordings only (dom replay)")

    def context_poller(self, client, emit, params):
        return None


SPOT = BinanceSpot()
