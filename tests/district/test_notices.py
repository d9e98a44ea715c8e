"""Notices (通知公告) have a category, may be pinned to the top until a date and expire:
an expired notice leaves every list, feed and banner but its page still answers, marked
已过期. Urgent ones (停水停电) show as a banner on their center's pages. Each district,
street and center has RSS and Atom feeds listing what its pages list."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from district.models import NoticeCategory, NoticePage
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))


def category(slug: str) -> NoticeCategory:
    return NoticeCategory.objects.get(slug=slug)


@pytest.fixture
def tree():
    home = build_home()
    street = build_street(home)
    center = build_center(street, code="T-01")
    other = build_center(street, code="T-02")
    index = build_notice_index(center)
    return home, street, center, other, index


def notice(index, number, day, slug="qita", **fields):
    return build_notice(index, number, date=day, category=category(slug), **fields)


def listed(client, url, params=None) -> list[str]:
    """The notice titles a page lists, in order."""
    response = client.get(url, params or {})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [link.get_text() for link in soup.select(".notice-list a")]


def feed_titles(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return [entry.title for entry in feed.entries]


def test_a_pinned_notice_comes_first_until_its_date_then_takes_its_place(client, tree):
    _home, _street, center, _other, index = tree
    notice(index, 1, date(2026, 12, 1))
    notice(index, 2, date(2026, 11, 1), pinned_until=date(2026, 12, 15), title="供热置顶通知")
    notice(index, 3, date(2026, 12, 5))
    with on(date(2026, 12, 15)):
        assert listed(client, index.url) == ["供热置顶通知", "第3号通知", "第1号通知"]
        assert listed(client, center.url)[0] == "供热置顶通知"
        assert "置顶" in client.get(index.url).content.decode()
    with on(date(2026, 12, 16)):
        assert listed(client, index.url) == ["第3号通知", "第1号通知", "供热置顶通知"]


def test_an_expired_notice_leaves_lists_and_feeds_but_its_page_says_so(client, tree):
    home, street, center, _other, index = tree
    notice(index, 1, date(2026, 12, 1))
    old = notice(index, 2, date(2026, 11, 20), expires_on=date(2026, 12, 9), title="维修日预告")
    center_rss = reverse("notices:center_rss", args=[center.code])
    with on(date(2026, 12, 9)):  # in force through its last day
        assert "维修日预告" in listed(client, index.url)
    with on(date(2026, 12, 10)):
        for url in (index.url, center.url, street.url, home.url):
            assert "维修日预告" not in listed(client, url), url
        assert "维修日预告" not in feed_titles(client, center_rss)
        response = client.get(old.url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "已过期" in page
        assert '<meta name="robots" content="noindex">' in page
        assert (
            "已过期" not in client.get(NoticePage.objects.get(slug="notice-1").url).content.decode()
        )


def test_the_index_lists_one_category_with_links_to_each(client, tree):
    _home, _street, _center, _other, index = tree
    notice(index, 1, date(2026, 12, 1), "zhaomu", title="招募志愿者")
    notice(index, 2, date(2026, 12, 2), "huodong-yugao", title="合唱演出预告")
    with on(date(2026, 12, 10)):
        assert listed(client, index.url, {"category": "zhaomu"}) == ["招募志愿者"]
        assert listed(client, index.url, {"category": "no-such"}) == ["合唱演出预告", "招募志愿者"]
        page = client.get(index.url).content.decode()
    for name in ("活动预告", "办事提醒", "停水停电", "招募", "政策宣传", "其他"):
        assert name in page
    assert 'href="?category=zhaomu"' in page


def test_an_urgent_notice_is_a_banner_on_its_centers_pages_until_it_expires(client, tree):
    _home, street, center, other, index = tree
    notice(index, 1, date(2026, 12, 8), "tingshui-tingdian", title="临时停水通知")
    notice(index, 2, date(2026, 12, 8), "banshi-tixing", title="办事提醒通知")
    NoticePage.objects.filter(slug="notice-1").update(expires_on=date(2026, 12, 12))
    with on(date(2026, 12, 12)):
        for url in (center.url, index.url, NoticePage.objects.get(slug="notice-2").url):
            soup = BeautifulSoup(client.get(url).content, "html.parser")
            banner = soup.select_one("section.urgent-banner")
            assert banner is not None, url
            assert banner.h2.get_text() == "紧急通知"
            assert "临时停水通知" in banner.get_text()
            assert "办事提醒通知" not in banner.get_text()
        for url in (other.url, street.url):  # another center, the street above
            assert "urgent-banner" not in client.get(url).content.decode(), url
    with on(date(2026, 12, 13)):
        assert "urgent-banner" not in client.get(center.url).content.decode()


def test_a_streets_urgent_notice_shows_on_its_centers_too(client, tree):
    _home, street, center, _other, _index = tree
    notice(build_notice_index(street), 1, date(2026, 12, 8), "tingshui-tingdian", title="街道停电")
    with on(date(2026, 12, 10)):
        assert "街道停电" in client.get(street.url).content.decode()
        soup = BeautifulSoup(client.get(center.url).content, "html.parser")
        assert "街道停电" in soup.select_one("section.urgent-banner").get_text()


def test_feeds_parse_and_list_what_the_pages_list(client, tree):
    home, street, center, other, index = tree
    for number in range(1, 5):
        notice(index, number, date(2026, 12, number), "huodong-yugao")
    notice(index, 5, date(2026, 11, 1), pinned_until=date(2026, 12, 31), title="置顶通知")
    notice(index, 6, date(2026, 12, 9), expires_on=date(2026, 12, 9), title="过期通知")
    notice(build_notice_index(other), 7, date(2026, 12, 7), "zhaomu")
    notice(build_notice_index(street), 8, date(2026, 12, 8), "zhengce-xuanchuan")
    with on(date(2026, 12, 10)):
        for name in ("rss", "atom"):
            center_feed = feed_titles(client, reverse(f"notices:center_{name}", args=["T-01"]))
            assert center_feed == listed(client, index.url)
            assert center_feed[0] == "置顶通知" and "过期通知" not in center_feed
            assert center_feed[:3] == listed(client, center.url)
            street_feed = feed_titles(client, reverse(f"notices:street_{name}", args=["street"]))
            assert street_feed[:6] == listed(client, street.url)
            assert len(street_feed) == 7
            district_feed = feed_titles(client, reverse(f"notices:district_{name}"))
            assert district_feed[:6] == listed(client, home.url)
            only = reverse(f"notices:street_{name}", args=["street"]) + "?category=zhaomu"
            assert feed_titles(client, only) == ["第7号通知"]


def test_pages_advertise_their_feeds(client, tree):
    home, street, center, _other, index = tree
    notice(index, 1, date(2026, 12, 1))
    for page, kind, args in (
        (home, "district", []),
        (street, "street", ["street"]),
        (center, "center", ["T-01"]),
        (index, "center", ["T-01"]),
    ):
        soup = BeautifulSoup(client.get(page.url).content, "html.parser")
        links = {link["type"]: link["href"] for link in soup.select('head link[rel="alternate"]')}
        assert links == {
            "application/rss+xml": reverse(f"notices:{kind}_rss", args=args),
            "application/atom+xml": reverse(f"notices:{kind}_atom", args=args),
        }, page.url
        for href in links.values():
            assert client.get(href).status_code == 200


def test_a_feed_of_no_such_center_or_street_is_not_found(client, tree):
    assert client.get(reverse("notices:center_rss", args=["NOPE"])).status_code == 404
    assert client.get(reverse("notices:street_atom", args=["nope"])).status_code == 404


def test_pages_and_feeds_take_the_same_queries_with_more_notices(client, tree):
    _home, street, center, _other, index = tree
    notice(index, 1, date(2026, 12, 1), "tingshui-tingdian")
    urls = [
        center.url,
        index.url,
        street.url,
        NoticePage.objects.get(slug="notice-1").url,
        reverse("notices:center_rss", args=["T-01"]),
        reverse("notices:street_atom", args=["street"]),
    ]

    def count(url):
        client.get(url)  # warm the caches (site root paths, settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with on(date(2026, 12, 10)):
        before = [count(url) for url in urls]
        for number, slug in enumerate(["tingshui-tingdian", "zhaomu", "qita", "banshi-tixing"]):
            notice(
                index, 10 + number, date(2026, 12, 2 + number), slug, pinned_until=date(2027, 1, 1)
            )
        notice(build_notice_index(street), 20, date(2026, 12, 3), "tingshui-tingdian")
        after = [count(url) for url in urls]
    assert before == after


def test_the_demo_has_notices_of_each_category_one_pinned_expired_and_urgent(client):
    from district.demo.loader import load_district

    load_district(password="demo-password-1")
    load_district(password="demo-password-1")  # twice changes nothing
    notices = NoticePage.objects.live()
    assert notices.filter(slug="power-outage").count() == 1
    assert set(NoticeCategory.objects.values_list("slug", flat=True)) == set(
        notices.values_list("category__slug", flat=True)
    )
    assert notices.current().filter(pinned_until__isnull=False).exists()
    expired = notices.exclude(pk__in=notices.current()).get()
    urgent = NoticePage.objects.current().urgent().get()
    assert urgent.get_parent().get_parent().specific.code == "HHD-XY"  # the sample center
    assert "已过期" in client.get(expired.url).content.decode()
    soup = BeautifulSoup(client.get("/xiangyang/zhongxin/").content, "html.parser")
    assert urgent.title in soup.select_one("section.urgent-banner").get_text()
