"""OKX: pure codec (decode, encode, instruments) and recording reader."""
