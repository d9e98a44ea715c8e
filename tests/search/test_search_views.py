"""The residents' search page (/sousuo/, /sousuo/<center>/) and GET /api/services/search:
right services, highlights, facets, the demand log, and bad input that never breaks."""

import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import ServiceListPage
from search.models import QueryLog, SearchEntry
from tests.district.builders import build_center, build_home, build_street
from tests.search.base import DemoCatalogTestCase

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SENIOR_CARD = "bfaa2bb6-ef84-5993-aa76-5376522e0f98"  # 老年人优待证办理

#: Inputs residents (or their phones) really send, each of which must not break the page.
BAD_QUERIES = {
    "empty": "",
    "500 characters": "老年证" * 166 + "低保",
    "fts syntax": '" * : ^ ( ) AND OR NEAR - 老年',
    "only syntax": '"*:^()-',
    "emoji": "👴🏻老年证🎉",
    "only emoji": "😀😀😀",
    "mixed scripts": "社保ka 办理 ＳＢＫ",
    "sql": "' OR 1=1 --",
    "nul": "老年\x00证",
}


class SearchViewsTestCase(DemoCatalogTestCase):
    @classmethod
    def build_pages(cls):
        home = build_home()
        home.add_child(instance=ServiceListPage(title="服务清单", slug="fuwu"))
        street = build_street(home, title="春华街道", slug="chunhua")
        cls.center = build_center(
            street,
            code="HHD-CH-01",
            title="海棠苑社区党群服务中心",
            kind="community",
            place=False,  # the catalog's HHD-CH-01 location, linked by code
        )
        cls.center.add_child(instance=ServiceListPage(title="服务清单", slug="fuwu"))

    def search_api(self, params, status=200):
        response = self.client.get("/api/services/search", params)
        self.assertEqual(response.status_code, status, response.content[:500])
        return response.json()


