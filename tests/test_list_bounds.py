"""Every list residents or programs read is bounded: feeds carry the latest 50 entries,
notice lists go a page at a time in a fixed order, whatever a center has published."""

from datetime import date, timedelta

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from disclosures.feeds import FEED_ENTRIES as DISCLOSURE_FEED_ENTRIES
from district.feeds import FEED_ENTRIES as NOTICE_FEED_ENTRIES
from district.models import NOTICES_PER_PAGE, NoticeCategory
from tests.disclosures.builders import build_board, build_centers, build_disclosure
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)
from tests.district.test_notices import on

pytestmark = pytest.mark.django_db

FIRST = date(2026, 9, 1)


def feed_titles(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return [entry.title for entry in feed.entries]


def listed(client, url, params=None) -> list[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [link.get_text() for link in soup.select(".notice-list a")]


@pytest.fixture
def notices():
    """A center with more notices than a feed carries, one a day, the newest last."""
    street = build_street(build_home())
    center = build_center(street, code="B-01")
    index = build_notice_index(center)
    other = NoticeCategory.objects.get(slug="qita")
    count = NOTICE_FEED_ENTRIES + 5
    for number in range(1, count + 1):
        build_notice(index, number, date=FIRST + timedelta(days=number), category=other)
    return index, count


def test_notice_feeds_carry_the_latest_50_newest_first(client, notices):
    _index, count = notices
    with on(FIRST + timedelta(days=count + 1)):
        for name in ("rss", "atom"):
            titles = feed_titles(client, reverse(f"notices:center_{name}", args=["B-01"]))
            assert len(titles) == NOTICE_FEED_ENTRIES
            assert titles[0] == f"第{count}号通知"
            assert titles[-1] == f"第{count - NOTICE_FEED_ENTRIES + 1}号通知"


def test_the_notice_list_goes_a_page_at_a_time_and_each_notice_is_on_one_page(client, notices):
    index, count = notices
    with on(FIRST + timedelta(days=count + 1)):
        pages = -(-count // NOTICES_PER_PAGE)
        seen = []
        for page in range(1, pages + 1):
            titles = listed(client, index.url, {"page": page})
            assert 0 < len(titles) <= NOTICES_PER_PAGE
            seen += titles
        assert len(seen) == len(set(seen)) == count
        assert seen[0] == f"第{count}号通知"
        # A page past the last shows the last, as the service lists do.
        assert listed(client, index.url, {"page": pages + 5}) == listed(
            client, index.url, {"page": pages}
        )


def test_a_disclosure_board_feed_carries_the_latest_50(client):
    _home, _street, centers = build_centers()
    board = build_board(centers[0])
    count = DISCLOSURE_FEED_ENTRIES + 3
    for number in range(count):
        year, month = 2022 + number // 12, number % 12 + 1
        build_disclosure(
            board, title=f"{year}年{month}月居务公开", period_year=year, period_number=month
        )
    response = client.get(f"/gongkai/{board.pk}/feed/")
    assert response.status_code == 200
    entries = feedparser.parse(response.content).entries
    assert len(entries) == DISCLOSURE_FEED_ENTRIES
    assert len({entry.id for entry in entries}) == DISCLOSURE_FEED_ENTRIES
