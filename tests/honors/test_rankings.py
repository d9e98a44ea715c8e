"""Points rankings (积分榜): per month, quarter and year, per center or street, ties sharing
a rank, masked names, star levels from the admin's thresholds, and the ranking page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from honors.models import StarLevel
from honors.rankings import ranking, star_level, star_levels
from jiamenkou.public_pages import NOT_PAGES, PUBLIC_PAGE_TYPES
from tests.disclosures.builders import build_centers
from tests.honors.builders import add_points, build_honor_board, participant

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 15)
TODAY = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DECEMBER = date(2026, 12, 5)


@pytest.fixture
def district():
    _home, street, centers = build_centers()
    return street, centers


def people(center, points, **fields):
    """One participant per number in ``points``, each with that many points in November;
    named 甲一, 乙一 … in order, mobiles distinct."""
    found = []
    for number, value in enumerate(points):
        name = f"{'甲乙丙丁戊己庚辛壬癸'[number % 10]}{number}号"
        who = participant(center, name=name, mobile=f"1390000{number:04d}", **fields)
        add_points(who, value, day=NOVEMBER)
        found.append(who)
    return found


def ranks(result):
    return [(row.rank, row.points) for row in result.rows]


def test_ties_share_a_rank_and_the_next_rank_skips(district):
    _street, (center, _other) = district
    people(center, [30, 50, 50, 20])

    result = ranking(center, "month", NOVEMBER)

    assert ranks(result) == [(1, 50), (1, 50), (3, 30), (4, 20)]
    assert result.label == "2026年11月"


def test_top_n_keeps_everyone_tied_at_the_cut(district):
    _street, (center, _other) = district
    people(center, [50, 40, 30, 30, 30, 10])

    assert ranks(ranking(center, "month", NOVEMBER, top=3)) == [
        (1, 50), (2, 40), (3, 30), (3, 30), (3, 30),
    ]  # fmt: skip
    assert ranks(ranking(center, "month", NOVEMBER, top=2)) == [(1, 50), (2, 40)]


def test_a_reversed_entry_nets_out_and_nothing_left_is_not_ranked(district):
    _street, (center, _other) = district
    kept, reversed_ = people(center, [20, 40])
    wrong = add_points(kept, 100, day=NOVEMBER, reason="录错")
    add_points(kept, -100, day=NOVEMBER, reason="冲正：录错", source="reversal", reverses=wrong)
    add_points(reversed_, -40, day=NOVEMBER, reason="冲正", source="reversal")

    result = ranking(center, "month", NOVEMBER)

    assert [(row.participant, row.points) for row in result.rows] == [(kept, 20)]


def test_a_center_counts_its_own_entries_and_a_street_sums_its_centers(district):
    street, (center, other) = district
    here = participant(center, name="张晓明", mobile="13900000001")
    there = participant(other, name="李红", mobile="13900000002")
    add_points(here, 10, day=NOVEMBER)
    add_points(here, 25, day=NOVEMBER, center=other)  # served at the other center
    add_points(there, 30, day=NOVEMBER)

    assert [(r.participant, r.points) for r in ranking(center, "month", NOVEMBER).rows] == [
        (here, 10)
    ]
    assert [(r.participant, r.points) for r in ranking(other, "month", NOVEMBER).rows] == [
        (here, 25),
        (there, 30),
    ][::-1]
    assert [(r.participant, r.points) for r in ranking(street, "month", NOVEMBER).rows] == [
        (here, 35),
        (there, 30),
    ]


def test_names_are_masked_without_consent_and_teams_are_shown_in_full(district):
    _street, (center, _other) = district
    masked = participant(center, name="张晓明", mobile="13900000001")
    named = participant(center, name="李红梅", mobile="13900000002", name_consent=True)
    team = participant(center, name="夕阳红志愿队", mobile="", kind="team")
    for who, points in ((masked, 30), (named, 20), (team, 10)):
        add_points(who, points, day=NOVEMBER)

    shown = [row.shown_name for row in ranking(center, "month", NOVEMBER).rows]

    assert shown == ["张*明", "李红梅", "夕阳红志愿队"]


def test_the_period_is_the_month_quarter_or_year_containing_the_day(district):
    _street, (center, _other) = district
    who = participant(center)
    add_points(who, 10, day=date(2026, 10, 31))
    add_points(who, 20, day=date(2026, 11, 1))
    add_points(who, 40, day=date(2026, 12, 31))
    add_points(who, 80, day=date(2026, 3, 1))

    assert ranking(center, "month", NOVEMBER).rows[0].points == 20
    quarter = ranking(center, "quarter", NOVEMBER)
    assert (quarter.label, quarter.rows[0].points) == ("2026年第4季度", 70)
    year = ranking(center, "year", NOVEMBER)
    assert (year.label, year.rows[0].points) == ("2026年度", 150)
    assert ranking(center, "month", date(2026, 9, 1)).rows == []


def test_star_levels_follow_the_thresholds_set_in_the_admin(district):
    _street, (center, _other) = district
    who = participant(center)
    add_points(who, 120, day=date(2025, 6, 1))  # earlier years count towards the star level
    add_points(who, 40, day=NOVEMBER)

    assert ranking(center, "month", NOVEMBER).rows[0].star_level.stars == 2  # 160 ≥ 150

    StarLevel.objects.filter(stars=2).update(min_points=200)
    assert ranking(center, "month", NOVEMBER).rows[0].star_level.stars == 1

    levels = star_levels()
    assert star_level(0, levels) is None
    assert star_level(1000, levels).stars == 5


def test_a_ranking_takes_the_same_queries_for_5_or_30_participants(district):
    _street, (center, other) = district

    def count():
        with CaptureQueriesContext(connection) as queries:
            ranking(center, "month", NOVEMBER, top=100)
        return len(queries)

    people(center, [10, 20, 20, 30, 40])
    few = count()
    for number in range(25):
        who = participant(center, name=f"居民{number}", mobile=f"1380000{number:04d}")
        add_points(who, number + 1, day=NOVEMBER)
        add_points(who, 5, day=date(2025, 1, 1))
    assert len(ranking(center, "month", NOVEMBER, top=100).rows) == 30
    assert count() == few == 3


# -- the page ---------------------------------------------------------------------------


@pytest.fixture
def board(district):
    _street, (center, _other) = district
    return build_honor_board(center, ranking_size=3)


def get(client, url):
    with time_machine.travel(TODAY, tick=False):
        return client.get(url)


def ranking_url(board, query=""):
    return board.url + board.reverse_subpage("ranking") + query


def test_the_page_shows_this_months_ranking_with_ties_and_masked_names(client, board):
    center = board.get_parent().specific
    december = date(2026, 12, 5)
    ranked = (("张晓明", 30), ("李红", 30), ("王五", 10), ("赵六", 5))
    for number, (name, points) in enumerate(ranked):
        who = participant(center, name=name, mobile=f"1390000000{number}")
        add_points(who, points, day=december)

    response = get(client, ranking_url(board))
    html = response.content.decode()

    assert response.status_code == 200
    assert "2026年12月" in html and 'aria-current="page">月榜' in html
    assert html.count('data-rank="1"') == 2 and 'data-rank="3"' in html
    assert "张*明" in html and "张晓明" not in html
    assert "赵*" not in html  # fourth: beyond the board's top 3
    assert "/jifen/chaxun/" in html


def test_the_page_goes_back_to_earlier_periods_and_other_tabs(client, board):
    center = board.get_parent().specific
    add_points(participant(center, name="张晓明"), 30, day=NOVEMBER)

    this_month = get(client, ranking_url(board)).content.decode()
    assert "还没有积分记录" in this_month
    assert "?period=month&amp;date=2026-11-01" in this_month  # the previous month
    assert 'rel="next"' not in this_month  # nothing after the current month

    november = get(client, ranking_url(board, "?period=month&date=2026-11-20")).content.decode()
    assert "2026年11月" in november and "张*明" in november and 'rel="next"' in november

    quarter = get(client, ranking_url(board, "?period=quarter")).content.decode()
    assert "2026年第4季度" in quarter and "张*明" in quarter
    year = get(client, ranking_url(board, "?period=year&date=nonsense")).content.decode()
    assert "2026年度" in year


def test_a_street_boards_ranking_adds_up_its_centers(client, district):
    street, (center, other) = district
    board = build_honor_board(street)
    add_points(participant(center, name="张晓明"), 10, day=date(2026, 12, 1))
    add_points(participant(other, name="李红梅", name_consent=True), 20, day=date(2026, 12, 2))

    html = get(client, ranking_url(board)).content.decode()

    assert "测试街道积分榜" in html
    assert html.index("李红梅") < html.index("张*明")


def test_the_page_takes_the_same_queries_for_5_or_30_participants(client, board):
    center = board.get_parent().specific
    board.ranking_size = 50
    board.save_revision().publish()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, ranking_url(board)).status_code == 200
        return len(queries)

    for number in range(5):
        add_points(participant(center, f"居民{number}", f"1380000{number:04d}"), 5, day=DECEMBER)
    get(client, ranking_url(board))  # warms the site's caches
    few = count()
    for number in range(5, 30):
        add_points(participant(center, f"居民{number}", f"1380000{number:04d}"), 7, day=DECEMBER)
    assert count() == few
    assert get(client, ranking_url(board)).content.decode().count("<tr data-rank") == 30


def test_the_ranking_route_and_the_look_up_page_are_public_page_entries():
    routes = {(e.page_model, e.route) for e in PUBLIC_PAGE_TYPES}
    urls = {e.url_name for e in PUBLIC_PAGE_TYPES}
    assert ("honors.HonorBoardPage", "ranking") in routes
    assert "honors:lookup" in urls
    assert "honors:lookup_result" in NOT_PAGES
