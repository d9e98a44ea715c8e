"""Activities as a result type of the search: found with the services' analysis (words,
pinyin, synonyms, the delivered service's name), offered only while a session that is not
cancelled is still to come, shown with their next session in a section "活动" of their
own, scoped to a center on its search page, kept in step with edits, and described to
Elasticsearch (mapping and request bodies, without a cluster)."""

from __future__ import annotations

import os
import unittest
import uuid
from datetime import date, datetime, time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import ActivityException
from catalog.models import Service, ServiceListPage
from search.activities import activity_document, indexable_activities
from search.analysis import analyse_query, synonym_index
from search.backends import get_search_backend
from search.backends.elasticsearch import (
    SearchBackend as ElasticsearchBackend,
)
from search.backends.elasticsearch import (
    activity_mapping,
    document_source,
)
from search.catalog import search_catalog
from search.indexing import rebuild_index
from search.models import QueryLog, SearchEntry
from search.query import CatalogQuery, Mode
from tests.activities.builders import add_room, build_activity
from tests.district.builders import build_center, build_home, build_street
from tests.search.base import DemoCatalogTestCase

#: Sunday 2026-12-06, 10:00 in the district: "today" of these tests.
MOMENT = timezone.make_aware(datetime(2026, 12, 6, 10, 0))


@pytest.fixture(autouse=True, scope="module")
def fixed_week():
    """What is upcoming must not change with the day the suite runs; the clock ticks on
    from MOMENT (module scope: in place before the classes build their data)."""
    with time_machine.travel(MOMENT, tick=True):
        yield


CLINIC_SERVICE = "专家进社区义诊"
WEEKLY_TUESDAY = {"freq": "WEEKLY", "byday": "TU"}


def activity_titles(params, **kwargs) -> list[str]:
    if isinstance(params, str):
        params = {"q": params}
    result, _ = search_catalog(params, moment=MOMENT, log=False, with_activities=True, **kwargs)
    return [hit.activity.title for hit in result.activities.hits]


class ActivitySearchTestCase(DemoCatalogTestCase):
    @classmethod
    def build_pages(cls):
        home = build_home()
        home.add_child(instance=ServiceListPage(title="服务清单", slug="fuwu"))
        street = build_street(home, title="春华街道", slug="chunhua")
        # The catalog's locations of these codes become their places (linked by code).
        cls.haitang = build_center(
            street, code="HHD-CH-01", title="海棠苑社区党群服务中心", place=False
        )
        cls.chunhui = build_center(
            street, code="HHD-CH-02", title="春晖里社区党群服务中心", place=False
        )

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.taiji = build_activity(
            cls.haitang,
            "太极拳",
            description="杨氏二十四式，零基础可参加，请穿运动鞋。",
            **WEEKLY_TUESDAY,
        )
        cls.fan = build_activity(
            cls.chunhui,
            "太极扇",
            dtstart=date(2026, 12, 10),
            start_time=time(15, 0),
            end_time=time(16, 0),
            freq="WEEKLY",
            byday="TH",
        )
        cls.clinic = build_activity(
            cls.haitang,
            "社区医生面对面",
            description="测血压、看化验单，带上医保卡。",
            service=Service.objects.get(name=CLINIC_SERVICE),
            dtstart=date(2026, 12, 9),
            start_time=time(14, 0),
            end_time=time(16, 0),
            freq="WEEKLY",
            byday="WE",
        )
        # Its only session is cancelled: nothing to come to.
        cls.calligraphy = build_activity(
            cls.haitang,
            "书法班",
            dtstart=date(2027, 3, 3),
            start_time=time(14, 0),
            end_time=time(16, 0),
            exceptions=[
                {"occurrence_date": date(2027, 3, 3), "action": "cancel", "reason": "老师有事"}
            ],
        )
        # Over already.
        cls.paper_cut = build_activity(
            cls.haitang,
            "剪纸体验",
            dtstart=date(2026, 12, 1),
            start_time=time(14, 0),
            end_time=time(16, 0),
        )
        rebuild_index(progress=False)


