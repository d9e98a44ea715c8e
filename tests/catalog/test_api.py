"""The JSON APIs under /api/: HSDS 3.1 services, the residents' services, the OpenAPI
document that describes them, and Wagtail's pages API."""

import json
import re
from datetime import datetime
from unittest import mock
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.hsds import export_services, import_services
from catalog.hsds.validation import SCHEMA_DIR, validate
from catalog.models import Service
from catalog.taxonomy_seed import term_id
from tests.catalog.hsds_data import demo_catalog
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SENIOR_CARD = "bfaa2bb6-ef84-5993-aa76-5376522e0f98"  # 老年人优待证办理
FRIDAY_MORNING = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
SATURDAY_NIGHT = datetime(2026, 11, 21, 3, 0, tzinfo=SHANGHAI)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# A resident's mobile number or ID number; staff and institutional numbers look different.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


def at_moment(moment):
    return mock.patch("catalog.api.views.current_moment", return_value=moment)


class ApiTestCase(TestCase):
    """The district's 200 services and one street center with a page."""

    @classmethod
    def setUpTestData(cls):
        home = build_home()
        street = build_street(home, title="春华街道", slug="chunhua")
        cls.center = build_center(
            street, code="HHD-CH", title="春华街道党群服务中心", kind="street", place=False
        )
        cls.notice = build_notice(build_notice_index(cls.center), number=1, summary="测试摘要")
        import_services(demo_catalog())

    def get_json(self, url, params=None, status=200):
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def query_count(self, url, params) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return len(queries)

    def assert_constant_queries(self, url, params, size_parameter):
        """The same number of queries for a page of 10 services and one of 50."""
        self.query_count(url, {**params, size_parameter: 1})  # warm any cache first
        small = self.query_count(url, {**params, size_parameter: 10})
        large = self.query_count(url, {**params, size_parameter: 50})
        self.assertEqual(small, large, params)
        return large

    def assert_bad_request(self, url, params, parameter):
        body = self.get_json(url, params, status=400)
        self.assertEqual([error["parameter"] for error in body["errors"]], [parameter], params)
        self.assertRegex(body["detail"], CHINESE)
        self.assertRegex(body["errors"][0]["message"], CHINESE)
        return body

    def validate(self, kind, document, full=False):
        """Valid against the HSDS 3.1 schemas, unknown properties refused."""
        problems = validate(kind, document, full=full)
        self.assertEqual([str(problem) for problem in problems[:20]], [])


