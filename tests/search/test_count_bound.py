"""Past the database backend's count bound (JIAMENKOU_SEARCH["COUNT_BOUND"]) a search
says honestly that it stopped counting: the page shows 超过 N 项 and the API the bound
with ``count_is_lower_bound``; facet values carry no counts. The results themselves are
those of the search that counts everything."""

from django.conf import settings
from django.test import override_settings

from search.catalog import search_catalog
from tests.search.test_search_views import SearchViewsTestCase

BROAD = "老年"


def bounded(bound: int):
    return override_settings(
        JIAMENKOU_SEARCH={
            **settings.JIAMENKOU_SEARCH,
            "COUNT_BOUND": bound,
            "RESULT_CACHE_SECONDS": 0,
        }
    )


def unbounded(params):
    with bounded(0):
        result, _ = search_catalog(params, log=False)
    return result


class CountBoundTests(SearchViewsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        everything = unbounded({"q": BROAD})
        cls.total = everything.total
        cls.ranked = [hit.service.pk for hit in everything.hits]
        assert cls.total > 4, "the demo catalog has several services for the broad word"

    def test_past_the_bound_the_page_says_more_than_the_bound(self):
        with bounded(3):
            page = self.client.get("/sousuo/", {"q": BROAD}).content.decode()
        self.assertIn("找到超过 3 项服务", page)
        self.assertIn("结果较多，未逐项计数", page)
        self.assertNotIn('class="facet__count"', page)
        self.assertIn('class="facet__value"', page, "the facets can still narrow the results")

    def test_within_the_bound_the_page_gives_the_exact_count(self):
        with bounded(self.total):
            page = self.client.get("/sousuo/", {"q": BROAD}).content.decode()
        self.assertIn(f"找到 {self.total} 项服务", page)
        self.assertNotIn("超过", page)
        self.assertIn('class="facet__count"', page)

    def test_the_api_reports_the_bound_as_a_lower_bound(self):
        with bounded(3):
            body = self.search_api({"q": BROAD})
        self.assertEqual(body["count"], 3)
        self.assertTrue(body["count_is_lower_bound"])
        values = [item for facet in body["facets"].values() for item in facet]
        self.assertTrue(values)
        self.assertEqual({item["count"] for item in values}, {None})
        with bounded(self.total):
            body = self.search_api({"q": BROAD})
        self.assertEqual(body["count"], self.total)
        self.assertFalse(body["count_is_lower_bound"])
        kinds = {item["value"]: item["count"] for item in body["facets"]["kind"]}
        self.assertEqual(sum(kinds.values()), self.total)

    def test_the_bound_changes_no_result(self):
        for page in ("1", "2"):
            params = {"q": BROAD, "page_size": "3", "page": page}
            with bounded(2):
                result, _ = search_catalog(params, log=False)
            self.assertEqual(
                [hit.service.pk for hit in result.hits],
                [hit.service.pk for hit in unbounded(params).hits],
            )

    def test_a_filter_that_leaves_few_is_counted_exactly(self):
        counts = {value.value: value.count for value in unbounded({"q": BROAD}).facets["kind"]}
        kind, few = min(counts.items(), key=lambda item: item[1])
        self.assertLess(few, self.total - 1)
        with bounded(self.total - 1):
            result, _ = search_catalog({"q": BROAD, "kind": kind}, log=False)
        self.assertEqual(result.total, few)
        self.assertFalse(result.total_is_lower_bound)
        chosen = [value for value in result.facets["kind"] if value.selected]
        self.assertEqual([(value.value, value.count) for value in chosen], [(kind, None)])
        self.assertEqual(
            [hit.service.pk for hit in result.hits],
            [hit.service.pk for hit in unbounded({"q": BROAD, "kind": kind}).hits],
        )


class AllWordsCountBoundTests(SearchViewsTestCase):
    """A query that needs all its words is counted from its head matches first (ranked
    once, ``a``), then its other matches: the same total, facets and pages as counting
    every match, below the bound, at it and past it."""

    texts = ("老人腿脚不好下不了楼吃饭", "老年 体检", "老人 助餐", "老年 证 办理", "老人 火星")

    def answer(self, params):
        result, _ = search_catalog(params, log=False)
        return (
            result.mode,
            result.total,
            result.total_is_lower_bound,
            [hit.service.pk for hit in result.hits],
            {
                facet: [(value.value, value.count) for value in values]
                for facet, values in result.facets.items()
            },
        )

    def test_the_same_answers_whatever_the_bound(self):
        strict = 0
        for text in self.texts:
            with bounded(0):
                everything = self.answer({"q": text, "page_size": "3"})
            strict += everything[0].value == "strict" and everything[1] > 0
            total = everything[1]
            for bound in (1, max(total - 1, 1), total, total + 1):
                for page in ("1", "2"):
                    params = {"q": text, "page_size": "3", "page": page}
                    with self.subTest(text=text, bound=bound, page=page), bounded(bound):
                        mode, shown, lower, ids, facets = self.answer(params)
                        with bounded(0):
                            expected = self.answer(params)
                        self.assertEqual((mode, ids), (expected[0], expected[3]))
                        self.assertEqual(shown, min(expected[1], bound))
                        self.assertEqual(lower, expected[1] > bound)
                        if not lower:
                            self.assertEqual(facets, expected[4])
        self.assertGreater(strict, 1, "queries that match all their words strictly")

    def test_all_its_words_are_counted_from_the_ranked_head_matches(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if connection.vendor != "postgresql":
            self.skipTest("the tiers are PostgreSQL's")
        with CaptureQueriesContext(connection) as queries, bounded(2000):
            result, _ = search_catalog({"q": "老人腿脚不好下不了楼吃饭"}, log=False)
        self.assertEqual(result.mode.value, "strict")
        self.assertTrue(result.hits)
        searches = [q["sql"] for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
        self.assertEqual(len(searches), 1)
        self.assertIn("FROM a UNION ALL", searches[0])
