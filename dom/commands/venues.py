"""``dom venues``: every venue dom knows, and what it can verify about each."""

from __future__ import annotations

import argparse

# Native codecs whose live client is not written yet: what is verified on their recordings.
RECORDED = (
    ("okx", "OKX v5 swaps, spot, futures", "seqId/prevSeqId chain", "CRC32 over the top 25 levels",
     "BTC-USDT-SWAP"),
    ("bybit", "Bybit v5 linear perpetuals", "u contiguous, u == 1 a fresh snapshot", "", "BTCUSDT"),
    ("bitget", "Bitget v2 USDT futures, spot", "", "CRC32 over the top 25 levels", "BTCUSDT"),
    ("kraken", "Kraken spot (v1 book)", "", "CRC32 over the top 10 levels", "XBT/USD"),
)
# ccxt.pro classes that `--endpoint` can point at the built-in market (tests/venues/test_ccxt_venues_sim.py).
SIM_TESTED = {
    "binanceusdm": "via ccxt.pro, tested against the built-in market",
    "bybit": "via ccxt.pro, tested against the built-in market",
    "okx": "via ccxt.pro, tested against the built-in market",
    "bitget": "via ccxt.pro, tested against the built-in market",
}
# The venues of the playbook that dom reaches only through ccxt.pro.
CCXT_NAMED = ("bingx", "mexc", "weex", "gate", "kucoinfutures", "htx", "bybit", "okx", "bitget")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "venues",
        help="the venues dom knows: native or via ccxt.pro, what is verified, the symbol form",
        description="List every venue dom knows: native adapters (their own codec; sequence ids and "
        "checksums verified), codecs verified on recordings whose live client is still to come, and "
        "ccxt.pro venues (ccxt keeps the book; dom cannot verify it, nor test it offline).",
    )
    p.add_argument("--all", action="store_true", help="list every ccxt.pro exchange (imports ccxt: ~1 s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dom import venues

    rows = []
    for name in venues.NATIVE:
        i = venues.get(name).info
        rows.append((name, "native" + ("" if name != "binance" else " (recordings)"), i.sequence or "-",
                     i.checksum or "-", i.context or "-", i.symbol_form))
    for name, title, seq, ck, form in RECORDED:
        if name in venues.NATIVE:
            continue  # its live client exists: listed above
        rows.append((name, "native codec (recordings; live client to come)", seq or "-", ck or "-", "-", form))
    rows.append(("sim", "the built-in market (Binance USDⓈ-M, Bybit v5, OKX v5, Bitget v2 protocols)", "each venue's", "OKX, Bitget",
                 "funding, OI, 24 h", "BTCUSDT"))
    ccxt_names = list(CCXT_NAMED)
    if args.all:
        import ccxt.pro

        ccxt_names = sorted(ccxt.pro.exchanges)
    from dom.venues.ccxt_pro import SELF_VERIFIED

    for name in ccxt_names:
        how = SIM_TESTED.get(name, "via ccxt.pro, not verifiable offline")

        check = "dom's (ccxt does not check it)" if name in SELF_VERIFIED else "ccxt's, where it checks"
        rows.append((f"ccxt:{name}", how, "ccxt's", check,
                     "funding, OI, 24 h where ccxt has them", "BTC/USDT:USDT"))
    head = ("venue", "how", "sequence", "checksum", "context", "symbols like")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    for r in (head, *rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if not args.all:
        print("(dom venues --all lists every ccxt.pro exchange; use any as --venue ccxt:<id>)")
    return 0
