import jsonschema
import pytest

from dom.errors import SinkError
from dom.sinks import validate_alert
from dom.sinks.base import build_sinks
from dom.sinks.filters import AlertFilter, filter_from
from tests.sinks.conftest import make_alert


def test_alert_dicts_from_real_alerts_match_the_shipped_schema(alerts):
    for a in alerts:
        validate_alert(a)
    bad = dict(alerts[0], price=0.499)
    with pytest.raises(jsonschema.ValidationError):
        validate_alert(bad)


def test_filters_by_field():
    f = filter_from({"kinds": ["wall"], "states": ["new"], "min_score": 0.5, "min_notional": 20000, "sides": ["bid"]}, "s")
    assert f.matches(make_alert(1))
    assert not f.matches(make_alert(1, state="end"))
    assert not filter_from({"min_notional": 50000}, "s").matches(make_alert(1))
    assert not filter_from({"symbols": ["BTCUSDT"]}, "s").matches(make_alert(1))


def test_cooldown_holds_updates_but_never_new_or_end():
    f = AlertFilter(cooldown_s=5)
    assert f.allow(make_alert(1, "new", episode=7), 0.0)
    assert not f.allow(make_alert(2, "update", episode=7), 1.0)
    assert f.allow(make_alert(3, "update", episode=7), 6.0)
    assert f.allow(make_alert(4, "end", episode=7), 6.5)


def test_rate_limit_is_a_token_bucket():
    f = AlertFilter(rate_per_s=1, burst=3)
    passed = [f.allow(make_alert(i), 0.0) for i in range(10)]
    assert passed.count(True) == 3
    assert f.allow(make_alert(99), 1.5)


@pytest.mark.parametrize("spec, message", [
    ({"type": "jsonl", "pth": "x"}, "unknown key sinks[0].pth"),
    ({"type": "smtp"}, "sinks[0].type"),
    ({"type": "jsonl", "kinds": ["walls"]}, "sinks[0].kinds: unknown value 'walls'"),
    ({"type": "webhook", "url": "ftp://x"}, "sinks[0].url"),
    ({"type": "exec", "argv": "notify.sh"}, "sinks[0].argv"),
    ("carrier-pigeon:x", "unknown sink"),
])
def test_bad_sink_config_names_the_key(spec, message):
    with pytest.raises(SinkError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        build_sinks([spec])


def test_evidence_floats_keep_six_decimals_and_small_chances_their_digits():
    from dom.alert_json import evidence_json
    from dom.core.units import Instrument

    ev = evidence_json({"ratio": 1.23456789, "organic_chance": 6.164e-09, "zero": 0.0, "size_lots": 1500},
                       Instrument("KITEUSDT", "0.0001", "1"))
    assert ev == {"ratio": 1.234568, "organic_chance": 6.16e-09, "zero": 0.0, "size": "1500"}


def test_an_evidence_size_not_known_yet_keeps_its_public_key():
    """A wall's ``p90_at_distance`` before any sample at that distance is null under the same
    key as when it is known (it was printed as ``p90_at_distance_lots``: two keys for one field)."""
    from dom.alert_json import evidence_json
    from dom.core.units import Instrument

    inst = Instrument("BTCUSDT", "0.1", "0.001")
    ev = evidence_json({"p90_at_distance_lots": None, "size_lots": 5, "level_px": None, "at_px": 617032}, inst)
    assert ev == {"p90_at_distance": None, "size": "0.005", "level": None, "at": "61703.2"}
