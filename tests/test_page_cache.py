"""The page cache (jiamenkou/pagecache.py): anonymous visitors share cached public pages;
anything a page shows that is edited, published, unpublished or deleted shows at once;
what changes with the clock shows within a minute; editors and forms are never served
someone else's page.

The clock stands still at Tuesday 2026-12-08 10:00 in the district unless a test moves
it; the test center is open weekdays 08:30–17:30.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from activities.models.pages import ProgrammeSheetPage
from catalog.models import CorrectionReport, Service, ServiceAtLocation, ServiceListPage
from catalog.opening import LOCAL_TZ
from district.models import NoticePage
from honors.models import HonorEntry
from jiamenkou.pagecache import STATUS_HEADER
from tests.activities.builders import build_activity
from tests.disclosures.builders import build_board, build_disclosure
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)
from tests.honors.builders import build_honor_board

TUESDAY_10 = datetime(2026, 12, 8, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.JIAMENKOU_PAGE_CACHE_SECONDS = 60


class District:
    """One center with a notice, an activity today, a service, a disclosure and an honor
    board, and the pages that show them."""

    def __init__(self):
        home = build_home()
        self.center = build_center(build_street(home), "T-01")
        self.notice = build_notice(build_notice_index(self.center), title="停水通知")
        self.activity = build_activity(self.center, "太极拳", dtstart=date(2026, 12, 8))
        self.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        self.service_list = ServiceListPage(title="服务清单", slug="fuwu")
        self.center.add_child(instance=self.service_list)
        self.service = Service.objects.create(
            name="老年人优待证办理", description="办理老年证", kind="government"
        )
        ServiceAtLocation.objects.create(service=self.service, location=self.center.location)
        self.board = build_board(self.center)
        self.disclosure = build_disclosure(self.board, title="2026年11月居务公开")
        self.honors = build_honor_board(self.center, entries=[{"citation": "常年照顾独居老人。"}])

    @property
    def center_url(self):
        return self.center.url

    @property
    def service_list_url(self):
        return self.service_list.url

    @property
    def guide_url(self):
        return self.service_list.url + self.service_list.reverse_subpage(
            "service_guide", kwargs={"service_id": self.service.pk}
        )


@pytest.fixture
def district(db):
    return District()


def fetch(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response


def text(response) -> str:
    return response.content.decode()


def cached(client, url, **kwargs):
    """The page, after a first visit has put it in the cache."""
    fetch(client, url, **kwargs)
    response = fetch(client, url, **kwargs)
    assert response[STATUS_HEADER] == "hit"
    return response


# -- served from the cache ----------------------------------------------------------------


def test_second_visit_to_a_center_page_runs_no_query(district, client, django_assert_num_queries):
    first = fetch(client, district.center_url)
    assert first[STATUS_HEADER] == "miss"
    with django_assert_num_queries(0):
        second = fetch(client, district.center_url)
    assert second[STATUS_HEADER] == "hit"
    assert second.content == first.content
    assert "停水通知" in text(second) and "太极拳" in text(second)


@pytest.mark.parametrize(
    "url",
    ["center_url", "service_list_url", "guide_url", "board", "honors", "notice", "feed", "kiosk"],
)
def test_public_pages_feeds_and_kiosk_data_are_cached(district, client, url):
    from django.urls import reverse

    from activities.models import Kiosk

    if url == "feed":
        path = reverse("activities:center_ical", args=[district.center.code])
    elif url == "kiosk":
        Kiosk.objects.create(center=district.center, name="一楼大厅屏", slug="dating")
        path = reverse("kiosk_api:data", args=[district.center.code, "dating"])
    elif url in ("board", "honors", "notice"):
        path = getattr(district, url).url
    else:
        path = getattr(district, url)
    assert fetch(client, path)[STATUS_HEADER] == "miss"
    assert fetch(client, path)[STATUS_HEADER] == "hit"


def test_the_kiosk_data_answers_not_modified_from_the_cache(district, client):
    from django.urls import reverse

    from activities.models import Kiosk

    Kiosk.objects.create(center=district.center, name="一楼大厅屏", slug="dating")
    url = reverse("kiosk_api:data", args=[district.center.code, "dating"])
    etag = fetch(client, url)["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response[STATUS_HEADER] == "hit"


def test_the_page_cache_is_off_at_zero_seconds(district, client, settings):
    settings.JIAMENKOU_PAGE_CACHE_SECONDS = 0
    fetch(client, district.center_url)
    response = fetch(client, district.center_url)
    assert STATUS_HEADER not in response


# -- an edit shows at once ----------------------------------------------------------------


def publish(page, **fields):
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def edit_center(district):
    publish(district.center, title="幸福里社区党群服务中心")
    return district.center_url, "幸福里社区党群服务中心"


def edit_notice(district):
    publish(district.notice, title="停电通知")
    return district.center_url, "停电通知"


def new_notice(district):
    build_notice(district.notice.get_parent(), number=2, title="疫苗接种通知")
    return district.center_url, "疫苗接种通知"


def edit_activity(district):
    district.activity.title = "八段锦"
    district.activity.save()
    return district.center_url, "八段锦"


def edit_service(district):
    district.service.name = "高龄津贴申领"
    district.service.save()
    return district.service_list_url, "高龄津贴申领"


def edit_service_on_its_guide(district):
    district.service.description = "携带身份证原件办理"
    district.service.save()
    return district.guide_url, "携带身份证原件办理"


def edit_disclosure(district):
    publish(
        district.disclosure,
        title="2026年11月居务公开（更正）",
        correction_note="更正了标题。",
    )
    return district.board.url, "2026年11月居务公开（更正）"


def edit_honor_entry(district):
    entry = HonorEntry.objects.get(board=district.honors)
    entry.citation = "十年如一日照顾孤寡老人。"
    entry.save()
    return district.honors.url, "十年如一日照顾孤寡老人。"


@pytest.mark.parametrize(
    "edit",
    [
        edit_center,
        edit_notice,
        new_notice,
        edit_activity,
        edit_service,
        edit_service_on_its_guide,
        edit_disclosure,
        edit_honor_entry,
    ],
)
def test_an_edit_shows_at_once(district, client, edit):
    # Which page shows the edit is known only after it; cache them all first.
    urls = [
        district.center_url,
        district.service_list_url,
        district.guide_url,
        district.board.url,
        district.honors.url,
    ]
    before = {url: text(cached(client, url)) for url in urls}
    url, shown = edit(district)
    assert shown not in before[url]
    response = fetch(client, url)
    assert response[STATUS_HEADER] == "miss"
    assert shown in text(response)


def test_an_unpublished_notice_leaves_the_center_page_at_once(district, client):
    assert "停水通知" in text(cached(client, district.center_url))
    NoticePage.objects.get(pk=district.notice.pk).unpublish()
    assert "停水通知" not in text(fetch(client, district.center_url))


def test_a_deleted_notice_leaves_the_center_page_and_its_own_page_at_once(district, client):
    notice_url = district.notice.url
    cached(client, notice_url)
    assert "停水通知" in text(cached(client, district.center_url))
    NoticePage.objects.get(pk=district.notice.pk).delete()
    assert "停水通知" not in text(fetch(client, district.center_url))
    assert client.get(notice_url).status_code == 404


def test_a_cancelled_activity_leaves_the_center_page_at_once(district, client):
    assert "太极拳" in text(cached(client, district.center_url))
    district.activity.delete()
    assert "太极拳" not in text(fetch(client, district.center_url))


# -- the clock ----------------------------------------------------------------------------


def test_an_expired_notice_leaves_the_center_page_within_a_minute(district, client, clock):
    publish(district.notice, expires_on=date(2026, 12, 8))
    clock.move_to(datetime(2026, 12, 8, 23, 59, 30, tzinfo=LOCAL_TZ))
    assert "停水通知" in text(cached(client, district.center_url))
    clock.shift(timedelta(seconds=61))  # 00:00:31 on Wednesday: expired
    response = fetch(client, district.center_url)
    assert response[STATUS_HEADER] == "miss"
    assert "停水通知" not in text(response)


def test_open_now_shows_within_a_minute_of_opening(district, client, clock):
    clock.move_to(datetime(2026, 12, 8, 8, 29, 30, tzinfo=LOCAL_TZ))
    before = text(cached(client, district.center_url))
    assert "badge--open" not in before
    clock.shift(timedelta(seconds=61))  # 08:30:31: open
    assert "badge--open" in text(fetch(client, district.center_url))


def test_an_entry_is_not_served_after_its_lifetime_even_by_a_cache_that_keeps_it(
    district, client, clock
):
    """The lifetime is checked on reading too: Redis counts its expiry in real time."""
    cached(client, district.center_url)
    clock.shift(timedelta(seconds=59))
    assert fetch(client, district.center_url)[STATUS_HEADER] == "hit"
    clock.shift(timedelta(seconds=2))
    assert fetch(client, district.center_url)[STATUS_HEADER] == "miss"


# -- what varies --------------------------------------------------------------------------


def test_unrelated_cookies_share_one_entry_and_elderly_mode_has_its_own(district):
    first = Client()
    first.cookies.load({"_ga": "GA1.1.123", "csrftoken": "x" * 32, "sessionid": "nosuchsession"})
    assert fetch(first, district.center_url)[STATUS_HEADER] == "miss"

    other = Client()
    other.cookies.load({"Hm_lvt_abc": "1765000000"})
    shared = fetch(other, district.center_url)
    assert shared[STATUS_HEADER] == "hit"
    assert 'class="elderly-mode"' not in text(shared)

    elderly = Client()
    elderly.cookies.load({"elderly_mode": "1", "_ga": "GA1.1.999"})
    own = fetch(elderly, district.center_url)
    assert own[STATUS_HEADER] == "miss"
    assert 'class="elderly-mode"' in text(own)
    assert fetch(elderly, district.center_url)[STATUS_HEADER] == "hit"
    # …and the standard page is still the one the others get.
    assert 'class="elderly-mode"' not in text(fetch(other, district.center_url))


def test_the_query_string_varies_in_any_order(district, client):
    url = district.service_list_url
    assert fetch(client, url + "?kind=government&open=1")[STATUS_HEADER] == "miss"
    assert fetch(client, url + "?open=1&kind=government")[STATUS_HEADER] == "hit"
    assert fetch(client, url + "?kind=welfare")[STATUS_HEADER] == "miss"


# -- editors, forms, messages -------------------------------------------------------------


def test_a_signed_in_editor_sees_a_fresh_page(district, client):
    cached(client, district.center_url)
    # A write that sends no signal: the anonymous visitor keeps the cached page a while.
    NoticePage.objects.filter(pk=district.notice.pk).update(title="停气通知")
    assert "停气通知" not in text(fetch(client, district.center_url))

    editor = Client()
    editor.force_login(get_user_model().objects.create_superuser("editor", password="pw-123"))
    response = fetch(editor, district.center_url)
    assert STATUS_HEADER not in response
    assert "停气通知" in text(response)


def test_wagtail_preview_is_never_cached(district):
    editor = Client()
    editor.force_login(get_user_model().objects.create_superuser("editor", password="pw-123"))
    url = f"/admin/pages/{district.notice.pk}/edit/preview/"
    response = editor.get(url)
    assert STATUS_HEADER not in response


def csrf_token_of(response) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(response)).group(1)


def test_a_cached_form_gives_each_visitor_their_own_csrf_token_and_still_works(district):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = fetch(first, district.guide_url)
    two = fetch(second, district.guide_url)
    assert two[STATUS_HEADER] == "hit"
    assert csrf_token_of(one) != csrf_token_of(two)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    correction = district.guide_url + "correction/"
    response = second.post(
        correction,
        {
            "csrfmiddlewaretoken": csrf_token_of(two),
            "reason": CorrectionReport._meta.get_field("reason").choices[0][0],
            "details": "电话号码已经变了。",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    assert CorrectionReport.objects.filter(service=district.service).count() == 1
    # The thanks shows once, to this visitor only.
    thanked = fetch(second, response["Location"])
    assert "谢谢您的反馈" in text(thanked)
    assert "谢谢您的反馈" not in text(fetch(first, district.guide_url))
    assert "谢谢您的反馈" not in text(fetch(second, district.guide_url))


def test_a_token_in_the_cache_is_refused_to_another_visitor(district):
    """A token from a cached page is not someone else's: a post with the first visitor's
    token and the second visitor's cookie fails."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = fetch(first, district.guide_url)
    fetch(second, district.guide_url)
    response = second.post(
        district.guide_url + "correction/",
        {"csrfmiddlewaretoken": csrf_token_of(one), "details": "x"},
    )
    assert response.status_code == 403


def test_search_and_personal_pages_are_not_cached(district, client):
    from django.urls import reverse

    response = fetch(client, reverse("search:district") + "?q=老年")
    assert STATUS_HEADER not in response
    response = fetch(client, reverse("honors:lookup"))
    assert STATUS_HEADER not in response


def test_marking_services_verified_in_bulk_shows_on_the_guide_at_once(district, client):
    from django.urls import reverse

    assert "信息核实日期" not in text(cached(client, district.guide_url))
    editor = Client()
    editor.force_login(get_user_model().objects.create_superuser("editor", password="pw-123"))
    response = editor.post(
        reverse("catalog_mark_services_verified"), {"services": [str(district.service.pk)]}
    )
    assert response.status_code == 302
    assert "信息核实日期：2026年12月8日" in text(fetch(client, district.guide_url))