class HsdsApiTests(ApiTestCase):
    url = "/api/hsds/services"

    def test_the_list_is_an_hsds_page_of_list_items(self):
        page = self.get_json(self.url)
        self.assertEqual(
            {key: page[key] for key in page if key != "contents"},
            {
                "total_items": 200,
                "total_pages": 10,
                "page_number": 1,
                "size": 20,
                "first_page": True,
                "last_page": False,
                "empty": False,
            },
        )
        self.validate("service_list", page)
        self.assertTrue(all("phones" not in item for item in page["contents"]))

    def test_a_list_item_is_the_full_record_without_its_arrays(self):
        page = self.get_json(self.url, {"per_page": 100, "page": 2})
        full = {record["id"]: record for record in export_services()}
        for item in page["contents"]:
            record = full[item["id"]]
            expected = {k: v for k, v in record.items() if not isinstance(v, list)}
            if "organization" in expected:
                expected["organization"] = {
                    k: v for k, v in record["organization"].items() if k != "phones"
                }
            self.assertEqual(item, expected, item["name"])

    def test_full_records_on_request(self):
        page = self.get_json(self.url, {"full": "true", "per_page": 5, "page": 3})
        self.assertEqual(page["size"], 5)
        self.assertIn("service_at_locations", page["contents"][0])
        self.validate("service_list", page, full=True)

    def test_the_last_page_and_beyond(self):
        page = self.get_json(self.url, {"per_page": 50, "page": 4})
        self.assertEqual((page["size"], page["last_page"], page["first_page"]), (50, True, False))
        body = self.get_json(self.url, {"per_page": 50, "page": 5}, status=404)
        self.assertEqual([error["parameter"] for error in body["errors"]], ["page"])
        self.assertIn("共4页", body["detail"])

    def test_an_empty_result_is_one_empty_page(self):
        page = self.get_json(self.url, {"search": "没有这种服务"})
        self.assertEqual(
            (page["total_items"], page["total_pages"], page["size"], page["empty"]), (0, 1, 0, True)
        )
        self.validate("service_list", page)

    def test_hsds_filters(self):
        government = self.get_json(
            self.url, {"taxonomy_term_id": str(term_id("jiamenkou-service-kind", "government"))}
        )
        self.assertEqual(government["total_items"], 60)
        # search goes through the residents' search (tests/catalog/test_hsds_api_records.py).

    def test_the_detail_is_the_full_record(self):
        record = self.get_json(f"{self.url}/{SENIOR_CARD}")
        self.assertEqual(record, export_services(Service.objects.filter(pk=SENIOR_CARD))[0])
        self.validate("service", record)

    def test_a_defunct_service_stays_in_the_hsds_data_with_its_status(self):
        defunct = Service.objects.get(name="手机电脑维修")
        record = self.get_json(f"{self.url}/{defunct.pk}")
        self.assertEqual(record["status"], "defunct")

    def test_unknown_and_malformed_ids_are_not_found(self):
        # The official document types {id} as any string: one that is not a UUID names
        # nothing, like a UUID nobody has.
        for service_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
            with self.subTest(service_id):
                body = self.get_json(f"{self.url}/{service_id}", status=404)
                self.assertRegex(body["detail"], CHINESE)

    def test_pages_and_sizes_out_of_range_are_brought_within_it(self):
        # Any integer is accepted, as the official document types them.
        for params, expected in [
            ({"page": "0"}, (1, 20)),
            ({"page": "-1", "per_page": "5"}, (1, 5)),
            ({"per_page": "0"}, (1, 20)),
            ({"per_page": "-3", "page": "2"}, (2, 20)),
            ({"per_page": "1000"}, (1, 100)),
        ]:
            with self.subTest(params):
                page = self.get_json(self.url, params)
                self.assertEqual((page["page_number"], page["size"]), expected)

    def test_minimal_items_come_all_in_one_page(self):
        page = self.get_json(self.url, {"minimal": "true"})
        self.assertEqual((page["size"], page["total_pages"]), (200, 1))
        senior_card = next(item for item in page["contents"] if item["id"] == SENIOR_CARD)
        self.assertEqual(set(senior_card), {"id", "name", "status", "last_modified"})

    def test_bad_parameters_are_400_in_chinese(self):
        cases = [
            ({"page": "abc"}, "page"),
            ({"page": "1.5"}, "page"),
            ({"per_page": "ten"}, "per_page"),
            ({"modified_after": "last week"}, "modified_after"),
            ({"full": "yes"}, "full"),
            ({"minimal": "yes"}, "minimal"),
            ({"format": "xml"}, "format"),
            # The official document gives its integers and booleans no empty form.
            ({"per_page": ""}, "per_page"),
            ({"full": ""}, "full"),
        ]
        for params, parameter in cases:
            with self.subTest(params):
                self.assert_bad_request(self.url, params, parameter)

    def test_ids_naming_nothing_are_404_in_chinese(self):
        nobody = "00000000-0000-0000-0000-000000000000"
        for params, parameter in [
            ({"taxonomy_term_id": nobody}, "taxonomy_term_id"),
            ({"taxonomy_term_id": "x"}, "taxonomy_term_id"),
            ({"taxonomy_id": nobody}, "taxonomy_id"),
            ({"taxonomy_id": "x"}, "taxonomy_id"),
            ({"organization_id": nobody}, "organization_id"),
            ({"organization_id": "x"}, "organization_id"),
            ({"page": "99"}, "page"),
        ]:
            with self.subTest(params):
                body = self.get_json(self.url, params, status=404)
                self.assertEqual([error["parameter"] for error in body["errors"]], [parameter])
                self.assertRegex(body["detail"], CHINESE)

    def test_queries_do_not_grow_with_the_page(self):
        self.assert_constant_queries(self.url, {}, "per_page")
        self.assert_constant_queries(self.url, {"full": "true"}, "per_page")


