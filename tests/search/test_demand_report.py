"""处理情况月报: closed demand lines and the no-result rate, per center and month."""

from datetime import date, datetime, timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.demand_report import demand_report
from search.models import HandledDemand, QueryLog
from tests.search.test_demand_list import HAITANGYUAN, ZHAOXIALI, assert_denied, editors

REPORT_URL = "/admin/search/demand/report/"
NOW = timezone.make_aware(datetime(2026, 11, 20, 10))


def at(year, month, day=10):
    return timezone.make_aware(datetime(year, month, day, 9))


def searches(center, moment, *, found=0, nothing=0):
    QueryLog.objects.bulk_create(
        [
            QueryLog(query="某词", center_code=center, result_count=3, searched_at=moment)
            for _ in range(found)
        ]
        + [
            QueryLog(query="某词", center_code=center, result_count=0, searched_at=moment)
            for _ in range(nothing)
        ]
    )


def closed(center, moment, query, action=HandledDemand.Action.KEYWORDS):
    HandledDemand.objects.create(center_code=center, query=query, handled_at=moment, action=action)


class ReportFiguresTests(TestCase):
    """A constructed log: 海棠苑 had 10 searches in October (4 found nothing, 40%) and 10
    in November (1 found nothing, 10%); three lines were closed in November, one in
    October. 朝霞里 only searched in November."""

    @classmethod
    def setUpTestData(cls):
        searches(HAITANGYUAN, at(2026, 10), found=6, nothing=4)
        searches(HAITANGYUAN, at(2026, 11), found=9, nothing=1)
        searches(ZHAOXIALI, at(2026, 11), found=1, nothing=1)
        searches(HAITANGYUAN, at(2025, 1), nothing=5)  # long before the period
        closed(HAITANGYUAN, at(2026, 10, 20), "水喉", HandledDemand.Action.OTHER)
        closed(HAITANGYUAN, at(2026, 11, 2), "修电脑")
        closed(HAITANGYUAN, at(2026, 11, 3), "宠物", HandledDemand.Action.SYNONYMS)
        closed(HAITANGYUAN, at(2026, 11, 4), "换锁")
        # The first hour of December in Beijing is still 30 November in UTC: December.
        closed(ZHAOXIALI, timezone.make_aware(datetime(2026, 12, 1, 0, 30)), "办证")

    def rows(self, **kwargs):
        kwargs.setdefault("now", NOW)
        rows = demand_report(**kwargs)
        return {(row.center_code, row.month): row for row in rows}

    def test_closed_lines_and_the_no_result_rate_per_center_and_month(self):
        rows = self.rows()
        november = rows[(HAITANGYUAN, date(2026, 11, 1))]
        self.assertEqual(
            (november.closed, november.closed_keywords, november.closed_synonyms), (3, 2, 1)
        )
        self.assertEqual((november.searches, november.zero_results), (10, 1))
        self.assertAlmostEqual(november.zero_rate, 0.1)
        self.assertAlmostEqual(november.previous_zero_rate, 0.4)
        self.assertEqual(november.change_points, -30.0)
        october = rows[(HAITANGYUAN, date(2026, 10, 1))]
        self.assertEqual((october.closed, october.searches, october.zero_percent), (1, 10, 40.0))
        self.assertIsNone(october.change_points)  # nothing searched in September
        zhaoxiali = rows[(ZHAOXIALI, date(2026, 11, 1))]
        self.assertEqual((zhaoxiali.closed, zhaoxiali.zero_percent), (0, 50.0))
        self.assertIsNone(zhaoxiali.change_points)

    def test_months_are_beijing_calendar_months(self):
        rows = self.rows(now=timezone.make_aware(datetime(2026, 12, 5)))
        self.assertEqual(rows[(ZHAOXIALI, date(2026, 12, 1))].closed, 1)
        self.assertEqual(rows[(ZHAOXIALI, date(2026, 11, 1))].closed, 0)

    def test_the_period_and_the_centers(self):
        self.assertNotIn((HAITANGYUAN, date(2025, 1, 1)), self.rows())
        self.assertIn((HAITANGYUAN, date(2025, 1, 1)), self.rows(months=24))
        # October is the month before the period, compared with but not listed.
        only_november = self.rows(months=1)
        self.assertEqual(
            set(only_november), {(HAITANGYUAN, date(2026, 11, 1)), (ZHAOXIALI, date(2026, 11, 1))}
        )
        self.assertEqual(only_november[(HAITANGYUAN, date(2026, 11, 1))].change_points, -30.0)
        mine = self.rows(center_codes=[ZHAOXIALI])
        self.assertEqual({code for code, _ in mine}, {ZHAOXIALI})

    def test_latest_month_first(self):
        months = [row.month for row in demand_report(now=NOW)]
        self.assertEqual(months, sorted(months, reverse=True))


class ReportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        editors(cls)
        now = timezone.now()
        searches(HAITANGYUAN, now, found=3, nothing=1)
        searches(ZHAOXIALI, now, found=1, nothing=1)
        closed(HAITANGYUAN, now, "水喉")
        closed(ZHAOXIALI, now, "修电脑")

    def page(self, user, **params):
        self.client.force_login(user)
        return self.client.get(REPORT_URL, params)

    def centers_shown(self, response):
        return {row.center_code for row in response.context["rows"]}

    def test_district_editors_see_every_center(self):
        response = self.page(self.district_editor)
        self.assertEqual(self.centers_shown(response), {HAITANGYUAN, ZHAOXIALI})
        self.assertContains(response, "处理情况月报")
        self.assertContains(response, "25.0%")  # 海棠苑: 1 of 4 found nothing

    def test_center_editors_see_their_own_centers(self):
        response = self.page(self.center_editor)
        self.assertEqual(self.centers_shown(response), {HAITANGYUAN})
        self.assertNotContains(response, "50.0%")
        assert_denied(self, self.page(self.center_editor, center=ZHAOXIALI))
        assert_denied(self, self.page(self.page_only_editor))

    def test_linked_from_the_demand_list(self):
        self.client.force_login(self.center_editor)
        self.assertContains(self.client.get("/admin/search/demand/"), f'href="{REPORT_URL}"')

    def test_the_query_count_does_not_grow_with_the_lines(self):
        def count_queries() -> int:
            self.client.force_login(self.district_editor)
            self.client.get(REPORT_URL)  # warm caches (content types, site)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(REPORT_URL, {"months": "24"})
            self.assertEqual(response.status_code, 200)
            return len(queries), len(response.context["rows"])

        few, few_rows = count_queries()
        for months_ago in range(1, 20):
            moment = timezone.now() - timedelta(days=31 * months_ago)
            for center in (HAITANGYUAN, ZHAOXIALI, ""):
                searches(center, moment, found=2, nothing=months_ago % 3)
                closed(center, moment, f"需求{months_ago}")
        many, many_rows = count_queries()
        self.assertGreater(many_rows, few_rows + 40)
        self.assertEqual(few, many)
