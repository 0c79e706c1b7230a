"""Bitget: pure codec (decode, encode, instruments) and recording reader."""