class ResidentApiTests(ApiTestCase):
    url = "/api/services/"

    def test_the_list_hides_the_defunct_service_and_links_the_next_page(self):
        with at_moment(FRIDAY_MORNING):
            body = self.get_json(self.url)
        self.assertEqual((body["count"], body["page"], body["page_size"]), (199, 1, 20))
        self.assertEqual(body["total_pages"], 10)
        self.assertIsNone(body["previous"])
        self.assertTrue(body["next"].startswith("http://testserver/api/services/?"))
        self.assertIn("page=2", body["next"])
        self.assertEqual(body["open_now_at"], "2026-11-20T10:00:00+08:00")
        self.assertEqual(len(body["results"]), 20)

    def test_a_list_entry(self):
        with at_moment(FRIDAY_MORNING):
            body = self.get_json(
                self.url, {"kind": "government", "center": "HHD-ZW", "page_size": 50}
            )
        self.assertEqual(body["count"], 21)
        entry = body["results"][0]
        self.assertEqual(entry["kind"], "government")
        self.assertEqual(entry["kind_label"], "政务服务")
        self.assertEqual(entry["cost_category"], "free")
        self.assertEqual(entry["cost_category_label"], "免费")
        self.assertIn({"code": "HHD-ZW", "name": "海河东区政务服务中心"}, entry["centers"])
        self.assertTrue(entry["detail_url"].endswith(f"/api/services/{entry['id']}"))
        self.assertIn(entry["open_now"], (True, False))

    def test_filters_and_open_now(self):
        with at_moment(SATURDAY_NIGHT):
            body = self.get_json(self.url, {"open_now": "1"})
        self.assertEqual(
            {entry["name"] for entry in body["results"]},
            {"室内排水管道疏通", "开锁换锁", "电动自行车集中充电", "独居老年人智能安全监护"},
        )
        self.assertTrue(all(entry["open_now"] for entry in body["results"]))
        with at_moment(SATURDAY_NIGHT):
            closed = self.get_json(self.url, {"status": "temporarily_closed"})
        self.assertEqual(closed["count"], 3)
        self.assertTrue(all(entry["alert"] for entry in closed["results"]))
        self.assertTrue(all(entry["open_now"] is False for entry in closed["results"]))

    def test_open_now_at_one_center(self):
        first_saturday = datetime(2026, 11, 7, 10, 0, tzinfo=SHANGHAI)
        with at_moment(first_saturday):
            at_haitangyuan = self.get_json(self.url, {"open_now": "1", "center": "HHD-CH-01"})
            at_jinxiuyuan = self.get_json(
                self.url, {"center": "HHD-CH-03", "topic": "health", "page_size": 100}
            )
        self.assertIn("专家进社区义诊", {e["name"] for e in at_haitangyuan["results"]})
        clinic = next(e for e in at_jinxiuyuan["results"] if e["name"] == "专家进社区义诊")
        self.assertIs(clinic["open_now"], False)  # 锦绣园 has it on the second Saturday

    def test_stale_flag(self):
        with at_moment(datetime(2026, 11, 21, 12, 0, tzinfo=SHANGHAI)):
            first = self.get_json(self.url, {"page_size": 100})
            second = self.get_json(self.url, {"page_size": 100, "page": 2})
        stale = [e for e in first["results"] + second["results"] if e["stale"]]
        # 51 of the 200 were last verified before 2025-11-21; none of them is the defunct one.
        self.assertEqual(len(stale), 51)

    def test_bad_parameters_are_400_in_chinese(self):
        cases = [
            ({"kind": "xxx"}, "kind", "未知的服务类型“xxx”。"),
            ({"topic": "xxx"}, "topic", "未知的服务领域“xxx”。"),
            ({"audience": "xxx"}, "audience", "未知的服务对象“xxx”。"),
            ({"center": "春华"}, "center", "未知的服务中心“春华”。"),
            ({"cost": "cheap"}, "cost", "未知的收费类型“cheap”。"),
            ({"status": "defunct"}, "status", "未知的服务状态“defunct”。"),
            ({"open_now": "maybe"}, "open_now", "open_now只能是1或0（true或false），收到“maybe”。"),
            ({"page": "0"}, "page", "page应为正整数，收到“0”。"),
            ({"page_size": "101"}, "page_size", "page_size应为1到100之间的整数，收到“101”。"),
            ({"page_size": ""}, None, None),
        ]
        for params, parameter, message in cases:
            with self.subTest(params):
                if parameter is None:
                    self.get_json(self.url, params)
                    continue
                body = self.assert_bad_request(self.url, params, parameter)
                self.assertEqual(body["errors"][0]["message"], message)
                self.assertEqual(body["detail"], message)

    def test_a_center_or_page_there_is_not_is_404_in_chinese(self):
        for params, message in [
            ({"center": "HHD-99"}, "未知的服务中心“HHD-99”。"),
            ({"page": "99"}, "page超出范围：共10页，收到“99”。"),
        ]:
            with self.subTest(params):
                body = self.get_json(self.url, params, status=404)
                self.assertEqual(body["errors"], [{"parameter": [*params][0], "message": message}])

    def test_several_bad_parameters_are_reported_together(self):
        body = self.get_json(self.url, {"kind": "x", "cost": "y", "page": "z"}, status=400)
        self.assertEqual([e["parameter"] for e in body["errors"]], ["kind", "cost", "page"])

    def test_queries_do_not_grow_with_the_page(self):
        with at_moment(FRIDAY_MORNING):
            self.assert_constant_queries(self.url, {}, "page_size")
            self.assert_constant_queries(
                self.url, {"open_now": "1", "topic": "elderly_care"}, "page_size"
            )
            self.assert_constant_queries(
                self.url, {"center": "HHD-CH", "cost": "free"}, "page_size"
            )

    def test_the_service_guide(self):
        with at_moment(FRIDAY_MORNING):
            guide = self.get_json(f"{self.url}{SENIOR_CARD}")
        self.assertEqual(guide["name"], "老年人优待证办理")
        self.assertEqual((guide["kind"], guide["kind_label"]), ("government", "政务服务"))
        self.assertEqual(guide["topics"], [{"code": "elderly_care", "name": "养老"}])
        self.assertEqual(guide["eligibility"]["age_label"], "60周岁及以上")
        self.assertEqual(len(guide["required_documents"]), 4)
        self.assertEqual(len(guide["steps"]), 4)
        self.assertTrue(guide["steps"][0].startswith("申请人本人"))  # numbered by the app
        self.assertEqual(guide["most_visits"], 1)
        self.assertFalse(guide["time_limit"]["immediate"])
        self.assertEqual(guide["fees"]["cost_category_label"], "免费")
        self.assertEqual(guide["fees"]["cost_options"][0]["amount"], 0)
        online = [c for c in guide["channels"] if c["code"] in ("online", "mobile")]
        self.assertTrue(online and all(c["url"].startswith("https://") for c in online))
        self.assertIn("12345", [phone["number"] for phone in guide["phones"]])
        self.assertEqual((guide["status"], guide["status_label"]), ("active", "正常提供"))
        self.assertTrue(guide["stale"])  # verified 2025-02-14
        self.assertIs(guide["open_now"], True)

        chunhua = next(c for c in guide["centers"] if c["code"] == "HHD-CH")
        self.assertEqual(chunhua["room"], "一楼社会救助和养老服务窗口")
        self.assertEqual(chunhua["hours_source"], "service")
        self.assertEqual(
            [h["label"] for h in chunhua["hours"]],
            ["每周一至周五 09:00–11:30", "每周一至周五 13:30–17:00"],
        )
        self.assertEqual(chunhua["address"], "津海市海河东区春华路118号")
        self.assertEqual(chunhua["page_url"], "http://testserver/chunhua/hhd-ch/")
        self.assertIsNone(next(c for c in guide["centers"] if c["code"] == "HHD-XY")["page_url"])

    def test_per_center_hours_in_the_guide(self):
        clinic = Service.objects.get(name="专家进社区义诊")
        with at_moment(FRIDAY_MORNING):
            guide = self.get_json(f"{self.url}{clinic.pk}")
        hours = {c["code"]: (c["hours_source"], c["hours"][0]["label"]) for c in guide["centers"]}
        self.assertEqual(hours["HHD-CH-01"], ("service_at_location", "每月第一个周六 09:00–11:30"))
        self.assertEqual(hours["HHD-CH-03"], ("service_at_location", "每月第二个周六 09:00–11:30"))

    def test_a_paused_service_explains_itself(self):
        paused = Service.objects.get(name="既有住宅加装电梯申请")
        with at_moment(FRIDAY_MORNING):
            guide = self.get_json(f"{self.url}{paused.pk}")
        self.assertEqual(
            (guide["status"], guide["status_label"]), ("temporarily closed", "临时关闭")
        )
        self.assertTrue(guide["alert"])
        self.assertIs(guide["open_now"], False)

    def test_a_defunct_service_is_gone(self):
        defunct = Service.objects.get(name="手机电脑维修")
        body = self.get_json(f"{self.url}{defunct.pk}", status=410)
        self.assertEqual(body["detail"], "该服务已撤销。")
        self.assertTrue(body["alert"])

    def test_unknown_and_malformed_ids(self):
        self.get_json(f"{self.url}00000000-0000-0000-0000-000000000000", status=404)
        body = self.assert_bad_request(f"{self.url}12345", {}, "service_id")
        self.assertEqual(body["detail"], "“12345”不是有效的服务编号（UUID）。")

    def test_no_personal_numbers_anywhere_in_the_guides(self):
        with at_moment(FRIDAY_MORNING):
            for service_id in Service.objects.values_list("pk", flat=True)[:200:7]:
                response = self.client.get(f"{self.url}{service_id}")
                self.assertNotRegex(response.content.decode(), PERSONAL_NUMBER)