class FindingActivitiesTests(ActivitySearchTestCase):
    def test_chinese_query_finds_activities_with_their_next_session(self):
        result, _ = search_catalog({"q": "太极"}, moment=MOMENT, log=False, with_activities=True)
        by_title = {hit.activity.title: hit for hit in result.activities.hits}
        self.assertEqual(set(by_title), {"太极拳", "太极扇"})
        self.assertEqual(result.activities.total, 2)
        taiji = by_title["太极拳"]
        self.assertEqual(taiji.when, "12月8日（周二）09:00–10:30")
        self.assertEqual(taiji.place, "一楼 多功能厅")
        self.assertEqual(taiji.occurrence.center.title, "海棠苑社区党群服务中心")
        self.assertIn("<mark>太极", taiji.title_html)
        self.assertEqual(by_title["太极扇"].when, "12月10日（周四）15:00–16:00")

    def test_pinyin_and_initials(self):
        self.assertIn("太极拳", activity_titles("taiji"))
        self.assertIn("太极拳", activity_titles("tj"))
        self.assertIn("太极扇", activity_titles("taijishan"))

    def test_synonyms_and_traditional_characters(self):
        self.assertIn("太极拳", activity_titles("打太极"))  # 太极，太极拳，打太极
        self.assertIn("太极拳", activity_titles("太極拳"))

    def test_the_delivered_service_finds_the_activity(self):
        self.assertEqual(activity_titles("义诊"), ["社区医生面对面"])
        self.assertEqual(activity_titles("yizhen"), ["社区医生面对面"])
        # Its description and organiser-free text are searched too.
        self.assertEqual(activity_titles("测血压"), ["社区医生面对面"])

    def test_activities_without_a_session_to_come_are_not_offered(self):
        self.assertEqual(activity_titles("书法"), [])  # its only session is cancelled
        self.assertEqual(activity_titles("剪纸"), [])  # over
        # Both are indexed: what is offered is decided at the moment of the search.
        self.assertTrue(SearchEntry.objects.filter(activity=self.calligraphy).exists())
        later = timezone.make_aware(datetime(2028, 1, 1, 10, 0))
        result, _ = search_catalog({"q": "太极拳"}, moment=later, log=False, with_activities=True)
        self.assertEqual(result.activities.hits, [])  # its sessions run a year ahead

    def test_a_center_scope_keeps_its_own_activities(self):
        self.assertEqual(activity_titles("太极", center_code="HHD-CH-02"), ["太极扇"])
        self.assertEqual(
            sorted(activity_titles({"q": "太极", "scope": "all"}, center_code="HHD-CH-02")),
            ["太极扇", "太极拳"],
        )
        self.assertEqual(activity_titles({"q": "太极", "center": "HHD-CH-01"}), ["太极拳"])

    def test_no_text_no_activities_and_only_with_the_first_page_of_services(self):
        self.assertEqual(activity_titles(""), [])
        self.assertEqual(activity_titles({"q": "太极", "page": "2", "page_size": "1"}), [])

    def test_activities_found_count_as_results_in_the_demand_log(self):
        result, _ = search_catalog({"q": "太极扇"}, moment=MOMENT, with_activities=True)
        self.assertEqual(result.activities.total, 1)
        logged = QueryLog.objects.get(pk=result.log_id).result_count
        self.assertEqual(logged, result.total + 1)

    def test_the_services_answer_is_unchanged(self):
        plain, _ = search_catalog({"q": "义诊"}, moment=MOMENT, log=False)
        self.assertIsNone(plain.activities)
        self.assertTrue(all(hit.service.name for hit in plain.hits))
        self.assertIn(CLINIC_SERVICE, [hit.service.name for hit in plain.hits])


