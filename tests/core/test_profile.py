from dom.core.profile import value_area


def test_poc_and_value_area():
    vol = {100: 10, 101: 30, 102: 50, 103: 20, 104: 5, 99: 5}
    p = value_area(vol)
    assert p.poc == 102 and p.total == 120
    # 50 -> +30 (101) = 80 -> +20 (103) = 100 >= 84: value area 101..103
    assert (p.val, p.vah) == (101, 103)


def test_bought_sold_pairs_grouping_and_empty():
    p = value_area({100: [5, 5], 101: [1, 0], 105: [0, 3]}, group=5)
    assert p.poc == 100 and p.total == 14
    assert value_area({}) is None
