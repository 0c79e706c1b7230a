"""The wiring builds what the config says, and nothing it does not."""

from __future__ import annotations

from dom.config import load_config
from dom.runtime.wiring import build_pipeline, open_source


async def test_a_ccxt_venue_gets_no_binance_endpoint_forced_on_it():
    """`dom run --venue ccxt:okx BTC/USDT:USDT` once failed at once with "--endpoint is supported
    for ccxt Binance venues only": the wiring set a Binance endpoint on every client."""
    cfg = load_config(None, env={})
    cfg.feed.venue, cfg.feed.symbols, cfg.feed.endpoint = "ccxt:okx", ["BTC/USDT:USDT"], None
    async with open_source(cfg, quiet=True) as src:
        assert src.client.endpoint is None and src.client.exchange_id == "okx"
        assert src.name == "ccxt:okx" and src.server is None
        pipe = build_pipeline(cfg, src)
        assert pipe.venue == "ccxt:okx" and pipe.context is not None


async def test_the_built_in_market_names_itself_sim():
    cfg = load_config(None, env={})
    async with open_source(cfg, quiet=True) as src:
        assert src.server is not None and src.name == "sim" and src.venue.info.name == "binanceusdm"
        assert src.client.endpoint == src.server.url
