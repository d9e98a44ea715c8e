"""Contract test: the Elasticsearch backend answers as the database backend does.

Runs only against a live cluster named by ``ELASTICSEARCH_URL`` (skipped otherwise). The
demo catalog is indexed into both backends (Elasticsearch under a throw-away index
prefix, refreshed on every write), the same searches are run through
:func:`search.catalog.run_query` with each backend configured in turn, and the answers
are compared: the same mode, total, top result and top three, the same facet counts, the
same distances and open-now results. The test indexes are deleted afterwards.

Scores are not compared: Elasticsearch sums per-field BM25 where SQLite's bm25 weighs the
fields inside one formula, so a failure on a top result that the database ranks by a
narrow margin is a ranking difference to look at, not necessarily a bug.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "").strip()
if not ELASTICSEARCH_URL:
    pytest.skip(
        "ELASTICSEARCH_URL 未设置：跳过 Elasticsearch 实时契约测试 (set ELASTICSEARCH_URL to run)",
        allow_module_level=True,
    )

from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import Location, ServiceKind  # noqa: E402
from search.backends import get_search_backend  # noqa: E402
from search.backends.elasticsearch import ElasticsearchBackendError  # noqa: E402
from search.catalog import SearchParameters, run_query  # noqa: E402
from search.indexing import rebuild_index  # noqa: E402
from search.query import Mode  # noqa: E402
from tests.search.base import DemoCatalogTestCase  # noqa: E402

RELEVANCE_SET = Path(__file__).resolve().parents[2] / "benchmarks" / "relevance_set.json"
FALLBACK_QUERIES = [
    "老年证",
    "老年正",
    "低保",
    "义诊",
    "yizhen",
    "yz",
    "lnz",
    "修水管",
    "孩子放学没人管",
    "养老",
    "助餐",
    "家政",
    "体检",
    "65岁体检",
    "法律援助",
    "就业",
    "残疾人",
    "医保",
    "社保卡",
    "居住证",
    "理发",
    "wifi",
]
DATABASE = {"BACKEND": "search.backends.database"}
#: A Wednesday morning, so that open now tells services apart.
MOMENT = timezone.make_aware(datetime(2025, 6, 11, 10, 0))


def contract_queries() -> list[str]:
    """The relevance set's queries when the benchmark has one, else a fixed list."""
    if RELEVANCE_SET.exists():
        items = json.loads(RELEVANCE_SET.read_text(encoding="utf-8"))
        queries = list(dict.fromkeys(item["query"] for item in items if item.get("query")))
        if queries:
            return queries
    return FALLBACK_QUERIES


def elasticsearch_settings(prefix: str) -> dict:
    return {
        "BACKEND": "search.backends.elasticsearch",
        "URLS": [ELASTICSEARCH_URL],
        "INDEX_PREFIX": prefix,
        "REFRESH": True,
    }


def drop_indexes(backend) -> None:
    # A cluster that went away cannot be cleaned; the setup's own error says why.
    with contextlib.suppress(ElasticsearchBackendError):
        backend.delete_indexes()


