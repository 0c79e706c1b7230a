"""The fields ``dom scan`` ranks by: here, apart from ``dom.runtime.scan``, so that building the
command line (every ``dom`` command builds every subcommand's parser) does not import the scanner
and asyncio with it (~40 ms of every command's start-up)."""

SORT_KEYS = ("rs_1h", "rs_4h", "rs_24h", "burst_score", "change_5m_pct", "change_1h_pct", "change_4h_pct",
             "change_24h_pct", "quote_volume_24h",
             "open_interest_change_pct", "funding_rate", "spread_bps", "depth_1pct", "slippage_bps", "alerts",
             "symbol")
