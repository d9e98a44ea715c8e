"""服务清单 pages: each center publishes its services, grouped by kind, as service guides."""

import json
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from catalog.demo import load_service_list_pages
from catalog.hsds import import_services
from catalog.models import CorrectionReport, Location, Service, ServiceListPage
from district.demo.loader import load_district
from district.models import CenterPage
from tests.catalog.hsds_data import demo_catalog, record_named

SENIOR_CARD = "bfaa2bb6-ef84-5993-aa76-5376522e0f98"  # 老年人优待证办理


class ServiceListPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="list-page-password")
        cls.records = demo_catalog()
        import_services(cls.records)
        load_service_list_pages()
        cls.url = "/chunhua/haitangyuan/fuwu/"

    def test_every_center_has_a_service_list_with_the_demo_catalog(self):
        for center in CenterPage.objects.all():
            page = ServiceListPage.objects.child_of(center).get()
            expected = (
                Service.objects.filter(service_at_locations__location__center=center)
                .exclude(status="defunct")
                .distinct()
                .count()
            )
            with self.subTest(center=center.code):
                response = self.client.get(page.url)
                self.assertContains(response, f"共 {expected} 项服务")

    def test_services_are_grouped_under_the_four_kinds(self):
        # The list runs over several pages, kind after kind: a kind that continues on the
        # next page has its heading there again.
        headings, page = [], 1
        while True:
            response = self.client.get(self.url, {"page": page})
            content = response.content.decode()
            for heading in re.findall(r'<h2 id="kind-(\w+)-heading">(.+?)</h2>', content):
                if not headings or headings[-1] != heading:
                    headings.append(heading)
            if 'rel="next"' not in content:
                break
            page += 1
        self.assertGreater(page, 1)
        content = self.client.get(self.url).content.decode()
        self.assertEqual(
            headings,
            [
                ("government", "政务服务"),
                ("public_welfare", "公益服务"),
                ("market", "市场服务"),
                ("low_cost", "低偿服务"),
            ],
        )
        government = content.split('id="kind-government"')[1].split("</section>")[0]
        self.assertIn("老年人优待证办理", government)
        self.assertIn("（老年证）", government)

    def test_low_cost_services_show_their_price_beside_the_market_price(self):
        content = self.client.get(self.url, {"cost": "low_cost"}).content.decode()
        low_cost = Service.objects.filter(
            kind="low_cost", service_at_locations__location__external_identifier="HHD-CH-01"
        ).first()
        self.assertIn(low_cost.name, content)
        self.assertIn(f"市场参考价 {low_cost.market_reference_price.normalize():f}元", content)
        self.assertNotIn('id="kind-government"', content)

    def test_filters_by_topic_and_audience(self):
        content = self.client.get(self.url, {"topic": "childcare"}).content.decode()
        names = re.findall(r'class="service-item__name"[^>]*>([^<]+)<', content)
        self.assertTrue(names)
        for name in names:
            self.assertTrue(
                Service.objects.get(name=name).topics.filter(code="childcare").exists(), name
            )
        content = self.client.get(self.url, {"audience": "new_employment"}).content.decode()
        for name in re.findall(r'class="service-item__name"[^>]*>([^<]+)<', content):
            self.assertTrue(
                Service.objects.get(name=name).audiences.filter(code="new_employment").exists(),
                name,
            )

    def test_a_bad_filter_value_says_so_in_chinese_instead_of_failing(self):
        response = self.client.get(self.url, {"topic": "astrology", "cost": "cheap"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "未知的服务领域“astrology”。")

    def test_the_list_links_a_print_stylesheet_for_a_clean_a4_sheet(self):
        self.assertContains(
            self.client.get(self.url), 'href="/static/css/print.css" media="print"', html=False
        )

    def test_the_service_guide_shows_every_section(self):
        response = self.client.get(f"{self.url}{SENIOR_CARD}/")
        content = response.content.decode()
        for heading in (
            "办理对象",
            "申请材料",
            "办理流程",
            "办理时限",
            "收费标准",
            "办理地点",
            "办理时间",
            "咨询电话",
            "办理渠道",
            "服务提供方",
        ):
            self.assertIn(f"<dt>{heading}</dt>", content)
        self.assertIn("本人居民身份证原件", content)
        self.assertIn("<li>申请人本人或其委托的亲属携带材料", content)
        self.assertIn("海河东区民政局", content)
        # This center's window comes first among the places.
        places = content.split("<dt>办理地点</dt>")[1]
        self.assertLess(
            places.index("海棠苑社区党群服务中心"), places.index("春华街道党群服务中心")
        )

    def test_government_services_describe_themselves_as_schema_org_government_services(self):
        content = self.client.get(f"{self.url}{SENIOR_CARD}/").content.decode()
        data = json.loads(
            content.split('<script type="application/ld+json">')[1].split("</script>")[0]
        )
        self.assertEqual(data["@type"], "GovernmentService")
        self.assertEqual(data["name"], "老年人优待证办理")
        self.assertEqual(data["provider"]["name"], "海河东区民政局")
        market = Service.objects.filter(
            kind="market", service_at_locations__location__external_identifier="HHD-CH-01"
        ).first()
        content = self.client.get(f"{self.url}{market.pk}/").content.decode()
        data = json.loads(
            content.split('<script type="application/ld+json">')[1].split("</script>")[0]
        )
        self.assertEqual(data["@type"], "Service")
        self.assertTrue(data["offers"])

    def test_markup_in_a_service_cannot_end_its_json_ld(self):
        Service.objects.filter(pk=SENIOR_CARD).update(
            description="办理须知</script><script>alert(1)</script>"
        )
        content = self.client.get(f"{self.url}{SENIOR_CARD}/").content.decode()
        self.assertNotIn("<script>alert(1)", content)
        data = json.loads(
            content.split('<script type="application/ld+json">')[1].split("</script>")[0]
        )
        self.assertEqual(data["description"], "办理须知</script><script>alert(1)</script>")
        self.assertEqual(data["url"], f"http://testserver{self.url}{SENIOR_CARD}/")

    def test_a_service_not_offered_at_this_center_is_not_found_here(self):
        elsewhere = Service.objects.exclude(
            service_at_locations__location__external_identifier="HHD-CH-01"
        ).first()
        self.assertEqual(self.client.get(f"{self.url}{elsewhere.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/fuwu/{elsewhere.pk}/").status_code, 200)

    def test_a_stale_service_warns_residents_to_call_first(self):
        stale = record_named(self.records, "老年人优待证办理")
        self.assertLess(stale["assured_date"], "2025-11-22")
        self.assertContains(self.client.get(f"{self.url}{SENIOR_CARD}/"), "办理前请先电话确认")

    def test_a_resident_reports_a_correction_without_an_account(self):
        response = self.client.post(
            f"{self.url}{SENIOR_CARD}/correction/",
            {"reason": "phone", "details": "电话一直占线", "contact": "13800138000"},
            follow=True,
        )
        self.assertContains(response, "谢谢您的反馈")
        report = CorrectionReport.objects.get()
        self.assertEqual(report.center.code, "HHD-CH-01")
        self.assertEqual(str(report.service_id), SENIOR_CARD)
        self.assertEqual(report.status, "open")

    def test_a_correction_without_a_reason_keeps_what_was_typed(self):
        response = self.client.post(
            f"{self.url}{SENIOR_CARD}/correction/", {"details": "地址写错了"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "地址写错了")
        self.assertContains(response, "必需字段")
        self.assertFalse(CorrectionReport.objects.exists())


class ServiceListQueryCountTests(TestCase):
    """The list and the guide run the same number of queries for 10 or 60 services."""

    @classmethod
    def setUpTestData(cls):
        load_district(password="query-count-password")
        cls.records = demo_catalog()

    def count_queries(self, url) -> int:
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_queries_do_not_grow_with_the_number_of_services(self):
        at_haitangyuan = [
            r
            for r in self.records
            if any(
                link["location"]["external_identifier"] == "HHD-CH-01"
                for link in r.get("service_at_locations", [])
            )
        ]
        chosen = at_haitangyuan[:10]
        import_services(_with_organisations_of_locations(chosen, self.records))
        load_service_list_pages()
        url = "/chunhua/haitangyuan/fuwu/"
        guide = f"{url}{SENIOR_CARD}/"
        # (open_now is left out: whether anything is open depends on the clock, and an
        # empty list skips the prefetch queries.)
        small = (
            self.count_queries(url),
            self.count_queries(guide),
            self.count_queries(url + "?cost=free"),
        )
        import_services(_with_organisations_of_locations(at_haitangyuan, self.records))
        self.assertGreater(
            Service.objects.filter(
                service_at_locations__location__external_identifier="HHD-CH-01"
            ).count(),
            50,
        )
        large = (
            self.count_queries(url),
            self.count_queries(guide),
            self.count_queries(url + "?cost=free"),
        )
        self.assertEqual(small, large)
        self.assertTrue(Location.objects.exists())


def _with_organisations_of_locations(chosen, records):
    from tests.catalog.hsds_data import self_contained

    return self_contained(records, *(record["name"] for record in chosen))
