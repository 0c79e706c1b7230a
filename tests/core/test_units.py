from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dom.core.units import Instrument, Step
from dom.errors import UnitsError


def test_small_cap_price_is_exact():
    inst = Instrument("PEPEUSDT", "0.0000001", "1")
    assert inst.px("0.0000123") == 123
    assert inst.px_str(123) == "0.0000123"


def test_btc_price_is_exact():
    inst = Instrument("BTCUSDT", "0.10", "0.001")
    assert inst.px("61800.20") == 618002
    assert inst.px_str(618002) == "61800.2"
    assert inst.lots("0.014") == 14
    assert inst.qty_str(14) == "0.014"


def test_trailing_zeros_and_spot_precision():
    inst = Instrument("BTCUSDT", "0.01", "0.00001")
    assert inst.px("61737.63000000") == 6173763
    assert inst.lots("0.00000000") == 0


@pytest.mark.parametrize("bad", ["61800.25", "abc", "", "1.2.3", "nan", "inf"])
def test_not_a_multiple_or_not_a_number_is_an_error(bad):
    with pytest.raises(UnitsError):
        Instrument("BTCUSDT", "0.10", "0.001").px(bad)


def test_step_must_be_positive():
    with pytest.raises(UnitsError):
        Step("0")


def test_scientific_notation_slow_path():
    assert Step("0.0000001").to_int("1.23E-5") == 123


def test_notional_is_exact():
    inst = Instrument("X", "0.0001", "1", contract_size="100")
    assert inst.notional(10000, 10) == Decimal("1000")
    assert inst.notional_str(5123, 7) == "358.61"


@given(
    scale=st.integers(min_value=0, max_value=9),
    mant=st.integers(min_value=1, max_value=50),
    n=st.integers(min_value=-(10**12), max_value=10**12),
)
def test_round_trip_is_exact(scale, mant, n):
    tick = str(Decimal(mant).scaleb(-scale))
    step = Step(tick)
    text = step.to_str(n)
    assert step.to_int(text) == n
    assert Decimal(text) == Decimal(tick) * n


@given(st.decimals(min_value=0, max_value=10**9, places=8, allow_nan=False, allow_infinity=False))
def test_parse_matches_decimal(d):
    step = Step("0.00000001")
    assert step.to_int(str(d)) == int(d * 10**8)
    assert Decimal(step.to_str(step.to_int(format(d, "f")))) == d


def test_the_parse_cache_parses_a_missing_string_and_refuses_what_is_not_valid():
    from dom.core.units import Step

    step = Step("0.10")
    cache = step._cache
    assert cache["61659.70"] == 616597 and "61659.70" in cache  # parsed on a miss, and kept
    assert cache["61659.70"] == 616597
    for bad in ("-1.0", "61659.75", "abc", "", "1" * 50, 5, None):
        with pytest.raises(KeyError):
            cache[bad]
        assert bad not in cache
    assert step.to_int("-1.0") == -10  # the exact parser itself still answers negatives
