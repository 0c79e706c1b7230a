"""The whole-level rule for a lone placed order that organic orders joined after it was placed
(``spoof_level_drop_big``, ``spoof_level_drop_order``). The book and the approach are
test_spoof.py's; the step window gets its rank from twelve steps far down the book, and the
30,000-lot bid arrives in one step (far beyond what the step test asks). Six 2,000-lot orders then
join its price (the level 42,000) and the 30,000 lots go: 71% of the level, under
``spoof_level_drop_fraction`` (0.8), while the excess rule (70% of 41,000) passes."""

from dom.core.detectors import DetectorParams
from tests.core.detectors.test_spoof import WALL, placed_and_pulled


def joined_then_pulled(left=12_000):
    """Organic orders join the bid, price walks to it, and all but ``left`` lots of it go."""
    def go(s):
        for i in range(6):
            s.idle(200)
            s.delta(bids=[(WALL, 30_000 + 2000 * (i + 1))])
        s.walk_down(4992)
        assert s.alerts == []
        s.delta(bids=[(WALL, left)])
    return go


def test_both_parts_default_off():
    p = DetectorParams()
    assert (p.spoof_level_drop_big, p.spoof_level_drop_order) == (0.0, 0.0)


def test_a_placed_order_pulled_from_a_level_others_joined_counts_only_with_a_part_on():
    # (params, steps for the rank, alerts): off; the large step's fraction 0.7; the order part at
    # 1x its step (29,000: its price held 1,000 before); 0.75 asks 31,500 of the 30,000 pulled; the
    # order part at 1.1x asks 31,900; no
    # rank yet (no step test: no large step); the step must be 1000x what the test asks
    cases = (({}, 12, 0), ({"spoof_level_drop_big": 0.7}, 12, 2), ({"spoof_level_drop_order": 1.0}, 12, 2),
             ({"spoof_level_drop_big": 0.75}, 12, 0), ({"spoof_level_drop_order": 1.1}, 12, 0),
             ({"spoof_level_drop_big": 0.7, "spoof_level_drop_order": 1.0}, 0, 0),
             ({"spoof_level_drop_big": 0.7, "spoof_waive_step": 1000.0}, 12, 0),
             ({"spoof_level_drop_order": 1.0, "spoof_waive_step": 0.0}, 12, 0))
    got = []
    for params, steps, alerts in cases:
        out = placed_and_pulled(params, steps, WALL, joined_then_pulled())
        assert len(out) == alerts, params
        if alerts:
            ev = out[0].evidence
            assert ev["size_pulled_lots"] == 30_000 and ev["size_before_lots"] == 42_000
            assert ev["step_lots"] == 29_000  # (its price held 1,000 before)
        got.append(len(out))
    assert got == [0, 2, 2, 0, 0, 0, 0, 0]


def test_the_order_part_asks_the_order_gone_not_part_of_it():
    # 26,000 of the 30,000-lot order goes (the level 42,000 -> 16,000: 62%): the excess rule turns
    # it down before either part is asked; 29,000 (69%, the whole step) passes the order part at
    # 0.95, not the large step's fraction at 0.7 (29,400)
    for left, params, alerts in ((16_000, {"spoof_level_drop_order": 0.8}, 0),
                                 (13_000, {"spoof_level_drop_order": 0.95}, 2),
                                 (13_000, {"spoof_level_drop_big": 0.7}, 0)):
        out = placed_and_pulled(params, 12, WALL, joined_then_pulled(left))
        assert len(out) == alerts, (left, params)
