"""The Atom feed of a disclosure board (公开栏): its live disclosures, newest first."""

from datetime import date

import feedparser
import pytest

from tests.disclosures.builders import build_board, build_centers, build_disclosure

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    home, street, centers = build_centers()
    return street, centers, [build_board(center) for center in centers]


def read_feed(client, board):
    response = client.get(f"/gongkai/{board.pk}/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_a_board_feed_lists_its_live_disclosures_newest_first(client, district):
    _street, centers, (board, other) = district
    october = build_disclosure(
        board,
        title="2026年10月居务公开",
        period_number=10,
        posting_from=date(2026, 11, 1),
        posting_until=date(2026, 11, 30),
    )
    november = build_disclosure(board, title="2026年11月财务公开", kind="finance")
    build_disclosure(board, title="尚未发布", kind="party", publish=False)
    build_disclosure(other, title="别的中心的公开")

    feed = read_feed(client, board)

    assert feed.feed.title == f"{centers[0].title}公开栏"
    assert [entry.title for entry in feed.entries] == [november.title, october.title]
    first = feed.entries[0]
    assert first.link == f"http://testserver{november.url}"
    assert "财务公开" in first.summary and "2026年11月" in first.summary
    assert "公示期 2026年12月1日至2026年12月31日" in first.summary
    assert first.updated_parsed is not None
    assert len({entry.id for entry in feed.entries}) == 2


def test_a_street_board_feed_gathers_its_centers(client, district):
    street, centers, boards = district
    street_board = build_board(street)
    build_disclosure(boards[0], title="一中心的公开")
    build_disclosure(boards[1], title="二中心的公开", kind="service")

    feed = read_feed(client, street_board)

    assert feed.feed.title == f"{street.title}公开栏"
    assert {entry.title for entry in feed.entries} == {
        f"{centers[0].title}：一中心的公开",
        f"{centers[1].title}：二中心的公开",
    }


def test_the_feed_is_advertised_on_the_board(client, district):
    _street, _centers, (board, _other) = district

    html = client.get(board.url).content.decode()

    assert 'type="application/atom+xml"' in html and f"/gongkai/{board.pk}/feed/" in html


def test_no_feed_for_a_page_that_is_not_a_live_board(client, district):
    _street, centers, (board, _other) = district
    page = build_disclosure(board)
    draft_board = build_board(centers[1].get_parent(), slug="draft-board", live=False)

    assert client.get(f"/gongkai/{page.pk}/feed/").status_code == 404
    assert client.get(f"/gongkai/{centers[0].pk}/feed/").status_code == 404
    assert client.get(f"/gongkai/{draft_board.pk}/feed/").status_code == 404
