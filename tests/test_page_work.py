"""Uncached pages do each piece of work once (issue 14).

- Page view restrictions are read once per GET request, however many lists of pages it
  shows (jiamenkou/restrictions.py), and a page made private leaves every list at the
  very next request.
- A center's page reads its place's hours once (the opening badge, the hours table, the
  holiday rules and the dated exceptions all show them), and its sections cost no query
  per kind of section.
- The kiosk judges the services open now at its own center by the bulk rule of lists and
  search, in the same number of queries however many services there are.
"""

from datetime import datetime, time

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from activities.models import Kiosk, KioskSlide, SlideKind
from activities.models.pages import ProgrammeSheetPage
from catalog.models import (
    Service,
    ServiceAtLocation,
    ServiceAtLocationSchedule,
    ServiceListPage,
    ServiceSchedule,
)
from catalog.opening import LOCAL_TZ
from tests.district.builders import build_center, build_home, build_notice, build_notice_index
from tests.district.builders import build_street as build_street_page

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=LOCAL_TZ)
# The kiosk document of a center with a services slide, whatever the number of services.
KIOSK_QUERIES = 17


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
        cls.others = [build_center(street, code=f"HHD-CH-0{number}") for number in range(2, 6)]
        kiosk = Kiosk.objects.create(center=cls.center, name="一楼大厅屏", slug="dating")
        KioskSlide.objects.create(kiosk=kiosk, kind=SlideKind.SERVICES_OPEN, seconds=10)
        for number in range(3):
            service = Service.objects.create(
                name=f"服务{number}", description="说明", kind="government"
            )
            for center in [cls.center, *cls.others]:
                ServiceAtLocation.objects.create(service=service, location=center.location)
        elsewhere = Service.objects.create(name="别处的服务", description="说明", kind="government")
        ServiceAtLocation.objects.create(service=elsewhere, location=cls.others[0].location)

    def document(self):
        url = reverse("kiosk_api:data", args=["HHD-CH-01", "dating"])
        with time_machine.travel(MONDAY_10, tick=False):
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
        names = [service["name"] for service in response.json()["services_open"]]
        return names, queries.captured_queries

    def add_services(self, count):
        """``count`` more services at the kiosk's center and every other one, with hours
        of their own, at this center, and at the others (all open on Monday at 10:00)."""
        hours = {"byday": "MO,TU,WE,TH,FR", "opens_at": time(9, 0), "closes_at": time(17, 0)}
        for number in range(count):
            service = Service.objects.create(
                name=f"新增服务{number:02}", description="说明", kind="government"
            )
            ServiceSchedule.objects.create(service=service, **hours)
            for center in [self.center, *self.others]:
                link = ServiceAtLocation.objects.create(service=service, location=center.location)
                ServiceAtLocationSchedule.objects.create(service_at_location=link, **hours)

    def test_services_open_here_take_the_same_queries_however_many(self):
        names, queries = self.document()
        self.assertEqual(names, ["服务0", "服务1", "服务2"])
        services = [
            q for q in queries if q["sql"].split(" FROM ")[1].startswith('"catalog_service" ')
        ]
        # The services are read twice: their status, for the one bulk judgement of lists
        # and search (catalog.clock.open_service_ids), then the names of the open ones.
        self.assertEqual(len(services), 2)
        self.assertEqual(len(queries), KIOSK_QUERIES)

        self.add_services(20)
        names, queries = self.document()
        # A slide's worth, by name; the service offered only elsewhere is never among them.
        self.assertEqual(names, [f"新增服务{number:02}" for number in range(12)])
        self.assertEqual(len(queries), KIOSK_QUERIES)
