"""The residents' pages of a disclosure board (公开栏): the board, its archive, one
disclosure, its earlier versions and its print views for the physical board."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disclosures.models import PublishedVersion
from disclosures.versions import short_fingerprint
from tests.disclosures.builders import build_board, build_centers, build_disclosure

pytestmark = pytest.mark.django_db

# 2026-12-10: November's disclosures are being posted (12-01 to 12-31), October's ended.
TODAY = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def district():
    home, street, centers = build_centers()
    boards = [build_board(center) for center in centers]
    return street, centers, boards


def october(board, kind="affairs", **fields):
    return build_disclosure(
        board,
        **{
            "title": f"2026年10月{kind}",
            "kind": kind,
            "period_number": 10,
            "posting_from": date(2026, 11, 1),
            "posting_until": date(2026, 11, 30),
            **fields,
        },
    )


def section(html: str, heading_id: str) -> str:
    """The text of the board's section under the heading ``heading_id``."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def get(client, url):
    with time_machine.travel(TODAY, tick=False):
        return client.get(url)


def versions_recorded(page) -> list:
    """The page's published versions, first to last."""
    return list(PublishedVersion.objects.filter(page=page).order_by("number"))


def test_board_shows_the_latest_of_each_type_first(client, district):
    _street, _centers, (board, _other) = district
    october(board)
    build_disclosure(board, title="2026年11月居务公开")
    build_disclosure(board, title="2026年11月财务公开", kind="finance")

    html = get(client, board.url).content.decode()

    latest = section(html, "latest-heading")
    assert html.index('id="latest-heading"') < html.index('id="posting-heading"')
    assert "2026年11月居务公开" in latest and "2026年10月affairs" not in latest
    assert "2026年11月财务公开" in latest
    assert "暂无党务公开" in latest and "暂无服务公开" in latest


def test_board_shows_what_is_posted_now_apart_from_what_has_ended(client, district):
    _street, _centers, (board, _other) = district
    october(board, title="2026年10月居务公开")
    build_disclosure(board, title="2026年11月居务公开")

    html = get(client, board.url).content.decode()

    posting, ended = section(html, "posting-heading"), section(html, "ended-heading")
    assert "2026年11月居务公开" in posting and "2026年10月居务公开" not in posting
    assert "2026年10月居务公开" in ended and "2026年11月居务公开" not in ended
    assert "公示中" in posting and "已结束" in ended
    assert board.url + "guidang/" in ended
    assert f"/gongkai/{board.pk}/feed/" in html and "application/atom+xml" in html


def test_a_draft_is_not_on_the_board(client, district):
    _street, _centers, (board, _other) = district
    build_disclosure(board, title="尚未发布的公开", publish=False)

    assert "尚未发布的公开" not in get(client, board.url).content.decode()


def test_a_street_board_gathers_its_centers_disclosures(client, district):
    street, centers, boards = district
    street_board = build_board(street)
    build_disclosure(boards[0], title="一中心十一月居务公开")
    build_disclosure(boards[1], title="二中心十一月财务公开", kind="finance")

    html = get(client, street_board.url).content.decode()

    posting = section(html, "posting-heading")
    assert "一中心十一月居务公开" in posting and "二中心十一月财务公开" in posting
    assert centers[0].title in posting and centers[1].title in posting


def test_the_archive_lists_ended_disclosures_by_year_and_type(client, district):
    _street, _centers, (board, _other) = district
    october(board, title="2026年10月居务公开")
    october(board, title="2026年10月财务公开", kind="finance")
    build_disclosure(
        board,
        title="2025年12月居务公开",
        period_year=2025,
        period_number=12,
        posting_from=date(2026, 1, 1),
        posting_until=date(2026, 1, 31),
    )
    build_disclosure(board, title="2026年11月居务公开")  # still being posted

    everything = get(client, board.url + "guidang/").content.decode()
    of_2025 = get(client, board.url + "guidang/2025/").content.decode()
    finance = get(client, board.url + "guidang/?type=finance").content.decode()

    for title in ("2026年10月居务公开", "2026年10月财务公开", "2025年12月居务公开"):
        assert title in everything
    assert "2026年11月居务公开" not in everything
    assert board.url + "guidang/2025/" in everything and board.url + "guidang/2026/" in everything
    assert "2025年12月居务公开" in of_2025 and "2026年10月居务公开" not in of_2025
    assert "2026年10月财务公开" in finance and "2026年10月居务公开" not in finance
    assert "2026年11月1日至2026年11月30日" in everything  # 公示期


def test_the_archive_pages_twenty_at_a_time(client, district):
    _street, _centers, (board, _other) = district
    for month in range(1, 12):
        for kind in ("party", "service"):
            october(
                board,
                kind=kind,
                title=f"{kind}-{month}",
                period_number=month,
                slug=f"{kind}-{month}",
            )

    first = get(client, board.url + "guidang/").content.decode()
    second = get(client, board.url + "guidang/?page=2").content.decode()

    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert first.count("<tr>") - 1 == 20 and second.count("<tr>") - 1 == 2


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url).status_code == 200
    return len(queries)


