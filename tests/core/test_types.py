"""The events' generated constructor (``fast_init``) builds what the dataclass's own would."""

import dataclasses
import pickle

import pytest

from dom.core.types import BookDelta, FeedState, FeedStatus, TakerSide, Trade, fast_init


@dataclasses.dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str
    c: int | None = None
    d: int = -1


_Fast = fast_init(dataclasses.dataclass(frozen=True, slots=True)(type("_Fast", (), {
    "__annotations__": {"a": "int", "b": "str", "c": "int | None", "d": "int"}, "c": None, "d": -1})))


def test_fast_init_builds_what_the_generated_init_builds():
    for args, kw in (((1, "x"), {}), ((1, "x", 3), {}), ((1,), {"b": "y", "d": 7}), ((), {"a": 2, "b": "z", "c": 0})):
        plain, fast = _Plain(*args, **kw), _Fast(*args, **kw)
        assert dataclasses.astuple(plain) == dataclasses.astuple(fast)
        assert repr(fast).replace("_Fast", "_Plain") == repr(plain)
    with pytest.raises(TypeError):
        _Fast(1)
    with pytest.raises(TypeError):
        _Fast(1, "x", 3, 4, 5)
    with pytest.raises(TypeError):
        _Fast(1, "x", e=5)


def test_events_stay_frozen_comparable_and_picklable():
    t = Trade("BTCUSDT", 10, 2, TakerSide.BUY, 7, 1, 2)
    assert (t.first_id, t.last_id) == (-1, -1)
    assert t == Trade("BTCUSDT", 10, 2, TakerSide.BUY, 7, 1, 2, -1, last_id=-1) and hash(t) == hash(
        Trade("BTCUSDT", 10, 2, TakerSide.BUY, 7, 1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.px_ticks = 11  # type: ignore[misc]
    assert dataclasses.replace(t, px_ticks=11).px_ticks == 11
    assert pickle.loads(pickle.dumps(t)) == t
    d = BookDelta("BTCUSDT", ((1, 2),), (), 1, 2, 0, 5, 6)
    assert d.checksum is None and d.bids == ((1, 2),)
    assert FeedStatus("", FeedState.SYNCED).detail == ""