# Wagtail's own search would otherwise write to the cluster's real indexes too.
@override_settings(
    JIAMENKOU_SEARCH=DATABASE,
    WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}},
)
class ElasticsearchContractTests(DemoCatalogTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()  # the catalog, indexed in the database
        cls.prefix = f"jiamenkou-contract-{uuid.uuid4().hex[:12]}"
        with override_settings(JIAMENKOU_SEARCH=elasticsearch_settings(cls.prefix)):
            backend = get_search_backend()
            cls.addClassCleanup(drop_indexes, backend)
            rebuild_index(progress=False)

    def elasticsearch(self):
        return override_settings(JIAMENKOU_SEARCH=elasticsearch_settings(self.prefix))

    def database(self):
        return override_settings(JIAMENKOU_SEARCH=DATABASE)

    def both(self, params: dict):
        """The same search answered by the database, then by Elasticsearch."""
        query = SearchParameters(params, moment=MOMENT).read()
        with self.database():
            database = run_query(query)
        with self.elasticsearch():
            elastic = run_query(query)
        return database, elastic

    def raw_both(self, params: dict, mode: Mode = Mode.STRICT):
        query = SearchParameters(params, moment=MOMENT).read()
        with self.database():
            database = get_search_backend().search_services(query, mode)
        with self.elasticsearch():
            elastic = get_search_backend().search_services(query, mode)
        return database, elastic

    @staticmethod
    def names(result, count: int | None = None) -> list[str]:
        return [hit.service.name for hit in result.hits[:count]]

    # -- the index ---------------------------------------------------------------------------

    def test_both_hold_the_same_documents(self):
        for source in ("service", "page"):
            with self.database():
                expected = get_search_backend().document_count(source)
            with self.elasticsearch():
                found = get_search_backend().document_count(source)
            self.assertEqual(found, expected, source)

    # -- ranking -----------------------------------------------------------------------------

    def test_the_same_top_results(self):
        queries = contract_queries()
        self.assertGreaterEqual(len(queries), 10)
        for text in queries:
            with self.subTest(query=text):
                database, elastic = self.both({"q": text})
                detail = (
                    f"“{text}”: database {self.names(database, 3)} ({database.total}, "
                    f"{database.mode.value}); elasticsearch {self.names(elastic, 3)} "
                    f"({elastic.total}, {elastic.mode.value})"
                )
                self.assertEqual(elastic.mode, database.mode, detail)
                # Matching is boolean and identical: the same services, however ranked.
                self.assertEqual(elastic.total, database.total, detail)
                if not database.hits:
                    continue
                self.assertEqual(
                    elastic.hits[0].service.pk, database.hits[0].service.pk, f"top result: {detail}"
                )
                self.assertEqual(
                    {hit.service.pk for hit in elastic.hits[:3]},
                    {hit.service.pk for hit in database.hits[:3]},
                    f"top three: {detail}",
                )

    def test_listing_without_text_is_by_name(self):
        database, elastic = self.both({"page_size": "50"})
        self.assertEqual(elastic.total, database.total)
        self.assertEqual(self.names(elastic), self.names(database))

    # -- facets, circles, open now ------------------------------------------------------------

    def test_the_same_facet_counts(self):
        searches = [{}, {"q": "老年"}, {"q": "服务"}, {"kind": ServiceKind.GOVERNMENT.value}]
        for params in searches:
            with self.subTest(params=params):
                database, elastic = self.raw_both(params)
                self.assertEqual(elastic.total, database.total)
                self.assertEqual(elastic.facets, database.facets)

    def test_the_same_services_and_distances_in_a_walking_circle(self):
        center = (
            Location.objects.exclude(external_identifier="")
            .filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("pk")
            .first()
        )
        for sort in ("distance", "relevance"):
            params = {"near": center.external_identifier, "minutes": "20", "sort": sort}
            with self.subTest(sort=sort):
                database, elastic = self.raw_both(params)
                self.assertEqual(elastic.total, database.total)
                self.assertEqual(elastic.facets, database.facets)
                expected = {hit.service_id: hit.distance_m for hit in database.hits}
                for hit in elastic.hits:
                    if hit.service_id in expected:
                        self.assertEqual(hit.distance_m, expected[hit.service_id])
                if sort == "distance":
                    self.assertEqual(
                        [hit.distance_m for hit in elastic.hits],
                        [hit.distance_m for hit in database.hits],
                    )

    def test_the_same_services_open_now(self):
        for params in (
            {"open_now": "1", "page_size": "50"},
            {"open_now": "1", "q": "服务", "kind": ServiceKind.GOVERNMENT.value},
        ):
            with self.subTest(params=params):
                database, elastic = self.raw_both(params)
                self.assertEqual(elastic.total, database.total)
                self.assertEqual(elastic.facets, database.facets)
        database, elastic = self.both({"open_now": "1", "page_size": "50"})
        self.assertEqual(self.names(elastic), self.names(database))

    # -- autocomplete --------------------------------------------------------------------------

    def test_the_same_suggestions(self):
        for prefix in ("老年", "社", "证", "yz", "lao", "jiu"):
            with self.subTest(prefix=prefix):
                with self.database():
                    expected = get_search_backend().autocomplete(prefix, 300)
                with self.elasticsearch():
                    found = get_search_backend().autocomplete(prefix, 300)
                # Every match fits in 300; pinyin ones are ranked differently (see module doc).
                self.assertEqual(set(found), set(expected))


# -- a rebuild by alias swap on the real cluster --------------------------------------------------


@override_settings(
    WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}}
)
class AliasSwapLiveTests(DemoCatalogTestCase):
    """``rebuild_search_index`` builds beside the live index and swaps the alias over."""

    def test_the_rebuild_swaps_the_alias_and_deletes_the_old_index(self):
        from io import StringIO

        from django.core.management import call_command

        prefix = f"jiamenkou-swap-{uuid.uuid4().hex[:12]}"
        with override_settings(JIAMENKOU_SEARCH=elasticsearch_settings(prefix)):
            backend = get_search_backend()
            self.addCleanup(drop_indexes, backend)
            rebuild_index(progress=False)
            (before,) = backend.current_indexes("service")
            count = backend.document_count()
            call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
            (after,) = backend.current_indexes("service")
            self.assertNotEqual(after, before)
            self.assertTrue(after.startswith(f"{prefix}-services-"))
            self.assertFalse(backend.client.indices.exists(index=before))
            self.assertEqual(backend.document_count(), count)
            # Searches go through the alias as before.
            self.assertTrue(backend.autocomplete("老年", 5))
