"""The honor boards residents see (光荣榜): whom a center or street honours now, award by
award, and the archive by year and award; a person's or a family's full name and photo
only with recorded consent, everywhere the entry is shown."""

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from honors.display import current_entries, shown_citation, shown_name, shows_photo
from honors.models import HonorEntry
from tests.district.builders import build_center, build_home, build_street
from tests.honors.builders import award, build_honor_board, entry_fields

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def district():
    home = build_home()
    street = build_street(home)
    centers = [build_center(street, "T-01"), build_center(street, "T-02", slug="t-02")]
    return street, centers


def photo(title="上榜照片"):
    """A real 600×800 JPEG in Wagtail's image library."""
    buffer = BytesIO()
    PillowImage.new("RGB", (600, 800), (200, 60, 60)).save(buffer, "JPEG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="honor.jpg"))


def get(client, url, when=TODAY):
    with time_machine.travel(when, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_without_consent_a_person_is_masked_and_has_no_photo(client, district):
    _street, (center, _other) = district
    board = build_honor_board(
        center,
        entries=[
            {
                "name": "张晓明",
                "photo": photo("张晓明"),
                "citation": "张晓明常年照顾独居老人，晓明说这是应该的。",
            }
        ],
    )

    html = get(client, board.url)

    assert '<h3 class="honor-card__name">张*明</h3>' in html
    assert "张晓明" not in html and "晓明" not in html  # not in text, alt, title or URL
    assert "<img" not in html
    assert "honor-card__photo--none" in html
    assert "张*明常年照顾独居老人" in html


def test_with_consent_the_full_name_and_photo_are_shown(client, district):
    _street, (center, _other) = district
    image = photo()
    board = build_honor_board(
        center,
        entries=[{"name": "李秀英", "award": "孝老爱亲", "photo": image, "consent_given": True}],
    )

    html = get(client, board.url)

    assert "李秀英" in html and "李*英" not in html
    tag = re.search(r'<img[^>]+class="honor-card__photo"[^>]*>', html).group(0)
    assert 'alt="李秀英，孝老爱亲"' in tag
    rendition = image.renditions.get(filter_spec="fill-300x400")
    assert rendition.url in tag and 'width="300"' in tag and 'height="400"' in tag


def test_a_family_is_named_after_its_people(district):
    _street, (center, _other) = district
    board = build_honor_board(
        center,
        entries=[
            {"recipient_kind": "family", "name": "王建国家庭", "award": "最美家庭"},
            {"recipient_kind": "family", "name": "王建国、李秀英家庭", "award": "最美家庭"},
            {"recipient_kind": "family", "name": "赵家", "consent_given": True},
        ],
    )
    names = [shown_name(entry) for entry in board.entries.order_by("sort_order", "pk")]
    assert names == ["王*国家庭", "王*国、李*英家庭", "赵家"]


def test_teams_and_organisations_are_shown_in_full_with_their_photo(client, district):
    _street, (center, _other) = district
    board = build_honor_board(
        center,
        entries=[
            {
                "recipient_kind": "team",
                "name": "向阳志愿服务队",
                "award": "五星志愿者",
                "photo": photo(),
            },
            {"recipient_kind": "organisation", "name": "海河东区第一中学"},
        ],
    )
    team, school = board.entries.order_by("sort_order", "pk")
    assert shows_photo(team) and not shows_photo(school)  # the school has no photo

    html = get(client, board.url)

    assert "向阳志愿服务队" in html and "海河东区第一中学" in html
    assert 'alt="向阳志愿服务队，五星志愿者"' in html


def test_citations_mask_personal_numbers(district):
    _street, (center, _other) = district
    board = build_honor_board(
        center, entries=[{"consent_given": True, "citation": "联系电话13912345678。"}]
    )
    assert shown_citation(board.entries.get()) == "联系电话139****5678。"


def test_the_board_groups_current_entries_by_award_and_links_archive_and_ranking(client, district):
    _street, (center, _other) = district
    award("好邻居").__class__.objects.filter(name="好邻居").update(sort_order=2)
    award("最美家庭").__class__.objects.filter(name="最美家庭").update(sort_order=1)
    board = build_honor_board(
        center,
        entries=[
            {"recipient_kind": "team", "name": "好邻居服务队", "award": "好邻居"},
            {"recipient_kind": "organisation", "name": "模范家庭协会", "award": "最美家庭"},
            {
                "recipient_kind": "team",
                "name": "去年的服务队",
                "period_start": date(2025, 1, 1),
                "period_end": date(2025, 12, 31),
            },
        ],
    )

    html = get(client, board.url)

    assert html.index('id="award-') < html.index("模范家庭协会") < html.index("好邻居服务队")
    assert html.index(">最美家庭</h2>") < html.index(">好邻居</h2>")
    assert "去年的服务队" not in html
    assert f'href="{board.url}guidang/"' in html and f'href="{board.url}jifen/"' in html


def test_an_entry_moves_to_the_archive_after_its_period(client, district):
    _street, (center, _other) = district
    board = build_honor_board(
        center,
        entries=[
            {"recipient_kind": "team", "name": "十二月服务队", "period_end": date(2026, 12, 31)}
        ],
    )
    archive = board.url + "guidang/"

    assert "十二月服务队" in get(client, board.url)
    assert "十二月服务队" not in get(client, archive)

    new_year = datetime(2027, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert "十二月服务队" not in get(client, board.url, new_year)
    assert "十二月服务队" in get(client, archive, new_year)


def test_the_archive_by_year_and_award(client, district):
    _street, (center, _other) = district
    team = {"recipient_kind": "team"}
    board = build_honor_board(
        center,
        entries=[
            {
                **team,
                "name": "二五好邻居队",
                "period_start": date(2025, 1, 1),
                "period_end": date(2025, 12, 31),
            },
            {
                **team,
                "name": "二五诚信队",
                "award": "诚实守信",
                "period_start": date(2025, 3, 1),
                "period_end": date(2025, 6, 30),
            },
            {
                **team,
                "name": "跨年队",
                "period_start": date(2024, 7, 1),
                "period_end": date(2025, 6, 30),
            },
            {
                **team,
                "name": "二四队",
                "period_start": date(2024, 1, 1),
                "period_end": date(2024, 6, 30),
            },
            {**team, "name": "在榜队"},
        ],
    )
    archive = board.url + "guidang/"

    everything = get(client, archive)
    assert all(name in everything for name in ("二五好邻居队", "二五诚信队", "跨年队", "二四队"))
    assert "在榜队" not in everything
    assert f'href="{archive}2025/"' in everything and f'href="{archive}2024/"' in everything

    of_2024 = get(client, archive + "2024/")
    assert "二四队" in of_2024 and "跨年队" in of_2024  # on the board in 2024 and 2025
    assert "二五好邻居队" not in of_2024 and "二五诚信队" not in of_2024

    honest = award("诚实守信")
    by_award = get(client, f"{archive}2025/?award={honest.pk}")
    assert "二五诚信队" in by_award
    assert "二五好邻居队" not in by_award and "跨年队" not in by_award
    assert '<span aria-current="page">诚实守信</span>' in by_award
    assert '<span aria-current="page">2025年</span>' in by_award


def test_the_archive_is_paginated_24_a_page(client, district):
    _street, (center, _other) = district
    ended = {"recipient_kind": "team", "period_end": date(2026, 6, 30)}
    board = build_honor_board(
        center, entries=[{**ended, "name": f"服务队{n:02d}"} for n in range(30)]
    )
    first = get(client, board.url + "guidang/")
    second = get(client, board.url + "guidang/?page=2")
    assert first.count('class="honor-card"') == 24 and second.count('class="honor-card"') == 6
    assert "第 1 / 2 页" in first and "共30条上榜记录" in first


def test_a_street_board_shows_its_own_and_its_centers_current_entries(client, district):
    street, centers = district
    street_board = build_honor_board(
        street, entries=[{"recipient_kind": "team", "name": "街道巡逻队"}]
    )
    build_honor_board(centers[0], entries=[{"name": "张晓明"}])
    build_honor_board(
        centers[1],
        slug="guangrongbang",
        entries=[
            {"recipient_kind": "organisation", "name": "爱心超市"},
            {"recipient_kind": "team", "name": "已结束的队", "period_end": date(2026, 6, 30)},
        ],
    )

    html = get(client, street_board.url)

    assert "街道巡逻队" in html and "爱心超市" in html
    assert "张晓明" not in html and "已结束的队" not in html
    assert "张*明</h3>" in html
    assert f"· {centers[0].title}" in html and f"· {centers[1].title}" in html
    archive = get(client, street_board.url + "guidang/")
    assert "已结束的队" in archive and f"· {centers[1].title}" in archive
    entries = current_entries(street_board, date(2026, 12, 10))
    assert {entry.name: entry.from_center for entry in entries} == {
        "街道巡逻队": None,
        "张晓明": centers[0].page_ptr,
        "爱心超市": centers[1].page_ptr,
    }


def test_a_center_board_does_not_show_other_boards(client, district):
    street, (center, other) = district
    board = build_honor_board(center, entries=[{"recipient_kind": "team", "name": "本中心队"}])
    build_honor_board(other, entries=[{"recipient_kind": "team", "name": "别的中心队"}])
    build_honor_board(street, entries=[{"recipient_kind": "team", "name": "街道队"}])

    html = get(client, board.url)
    assert "本中心队" in html and "别的中心队" not in html and "街道队" not in html


def queries_to_show(client, url) -> int:
    get(client, url)  # makes the renditions
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries)


@pytest.mark.parametrize("route", ["", "guidang/"])
def test_queries_do_not_grow_with_the_entries(client, district, route):
    street, (center, other) = district

    def entries(count, period_end):
        awards = ["好邻居", "最美家庭", "五星志愿者"]
        return [
            {
                "name": f"张晓{n}",
                "award": awards[n % 3],
                "photo": photo(),
                "consent_given": True,
                "period_end": period_end,
            }
            for n in range(count)
        ]

    few = build_honor_board(
        center, entries=entries(3, date(2026, 12, 31)) + entries(3, date(2026, 6, 30))
    )
    many = build_honor_board(
        other, entries=entries(12, date(2026, 12, 31)) + entries(12, date(2026, 6, 30))
    )

    assert queries_to_show(client, few.url + route) == queries_to_show(client, many.url + route)


def test_the_pages_api_does_not_expose_entries(client, district):
    _street, (center, _other) = district
    board = build_honor_board(center, intro="表彰好人好事", entries=[{"name": "张晓明"}])

    response = client.get(f"/api/v2/pages/{board.pk}/")

    assert response.status_code == 200
    assert "表彰好人好事" in response.content.decode()
    assert "张晓明" not in response.content.decode()
    assert "entries" not in response.json()


@pytest.mark.parametrize("view", ["list", "add", "edit"])
def test_the_award_list_is_editable_in_the_chinese_admin(admin_client, view):
    from django.urls import reverse

    from tests.test_admin_chinese import english_words, readable_texts

    url = {
        "list": reverse("wagtailsnippets_honors_award:list"),
        "add": reverse("wagtailsnippets_honors_award:add"),
        "edit": reverse("wagtailsnippets_honors_award:edit", args=[award("最美家庭").pk]),
    }[view]
    html = admin_client.get(url).content.decode()
    assert "荣誉称号" in html
    assert [
        text for text in readable_texts(html) if english_words(text, {"admin"})
    ] == []  # the user name


def test_entries_are_ordered_by_the_editors_within_an_award(district):
    _street, (center, _other) = district
    board = build_honor_board(
        center,
        entries=[{"name": "第一位"}, {"name": "第二位"}],
    )
    first, second = board.entries.order_by("sort_order")
    HonorEntry.objects.filter(pk=first.pk).update(sort_order=5)
    names = [entry.name for entry in current_entries(board, date(2026, 12, 10))]
    assert names == ["第二位", "第一位"]


def test_a_preview_shows_the_editors_unsaved_entries_masked(district):
    _street, (center, _other) = district
    board = build_honor_board(center, entries=[{"recipient_kind": "team", "name": "已发布的队"}])
    board.entries = [HonorEntry(**entry_fields(name="刘德华"))]  # the edit form, not saved

    previewed = current_entries(board, date(2026, 12, 10), draft=True)
    published = current_entries(board, date(2026, 12, 10))

    assert [shown_name(entry) for entry in previewed] == ["刘*华"]
    assert [entry.name for entry in published] == ["已发布的队"]


def test_the_accessibility_sweep_finds_the_board_and_its_archive(client, district):
    from jiamenkou.public_pages import PUBLIC_PAGE_TYPES, _sample_center_pk

    _street, (center, _other) = district
    ended = {"recipient_kind": "team", "period_start": date(2025, 1, 1)}
    board = build_honor_board(center, entries=[{**ended, "period_end": date(2025, 12, 31)}])
    _sample_center_pk.cache_clear()

    with time_machine.travel(TODAY, tick=False):
        found = {t.name: t.find() for t in PUBLIC_PAGE_TYPES if t.name.startswith("honor-")}
    assert found["honor-board"] == board.url
    assert found["honor-archive"] == board.url + "guidang/"
    assert found["honor-archive-year"] == board.url + "guidang/2025/"
    assert get(client, found["honor-archive-year"]).count('class="honor-card"') == 1
