"""Bybit v5: pure codec (decode, encode, instruments) and recording reader."""
