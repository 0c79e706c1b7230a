"""dom/calibration_quoting.py on hand-made books: where adds go near the touch, and how soon an
emptied price is quoted again (two rows of ``dom eval --calibration``)."""

from __future__ import annotations

from dom.calibration import BookStats

MS = 1_000_000


def _quoting_book() -> BookStats:
    st = BookStats()
    st.snapshot(0, [(10000, 10), (9999, 10), (9998, 10)], [(10002, 10), (10003, 10), (10004, 10), (10005, 10)])
    st.depth(100 * MS, [(10000, 15)], [])  # +5 at the standing best bid: a join (near 1, joins 1)
    st.depth(200 * MS, [(10001, 4)], [])  # a new best bid (near 2)
    st.depth(300 * MS, [(10000, 20)], [])  # +5 one tick behind the best (near 3)
    st.depth(400 * MS, [(9998, 12)], [])  # 3 ticks behind: not near the touch
    st.depth(500 * MS, [], [(10002, 11), (10003, 9)])  # a join at the best ask (near 4, joins 2); 10003 cancels
    st.trade(600 * MS, 10002, 11, True)
    st.depth(600 * MS, [], [(10002, 0)])  # traded away whole: emptied (ask 10002 at 0.6 s); no add
    st.depth(700 * MS, [(9999, 0)], [])  # cancelled away: not emptied by a trade
    st.depth(800 * MS, [(9999, 3)], [])  # 2 ticks behind the best bid 10001 (near 5); not a re-show
    st.trade(900 * MS, 10003, 5, True)
    st.depth(900 * MS, [], [(10003, 0)])  # 5 traded of 9, the rest cancelled: not emptied by trades
    st.trade(1000 * MS, 10004, 10, True)
    st.depth(1000 * MS, [], [(10004, 0)])  # emptied (ask 10004 at 1.0 s); the best ask is 10005
    st.depth(1500 * MS, [], [(10004, 6)])  # shown again after 0.5 s, a new best ask (near 6)
    st.depth(1850 * MS, [], [(10002, 5)])  # ask 10002 shown again after 1.25 s, a new best (near 7)
    st.trade(2000 * MS, 10000, 20, False)
    st.depth(2000 * MS, [(10000, 0)], [])  # emptied (bid 10000); never shown again
    st.trade(2100 * MS, 10002, 5, True)
    st.depth(2100 * MS, [], [(10002, 0)])  # emptied again (ask 10002); best ask 10004
    st.depth(2200 * MS, [(10002, 7)], [])  # a bid at 10002 (near 8, a new best): not the ask re-shown
    st.trade(2300 * MS, 10005, 10, True)
    st.depth(2300 * MS, [], [(10005, 0)])  # emptied (ask 10005, behind the best ask 10004)
    st.depth(2600 * MS, [], [(10005, 2)])  # shown again after 0.3 s, 1 tick behind the best (near 9)
    st.trade(2700 * MS, 10007, 3, True)  # a price the book did not show (added and taken within a push)
    st.depth(2700 * MS, [], [(10007, 0)])  # not an emptied level: it showed nothing before
    st.depth(2900 * MS, [], [(10007, 4)])  # 3 ticks behind the best ask: not near; not a re-show
    return st


def test_the_share_of_adds_near_the_touch_that_join_the_standing_best_queue():
    q = _quoting_book().result()["quoting"]
    assert q["adds_near_touch"] == 9
    assert q["join_best_share"] == 0.222  # 2 of 9


def test_how_soon_a_price_trades_emptied_shows_a_level_again_on_the_same_side():
    q = _quoting_book().result()["quoting"]["reshown_s"]
    # 0.3, 0.5 and 1.25 s (nearest rank); bid 10000 and ask 10002 (emptied again) never shown again.
    assert q == {"p10": 0.3, "p50": 0.5, "p90": 1.25, "n": 3, "never": 2}


def test_a_book_without_adds_near_the_touch_or_emptied_levels_has_no_figures():
    st = BookStats()
    st.snapshot(0, [(10000, 10), (9990, 10)], [(10002, 10)])
    st.depth(100 * MS, [(9990, 12)], [])  # 10 ticks behind
    st.trade(200 * MS, 10002, 4, True)
    st.depth(200 * MS, [], [(10002, 6)])  # partly traded: not emptied
    q = st.result()["quoting"]
    assert q == {"adds_near_touch": 0, "join_best_share": None,
                 "reshown_s": {"p10": None, "p50": None, "p90": None, "n": 0, "never": 0}}
