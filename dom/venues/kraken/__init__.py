"""Kraken spot (websocket v1): pure codec (decode, encode, instruments)."""
