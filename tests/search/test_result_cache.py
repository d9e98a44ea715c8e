"""The database backend keeps each search's counts and page while the index is unchanged:
a repeated search costs no full-text query, and an edit is seen by the very next search."""

from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import Service, TaxonomyTerm
from catalog.models.taxonomy import TOPIC_TAXONOMY
from search.backends import get_search_backend
from search.catalog import search_catalog
from tests.search.base import DemoCatalogTestCase

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def full_text_queries(params) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        result, _ = search_catalog(params, log=False)
    return result, sum("m AS (SELECT" in query["sql"] for query in queries.captured_queries)


def summary(result):
    return (
        result.total,
        [hit.service.name for hit in result.hits],
        {facet: [(v.value, v.count) for v in values] for facet, values in result.facets.items()},
    )


class ResultCacheTests(DemoCatalogTestCase):
    def test_a_repeated_search_is_answered_from_the_cache(self):
        first, counted = full_text_queries({"q": "老年", "kind": "low_cost"})
        self.assertEqual(counted, 1)
        again, counted = full_text_queries({"q": "老年", "kind": "low_cost"})
        self.assertEqual(counted, 0)
        self.assertEqual(summary(again), summary(first))
        # (its short first page searches the services like its first result too)
        _, counted = full_text_queries({"q": "老年", "kind": "market"})
        self.assertEqual(counted, 2, "other filters are another search")

    def test_an_edit_is_seen_by_the_next_search(self):
        before, _ = search_catalog({"q": "义剪"}, log=False)
        self.assertNotIn("开锁换锁", [hit.service.name for hit in before.hits])
        service = Service.objects.get(name="开锁换锁")
        with self.captureOnCommitCallbacks(execute=True):
            service.alternate_name = "义剪"
            service.save()
        after, counted = full_text_queries({"q": "义剪"})
        self.assertEqual(counted, 2)  # the search, and the services like its first result
        self.assertEqual(after.total, before.total + 1)
        self.assertIn("开锁换锁", [hit.service.name for hit in after.hits])

    def test_a_rolled_back_index_write_leaves_the_earlier_results(self):
        before, _ = search_catalog({"q": "义剪"}, log=False)
        service = Service.objects.get(name="开锁换锁")
        try:
            with transaction.atomic():
                Service.objects.filter(pk=service.pk).update(alternate_name="义剪")
                get_search_backend().index_services([service.pk])
                inside, _ = search_catalog({"q": "义剪"}, log=False)
                self.assertEqual(inside.total, before.total + 1)
                raise RuntimeError("the edit fails")
        except RuntimeError:
            pass
        after, _ = search_catalog({"q": "义剪"}, log=False)
        self.assertEqual(summary(after), summary(before))

        # A later edit that commits is seen as itself, not as the rolled-back one.
        other = Service.objects.exclude(status="defunct").exclude(pk=service.pk)
        other = other.exclude(name__contains="义剪").order_by("name").first()
        with self.captureOnCommitCallbacks(execute=True):
            other.alternate_name = "义剪"
            other.save()
        later, _ = search_catalog({"q": "义剪"}, log=False)
        found = [hit.service.name for hit in later.hits]
        self.assertEqual(later.total, before.total + 1)
        self.assertIn(other.name, found)
        self.assertNotIn("开锁换锁", found)

    def test_a_renamed_topic_shows_its_new_name_in_the_facets(self):
        def topic_labels():
            result, _ = search_catalog({"q": "老年"}, log=False)
            return {value.value: value.label for value in result.facets["topic"]}

        self.assertEqual(topic_labels()["elderly_care"], "养老")
        term = TaxonomyTerm.objects.get(code="elderly_care", taxonomy__name=TOPIC_TAXONOMY)
        with self.captureOnCommitCallbacks(execute=True):
            term.name = "养老服务"
            term.save()
        self.assertEqual(topic_labels()["elderly_care"], "养老服务")

    @override_settings(CACHES=UNREACHABLE_REDIS)
    def test_search_works_when_the_cache_server_is_down(self):
        with self.assertLogs("search.caching", "WARNING"):
            result, _ = search_catalog({"q": "老年证"}, log=False)
        self.assertEqual(result.hits[0].service.name, "老年人优待证办理")

    def test_the_cache_can_be_turned_off(self):
        with override_settings(
            JIAMENKOU_SEARCH={"BACKEND": "search.backends.database", "RESULT_CACHE_SECONDS": 0}
        ):
            full_text_queries({"q": "老年"})
            _, counted = full_text_queries({"q": "老年"})
        self.assertEqual(counted, 1)
