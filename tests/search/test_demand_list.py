"""The search admin: the demand list (需求清单) and the synonym sets (同义词)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from district.demo.loader import load_district
from district.models import CenterPage, HomePage
from search.catalog import search_catalog
from search.demand import DemandScope, demand_lines
from search.models import HandledDemand, QueryLog, SynonymSet
from tests.catalog.test_admin_permissions import editor_group
from tests.search.base import DemoCatalogTestCase
from tests.search.helpers import names

DEMAND_URL = "/admin/search/demand/"
HANDLE_URL = "/admin/search/demand/handle/"
SYNONYMS_URL = "/admin/search/synonymset/"

HAITANGYUAN = "HHD-CH-01"
ZHAOXIALI = "HHD-XY-02"


def log(query, *, center="", results=0, clicks=0, days_ago=1, hours_ago=0, times=1):
    """``times`` searches for ``query``, as search.querylog.record stores them."""
    moment = timezone.now() - timedelta(days=days_ago, hours=hours_ago)
    QueryLog.objects.bulk_create(
        QueryLog(
            query=query,
            center_code=center,
            result_count=results,
            click_count=clicks,
            searched_at=moment.replace(minute=0, second=0, microsecond=0),
        )
        for _ in range(times)
    )


def assert_denied(test, response):
    """Wagtail's admin answers a PermissionDenied with a redirect to its home page and a
    message (a 403 for scripts)."""
    if response.status_code != 403:
        test.assertRedirects(response, "/admin/", fetch_redirect_response=False)


def editors(cls):
    """A district editor, a center editor (海棠苑), and an editor of 海棠苑's pages only."""
    load_district(password="demand-password")
    users = get_user_model().objects
    cls.district_editor = users.create_user("district", password="pw-district-1")
    cls.district_editor.groups.add(editor_group("区级编辑", HomePage.objects.get()))
    haitangyuan = CenterPage.objects.get(code=HAITANGYUAN)
    cls.center_editor = users.create_user(
        "center", first_name="海棠苑编辑", password="pw-center-12"
    )
    cls.center_editor.groups.add(editor_group("海棠苑社区编辑", haitangyuan))
    cls.page_only_editor = users.create_user("pages", password="pw-pages-123")
    cls.page_only_editor.groups.add(
        editor_group("只编辑页面", haitangyuan, model_permissions=False)
    )


class DemandAggregationTests(TestCase):
    """search.demand: which queries are listed, over which period, in which order."""

    @classmethod
    def setUpTestData(cls):
        log("水喉", times=2)  # nothing found, twice
        log("修水管", results=4, times=9)  # found ten times, opened once
        log("修水管", results=4, clicks=1)
        log("低保", results=3, times=3)  # found three times, never opened
        log("老年证", results=2, times=2)  # never opened, but only twice
        log("理发", results=5, clicks=1, times=5)  # opened 1 in 5: 20%, not below
        log("助餐", results=1, clicks=1, times=4)  # found and opened
        log("助餐", results=0, times=1)  # …but found nothing once
        log("家政", days_ago=40)  # older than 30 days
        log("陪诊", days_ago=200)  # older than 90 days
        log("殡葬", days_ago=400)  # older than a year

    def listed(self, **kwargs):
        return {line.query: line for line in demand_lines(**kwargs)}

    def test_zero_result_and_low_click_rules(self):
        lines = self.listed()
        self.assertEqual(set(lines), {"水喉", "修水管", "低保", "助餐", "家政"})
        self.assertEqual(lines["水喉"].zero_results, 2)
        self.assertIsNone(lines["水喉"].click_rate)
        self.assertAlmostEqual(lines["修水管"].click_rate, 0.1)
        self.assertEqual(lines["低保"].click_rate, 0)
        self.assertEqual(
            (lines["助餐"].searches, lines["助餐"].zero_results, lines["助餐"].with_results),
            (5, 1, 4),
        )
        self.assertEqual(lines["助餐"].click_rate_percent, 100)

    def test_the_period(self):
        self.assertNotIn("家政", self.listed(days=30))
        self.assertIn("家政", self.listed(days=90))
        self.assertNotIn("陪诊", self.listed(days=90))
        self.assertIn("陪诊", self.listed(days=365))
        self.assertNotIn("殡葬", self.listed(days=365))

    def test_most_searched_first(self):
        queries = [line.query for line in demand_lines()]
        self.assertEqual(queries[:4], ["修水管", "助餐", "低保", "水喉"])
        searches = [line.searches for line in demand_lines()]
        self.assertEqual(searches, sorted(searches, reverse=True))

    def test_lines_are_per_center(self):
        log("水喉", center=HAITANGYUAN, times=3)
        lines = [
            (line.center_code, line.searches) for line in demand_lines() if line.query == "水喉"
        ]
        self.assertEqual(lines, [(HAITANGYUAN, 3), ("", 2)])
        only = demand_lines(center_codes=[HAITANGYUAN])
        self.assertEqual([(line.center_code, line.query) for line in only], [(HAITANGYUAN, "水喉")])

    def test_a_fixed_number_of_queries(self):
        with CaptureQueriesContext(connection) as few:
            demand_lines()
        for number in range(60):
            log(f"没有的服务{number}", center=HAITANGYUAN, results=number % 2, times=3)
        with CaptureQueriesContext(connection) as many:
            lines = demand_lines()
        self.assertGreater(len(lines), 60)
        self.assertEqual(len(many), len(few))
        self.assertLessEqual(len(many), 2)


class DemandListViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        editors(cls)
        log("水喉", center=HAITANGYUAN, times=3)
        log("修电脑", center=ZHAOXIALI, times=2)
        log("办护照", center="", times=4)

    def page(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(DEMAND_URL, params)
        return response

    def listed(self, user, **params) -> list[tuple[str, str]]:
        response = self.page(user, **params)
        self.assertEqual(response.status_code, 200)
        return [(line.center_code, line.query) for line in response.context["lines"]]

    def test_district_editors_see_every_center_and_the_district(self):
        self.assertEqual(
            self.listed(self.district_editor),
            [("", "办护照"), (HAITANGYUAN, "水喉"), (ZHAOXIALI, "修电脑")],
        )
        self.assertEqual(self.listed(self.district_editor, center="-"), [("", "办护照")])
        self.assertEqual(
            self.listed(self.district_editor, center=ZHAOXIALI), [(ZHAOXIALI, "修电脑")]
        )
        page = self.page(self.district_editor).content.decode()
        self.assertIn("全区（未指定中心）", page)
        self.assertIn(f'<option value="{ZHAOXIALI}"', page)
        self.assertIn('<th scope="col">点击率</th>', page)

    def test_a_center_editor_sees_only_their_center(self):
        self.assertEqual(self.listed(self.center_editor), [(HAITANGYUAN, "水喉")])
        self.assertEqual(
            self.listed(self.center_editor, center=HAITANGYUAN), [(HAITANGYUAN, "水喉")]
        )
        page = self.page(self.center_editor).content.decode()
        self.assertNotIn("修电脑", page)
        self.assertNotIn("办护照", page)
        self.assertNotIn(f'<option value="{ZHAOXIALI}"', page)
        self.assertNotIn("全区（未指定中心）", page)
        assert_denied(self, self.page(self.center_editor, center=ZHAOXIALI))
        assert_denied(self, self.page(self.center_editor, center="-"))

    def test_editors_without_catalog_permissions_have_no_demand_list(self):
        assert_denied(self, self.page(self.page_only_editor))
        self.assertFalse(DemandScope(self.page_only_editor).may_view)

    def test_a_center_editor_cannot_mark_another_centers_query(self):
        self.client.force_login(self.center_editor)
        for center, query in ((ZHAOXIALI, "修电脑"), ("", "办护照")):
            response = self.client.post(HANDLE_URL, {"center_code": center, "query": query})
            assert_denied(self, response)
        self.assertFalse(HandledDemand.objects.exists())

    def test_marking_needs_a_post(self):
        self.client.force_login(self.center_editor)
        response = self.client.get(HANDLE_URL, {"center_code": HAITANGYUAN, "query": "水喉"})
        self.assertEqual(response.status_code, 405)

    def test_marking_hides_a_line_until_it_is_searched_again(self):
        self.client.force_login(self.center_editor)
        response = self.client.post(
            HANDLE_URL,
            {
                "center_code": HAITANGYUAN,
                "query": "水喉",
                "note": "已在房屋水电维修的关键词中加上“水喉”",
                "next": f"{DEMAND_URL}?days=30",
            },
        )
        self.assertRedirects(response, f"{DEMAND_URL}?days=30", fetch_redirect_response=False)
        handled = HandledDemand.objects.get()
        self.assertEqual(
            (handled.center_code, handled.query, handled.handled_by, handled.action),
            (HAITANGYUAN, "水喉", self.center_editor, HandledDemand.Action.OTHER),
        )
        self.assertEqual(self.listed(self.center_editor), [])

        # Shown on demand, with who, when and the note.
        response = self.page(self.center_editor, handled="1")
        [line] = response.context["lines"]
        self.assertEqual((line.center_code, line.query), (HAITANGYUAN, "水喉"))
        self.assertTrue(line.is_handled)
        page = response.content.decode()
        self.assertIn("已在房屋水电维修的关键词中加上“水喉”", page)
        self.assertIn("海棠苑编辑于", page)

        # Residents search for it again afterwards: it is back, marked. (The log keeps
        # the hour only, so the handling is moved back to before that hour.)
        HandledDemand.objects.update(handled_at=timezone.now() - timedelta(hours=2))
        log("水喉", center=HAITANGYUAN, days_ago=0, hours_ago=1)
        response = self.page(self.center_editor)
        self.assertEqual(
            [(line.center_code, line.query) for line in response.context["lines"]],
            [(HAITANGYUAN, "水喉")],
        )
        line = response.context["lines"][0]
        self.assertTrue(line.searched_again)
        self.assertEqual((line.searches, line.searches_since_handled), (4, 1))
        page = response.content.decode()
        self.assertIn("处理后又有人搜索", page)
        self.assertIn("已在房屋水电维修的关键词中加上“水喉”", page)

        # Marked again: hidden again, the record renewed rather than doubled.
        self.client.post(HANDLE_URL, {"center_code": HAITANGYUAN, "query": "水喉"})
        self.assertEqual(HandledDemand.objects.count(), 1)
        self.assertEqual(self.listed(self.center_editor), [])

    def test_district_editors_mark_searches_made_outside_any_center(self):
        self.client.force_login(self.district_editor)
        self.client.post(HANDLE_URL, {"center_code": "", "query": "办护照", "note": "非本区事项"})
        self.assertEqual(HandledDemand.objects.get().center_code, "")
        self.assertNotIn(("", "办护照"), self.listed(self.district_editor))
        # The same query at a center is another line, still open.
        log("办护照", center=ZHAOXIALI)
        self.assertIn((ZHAOXIALI, "办护照"), self.listed(self.district_editor))

    def test_the_period_filter(self):
        log("旧需求", center=HAITANGYUAN, days_ago=60)
        self.assertIn((HAITANGYUAN, "旧需求"), self.listed(self.center_editor))
        self.assertNotIn((HAITANGYUAN, "旧需求"), self.listed(self.center_editor, days="30"))
        self.assertIn((HAITANGYUAN, "旧需求"), self.listed(self.center_editor, days="365"))
        self.assertEqual(self.page(self.center_editor, days="7").context["days"], 90)

    def test_the_query_count_does_not_grow_with_the_log(self):
        def count_queries() -> int:
            self.client.force_login(self.district_editor)
            self.client.get(DEMAND_URL)  # warm caches (content types, site)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(DEMAND_URL, {"handled": "1"})
            self.assertEqual(response.status_code, 200)
            return len(queries)

        QueryLog.objects.all().delete()
        for number in range(10):
            log(f"需求{number}", center=(HAITANGYUAN, ZHAOXIALI)[number % 2])
        HandledDemand.objects.create(center_code=HAITANGYUAN, query="需求0", note="已处理")
        few = count_queries()
        for number in range(10, 100):
            log(f"需求{number}", center=(HAITANGYUAN, ZHAOXIALI, "")[number % 3])
        HandledDemand.objects.create(center_code=ZHAOXIALI, query="需求11", note="已处理")
        many = count_queries()
        self.assertEqual(few, many)

    def test_the_menu(self):
        self.client.force_login(self.center_editor)
        page = self.client.get("/admin/").content.decode()
        self.assertIn(DEMAND_URL, page)
        self.assertIn(SYNONYMS_URL, page)
        self.client.force_login(self.page_only_editor)
        page = self.client.get("/admin/").content.decode()
        self.assertNotIn(DEMAND_URL, page)
        self.assertNotIn(SYNONYMS_URL, page)


class SynonymAdminTests(DemoCatalogTestCase):
    @classmethod
    def build_pages(cls):
        editors(cls)

    def test_a_new_set_works_at_the_next_search(self):
        self.assertNotIn("房屋水电维修", names("水喉"))
        self.client.force_login(self.district_editor)
        response = self.client.post(
            f"{SYNONYMS_URL}create/", {"terms": "水喉、水龙头", "note": "粤语说法"}
        )
        self.assertRedirects(response, SYNONYMS_URL, fetch_redirect_response=False)
        self.assertEqual(SynonymSet.objects.get(note="粤语说法").terms, "水喉，水龙头")
        result, _ = search_catalog({"q": "水喉"}, log=False)
        self.assertIn("房屋水电维修", [hit.service.name for hit in result.hits])

    def test_a_set_needs_two_terms(self):
        self.client.force_login(self.district_editor)
        response = self.client.post(f"{SYNONYMS_URL}create/", {"terms": "水喉", "note": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请至少填写两个词")
        self.assertFalse(SynonymSet.objects.filter(terms="水喉").exists())

    def test_the_list_shows_and_searches_the_terms(self):
        SynonymSet.objects.create(terms="水喉，水龙头")
        SynonymSet.objects.create(terms="暖气，供暖")
        self.client.force_login(self.center_editor)
        page = self.client.get(SYNONYMS_URL, {"q": "水喉"}).content.decode()
        self.assertIn("水喉，水龙头", page)
        self.assertNotIn("暖气，供暖", page)

    def test_center_editors_may_only_look(self):
        synonyms = SynonymSet.objects.create(terms="水喉，水龙头")
        self.client.force_login(self.center_editor)
        page = self.client.get(SYNONYMS_URL, {"q": "水喉"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "水喉，水龙头")
        self.assertNotContains(page, f"{SYNONYMS_URL}create/")
        self.assertNotContains(page, f"{SYNONYMS_URL}edit/{synonyms.pk}/")
        assert_denied(self, self.client.post(f"{SYNONYMS_URL}create/", {"terms": "甲，乙"}))
        edit = self.client.post(f"{SYNONYMS_URL}edit/{synonyms.pk}/", {"terms": "甲，乙"})
        assert_denied(self, edit)
        assert_denied(self, self.client.post(f"{SYNONYMS_URL}delete/{synonyms.pk}/"))
        synonyms.refresh_from_db()
        self.assertEqual(synonyms.terms, "水喉，水龙头")

    def test_the_model_permissions_add_to_the_page_permissions(self):
        """A district page editor granted the synonym permissions, without catalog ones."""
        group = editor_group("区级同义词维护", HomePage.objects.get(), model_permissions=False)
        group.permissions.add(
            *Permission.objects.filter(
                codename__in=("view_synonymset", "add_synonymset", "change_synonymset")
            )
        )
        keeper = get_user_model().objects.create_user("keeper", password="pw-keeper-12")
        keeper.groups.add(group)
        self.client.force_login(keeper)
        self.assertEqual(self.client.get(SYNONYMS_URL).status_code, 200)
        response = self.client.post(f"{SYNONYMS_URL}create/", {"terms": "水喉，水龙头"})
        self.assertEqual(response.status_code, 302)
        synonyms = SynonymSet.objects.get(terms="水喉，水龙头")
        assert_denied(self, self.client.post(f"{SYNONYMS_URL}delete/{synonyms.pk}/"))
        self.assertTrue(SynonymSet.objects.filter(pk=synonyms.pk).exists())

    def test_editors_without_catalog_permissions_see_no_synonyms(self):
        self.client.force_login(self.page_only_editor)
        assert_denied(self, self.client.get(SYNONYMS_URL))


class QueryLogPrivacyTests(DemoCatalogTestCase):
    def test_the_log_keeps_nothing_personal(self):
        fields = {field.name for field in QueryLog._meta.get_fields()}
        self.assertEqual(
            fields,
            {
                "id",
                "query",
                "filters",
                "center_code",
                "result_count",
                "click_count",
                "channel",
                "searched_at",
                "shown",
                "corrected_query",
            },
        )
        for personal in ("ip", "user", "session", "address", "agent", "phone"):
            self.assertFalse([name for name in fields if personal in name], personal)

    def test_a_logged_search_keeps_the_hour_only(self):
        result, _ = search_catalog({"q": "水电维修", "near": "39.12,117.2"})
        entry = QueryLog.objects.get(pk=result.log_id)
        self.assertEqual(
            (entry.searched_at.minute, entry.searched_at.second, entry.searched_at.microsecond),
            (0, 0, 0),
        )
        self.assertEqual(entry.filters.get("near"), "point")
        self.assertNotIn("39.12", str(entry.filters))
