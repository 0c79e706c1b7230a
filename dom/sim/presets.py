"""Market presets: which symbols the built-in market lists and how each behaves.

Rates are events per second in the calm regime (the active regime multiplies them); sizes are in
lots. The small-cap numbers follow DETECTORS.md §3.2 (price ~0.5, tick 0.0001, lognormal limit
sizes with round-size spikes, Hawkes-clustered market orders with a Pareto tail), scaled so a
level holds a few thousand USDT.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dom.errors import ConfigError
from dom.sim import PRESET_NAMES  # noqa: F401 - named in dom.sim (for the config check), read here too


@dataclass(frozen=True)
class SymbolSpec:
    symbol: str
    tick_size: str
    lot_size: str
    price: str  # starting price, a multiple of tick_size
    beta: float  # loading on the common factor (BTC-like = 1)
    add_rate: float  # limit orders / s
    cancel_rate: float  # cancels / s
    market_rate: float  # market orders / s (Hawkes baseline)
    limit_median: int  # median limit order size, lots
    market_median: int  # median market order size, lots
    vol_ticks: float  # idiosyncratic fair-value volatility, ticks per sqrt(s)
    base: str = ""
    open_interest_lots: int = 0
    arb_rate: float = 3.0  # orders / s per tick the mid lags the fair value beyond one tick
    sector: str = ""  # served as exchangeInfo's underlyingSubType; moves the price where the preset has sector factors


MAJOR = SymbolSpec(
    "BTCUSDT", "1.0", "0.001", "60000.0", 1.0,
    add_rate=90, cancel_rate=84, market_rate=4, limit_median=150, market_median=40,
    vol_ticks=0.5, base="BTC", open_interest_lots=80_000_000, sector="Layer-1",
)

SMALLCAPS = [
    SymbolSpec("KITEUSDT", "0.0001", "1", "0.5000", 1.8, 30, 28, 2, 2000, 600, 0.27, "KITE", 40_000_000, sector="AI"),
    SymbolSpec("MOTHUSDT", "0.0001", "1", "0.6000", 1.5, 26, 24, 1.6, 4000, 1200, 0.27, "MOTH", 90_000_000,
               sector="Meme"),
    SymbolSpec("PIKEUSDT", "0.00001", "1", "0.08000", 2.0, 24, 22, 1.5, 12000, 3000, 0.5, "PIKE", 300_000_000,
               sector="Meme"),
    SymbolSpec("WRENUSDT", "0.001", "0.1", "6.200", 1.4, 28, 26, 1.8, 1500, 450, 0.26, "WREN", 30_000_000,
               sector="DeFi"),
]
SECTORS = ("AI", "Meme", "DeFi", "Gaming", "Layer-2")  # the added small caps' labels, in turn

# The "sectors" preset's small caps: made-up tickers, six sectors in turn, each on one of the four
# small-cap templates above (so their books and flows are the ones the detectors are scored on).
_NAMES = ("AUK BASS CARP DACE EIDER FINCH GULL HERON IBIS JAY KOI LARK MINK NEWT ORCA PUMA QUAIL ROOK "
          "SKUA TERN URCHIN VOLE WASP YAK ZEBU ANT BEE CRAB DOVE EEL FOX GNAT HARE IGUANA JACKAL KRILL LYNX "
          "MOLE NARWHAL OTTER PANDA RAVEN SEAL TAPIR URIAL VIPER WOLF XERUS YAPOK ZORIL ASP BOAR").split()
SECTOR_ROTATION = ("AI", "Meme", "DeFi", "Gaming", "Layer-2", "RWA")


def _sector_caps() -> list[SymbolSpec]:
    out = []
    for i, name in enumerate(_NAMES):
        base = SMALLCAPS[i % len(SMALLCAPS)]
        out.append(replace(base, symbol=f"{name}USDT", base=name, sector=SECTOR_ROTATION[i % len(SECTOR_ROTATION)]))
    return out


PRESETS: dict[str, list[SymbolSpec]] = {
    "major": [MAJOR],
    "smallcap": [SMALLCAPS[0]],
    "mixed": [MAJOR, *SMALLCAPS],
    "sectors": [MAJOR, *_sector_caps()],
}


OPTIONS: dict[str, dict] = {
    "sectors": {"news": True, "sector_factors": True},
}
"""What a preset turns on besides its symbols: ``news`` (labelled news bursts and sweep orders,
dom/sim/news.py) and ``sector_factors`` (sector factors with rotation episodes, dom/sim/sectors.py).
Off for the presets the four order-book detectors are scored on, whose markets stay as they were."""


def preset(name: str, symbols: int | None = None) -> list[SymbolSpec]:
    """The symbols of preset ``name``; ``symbols`` > preset size adds numbered small caps."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r} (choose from {', '.join(PRESETS)})")
    specs = list(PRESETS[name])
    if symbols is not None and symbols > len(specs):
        i = 0
        while len(specs) < symbols:
            base = SMALLCAPS[i % len(SMALLCAPS)]
            i += 1
            specs.append(replace(base, symbol=f"SC{i:02d}USDT", base=f"SC{i:02d}", sector=SECTORS[(i - 1) % len(SECTORS)]))
    elif symbols is not None:
        specs = specs[:symbols]
    return specs