class SearchApiTests(SearchViewsTestCase):
    def test_ranked_results_with_hsds_ids_highlights_and_facets(self):
        body = self.search_api({"q": "老年证"})
        first = body["results"][0]
        self.assertEqual(first["id"], SENIOR_CARD)
        self.assertTrue(first["hsds_url"].endswith(f"/api/hsds/services/{SENIOR_CARD}"))
        self.assertIn("<mark>", first["highlight"]["name"])
        self.assertEqual(body["match"], "strict")
        kinds = {item["value"]: item["count"] for item in body["facets"]["kind"]}
        self.assertEqual(sum(kinds.values()), body["count"])
        self.assertEqual(
            {item["label"] for item in body["facets"]["kind"]}
            - {"政务服务", "公益服务", "市场服务", "低偿服务"},
            set(),
        )

    def test_every_parameter_of_the_issue(self):
        body = self.search_api(
            {
                "q": "老年",
                "kind": "low_cost",
                "topic": "elderly_care",
                "audience": "elderly",
                "center": "HHD-CH",
                "cost": "low_cost",
                "open_now": "0",
                "near": "39.125,117.2398",
                "minutes": "15",
                "sort": "distance",
                "page": "1",
            }
        )
        self.assertGreater(body["count"], 0)
        distances = [item["distance_m"] for item in body["results"]]
        self.assertEqual(distances, sorted(distances))
        self.assertTrue(all(item["kind"] == "low_cost" for item in body["results"]))

    def test_pages_of_results(self):
        first = self.search_api({"q": "服务", "page_size": 5})
        second = self.search_api({"q": "服务", "page_size": 5, "page": 2})
        self.assertGreater(first["total_pages"], 1)
        self.assertIn("page=2", first["next"])
        ids = {item["id"] for item in first["results"]}
        self.assertFalse(ids & {item["id"] for item in second["results"]})

    def test_did_you_mean(self):
        body = self.search_api({"q": "义珍", "exact": "1"})
        self.assertEqual(body["suggestion"], "义诊")
        self.assertIn("义诊", body["results"][0]["name"])

    def test_malformed_near_is_a_clear_error_naming_the_parameter(self):
        # Malformed is 400; a center code no center has is 404.
        for near, status in [
            ("1,2,3", 400),
            ("91,200", 400),
            ("39.1;117.2", 400),
            ("春华", 400),
            ("abc", 404),
            ("HHD-NOPE", 404),
        ]:
            with self.subTest(near=near):
                body = self.search_api({"q": "老年证", "near": near}, status=status)
                self.assertEqual(body["errors"][0]["parameter"], "near")
                self.assertRegex(body["detail"], CHINESE)

    def assert_results_or_a_message(self, label):
        body = self.search_api({"q": BAD_QUERIES[label]})
        self.assertTrue(body["results"] or body["messages"], label)
        for message in body["messages"]:
            self.assertRegex(message, CHINESE)
        return body

    def test_empty_query_lists_everything_and_says_what_to_type(self):
        body = self.assert_results_or_a_message("empty")
        self.assertGreater(body["count"], 100)
        self.assertTrue(body["messages"])

    def test_only_query_syntax_says_there_is_nothing_to_look_for(self):
        body = self.assert_results_or_a_message("only syntax")
        self.assertTrue(any("没有能用来查找的文字" in m for m in body["messages"]))

    def test_emoji_around_words_are_ignored(self):
        body = self.assert_results_or_a_message("emoji")
        self.assertEqual(body["results"][0]["id"], SENIOR_CARD)

    def test_only_emoji(self):
        self.assert_results_or_a_message("only emoji")

    def test_mixed_scripts_and_full_width_letters(self):
        body = self.assert_results_or_a_message("mixed scripts")
        self.assertIn("社会保障卡申领", [item["name"] for item in body["results"]])

    def test_sql_and_nul_bytes_are_plain_text(self):
        self.assert_results_or_a_message("sql")
        body = self.assert_results_or_a_message("nul")
        self.assertEqual(body["results"][0]["id"], SENIOR_CARD)

    def test_a_long_query_is_cut_and_the_resident_told(self):
        body = self.search_api({"q": BAD_QUERIES["500 characters"]})
        self.assertTrue(any("太长" in message for message in body["messages"]))
        self.assertEqual(body["results"][0]["id"], SENIOR_CARD)

    def test_query_syntax_characters_are_plain_text(self):
        body = self.search_api({"q": BAD_QUERIES["fts syntax"]})
        self.assertGreater(body["count"], 0)  # 老年 is still found

    def test_autocomplete_by_characters_and_pinyin(self):
        for typed in ["老年人优", "lnz", "laonianzheng"]:
            with self.subTest(typed):
                response = self.client.get("/api/services/autocomplete", {"q": typed})
                names = [item["name"] for item in response.json()["results"]]
                self.assertEqual(names[0], "老年人优待证办理", names)
        response = self.client.get("/api/services/autocomplete", {"q": "yz"})
        self.assertIn("专家进社区义诊", [item["name"] for item in response.json()["results"]])

    def test_queries_are_logged_without_personal_data(self):
        self.search_api({"q": "修水管", "near": "39.1248,117.2447", "minutes": "10"})
        entry = QueryLog.objects.latest("pk")
        self.assertEqual(entry.query, "修水管")
        self.assertEqual(entry.filters["near"], "point")  # not the resident's position
        self.assertNotIn("39.1248", str(entry.filters))
        self.assertEqual(entry.searched_at.minute, 0)

    def test_query_count_is_constant(self):
        def count(params):
            cache.clear()  # each from nothing cached, so that the counts compare
            with CaptureQueriesContext(connection) as queries:
                self.search_api(params)
            return len(queries)

        count({"q": "义诊"})  # first use creates the catalog settings row
        self.assertEqual(
            count({"q": "服务", "page_size": 10}), count({"q": "服务", "page_size": 50})
        )