class OpenApiTests(ApiTestCase):
    def setUp(self):
        self.document = self.get_json("/api/openapi.json")
        # Path values the demo catalog does not fix (ids of pages built by the test).
        self.path_values = {"pk": str(self.center.pk), "code": self.center.code, "slug": "dating"}

    def url_of(self, path: str) -> str:
        """``path`` with its parameters filled in: their examples, or the test's pages."""
        item = self.document["paths"][path]
        examples = {
            p["name"]: p["example"] for p in item.get("parameters", []) if p["in"] == "path"
        }
        return re.sub(
            r"{(\w+)}",
            lambda m: self.path_values.get(m.group(1)) or str(examples[m.group(1)]),
            path,
        )

    def call(self, method: str, url: str, params: dict):
        """GET with a query string, or POST with the same query string and no body (as
        the HSDS lists take their parameters)."""
        # Each call from an address of its own: hundreds of calls are a test, not a
        # script the search's rate limit (120 a minute per address) should refuse.
        self.calls = getattr(self, "calls", 0) + 1
        address = {"REMOTE_ADDR": f"10.77.{self.calls // 250}.{self.calls % 250}"}
        if method == "get":
            return self.client.get(url, params, **address)
        return self.client.post(f"{url}?{urlencode(params)}" if params else url, **address)

    def operations(self, *prefixes):
        for path, item in self.document["paths"].items():
            if prefixes and not path.startswith(prefixes):
                continue
            for method in ("get", "post"):
                if method in item:
                    yield path, method, item[method]

    def test_it_is_an_openapi_31_document_whose_references_resolve(self):
        self.assertEqual(self.document["openapi"], "3.1.0")
        text = json.dumps(self.document)
        for reference in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
            node = self.document
            for part in reference.split("/"):
                node = node[part]
        for path, item in self.document["paths"].items():
            for name in re.findall(r"{(\w+)}", path):
                declared = item.get("parameters", [])
                self.assertIn(name, [p["name"] for p in declared if p["in"] == "path"], path)

    def test_every_route_under_api_is_documented(self):
        self.assertEqual(api_routes(), set(self.document["paths"]))

    def test_every_path_operation_and_parameter_of_the_official_hsds_document(self):
        official = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
        for path, item in official["paths"].items():
            ours = self.document["paths"].get("/api/hsds" + path)
            self.assertIsNotNone(ours, path)
            self.assertEqual(
                [p["name"] for p in ours.get("parameters", [])],
                [p["name"] for p in item.get("parameters", [])],
                path,
            )
            for method, operation in item.items():
                if method == "parameters":
                    continue
                with self.subTest(path=path, method=method):
                    self.assertIn(method, ours)
                    names = {
                        p.get("name") or p["$ref"].rsplit("/", 1)[-1]
                        for p in operation.get("parameters", [])
                    }
                    documented = {p["name"] for p in ours[method].get("parameters", [])}
                    self.assertEqual(documented, names)

    def test_every_documented_query_parameter_is_accepted(self):
        examples = {
            "id": self.center.pk,
            "child_of": self.center.get_parent().pk,
            "descendant_of": self.center.get_parent().pk,
        }
        # proximity is measured from a postcode's centroid: alone it would not be tried.
        companions = {"proximity": "postcode"}
        checked = 0
        for path, method, operation in self.operations():
            url = self.url_of(path)
            documented = {p["name"]: p for p in operation.get("parameters", [])}
            for parameter in documented.values():
                if parameter["in"] != "query":
                    continue
                params = {
                    name: examples.get(name, documented[name]["example"])
                    for name in (parameter["name"], companions.get(parameter["name"]))
                    if name
                }
                with self.subTest(path=path, method=method, parameter=parameter["name"]):
                    with at_moment(FRIDAY_MORNING):
                        response = self.call(method, url, params)
                    self.assertLess(response.status_code, 400, response_text(response))
                    checked += 1
        self.assertGreater(checked, 100)

    def test_every_hsds_path_answers_its_example(self):
        for path, method, operation in self.operations("/api/hsds/"):
            with self.subTest(path=path, method=method):
                response = self.call(method, self.url_of(path), {})
                self.assertEqual(response.status_code, 200, response_text(response))
                media_type = response["Content-Type"].split(";")[0]
                self.assertIn(media_type, operation["responses"]["200"]["content"])

    def test_garbage_in_any_parameter_is_never_a_server_error(self):
        garbage = ["\x00", "%", "' OR 1=1 --", "９", "x" * 2000, "老年", "-1", "1e3", "[]"]
        for path, method, operation in self.operations("/api/hsds/", "/api/services/"):
            url = self.url_of(path)
            for parameter in operation.get("parameters", []):
                for value in garbage:
                    with self.subTest(path=path, parameter=parameter["name"], value=value[:10]):
                        response = self.call(method, url, {parameter["name"]: value})
                        self.assertIn(
                            response.status_code, (200, 400, 404), response_text(response)
                        )
                        if response.status_code in (400, 404):
                            self.assertEqual(
                                response.json()["errors"][0]["parameter"], parameter["name"]
                            )