def test_board_and_archive_take_the_same_queries_for_3_or_12_disclosures(client, district):
    street, _centers, boards = district
    street_board = build_board(street)
    urls = [boards[0].url, boards[0].url + "guidang/", street_board.url]
    urls.append(street_board.url + "guidang/")

    def add(n, offset):
        for i in range(n):
            month = (i + offset) % 11 + 1
            board = boards[i % 2]
            build_disclosure(
                board,
                kind=("affairs", "finance", "party")[i % 3],
                period_number=month,
                slug=f"q-{offset}-{i}",
            )
            october(board, period_number=month, slug=f"e-{offset}-{i}")

    add(3, 0)
    get(client, urls[0])  # the first request fills the caches (the site's root paths)
    few = [count_queries(client, url) for url in urls]
    add(9, 3)
    many = [count_queries(client, url) for url in urls]

    assert few == many


def test_a_disclosure_page_shows_its_type_period_and_posting_window(client, district):
    _street, centers, (board, _other) = district
    page = build_disclosure(board, body=[("text", "<p>本月召开居民议事会两次。</p>")])

    html = get(client, page.url).content.decode()

    assert "居务公开" in html and "2026年11月" in html
    assert "2026年12月1日至2026年12月31日" in html and "公示中" in html
    assert "本月召开居民议事会两次。" in html
    assert centers[0].title in html
    assert page.url + "dayin/" in html and page.url + "haibao/" in html
    assert f"/gongkai/{board.pk}/feed/" in html


def test_an_ended_disclosure_says_so(client, district):
    _street, _centers, (board, _other) = district
    page = october(board)

    html = get(client, page.url).content.decode()

    assert "已结束" in html and "公示中" not in html


@pytest.mark.parametrize(("route", "paper"), [("dayin/", "A4"), ("haibao/", "A3")])
def test_the_print_views_carry_a_qr_code_and_the_fingerprint(client, district, route, paper):
    _street, centers, (board, _other) = district
    page = build_disclosure(board)
    version = versions_recorded(page)[-1]

    html = get(client, page.url + route).content.decode()

    assert "<svg" in html and "扫码查看网页版" in html
    # The paper's own stylesheet (no inline style under the Content-Security-Policy).
    sheet = f"css/disclosure-print-{paper.lower()}.css"
    assert f'href="/static/{sheet}"' in html
    assert f"size: {paper} portrait" in (settings.BASE_DIR / "static" / sheet).read_text()
    assert version.fingerprint in html and f"第{version.number}版" in html
    # Grouped for reading aloud against the sheet on the board: "3F9A 21C4 7B0D 88E1".
    assert short_fingerprint(version.fingerprint) in html
    # The code and the printed address are the site as the editor reached it.
    assert f"http://testserver{page.url}" in html
    assert centers[0].title in html and "2026年12月1日至2026年12月31日" in html
    assert "site-header" not in html and "site-footer" not in html  # a sheet, not a page
    assert "data-print" in html and "js/print-button.js" in html  # the 打印 button


def test_the_page_lists_its_published_versions_with_their_fingerprints(client, district):
    _street, _centers, (board, _other) = district
    page = build_disclosure(board)
    version = versions_recorded(page)[-1]

    html = get(client, page.url).content.decode()

    assert "发布记录" in html and f"第{version.number}版" in html
    assert version.fingerprint in html and version.fingerprint[:12] in html


def test_an_earlier_version_is_shown_as_it_was_and_said_to_be_corrected(client, district):
    _street, _centers, (board, _other) = district
    page = build_disclosure(board, body=[("text", "<p>支出 1200 元。</p>")])
    first = versions_recorded(page)[0]
    page.body = [("text", "<p>支出 1020 元。</p>")]
    page.correction_note = "支出金额录入有误，1200 元更正为 1020 元。"
    page.save_revision().publish()
    assert [version.number for version in versions_recorded(page)] == [1, 2]

    old = get(client, page.url + "banben/1/").content.decode()
    current = get(client, page.url).content.decode()

    assert "支出 1200 元。" in old and "支出 1020 元。" not in old
    on = timezone.localtime(first.published_at)
    assert f"这是第1版（{on.year}年{on.month}月{on.day}日发布），已被更正" in old
    assert "查看最新版本" in old
    assert "支出 1020 元。" in current
    assert "1200 元更正为 1020 元" in current and page.url + "banben/1/" in current


def test_a_version_that_does_not_exist_is_not_found(client, district):
    _street, _centers, (board, _other) = district
    page = build_disclosure(board)

    assert get(client, page.url + "banben/9/").status_code == 404


def test_a_center_board_says_when_the_next_posting_is_due(client, district):
    street, _centers, (board, _other) = district
    street_board = build_board(street)

    html = get(client, board.url).content.decode()

    # Tracking from July with nothing posted: the earliest owed posting is overdue.
    assert "下一次公开：" in html and "应于" in html and "已逾期" in html
    assert "下一次公开：" not in get(client, street_board.url).content.decode()
