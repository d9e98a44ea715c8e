"""Uncached pages do each piece of work once (issue 14).

- Page view restrictions are read once per GET request, however many lists of pages it
  shows (jiamenkou/restrictions.py), and a page made private leaves every list at the
  very next request.
- A center's page reads its place's hours once (the opening badge, the hours table, the
  holiday rules and the dated exceptions all show them), and its sections cost no query
  per kind of section.
- The kiosk judges the services open now at its own center only, reading each of them
  once.
"""

from datetime import datetime

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from activities.models import Kiosk, KioskSlide, SlideKind
from activities.models.pages import ProgrammeSheetPage
from catalog.models import Service, ServiceAtLocation, ServiceListPage
from catalog.opening import LOCAL_TZ
from tests.district.builders import build_center, build_home, build_notice, build_notice_index
from tests.district.builders import build_street as build_street_page

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=LOCAL_TZ)


def restriction_reads(queries) -> int:
    """Queries that read every page view restriction (``PageQuerySet.public()``), as
    opposed to the page's own check, which asks about its ancestors by id."""
    return sum(
        1
        for query in queries
        if 'FROM "wagtailcore_pageviewrestriction"' in query["sql"] and "WHERE" not in query["sql"]
    )


class PageWorkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = build_home()
        cls.street = build_street_page(cls.home)
        cls.center = build_center(cls.street)
        cls.index = build_notice_index(cls.center)
        cls.notice = build_notice(cls.index, 1, title="停水通知")

    def queries(self, url):
        self.client.get(url)  # warm caches (site root paths, settings) as a live server would be
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return queries.captured_queries

    def test_restrictions_are_read_once_per_request(self):
        # The home page lists streets, centers (twice) and notices; the center page its
        # sections, notices, urgent notices and programme pages: each list once asked.
        for url in (self.home.url, self.street.url, self.center.url):
            with self.subTest(url=url):
                self.assertEqual(restriction_reads(self.queries(url)), 1)

    def test_a_page_made_private_leaves_the_lists_at_the_next_request(self):
        self.assertContains(self.client.get(self.center.url), f'href="{self.index.url}"')
        self.assertContains(self.client.get(self.home.url), "停水通知")
        restriction = PageViewRestriction.objects.create(
            page=self.index, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
        self.assertNotContains(self.client.get(self.center.url), f'href="{self.index.url}"')
        self.assertNotContains(self.client.get(self.home.url), "停水通知")
        restriction.delete()
        self.assertContains(self.client.get(self.center.url), f'href="{self.index.url}"')
        self.assertContains(self.client.get(self.home.url), "停水通知")

    def test_a_center_reads_its_hours_once(self):
        queries = self.queries(self.center.url)
        hours = [q for q in queries if 'FROM "catalog_locationschedule"' in q["sql"]]
        self.assertEqual(len(hours), 1)
        response = self.client.get(self.center.url)
        self.assertContains(response, "08:30")
        self.assertContains(response, "测试路1号")
        self.assertContains(response, "022-0000-0000")

    def test_sections_of_more_kinds_cost_no_more_queries(self):
        one_kind = len(self.queries(self.center.url))
        self.center.add_child(instance=ServiceListPage(title="服务事项", slug="fuwu"))
        self.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        response = self.client.get(self.center.url)
        for title, slug in (
            ("服务事项", "fuwu"),
            ("活动节目单", "jiemudan"),
            ("通知公告", "tongzhi"),
        ):
            self.assertContains(response, f'href="{self.center.url}{slug}/">{title}</a>')
        self.assertEqual(len(self.queries(self.center.url)), one_kind)


class KioskServicesOpenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        street = build_street_page(build_home())
        cls.center = build_center(street, code="HHD-CH-01")
        others = [build_center(street, code=f"HHD-CH-0{number}") for number in range(2, 6)]
        kiosk = Kiosk.objects.create(center=cls.center, name="一楼大厅屏", slug="dating")
        KioskSlide.objects.create(kiosk=kiosk, kind=SlideKind.SERVICES_OPEN, seconds=10)
        for number in range(3):
            service = Service.objects.create(
                name=f"服务{number}", description="说明", kind="government"
            )
            for center in [cls.center, *others]:
                ServiceAtLocation.objects.create(service=service, location=center.location)
        elsewhere = Service.objects.create(name="别处的服务", description="说明", kind="government")
        ServiceAtLocation.objects.create(service=elsewhere, location=others[0].location)

    def test_services_open_here_are_read_once(self):
        url = reverse("kiosk_api:data", args=["HHD-CH-01", "dating"])
        with time_machine.travel(MONDAY_10, tick=False):
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
        names = [service["name"] for service in response.json()["services_open"]]
        self.assertEqual(names, ["服务0", "服务1", "服务2"])
        services = [
            q for q in queries if q["sql"].split(" FROM ")[1].startswith('"catalog_service" ')
        ]
        # One query for the services open here (it read all of them, then the open ones).
        self.assertEqual(len(services), 1)
