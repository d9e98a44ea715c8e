"""Service lists a page at a time: the district list ``/fuwu/`` and a center's list show
25 services a page, in a fixed order, with 上一页/下一页 links that keep the filters, and
run the same queries for a small and a large catalog."""

import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from catalog.demo import load_service_list_pages
from catalog.filters import VISIBLE_STATUSES
from catalog.hsds import import_services
from catalog.models import Service, ServiceAtLocation, ServiceKind
from catalog.models.pages import LISTING_ORDER, PER_PAGE
from district.context_processors import ELDERLY_MODE_COOKIE
from district.demo.loader import load_district
from jiamenkou.pagination import FromNearerEnd
from tests.catalog.hsds_data import demo_catalog, self_contained

DISTRICT = "/fuwu/"
CENTER = "/chunhua/haitangyuan/fuwu/"
NAMES = re.compile(r'class="service-item__name"[^>]*>([^<]+)<')
KIND_ORDER = {kind.value: rank for rank, kind in enumerate(ServiceKind)}


def names_on(content: str) -> list[str]:
    return NAMES.findall(content)


def pagination_nav(content: str) -> str:
    found = re.search(r'<nav class="pagination".*?</nav>', content, re.S)
    return found.group(0) if found else ""


def links_in(html: str) -> dict:
    """{link text: href} of a navigation block, entities decoded."""
    return {
        text.strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>([^<]+)</a>', html)
    }


class DistrictListPaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="pagination-password")
        import_services(demo_catalog())
        load_service_list_pages()
        cls.visible = Service.objects.filter(status__in=VISIBLE_STATUSES)

    def walk(self, url, params=None):
        """The names on every page of a list, page by page, following 下一页."""
        pages, target = [], url
        query = dict(params or {})
        while True:
            content = self.client.get(target, query).content.decode()
            pages.append(names_on(content))
            following = links_in(pagination_nav(content)).get("下一页")
            if following is None:
                return pages
            target, query = url + following, None
            self.assertLess(len(pages), 100)

    def test_a_page_shows_at_most_25_services_and_page_2_shows_others(self):
        first = names_on(self.client.get(DISTRICT).content.decode())
        second = names_on(self.client.get(DISTRICT, {"page": 2}).content.decode())
        self.assertEqual(len(first), PER_PAGE)
        self.assertTrue(second)
        self.assertFalse(set(first) & set(second))

    def test_every_service_appears_once_in_kind_then_name_order(self):
        pages = self.walk(DISTRICT)
        names = [name for page in pages for name in page]
        self.assertEqual(len(pages), -(-self.visible.count() // PER_PAGE))
        self.assertEqual(sorted(names), sorted(self.visible.values_list("name", flat=True)))
        kinds = dict(self.visible.values_list("name", "kind"))
        self.assertEqual(names, sorted(names, key=lambda name: (KIND_ORDER[kinds[name]], name)))
        # The same request gives the same page again.
        self.assertEqual(self.walk(DISTRICT), pages)

    def test_the_navigation_says_where_the_reader_is_in_chinese(self):
        content = self.client.get(DISTRICT, {"page": 2}).content.decode()
        nav = pagination_nav(content)
        pages = -(-self.visible.count() // PER_PAGE)
        self.assertIn('aria-label="服务清单分页"', nav)
        self.assertIn(f"第 2 页 共 {pages} 页", nav)
        self.assertRegex(nav, r'<a[^>]*aria-current="page"[^>]*>2</a>')
        links = links_in(nav)
        self.assertEqual(links["上一页"], "?page=1")
        self.assertEqual(links["下一页"], "?page=3")
        first = pagination_nav(self.client.get(DISTRICT).content.decode())
        self.assertNotIn("上一页", first)
        self.assertIn("下一页", first)

    def test_page_links_keep_the_filters(self):
        params = {"topic": "elderly_care", "status": "active"}
        filtered = Service.objects.filter(status="active", topics__code="elderly_care").count()
        self.assertGreater(filtered, PER_PAGE)  # the demo has enough for two pages
        nav = pagination_nav(self.client.get(DISTRICT, params).content.decode())
        following = links_in(nav)["下一页"]
        self.assertIn("topic=elderly_care", following)
        self.assertIn("status=active", following)
        self.assertIn("page=2", following)
        for page in self.walk(DISTRICT, params):
            for name in page:
                service = Service.objects.get(name=name)
                self.assertTrue(service.topics.filter(code="elderly_care").exists(), name)

    def test_a_page_past_the_last_shows_the_last_and_a_bad_number_the_first(self):
        pages = -(-self.visible.count() // PER_PAGE)
        last = names_on(self.client.get(DISTRICT, {"page": pages}).content.decode())
        for asked, shown in (("9999", pages), ("0", pages), ("abc", 1), ("1.5", 1)):
            with self.subTest(page=asked):
                response = self.client.get(DISTRICT, {"page": asked})
                self.assertEqual(response.status_code, 200)
                content = response.content.decode()
                self.assertTrue(f"第 {shown} 页 共 {pages} 页" in content, f"page {asked}")
                if shown == pages:
                    self.assertEqual(names_on(content), last)

    def test_kind_links_count_in_the_database_and_keep_the_other_filters(self):
        content = self.client.get(DISTRICT, {"cost": "free", "page": 2}).content.decode()
        nav = re.search(r'<nav class="kind-nav".*?</nav>', content, re.S).group(0)
        free = Service.objects.filter(status__in=VISIBLE_STATUSES, kind__in=["government"])
        self.assertIn(f"政务服务（{free.count()}）", nav)
        links = links_in(nav)
        government = next(href for text, href in links.items() if text.startswith("政务服务"))
        self.assertIn("cost=free", government)
        self.assertIn("kind=government", government)
        self.assertNotIn("page=", government)  # a new choice starts at its first page

    def test_choosing_a_kind_lists_that_kind_and_still_counts_the_others(self):
        content = self.client.get(DISTRICT, {"kind": "market"}).content.decode()
        market = self.visible.filter(kind="market").count()
        self.assertIn(f"共 {market} 项服务", content)
        for name in names_on(content):
            self.assertEqual(Service.objects.get(name=name).kind, "market")
        nav = re.search(r'<nav class="kind-nav".*?</nav>', content, re.S).group(0)
        self.assertRegex(nav, r'aria-current="true"[^>]*>市场服务（\d+）')
        government = self.visible.filter(kind="government").count()
        self.assertIn(f"政务服务（{government}）", nav)
        self.assertIn(f"全部（{self.visible.count()}）", nav)
        # The filter form keeps the chosen kind when other filters are applied.
        self.assertIn('<input type="hidden" name="kind" value="market">', content)

    def test_an_unknown_kind_says_so_and_lists_everything(self):
        response = self.client.get(DISTRICT, {"kind": "astrology"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "未知的服务类型“astrology”。")
        self.assertContains(response, f"共 {self.visible.count()} 项服务")

    def test_a_center_list_pages_through_its_own_services(self):
        at_center = (
            self.visible.filter(service_at_locations__location__center__code="HHD-CH-01")
            .distinct()
            .values_list("name", flat=True)
        )
        pages = self.walk(CENTER)
        self.assertGreater(len(pages), 1)
        self.assertEqual(sorted(name for page in pages for name in page), sorted(at_center))

    def test_one_kind_pages_through_that_kind_in_name_order(self):
        pages = self.walk(DISTRICT, {"kind": "public_welfare"})
        names = [name for page in pages for name in page]
        expected = sorted(self.visible.filter(kind="public_welfare").values_list("name", flat=True))
        self.assertGreater(len(pages), 1)
        self.assertEqual(names, expected)

    def test_a_service_with_two_windows_at_a_center_is_listed_and_counted_once(self):
        at_center = self.visible.filter(
            service_at_locations__location__center__code="HHD-CH-01"
        ).distinct()
        service = at_center.order_by("name").first()
        link = service.service_at_locations.get(location__center__code="HHD-CH-01")
        ServiceAtLocation.objects.create(
            service=service, location=link.location, description="二号窗口"
        )
        names = [name for page in self.walk(CENTER) for name in page]
        self.assertEqual(names.count(service.name), 1)
        self.assertEqual(len(names), at_center.count())
        content = self.client.get(CENTER, {"kind": service.kind}).content.decode()
        self.assertIn(f"共 {at_center.filter(kind=service.kind).count()} 项服务", content)

    def test_a_filtered_list_pages_through_its_services_in_order_from_either_end(self):
        # Pages past the middle are read walking the order backwards (FromNearerEnd).
        params = {"cost": "free"}
        pages = self.walk(DISTRICT, params)
        expected = [
            service.name
            for service in self.visible.prefetch_related("cost_options").order_by(*LISTING_ORDER)
            if service.cost_category() == "free"
        ]
        self.assertGreater(len(pages), 2)
        self.assertEqual([name for page in pages for name in page], expected)
        last = names_on(self.client.get(DISTRICT, {**params, "page": len(pages)}).content.decode())
        self.assertEqual(last, pages[-1])

    def test_slices_from_the_nearer_end_are_the_slices_of_the_order(self):
        ids = self.visible.order_by(*LISTING_ORDER).values_list("pk", flat=True)
        every = list(ids)
        either_end = FromNearerEnd(ids, len(every))
        for start in range(0, len(every) + 3, 7):
            for length in (1, 25, 26):
                with self.subTest(start=start, length=length):
                    self.assertEqual(
                        either_end[start : start + length], every[start : start + length]
                    )

    def test_the_elderly_mode_shows_the_same_pages(self):
        plain = self.client.get(DISTRICT, {"page": 2}).content.decode()
        self.client.cookies[ELDERLY_MODE_COOKIE] = "1"
        elderly = self.client.get(DISTRICT, {"page": 2}).content.decode()
        self.assertIn('class="elderly-mode"', elderly)
        self.assertEqual(names_on(elderly), names_on(plain))
        self.assertIn("下一页", pagination_nav(elderly))


class DistrictListQueryCountTests(TestCase):
    """The district list runs the same queries for 30 services as for the whole demo."""

    @classmethod
    def setUpTestData(cls):
        load_district(password="list-query-password")
        cls.records = demo_catalog()

    def count_queries(self, url) -> int:
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def counts(self) -> tuple:
        return tuple(
            self.count_queries(url)
            for url in (
                DISTRICT,
                f"{DISTRICT}?page=2",
                f"{DISTRICT}?kind=government",
                f"{DISTRICT}?cost=free&page=2",
                f"{CENTER}?page=2",
            )
        )

    def test_queries_do_not_grow_with_the_number_of_services(self):
        names = [record["name"] for record in self.records[:60]]
        import_services(self_contained(self.records, *names))
        load_service_list_pages()
        small = self.counts()
        small_catalog = Service.objects.count()
        import_services(self.records)
        self.assertGreater(Service.objects.count(), 2 * small_catalog)
        self.assertEqual(self.counts(), small)