class ActivityIndexSignalTests(ActivitySearchTestCase):
    def test_saving_and_deleting_an_activity_updates_the_index(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.taiji.title = "八段锦"
            self.taiji.save()
        self.assertEqual(activity_titles("八段锦"), ["八段锦"])
        self.assertEqual(activity_titles("bdj"), ["八段锦"])
        self.assertEqual(activity_titles("太极拳"), ["太极扇"])  # 太极拳 = 太极 (synonyms)
        with self.captureOnCommitCallbacks(execute=True):
            new = build_activity(
                self.chunhui,
                "八段锦晨练",
                dtstart=date(2026, 12, 7),
                start_time=time(7, 0),
                end_time=time(8, 0),
                room=None,
                place_note="小区中心广场",
            )
        hits = set(activity_titles("八段锦"))
        self.assertEqual(hits, {"八段锦", "八段锦晨练"})
        with self.captureOnCommitCallbacks(execute=True):
            new.delete()
        self.assertEqual(activity_titles("八段锦"), ["八段锦"])
        self.assertFalse(SearchEntry.objects.filter(source="activity", title="八段锦晨练").exists())

    def test_cancelling_the_next_session_shows_the_one_after(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.taiji.exceptions = [
                ActivityException(
                    occurrence_date=date(2026, 12, 8), action="cancel", reason="场地维修"
                )
            ]
            self.taiji.save()
        result, _ = search_catalog({"q": "太极拳"}, moment=MOMENT, log=False, with_activities=True)
        self.assertEqual(result.activities.hits[0].when, "12月15日（周二）09:00–10:30")

    def test_renaming_the_delivered_service_reindexes_its_activities(self):
        service = Service.objects.get(name=CLINIC_SERVICE)
        with self.captureOnCommitCallbacks(execute=True):
            service.name = "专家健康咨询"
            service.save()
        self.assertEqual(activity_titles("义诊"), [])
        self.assertEqual(activity_titles("健康咨询"), ["社区医生面对面"])


class SearchPageActivityTests(ActivitySearchTestCase):
    def page(self, path, params):
        response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_results_page_has_an_activities_section_with_next_sessions_and_links(self):
        html = self.page("/sousuo/", {"q": "太极"})
        self.assertIn('id="search-activities"', html)
        self.assertIn(">活动</h2>", html)
        self.assertIn('href="#search-activities"', html)
        self.assertIn("下一场", html)
        self.assertIn("一楼 多功能厅", html)
        self.assertIn("海棠苑社区党群服务中心", html)
        # The activity's link (its center's page until activities have their own).
        self.assertIn(f'href="{self.haitang.url}"', html)
        self.assertNotIn("书法班", html)

    def test_a_search_without_activities_has_no_section(self):
        html = self.page("/sousuo/", {"q": "老年证"})
        self.assertNotIn('id="search-activities"', html)

    def shown_activities(self, path, params) -> list[str]:
        response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200)
        return sorted(hit.activity.title for hit in response.context["activities"].hits)

    def test_center_page_shows_only_its_activities(self):
        self.assertEqual(self.shown_activities("/sousuo/HHD-CH-02/", {"q": "太极"}), ["太极扇"])
        self.assertEqual(
            self.shown_activities("/sousuo/HHD-CH-02/", {"q": "太极", "scope": "all"}),
            ["太极扇", "太极拳"],
        )

    def count_queries(self, params) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = self.page("/sousuo/", params)
        self.assertIn('id="search-activities"', html)
        return len(queries)

    def test_query_count_does_not_grow_with_the_matching_activities(self):
        self.page("/", {})  # the site's first request creates its settings row
        few = self.count_queries({"q": "太极"})
        room = add_room(self.chunhui, name="活动室", floor="二楼")
        with self.captureOnCommitCallbacks(execute=True):
            for number in range(8):
                build_activity(
                    self.chunhui,
                    f"太极养生班{number}",
                    room=room,
                    dtstart=date(2026, 12, 7 + number),
                    start_time=time(18, 0),
                    end_time=time(19, 0),
                )
        self.assertEqual(len(activity_titles("太极")), 10)
        self.assertEqual(self.count_queries({"q": "太极"}), few)


# -- Elasticsearch, without a cluster --------------------------------------------------------


class ElasticsearchActivityTests(ActivitySearchTestCase):
    def backend(self):
        return ElasticsearchBackend(
            {"URLS": ["http://127.0.0.1:9"], "INDEX_PREFIX": "jmk-test", "MAX_RETRIES": 0}
        )

    def test_the_backend_has_an_activities_index_with_its_mapping(self):
        backend = self.backend()
        self.assertEqual(backend.index_name("activity"), "jmk-test-activities")
        properties = activity_mapping()["mappings"]["properties"]
        for field in ("name_tokens", "keyword_tokens", "body_tokens", "pinyin_tokens"):
            self.assertEqual(properties[field], {"type": "text", "analyzer": "jiamenkou_tokens"})
        for field in ("title", "center", "audience", "cost"):
            self.assertEqual(properties[field], {"type": "keyword"}, field)
        self.assertEqual(properties["activity_id"], {"type": "integer"})
        self.assertEqual(properties["last_ends_at"], {"type": "date"})

    def test_an_activity_document_is_the_same_analysis_as_in_the_database(self):
        activity = indexable_activities().get(pk=self.clinic.pk)
        source = document_source(activity_document(activity))
        self.assertEqual(source["activity_id"], self.clinic.pk)
        self.assertIn("义诊", source["keyword_tokens"].split())
        self.assertIn("yizhen", source["pinyin_tokens"].split())
        self.assertEqual(source["center"], ["HHD-CH-01"])
        self.assertEqual(source["cost"], ["free"])
        entry = SearchEntry.objects.get(activity=self.clinic)
        self.assertEqual(source["keyword_tokens"], entry.keyword_tokens)
        self.assertEqual(source["pinyin_tokens"], entry.pinyin_tokens)
        self.assertGreater(source["last_ends_at"], MOMENT)

    def test_the_request_filters_on_sessions_to_come_and_the_center(self):
        query = CatalogQuery(
            analyse_query("太极", synonym_index([["太极", "太极拳"]])), moment=MOMENT
        )
        body = (
            self.backend()
            .build_activity_search(query, Mode.STRICT, {"center": "HHD-CH-02"}, 10)
            .to_dict()
        )
        restrictions = body["query"]["bool"]["filter"]
        self.assertIn({"range": {"last_ends_at": {"gt": MOMENT.isoformat()}}}, restrictions)
        self.assertIn({"terms": {"center": ["HHD-CH-02"]}}, restrictions)
        self.assertEqual(body["size"], 10)
        self.assertTrue(body["track_total_hits"])
        text = str(body["query"]["bool"]["must"])
        self.assertIn("太极拳", text)  # the synonym, as for services
        self.assertIsNone(
            self.backend().build_activity_search(
                CatalogQuery(analyse_query(""), moment=MOMENT), Mode.STRICT, {}, 10
            )
        )

    def test_the_database_backend_is_the_default_here(self):
        self.assertEqual(get_search_backend().name, "database")


ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "").strip()


