import pytest

from dom.alert_json import alert_to_dict
from dom.core.types import Alert, AlertKind, AlertState, BookSide
from dom.core.units import Instrument

INST = Instrument("KITEUSDT", "0.0001", "1")


def make_alert(n: int, state: str = "new", symbol: str = "KITEUSDT", message: str = "", episode: int | None = None) -> dict:
    a = Alert(
        f"{symbol}:wall:bid:4990:{episode if episode is not None else n}", 1_700_000_000_000_000_000 + n, symbol,
        AlertKind.WALL, AlertState(state), BookSide.BID, 4990, 60_000 + n, 0.8,
        message or f"Wall: bid 0.4990 size {60_000 + n}", {"size_lots": 60_000 + n, "ratio_to_median": 8.5},
    )
    return alert_to_dict(a, "binanceusdm", INST)


@pytest.fixture
def alerts():
    return [make_alert(i) for i in range(20)]
