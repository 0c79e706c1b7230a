"""Any ccxt.pro venue (``--venue ccxt:<exchange id>``): breadth where dom has no native adapter.

ccxt.pro keeps its own book and yields whole books; ``client.py`` diffs them into deltas with
synthetic, gap-free ids (so the engine's ``pu`` rule applies) and ``context.py`` polls ccxt's
funding, open-interest and ticker calls. ``import ccxt.pro`` takes ~0.7 s: it happens in the
client's ``prepare``, never at import."""

from __future__ import annotations

from typing import Any

from dom.core.sequencer import Rule
from dom.venues.base import VenueInfo


SELF_VERIFIED = {"okx": "dom.venues.okx"}
"""ccxt.pro classes that do not check their venue's checksum, and the native adapter whose check
dom applies instead (the client notes each book message's checksum as ccxt receives it)."""


class CcxtProVenue:
    rule = Rule.USDM  # the client numbers its diffs itself

    def __init__(self, exchange_id: str) -> None:
        self.exchange_id = exchange_id
        self.info = VenueInfo(
            name=f"ccxt:{exchange_id}", title=f"{exchange_id} via ccxt.pro", native=False,
            sequence="ccxt.pro's own (books diffed by dom)",
            checksum="dom's (ccxt.pro does not check it)" if exchange_id in SELF_VERIFIED
            else "ccxt.pro's, where it checks one",
            context="funding, open interest, 24 h where ccxt has the call",
            symbol_form="ccxt unified (BTC/USDT:USDT) or the venue id",
        )

    def verifier(self):
        """OKX: dom checks the checksum ccxt.pro leaves unchecked, with the native adapter's."""
        if self.exchange_id in SELF_VERIFIED:
            import importlib

            return importlib.import_module(SELF_VERIFIED[self.exchange_id]).VENUE.verifier()
        return None

    def decoder(self, instruments):
        raise NotImplementedError("ccxt.pro yields parsed books, not frames: there is no codec to replay")

    def client(self, symbols: list[str], endpoint: str | None, **settings: Any):
        from dom.venues.ccxt_pro.client import CcxtProFeed

        keep = {k: v for k, v in settings.items() if k in ("reconnect", "depth_limit")}
        return CcxtProFeed(self.exchange_id, symbols, emit=lambda evs: None, endpoint=endpoint, **keep)

    def context_poller(self, client, emit, params):
        from dom.venues.ccxt_pro.context import CcxtContextPoller

        return CcxtContextPoller(client, emit, params)