class SearchPageTests(SearchViewsTestCase):
    def test_district_search_page(self):
        response = self.client.get("/sousuo/", {"q": "老年證"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertRegex(html, r"<mark>老年[^<]*</mark>[^<]*办理")
        self.assertIn("服务类型", html)  # facets

    def test_center_search_page_is_scoped_to_the_center_and_can_widen(self):
        scoped = self.client.get(f"/sousuo/{self.center.code}/", {"q": "助餐"}).context["result"]
        widened = self.client.get(
            f"/sousuo/{self.center.code}/", {"q": "助餐", "scope": "all"}
        ).context["result"]
        self.assertLess(scoped.total, widened.total)
        for hit in scoped.hits:
            codes = {
                link.location.external_identifier for link in hit.service.service_at_locations.all()
            }
            self.assertIn("HHD-CH-01", codes)

    def test_results_link_to_the_guide_through_the_click_counter(self):
        response = self.client.get(f"/sousuo/{self.center.code}/", {"q": "老年证"})
        hit = response.context["result"].hits[0]
        self.assertIn("/sousuo/dianji/", hit.click_url)
        followed = self.client.get(hit.click_url)
        self.assertEqual(followed.status_code, 302)
        self.assertEqual(followed["Location"], f"{self.center.url}fuwu/{SENIOR_CARD}/")
        self.assertEqual(QueryLog.objects.get(pk=response.context["result"].log_id).click_count, 1)

    def test_the_click_counter_never_redirects_off_site(self):
        log = QueryLog.objects.create(query="x", result_count=1, searched_at="2026-11-22T10:00Z")
        for target in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
            with self.subTest(target):
                response = self.client.get(
                    f"/sousuo/dianji/{log.pk}/{SENIOR_CARD}/", {"to": target}
                )
                self.assertTrue(response["Location"].startswith("/"))
                self.assertNotIn("evil", response["Location"])

    def test_walking_circle_from_the_center(self):
        response = self.client.get(
            f"/sousuo/{self.center.code}/", {"q": "老年", "walk": "10", "sort": "distance"}
        )
        html = response.content.decode()
        self.assertIn("10分钟步行范围内", html)
        self.assertIn("就在附近", html)  # services at this very center come first
        result = response.context["result"]
        self.assertTrue(all(hit.distance_m <= 800 for hit in result.hits))
        unlimited = self.client.get(f"/sousuo/{self.center.code}/", {"q": "老年", "walk": ""})
        self.assertIsNone(unlimited.context["result"].query.circle)

    def test_bad_input_never_yields_an_error_page(self):
        for label, query in BAD_QUERIES.items():
            with self.subTest(label):
                response = self.client.get("/sousuo/", {"q": query})
                self.assertEqual(response.status_code, 200)
        for params in [
            {"near": "abc"},
            {"near": "HHD-CH", "minutes": "x"},
            {"kind": "nope"},
            {"page": "999999"},
        ]:
            with self.subTest(params):
                response = self.client.get("/sousuo/", {"q": "老年证", **params})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "已忽略")

    def test_home_and_center_pages_carry_a_search_box(self):
        self.assertContains(
            self.client.get(self.center.url), f'action="/sousuo/{self.center.code}/"'
        )


class BackendDownTests(SearchViewsTestCase):
    """An Elasticsearch cluster that cannot be reached: an apology, not a server error."""

    unreachable = {"BACKEND": "search.backends.elasticsearch", "URLS": ["http://127.0.0.1:9"]}

    def test_page_and_api_answer_503_in_chinese(self):
        with self.settings(JIAMENKOU_SEARCH=self.unreachable):
            page = self.client.get("/sousuo/", {"q": "老年证"})
            api = self.client.get("/api/services/search", {"q": "老年证"})
        self.assertEqual(page.status_code, 503)
        self.assertContains(page, "搜索暂时不可用", status_code=503)
        self.assertEqual(api.status_code, 503)
        self.assertRegex(api.json()["detail"], CHINESE)


#: A need few services say in all its words: the one that says both 卫生间 and 扶手 is the
#: result; the home adaptation that answers it says only 扶手 (or 适老化改造).
GRAB_BAR = "卫生间想装个扶手"
HOME_ADAPTATION = "居家适老化改造服务"
RESIDENCE_REGISTRATION = "流动人口居住登记"
#: The related services' section (the no-result message says 没有找到相关服务).
RELATED_SECTION = 'id="related-services"'


class RelatedServicesTests(SearchViewsTestCase):
    def test_a_need_few_services_say_in_all_its_words_lists_the_answer_as_related(self):
        response = self.client.get("/sousuo/", {"q": GRAB_BAR})
        result = response.context["result"]
        self.assertEqual(result.total, 1)
        self.assertEqual([hit.service.name for hit in result.hits], ["残疾人家庭无障碍改造申请"])
        related = [hit.service.name for hit in result.related]
        self.assertIn(HOME_ADAPTATION, related[:3])
        self.assertEqual(len(related), 10 - 1)  # the first page's free places
        html = response.content.decode()
        self.assertIn("找到 1 项服务", html)  # the related services are not counted
        heading = html.index('<h2 id="related-services-title">相关服务</h2>')
        self.assertLess(html.index("残疾人家庭无障碍改造申请"), heading)
        self.assertIn("以下服务与您搜索的部分词语相关", html[heading:])
        # Cards like the results': the name marked, a link to the guide through the click
        # counter.
        card = next(hit for hit in result.related if hit.service.name == HOME_ADAPTATION)
        self.assertIn(str(card.name_html), html[heading:])
        self.assertIn(f'href="{card.click_url}"', html[heading:].replace("&amp;", "&"))
        self.assertEqual(self.client.get(card.click_url).status_code, 302)

    def test_a_lone_result_is_followed_by_the_services_of_its_topic_like_it(self):
        # 报临时户口 (an everyday name) finds the residence registration alone; what the
        # resident is asked for next, the residence permit, is of its topic and name.
        response = self.client.get("/sousuo/", {"q": "报临时户口"})
        result = response.context["result"]
        self.assertEqual([hit.service.name for hit in result.hits], [RESIDENCE_REGISTRATION])
        related = [hit.service.name for hit in result.related]
        self.assertIn("居住证办理", related[:2])
        self.assertLessEqual(len(related), 10 - 1)
        entries = dict(
            SearchEntry.objects.filter(source="service").values_list("title", "facet_values")
        )
        first_topics = {v for v in entries[RESIDENCE_REGISTRATION] if v.startswith("topic:")}
        for name in related:
            self.assertTrue(first_topics & set(entries[name]), name)
        html = response.content.decode()
        heading = html.index('<h2 id="related-services-title">相关服务</h2>')
        self.assertIn(f"以下服务与“{RESIDENCE_REGISTRATION}”同属一类", html[heading:])
        self.assertNotIn("部分词语", html[heading:])
        body = self.search_api({"q": "报临时户口"})
        self.assertEqual(body["related_like"], RESIDENCE_REGISTRATION)
        self.assertEqual([item["name"] for item in body["related"]], related)
        self.assertIsNone(self.search_api({"q": "老年 助餐"})["related_like"])
        # Within a chosen topic the results are already of one kind: nothing is added.
        topic = sorted(first_topics)[0].partition(":")[2]
        chosen = self.client.get("/sousuo/", {"q": "报临时户口", "topic": topic})
        self.assertEqual(chosen.context["result"].related, [])

    def test_a_full_first_page_has_no_related_services(self):
        response = self.client.get("/sousuo/", {"q": "老年 助餐"})
        self.assertEqual(len(response.context["result"].hits), 10)
        self.assertEqual(response.context["result"].related, [])
        self.assertNotContains(response, RELATED_SECTION)

    def test_later_pages_have_no_related_services(self):
        params = {"q": "家政 保洁", "page_size": 2}
        second = self.client.get("/sousuo/", {**params, "page": 2})
        self.assertEqual(len(second.context["result"].hits), 1)  # a page not full
        self.assertNotContains(second, RELATED_SECTION)
        # The first page is full, so it has none either; a page of ten has room for them.
        self.assertEqual(self.client.get("/sousuo/", params).context["result"].related, [])
        self.assertTrue(self.client.get("/sousuo/", {"q": "家政 保洁"}).context["result"].related)

    def test_a_query_found_nowhere_or_only_by_some_words_has_no_related_services(self):
        for text in ("宇宙飞船 火箭", "孩子 放学 火箭"):
            with self.subTest(text):
                response = self.client.get("/sousuo/", {"q": text})
                self.assertEqual(response.context["result"].related, [])
                self.assertNotContains(response, RELATED_SECTION)

    def test_related_services_keep_the_chosen_filters(self):
        result = self.client.get("/sousuo/", {"q": GRAB_BAR, "kind": "government"}).context[
            "result"
        ]
        self.assertTrue(result.related)
        self.assertTrue(all(hit.service.kind == "government" for hit in result.related))

    def test_the_api_carries_related_services_apart_from_the_results_and_count(self):
        body = self.search_api({"q": GRAB_BAR})
        self.assertEqual((body["count"], len(body["results"]), body["total_pages"]), (1, 1, 1))
        self.assertIsNone(body["next"])
        related = [item["name"] for item in body["related"]]
        self.assertIn(HOME_ADAPTATION, related[:3])
        self.assertNotIn(body["results"][0]["id"], {item["id"] for item in body["related"]})
        self.assertEqual(set(body["related"][0]), set(body["results"][0]))  # the same shape
        answer = next(item for item in body["related"] if item["name"] == HOME_ADAPTATION)
        self.assertIn("<mark>", answer["highlight"]["name"])  # 适老化改造, said for 扶手
        self.assertEqual(self.search_api({"q": "老年 助餐"})["related"], [])
        self.assertEqual(self.search_api({"q": GRAB_BAR, "page": 2})["related"], [])
