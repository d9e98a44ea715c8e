"""One center, one clock: the center page, its service list and guide, the search and the
API agree whether a center is open, on holidays, make-up workdays and dated closures."""

import re
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import TestCase

from catalog.models import LocationSchedule, Organization, Service, ServiceAtLocation
from catalog.models.pages import ServiceListPage
from search.indexing import rebuild_index
from tests.district.builders import build_center, build_home, build_street

SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVICE = "居住证办理"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class OneClockTests(TestCase):
    """A center open on weekdays 08:30–17:30, closed on public holidays and open on make-up
    workdays (the builders' place), and one service kept by the center's hours."""

    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.center = build_center(build_street(home), code="T-01", title="测试社区党群服务中心")
        cls.place = cls.center.place
        organization = Organization.objects.create(name="测试街道办事处")
        cls.service = Service.objects.create(
            name=SERVICE,
            description="居住证申领和签注。",
            kind="government",
            organization=organization,
            status="active",
        )
        ServiceAtLocation.objects.create(service=cls.service, location=cls.place)
        cls.service_list = ServiceListPage(title="服务清单", slug="fuwu")
        cls.center.add_child(instance=cls.service_list)
        rebuild_index(progress=False)

    def observe(self, moment: str) -> dict[str, object]:
        """What each surface says at ``moment``."""
        with mock.patch("django.utils.timezone.now", return_value=at(moment)):
            page = self.client.get(self.center.url).content.decode()
            badge = re.search(r'<span class="badge[^"]*">([^<]+)</span>', page).group(1)
            listed = self.client.get(self.service_list.url, {"open_now": "1"}).content.decode()
            api = self.client.get(f"/api/services/{self.service.pk}").json()
            found = self.client.get("/api/services/search", {"q": "居住证", "open_now": "1"}).json()
            api_list = self.client.get("/api/services/", {"open_now": "1"}).json()
        return {
            "page": badge,
            "page_text": page,
            "list": SERVICE in listed,
            "api": api["open_now"],
            "api_list": [entry["name"] for entry in api_list["results"]] == [SERVICE],
            "search": [entry["name"] for entry in found["results"]] == [SERVICE],
        }

    def assert_all_say(self, moment: str, is_open: bool):
        seen = self.observe(moment)
        self.assertEqual(seen["page"], "正在开放" if is_open else seen["page"], moment)
        if not is_open:
            self.assertIn(seen["page"], ("当前休息", "今日闭馆"), moment)
        for surface in ("list", "api", "api_list", "search"):
            self.assertIs(seen[surface], is_open, f"{surface} at {moment}")
        return seen

    def test_an_ordinary_weekday_morning_is_open_everywhere(self):
        self.assert_all_say("2026-11-20 10:00", True)

    def test_national_day_is_closed_everywhere_with_its_reason(self):
        seen = self.assert_all_say("2026-10-01 10:00", False)
        self.assertIn("国庆节休息", seen["page_text"])

    def test_a_makeup_saturday_keeps_the_weekday_hours(self):
        self.assert_all_say("2026-10-10 15:00", True)
        self.assert_all_say("2026-11-21 15:00", False)  # an ordinary Saturday afternoon

    def test_a_dated_closure_closes_everywhere_with_its_reason(self):
        LocationSchedule.objects.create(
            location=self.place,
            kind="closed",
            valid_from=date(2026, 11, 20),
            valid_to=date(2026, 11, 20),
            description="设备检修，暂停开放一天",
        )
        seen = self.assert_all_say("2026-11-20 10:00", False)
        self.assertEqual(seen["page"], "今日闭馆")
        self.assertIn("设备检修，暂停开放一天", seen["page_text"])
        self.assert_all_say("2026-11-19 10:00", True)


class OneCenterTests(TestCase):
    """A center's address is kept once, in its place, and shows everywhere."""

    @classmethod
    def setUpTestData(cls):
        cls.home = build_home()
        cls.street = build_street(cls.home)
        cls.center = build_center(cls.street, code="T-01", address="旧址路1号")

    def test_an_address_edited_in_the_place_shows_on_every_page_and_in_the_apis(self):
        address = self.center.place.address
        address.address_1 = "新址路8号"
        address.save()
        for url in (self.center.url, self.street.url, self.home.url):
            page = self.client.get(url).content.decode()
            self.assertIn("新址路8号", page, url)
            self.assertNotIn("旧址路1号", page, url)
        pages_api = self.client.get(
            "/api/v2/pages/", {"type": "district.CenterPage", "fields": "place"}
        ).json()
        self.assertEqual(pages_api["items"][0]["place"]["address"], "津海市海河东区新址路8号")