def response_text(response) -> bytes:
    content = b"".join(response) if response.streaming else response.content
    return content[:300]


class PagesApiTests(ApiTestCase):
    def test_centers_with_their_fields(self):
        body = self.get_json(
            "/api/v2/pages/",
            {"type": "district.CenterPage", "fields": "code,place"},
        )
        self.assertEqual(body["meta"]["total_count"], 1)
        center = body["items"][0]
        # The catalog location the import linked by code: the one store of its facts.
        place = center["place"]
        self.assertEqual((center["code"], place["code"]), ("HHD-CH", "HHD-CH"))
        self.assertEqual(place["address"], "津海市海河东区春华路118号")
        self.assertEqual(place["phones"][0]["number"], "022-2611-0000")
        hours = place["hours"][0]
        self.assertEqual((hours["byday"], hours["opens_at"]), ("MO,TU,WE,TH,FR", "08:30"))
        self.assertIs(hours["closed_on_holidays"], True)

    def test_a_notice_in_detail(self):
        body = self.get_json(f"/api/v2/pages/{self.notice.pk}/")
        self.assertEqual(body["summary"], "测试摘要")
        self.assertIn("通知正文1", body["body"])


class ApiFallbackTests(ApiTestCase):
    def test_an_unknown_address_answers_in_json(self):
        body = self.get_json("/api/nothing-here/", status=404)
        self.assertRegex(body["detail"], CHINESE)

    def test_a_missing_slash_redirects_like_the_rest_of_the_site(self):
        response = self.client.get("/api/services?kind=market")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/api/services/?kind=market")

    def test_the_apis_are_read_only(self):
        response = self.client.post("/api/services/", {})
        self.assertEqual(response.status_code, 405)
        self.assertRegex(response.json()["detail"], CHINESE)


def api_routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every route of the site under /api/, written as OpenAPI paths. The HSDS paths'
    other spelling (with or without the trailing slash, URL names ending in ``_slash``)
    answers alike and is left out, as the document leaves it out."""
    resolver = resolver or get_resolver()
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + openapi_path(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            routes |= api_routes(pattern, route)
        elif (
            isinstance(pattern, URLPattern)
            and route.startswith("api/")
            and pattern.name != "not_found"  # the JSON 404 for everything else
            and not (pattern.name or "").endswith("_slash")
        ):
            routes.add("/" + route)
    return routes


def openapi_path(route: str) -> str:
    """A route of path() (``<str:id>``) or re_path() (``^(?P<id>[^/]+)/?$``, a regular
    expression written for one path) as an OpenAPI path (``{id}``)."""
    route = route.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("\\", "")