@unittest.skipUnless(
    ELASTICSEARCH_URL,
    "ELASTICSEARCH_URL 未设置：跳过活动搜索的 Elasticsearch 实时测试 (set ELASTICSEARCH_URL to run)",
)
@override_settings(
    JIAMENKOU_SEARCH={"BACKEND": "search.backends.database"},
    WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}},
)
class ElasticsearchLiveActivityTests(ActivitySearchTestCase):
    """The same activity searches answered by a live cluster as by the database."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.prefix = f"jiamenkou-activities-{uuid.uuid4().hex[:12]}"
        with cls.elasticsearch():
            backend = get_search_backend()
            cls.addClassCleanup(backend.delete_indexes)
            rebuild_index(progress=False)

    @classmethod
    def elasticsearch(cls):
        return override_settings(
            JIAMENKOU_SEARCH={
                "BACKEND": "search.backends.elasticsearch",
                "URLS": [ELASTICSEARCH_URL],
                "INDEX_PREFIX": cls.prefix,
                "REFRESH": True,
            }
        )

    def test_the_cluster_finds_what_the_database_finds(self):
        for params in (
            "太极",
            "taiji",
            "tj",
            "打太极",
            "义诊",
            "书法",
            "剪纸",
            {"q": "太极", "center": "HHD-CH-02"},
        ):
            database = sorted(activity_titles(params))
            with self.elasticsearch():
                self.assertEqual(sorted(activity_titles(params)), database, params)
