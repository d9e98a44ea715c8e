"""The catalog's filters: what residents and HSDS consumers narrow the catalog by."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import QueryDict
from django.test import TestCase

from catalog.filters import ParameterProblem, ServiceFilterSet
from catalog.hsds import import_services
from catalog.models import Location, Service, ServiceKind, ServiceStatus
from catalog.opening import OPENING_PREFETCH, service_open_at
from catalog.taxonomy_seed import taxonomy_id, term_id
from search.indexing import rebuild_index
from tests.catalog.hsds_data import demo_catalog
from tests.district.builders import build_center, build_home, build_street

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROUND_THE_CLOCK_SERVICES = {
    "室内排水管道疏通",
    "开锁换锁",
    "电动自行车集中充电",
    "独居老年人智能安全监护",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class ServiceFilterTests(TestCase):
    """Both filter sets over the district's 200 services, imported once (one class, so
    the import runs once for the file)."""

    @classmethod
    def setUpTestData(cls):
        import_services(demo_catalog())

    # -- residents' filters ----------------------------------------------------------------

    def names(self, params, **kwargs) -> set[str]:
        filters = ServiceFilterSet(QueryDict(params), **kwargs)
        self.assertEqual(filters.problems, [], params)
        return set(filters.qs.values_list("name", flat=True))

    def count(self, params, **kwargs) -> int:
        return len(self.names(params, **kwargs))

    def test_without_parameters_residents_see_all_but_the_defunct_service(self):
        self.assertEqual(self.count(""), 199)
        self.assertNotIn("手机电脑维修", self.names(""))
        unbound = ServiceFilterSet(None)
        self.assertEqual(unbound.qs.count(), 199)

    def test_kind(self):
        counts = {kind: self.count(f"kind={kind}") for kind in ServiceKind.values}
        # 手机电脑维修, the defunct one, is a market service.
        self.assertEqual(
            counts, {"government": 60, "public_welfare": 55, "market": 39, "low_cost": 45}
        )

    def test_status(self):
        self.assertEqual(self.count("status=active"), 193)
        self.assertEqual(
            self.names("status=temporarily_closed"),
            {"既有住宅加装电梯申请", "厨卫局部翻新", "社区助浴点助浴服务"},
        )
        self.assertEqual(self.count("status=temporarily+closed"), 3)
        self.assertEqual(
            self.names("status=inactive"),
            {"残疾人家庭无障碍改造申请", "暑期青少年托管服务", "露天公益电影放映"},
        )

    def test_topic_and_audience_by_term_code(self):
        elderly_care = Service.objects.filter(topics__code="elderly_care").exclude(
            status=ServiceStatus.DEFUNCT
        )
        self.assertEqual(self.names("topic=elderly_care"), {s.name for s in elderly_care})
        self.assertIn("老年人优待证办理", self.names("topic=elderly_care&audience=elderly"))
        disabled_and_elderly = Service.objects.filter(audiences__code="disabled").filter(
            topics__code="elderly_care"
        )
        self.assertEqual(
            self.names("topic=elderly_care&audience=disabled"),
            {s.name for s in disabled_and_elderly},
        )

    def test_center_by_code(self):
        self.assertEqual(self.count("center=HHD-CH-01"), 54)
        self.assertEqual(self.count("center=HHD-ZW"), 21)
        # The defunct 手机电脑维修 was offered at HHD-XY-01 only.
        self.assertEqual(self.count("center=HHD-XY-01"), 57)

    def test_center_by_the_code_of_its_page_when_the_location_has_none(self):
        center = build_center(build_street(build_home()), code="T-09", place=False)
        Location.objects.filter(external_identifier="HHD-CH-03").update(
            external_identifier="", center=center
        )
        self.assertEqual(self.count("center=T-09"), 51)

    def test_cost_in_sql_agrees_with_the_model(self):
        services = Service.objects.exclude(status=ServiceStatus.DEFUNCT).prefetch_related(
            "cost_options"
        )
        expected: dict[str, set[str]] = {"free": set(), "low_cost": set(), "market": set()}
        for service in services:
            expected[service.cost_category()].add(service.name)
        for category, names in expected.items():
            with self.subTest(category):
                self.assertEqual(self.names(f"cost={category}"), names)
        self.assertEqual(len(expected["low_cost"]), 45)
        # Free kinds, plus market services that charge nothing.
        self.assertGreaterEqual(len(expected["free"]), 115)

    def test_open_now_at_night_finds_the_round_the_clock_services(self):
        self.assertEqual(
            self.names("open_now=1", moment=at("2026-11-21 03:00")), ROUND_THE_CLOCK_SERVICES
        )
        self.assertEqual(
            self.names("open_now=true&kind=market", moment=at("2026-11-21 03:00")),
            {"室内排水管道疏通", "开锁换锁"},
        )

    def test_open_now_off_is_no_filter(self):
        self.assertEqual(self.count("open_now=0", moment=at("2026-11-21 03:00")), 199)

    def test_open_now_agrees_with_opening_rules_service_by_service(self):
        moment = at("2026-11-20 10:00")  # a Friday morning
        services = Service.objects.exclude(status=ServiceStatus.DEFUNCT).prefetch_related(
            *OPENING_PREFETCH
        )
        expected = {s.name for s in services if service_open_at(s, moment)}
        self.assertEqual(self.names("open_now=1", moment=moment), expected)
        self.assertGreater(len(expected), 100)

    def test_open_now_at_a_center_uses_its_own_hours(self):
        first_saturday = at("2026-11-07 10:00")
        # 专家进社区义诊 visits 海棠苑 on the first Saturday and 锦绣园 on the second.
        self.assertIn(
            "专家进社区义诊", self.names("open_now=1&center=HHD-CH-01", moment=first_saturday)
        )
        self.assertNotIn(
            "专家进社区义诊", self.names("open_now=1&center=HHD-CH-03", moment=first_saturday)
        )

    def test_a_temporarily_closed_service_is_never_open_now(self):
        friday_morning = at("2026-11-20 10:00")
        self.assertNotIn("既有住宅加装电梯申请", self.names("open_now=1", moment=friday_morning))
        self.assertIn("老年人优待证办理", self.names("open_now=1", moment=friday_morning))

    def test_open_now_keeps_a_fixed_number_of_queries(self):
        moment = at("2026-11-20 10:00")

        def queries(params):
            filters = ServiceFilterSet(QueryDict(params), moment=moment)
            with self.assertNumQueries(6):  # 5 to judge, 1 to list
                list(filters.qs)

        queries("open_now=1&kind=government")  # 21 … 60 services
        queries("open_now=1")  # 199 services

    def test_each_unknown_value_names_its_parameter_in_chinese(self):
        cases = {
            "kind=xxx": ParameterProblem("kind", "未知的服务类型“xxx”。"),
            "topic=xxx": ParameterProblem("topic", "未知的服务领域“xxx”。"),
            "audience=xxx": ParameterProblem("audience", "未知的服务对象“xxx”。"),
            # A code of a center's shape that no center has: not found rather than bad.
            "center=XX-01": ParameterProblem("center", "未知的服务中心“XX-01”。", 404),
            "cost=cheap": ParameterProblem("cost", "未知的收费类型“cheap”。"),
            "status=defunct": ParameterProblem("status", "未知的服务状态“defunct”。"),
            "open_now=yes": ParameterProblem(
                "open_now", "open_now只能是1或0（true或false），收到“yes”。"
            ),
            # A topic code is not an audience code.
            "audience=elderly_care": ParameterProblem("audience", "未知的服务对象“elderly_care”。"),
        }
        for params, problem in cases.items():
            with self.subTest(params):
                filters = ServiceFilterSet(QueryDict(params))
                self.assertFalse(filters.is_valid())
                self.assertEqual(filters.problems, [problem])

    def test_problems_are_all_reported_and_the_valid_filters_still_apply(self):
        filters = ServiceFilterSet(QueryDict("kind=xxx&cost=cheap&center=HHD-ZW"))
        self.assertEqual([p.parameter for p in filters.problems], ["kind", "cost"])
        self.assertEqual(filters.qs.count(), 21)

    def test_the_form_a_page_renders_reads_in_chinese(self):
        form = ServiceFilterSet(QueryDict("")).form
        self.assertEqual(form.fields["kind"].label, "服务类型")
        self.assertEqual(
            [str(label) for _, label in form.fields["kind"].choices],
            ["全部", "政务服务", "公益服务", "市场服务", "低偿服务"],
        )
        self.assertEqual(
            [str(label) for _, label in form.fields["status"].choices],
            ["全部", "正常提供", "临时关闭", "暂不提供"],
        )
        topics = [str(label) for _, label in form.fields["topic"].choices]
        self.assertEqual(topics[:3], ["全部", "养老", "托育"])

    def test_empty_values_are_no_filter(self):
        self.assertEqual(self.count("kind=&topic=&audience=&center=&cost=&status=&open_now="), 199)

    # -- HSDS query parameters, as a client of GET /api/hsds/services sends them ------------

    def hsds_page(self, params, status=200) -> dict:
        response = self.client.get(f"/api/hsds/services?{params}")
        self.assertEqual(response.status_code, status, response.content[:300])
        return response.json()

    def hsds_count(self, params) -> int:
        return self.hsds_page(params)["total_items"]

    def test_hsds_lists_every_status(self):
        self.assertEqual(self.hsds_count(""), 200)

    def test_hsds_taxonomy_term_of_each_taxonomy(self):
        cases = {
            term_id("jiamenkou-service-kind", "government"): 60,
            term_id("jiamenkou-channel", "online"): 26,
            term_id("jiamenkou-guide", "market_reference_price"): 45,
            term_id("jiamenkou-topic", "elderly_care"): Service.objects.filter(
                topics__code="elderly_care"
            ).count(),
            term_id("jiamenkou-audience", "veterans"): Service.objects.filter(
                audiences__code="veterans"
            ).count(),
        }
        for term, expected in cases.items():
            with self.subTest(str(term)):
                self.assertEqual(self.hsds_count(f"taxonomy_term_id={term}"), expected)

    def test_hsds_taxonomy(self):
        self.assertEqual(self.hsds_count(f"taxonomy_id={taxonomy_id('jiamenkou-topic')}"), 200)
        with_guide = [
            record
            for record in demo_catalog()
            if any(a["link_type"] == "guide" for a in record["attributes"])
        ]
        self.assertEqual(
            self.hsds_count(f"taxonomy_id={taxonomy_id('jiamenkou-guide')}"), len(with_guide)
        )

    def test_hsds_organization_and_modified_after_and_search(self):
        organization = Service.objects.get(name="老年人优待证办理").organization
        self.assertEqual(
            self.hsds_count(f"organization_id={organization.id}"), organization.services.count()
        )
        self.assertEqual(self.hsds_count("modified_after=2026-06-01"), 79)
        self.assertEqual(self.hsds_count("modified_after=2026-06-01T00:00:00%2B08:00"), 79)
        rebuild_index()
        found = self.hsds_page("search=老年证")["contents"]
        # Through the residents' search: its everyday name finds the service, first.
        self.assertEqual(found[0]["name"], "老年人优待证办理")

    def test_hsds_bad_values_name_their_parameter(self):
        # Ids are any strings to the official document: one naming nothing is not found.
        cases = {
            "taxonomy_term_id=nope": ("taxonomy_term_id", 404),
            f"taxonomy_term_id={taxonomy_id('jiamenkou-topic')}": ("taxonomy_term_id", 404),
            "taxonomy_id=nope": ("taxonomy_id", 404),
            "organization_id=00000000-0000-0000-0000-000000000000": ("organization_id", 404),
            "modified_after=yesterday": ("modified_after", 400),
            "full=yes": ("full", 400),
            "page=abc": ("page", 400),
        }
        for params, (parameter, status) in cases.items():
            with self.subTest(params):
                problems = self.hsds_page(params, status=status)["errors"]
                self.assertEqual([p["parameter"] for p in problems], [parameter])
                self.assertRegex(problems[0]["message"], r"[\u4e00-\u9fff]")
